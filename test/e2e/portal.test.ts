// Browser test of the regulator portal and the hotline's enforcement pages: a hotline files an
// enforcement request with a (fictional) regulator's organisation; the regulator's officer signs
// in, finds it under "Verzoeken", opens it with its dossier, confirms receipt (the clock starts),
// adds a decision document and records the decision (the clock stops). The hotline's supervisor
// sees the same request with its clock, and the coordination page. axe-core checks each page.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import * as cases from "../../src/modules/cases/service.ts";
import { closePrinter, renderPendingDossiers } from "../../src/modules/escalation/dossier.ts";
import { totpCode } from "../../src/modules/identity/totp.ts";
import { currentConsent } from "../../src/modules/intake/consent.ts";
import { nl } from "../../web/src/i18n/nl.ts";
import { login, makeOrganisation, makeUser, PASSWORD, startApp, type TestApp } from "../support/app.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  ensureWebBuilt,
  expectAccessible,
  requireBrowserInCi,
  skip,
} from "../support/browser.ts";
import { backends } from "../support/db.ts";
import { ROOT } from "../support/server.ts";

requireBrowserInCi();

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

describe("web: the regulator portal", { skip, timeout: 300_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl = "";
  const officer = { email: "", secret: "" };
  const supervisor = { email: "", secret: "" };
  let requestId = "";
  let reference = "";

  async function signIn(who: { email: string; secret: string }, path: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-NL" });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${baseUrl}${path}`);
    await heading(page, nl["login.title"]).waitFor();
    await page.getByLabel(nl["form.email"]).fill(who.email);
    await page.getByLabel(nl["form.password"], { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: nl["login.submit"], exact: true }).click();
    await heading(page, nl["mfa.verify.title"]).waitFor();
    t.clock.advance(30_000);
    await page.getByLabel(nl["mfa.code"]).fill(totpCode(who.secret, t.clock.now()));
    await page.getByRole("button", { name: nl["mfa.verify.submit"] }).click();
    return { page, context, problems };
  }

  before(async () => {
    ensureWebBuilt();
    const backend = backends[0];
    assert.ok(backend);
    t = await startApp(
      backend,
      { SESSION_IDLE_MINUTES: "1440", SESSION_MAX_HOURS: "48" },
      { webDir: join(ROOT, "dist", "web") },
    );
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

    const hotline = await makeOrganisation(t.deps, "hotline", "Meldpunt Testland");
    const regulator = await makeOrganisation(t.deps, "regulator", "Autoriteit Consument & Markt (test)");
    const sup = await makeUser(t.deps, hotline.id, "supervisor");
    const supAgent = await login(t, sup.email);
    supervisor.email = sup.email;
    supervisor.secret = supAgent.secret ?? "";
    const off = await makeUser(t.deps, regulator.id, "regulator_officer");
    officer.email = off.email;
    officer.secret = (await login(t, off.email)).secret ?? "";

    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/public/reports",
      payload: {
        category: "ncii",
        urls: ["https://fotodeel.example/p/7"],
        description: "Beschrijving",
        reporterRole: "depicted",
        ageBand: "18_24",
        consent: { given: true, version: currentConsent.version },
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const report = await t.deps.db
      .selectFrom("reports")
      .select("case_id")
      .where("receipt", "=", res.json().receipt)
      .executeTakeFirstOrThrow();
    const c = await cases.caseWithItems(t.deps, hotline.id, report.case_id);
    assert.ok(c);
    const ok = (r: { statusCode: number; body: string }, code = 200) =>
      assert.equal(r.statusCode, code, r.body);
    ok(
      await supAgent.request("PUT", "/api/v1/enforcement/settings", {
        postalAddress: "Postbus 1\n1000 AA Amsterdam",
      }),
    );
    ok(
      await supAgent.request("PUT", "/api/v1/enforcement/contacts/acm", {
        regulatorOrganisationId: regulator.id,
      }),
    );
    const draft = await supAgent.request("POST", "/api/v1/enforcement/requests", {
      regulator: "acm",
      partyId: null,
      caseIds: [c.case.id],
      itemIds: c.items.map((i) => i.id),
    });
    ok(draft, 201);
    requestId = draft.json().request.id;
    reference = draft.json().request.reference;
    ok(await supAgent.request("POST", `/api/v1/enforcement/requests/${requestId}/approve`));
    ok(await supAgent.request("POST", `/api/v1/enforcement/requests/${requestId}/file`));
    assert.deepEqual(await renderPendingDossiers(t.deps), { rendered: 1, failed: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    if (t) await closePrinter(t.deps);
    await t?.close();
  });

  test("an officer finds the request, confirms receipt, adds a decision and records it", async () => {
    const { page, context, problems } = await signIn(officer, "/");
    try {
      await page
        .getByRole("navigation", { name: nl["nav.label"] })
        .getByRole("link", { name: nl["nav.portal"] })
        .click();
      await heading(page, nl["portal.title"]).waitFor();
      await page.getByRole("link", { name: reference }).waitFor();
      await expectAccessible(page, "portal list");

      await page.getByRole("link", { name: reference }).click();
      await heading(page, `${nl["enf.kind.handhavingsverzoek"]} ${reference}`).waitFor();
      await page.getByText(nl["enf.clock.not_received"]).first().waitFor();
      await page.getByRole("link", { name: /^dossier-.*\.pdf$/ }).waitFor();
      await expectAccessible(page, "portal request (filed)");

      await page.getByRole("button", { name: nl["enf.action.confirmReceipt"] }).click();
      // Eight weeks, or a day or two more when they end on a weekend or public holiday.
      await page
        .getByText(new RegExp(nl["enf.clock.running"].replace("{days}", "5[6-9]")))
        .first()
        .waitFor();

      const upload = page.getByRole("form", { name: nl["enf.upload.title"] });
      await upload.getByLabel(nl["enf.documents.kind"]).selectOption("decision");
      await upload
        .getByLabel(nl["enf.upload.file"])
        .setInputFiles({ name: "besluit-acm.pdf", mimeType: "application/pdf", buffer: PDF });
      await upload.getByRole("button", { name: nl["enf.upload.submit"] }).click();
      await page.getByRole("link", { name: "besluit-acm.pdf" }).waitFor();

      const decision = page.getByRole("form", { name: nl["enf.action.decision"] });
      await decision.getByLabel(nl["enf.field.outcome"]).selectOption("granted");
      await decision.getByLabel(nl["enf.field.decisionText"]).fill("<b>Last onder dwangsom</b> opgelegd.");
      await decision.getByRole("button", { name: nl["enf.action.save"] }).click();
      await page.getByText(nl["enf.clock.decided"]).first().waitFor();
      await page.getByText("<b>Last onder dwangsom</b> opgelegd.").waitFor();
      await expectAccessible(page, "portal request (decided)");

      // A request of another organisation is simply not there.
      await page.goto(`${baseUrl}/portal/requests/00000000-0000-4000-8000-000000000000`);
      await page.getByRole("alert").waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the hotline sees the decided request with its clock, and the coordination page", async () => {
    const { page, context, problems } = await signIn(supervisor, "/enforcement");
    try {
      await heading(page, nl["enf.title"]).waitFor();
      const row = page.getByRole("row", { name: new RegExp(reference) });
      await row.getByRole("cell", { name: nl["enf.status.decided"], exact: true }).waitFor();
      await row.getByText(nl["enf.clock.decided"]).waitFor();
      await expectAccessible(page, "enforcement list");
      await page.getByRole("link", { name: nl["enf.coordination.link"] }).click();
      await heading(page, nl["enf.coordination.title"]).waitFor();
      await page.getByRole("link", { name: nl["enf.coordination.pdf"] }).waitFor();
      await expectAccessible(page, "coordination");
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
