// Browser test of the page where a platform answers a notice: a notice to a (seeded) party goes
// out through a real local SMTP server; the platform's staff open the link from the e-mail on a
// phone-sized page, confirm receipt, report one URL removed, try a refusal without the art. 17
// facts (and see the server's field errors next to the fields), then complete it; the hotline
// sees it all through its API. An invalid link gets one neutral answer. axe-core checks the
// page in Dutch and English.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import * as cases from "../../src/modules/cases/service.ts";
import { currentConsent } from "../../src/modules/intake/consent.ts";
import * as notices from "../../src/modules/notices/service.ts";
import { en } from "../../web/src/i18n/en.ts";
import { nl } from "../../web/src/i18n/nl.ts";
import { type Agent, login, makeOrganisation, makeUser, startApp, type TestApp } from "../support/app.ts";
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
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";

requireBrowserInCi();

const PUBLIC_URL = "https://vangrail.meldpunt.example";
const HOSTILE = `<script>window.__vgPwned=1</script><img src=x onerror="window.__vgPwned=2"> Account holder says it is consensual.`;
const U = {
  a: "https://fotodeel.example/p/1",
  b: "https://fotodeel.example/p/2",
  loose: "https://niemand-weet-het.example/x",
};

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });
const startsWith = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);

/** The error text tied to a control through aria-describedby, or null. */
async function errorOf(control: Locator): Promise<string | null> {
  assert.equal(await control.getAttribute("aria-invalid"), "true", "the control is marked invalid");
  const ids = ((await control.getAttribute("aria-describedby")) ?? "").split(/\s+/);
  const errorId = ids.find((id) => id.endsWith("-error"));
  if (!errorId) return null;
  return (await control.page().locator(`[id="${errorId}"]`).textContent())?.replace(/^\S+\s/, "") ?? null;
}

describe("web: notices to platforms", { skip, timeout: 300_000 }, () => {
  let t: TestApp;
  let sink: SmtpSink;
  let browser: Browser;
  let baseUrl = "";
  let hotline: Agent;
  let organisationId = "";

  async function publicCase(category: string, urls: string[]) {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/public/reports",
      payload: {
        category,
        urls,
        description: "Beschrijving van de melder",
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
    const c = await cases.caseWithItems(t.deps, organisationId, report.case_id);
    assert.ok(c);
    const byUrl = new Map(c.items.map((i) => [i.value, i.id]));
    return { caseId: report.case_id, item: (u: string) => byUrl.get(u) as string };
  }

  async function party(
    name: string,
    channel: { kind: "email" | "webform"; address: string },
    extra: { languages?: string[]; responseHours?: number } = {},
  ): Promise<string> {
    const now = new Date();
    const p = await t.deps.db
      .insertInto("parties")
      .values({
        organisation_id: organisationId,
        name,
        kind: "platform",
        country: "NL",
        languages: extra.languages ?? ["en"],
        max_urls_per_notice: 50,
        response_hours: extra.responseHours ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.deps.db
      .insertInto("party_channels")
      .values({
        party_id: p.id,
        kind: channel.kind,
        address: channel.address,
        priority: 10,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return p.id;
  }

  async function attribute(itemId: string, partyId: string) {
    const now = t.clock.now();
    await t.deps.db
      .insertInto("attributions")
      .values({
        item_id: itemId,
        organisation_id: organisationId,
        role: "platform",
        party_id: partyId,
        address: "192.0.2.10",
        source: "registry",
        resolved_at: now,
        expires_at: new Date(now.getTime() + 86_400_000),
      })
      .execute();
  }

  async function open(context: BrowserContext, path: string) {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${baseUrl}${path}`);
    return { page, context, problems, close: () => context.close() };
  }

  before(async () => {
    ensureWebBuilt();
    sink = await startSmtpSink();
    const backend = backends[0];
    assert.ok(backend);
    t = await startApp(
      backend,
      {
        MAIL_TRANSPORT: "smtp",
        SMTP_URL: sink.url,
        MAIL_FROM: "Meldpunt Notices <notices@meldpunt.example>",
        PUBLIC_URL,
        SESSION_IDLE_MINUTES: "1440",
        SESSION_MAX_HOURS: "48",
      },
      { webDir: join(ROOT, "dist", "web") },
    );
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

    const org = await makeOrganisation(t.deps, "hotline", "Meldpunt Testland");
    organisationId = org.id;
    await t.deps.db
      .updateTable("organisations")
      .set({ notice_email: "meldingen@meldpunt.example", trusted_flagger: true })
      .where("id", "=", org.id)
      .execute();
    const user = await makeUser(t.deps, org.id, "analyst");
    hotline = await login(t, user.email);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    if (t) notices.closeNoticeEnv(t.deps);
    await t?.close();
    await sink?.close();
  });

  test("the platform answers a notice by its link, on a phone", async () => {
    const fotodeel = await party("Fotodeel B.V.", { kind: "email", address: "abuse@fotodeel.example" });
    const c = await publicCase("ncii", [U.a, U.b, U.loose]);
    await attribute(c.item(U.a), fotodeel);
    await attribute(c.item(U.b), fotodeel);

    const created = await hotline.request("POST", `/api/v1/cases/${c.caseId}/notices`, {});
    assert.equal(created.statusCode, 201, created.body);
    let token = "";

    // The worker delivers it; the party's link is in the e-mail.
    const before = sink.messages.length;
    assert.equal((await notices.deliverAll(t.deps)).sent, 1);
    const [mail] = (await sink.waitFor(before + 1)).slice(before);
    assert.ok(mail);
    assert.deepEqual(mail.to, ["abuse@fotodeel.example"]);
    const m = new RegExp(`${PUBLIC_URL.replace(/\./g, "\\.")}/respond/([A-Za-z0-9_-]+)`).exec(mail.text);
    assert.ok(m?.[1], "the e-mail carries the response link");
    token = m[1];

    // The platform's trust & safety person opens it on a phone.
    const phone = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    const party1 = await open(phone, `/respond/${token}`);
    try {
      const { page } = party1;
      // The notice is in English (the party's language) and nobody chose a language here.
      await heading(page, startsWith(en["respond.title"])).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
      await page.getByText("Fotodeel B.V.").first().waitFor();
      await page.getByText(en["respond.facts.trustedFlagger"]).waitFor();
      await page.getByText("meldingen@meldpunt.example").first().waitFor();
      const links = page.locator(".respond-urls a");
      assert.equal(await links.count(), 2);
      for (const rel of await links.evaluateAll((as) => as.map((a) => a.getAttribute("rel") ?? "")))
        assert.match(rel, /\bnoreferrer\b/);
      assert.ok(
        (await page.evaluate(() => document.documentElement.scrollWidth)) <= 360,
        "no sideways scrolling at 360 px",
      );
      const text = page.locator(".notice-text pre");
      assert.match((await text.textContent()) ?? "", /in good faith/);
      assert.equal(
        await page.locator(".notice-text a, .notice-text b, .notice-text p").count(),
        0,
        "plain text",
      );
      await expectAccessible(page, "response page (en)");
      await page.getByRole("button", { name: "NL", exact: true }).click();
      await heading(page, startsWith(nl["respond.title"])).waitFor();
      await expectAccessible(page, "response page (nl)");
      await page.getByRole("button", { name: "EN", exact: true }).click();
      await heading(page, startsWith(en["respond.title"])).waitFor();

      // One click: receipt confirmed.
      await page.getByRole("button", { name: en["respond.ack.button"] }).click();
      const receipt = page.getByRole("status").filter({ hasText: en["respond.receipt.title"] });
      await receipt.waitFor();
      await receipt.getByText(en["notice.kind.acknowledged"]).waitFor();
      await page
        .locator(".respond-ack__done")
        .filter({ hasText: en["respond.soFar.acknowledged"].split("{")[0] ?? "" })
        .waitFor();

      // One URL removed.
      const form = page.locator("form.respond-form");
      await form.getByRole("radio", { name: startsWith(en["respond.kind.removed"]) }).check();
      await form.getByRole("radio", { name: startsWith(en["respond.form.scope.some"]) }).check();
      await form.getByRole("checkbox", { name: U.a }).check();
      await form.getByRole("button", { name: en["respond.form.submit"] }).click();
      await receipt.getByText(en["notice.kind.removed"]).waitFor();
      assert.match((await receipt.textContent()) ?? "", new RegExp(U.a.replace(/[./]/g, "\\$&")));
      assert.doesNotMatch((await receipt.textContent()) ?? "", new RegExp(U.b.replace(/[./]/g, "\\$&")));
      const rows = page.locator(".respond-urls__item");
      await rows.filter({ hasText: U.a }).getByText(en["notice.outcome.removed"]).waitFor();
      assert.match((await rows.filter({ hasText: U.b }).textContent()) ?? "", /No answer yet/);

      // A refusal without the art. 17 facts: the server says what is missing, next to the fields.
      await form.getByRole("radio", { name: startsWith(en["respond.kind.refused"]) }).check();
      await form.getByRole("radio", { name: startsWith(en["respond.form.scope.some"]) }).check();
      await form.getByRole("checkbox", { name: U.b }).check();
      const refused = page.waitForResponse(
        (r) => r.url().endsWith(`/public/notices/${token}/responses`) && r.request().method() === "POST",
      );
      await form.getByRole("button", { name: en["respond.form.submit"] }).click();
      const answer = await refused;
      assert.equal(answer.status(), 422, "the server checks the art. 17 facts");
      assert.equal(answer.request().headers()["x-vangrail-response-page"], "1");
      const facts = form.getByLabel(en["respond.refusal.facts"], { exact: true });
      await form.locator(".field__error").first().waitFor();
      assert.equal(await errorOf(facts), en["respond.error.facts"]);
      assert.equal(
        await errorOf(form.getByLabel(en["respond.refusal.restriction"], { exact: true })),
        en["respond.error.restriction"],
      );
      assert.equal(
        await errorOf(form.getByLabel(en["respond.refusal.ground"], { exact: true })),
        en["respond.error.ground"],
      );
      for (const key of ["respond.error.groundKind", "respond.error.automated"] as const)
        await form.locator("fieldset .field__error").filter({ hasText: en[key] }).waitFor();
      await form.getByRole("alert").filter({ hasText: en["respond.error.summary"] }).waitFor();
      // Focus goes to the first field that needs attention.
      await page.waitForFunction(() => document.activeElement?.getAttribute("aria-invalid") === "true");
      await expectAccessible(page, "response page with field errors (en)");

      // Completed.
      await form.getByLabel(en["respond.refusal.restriction"], { exact: true }).fill("No action");
      await form
        .getByRole("radio", { name: startsWith(en["respond.refusal.groundKind.contractual"]) })
        .check();
      await form.getByLabel(en["respond.refusal.ground"], { exact: true }).fill("Terms, section 4.2");
      await facts.fill(HOSTILE);
      await form.getByRole("radio", { name: en["respond.refusal.automated.no"], exact: true }).check();
      await form.getByRole("button", { name: en["respond.form.submit"] }).click();
      await receipt.getByText(en["notice.kind.refused"], { exact: true }).waitFor();
      await rows.filter({ hasText: U.b }).getByText(en["notice.outcome.refused"]).waitFor();
      assert.equal(await page.locator(".respond-answers__item").count(), 3);
      assert.deepEqual(await phone.cookies(), [], "the response page sets no cookies");
      assert.deepEqual(party1.problems, []);
    } finally {
      await party1.close();
    }

    // The hotline sees the outcome and the responses, the party's text stored as text.
    const list = await hotline.request("GET", `/api/v1/cases/${c.caseId}/notices`);
    const [n] = list.json().items as {
      items: { itemId: string; outcome: string | null }[];
      responses: { kind: string; facts: string | null }[];
    }[];
    assert.ok(n);
    assert.deepEqual(
      n.items.map((i) => [i.itemId, i.outcome]).sort(),
      [
        [c.item(U.a), "removed"],
        [c.item(U.b), "refused"],
      ].sort(),
    );
    assert.deepEqual(
      n.responses.map((r) => r.kind),
      ["acknowledged", "removed", "refused"],
    );
    assert.equal(n.responses[2]?.facts, HOSTILE);
  });

  test("a link that is not valid gets one neutral answer", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    try {
      for (const bad of [randomBytes(32).toString("base64url"), "kort", "..%2F..%2Fetc"]) {
        const { page } = await open(context, `/respond/${bad}`);
        await heading(page, nl["respond.invalid.title"]).waitFor();
        await page.getByText(nl["respond.invalid.text"]).waitFor();
        await page.close();
      }
    } finally {
      await context.close();
    }
  });
});
