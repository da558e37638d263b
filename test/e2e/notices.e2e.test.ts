// Browser test of notices, end to end through the web front end: a hotline analyst opens a
// case whose URLs are attributed to a (seeded) party and sends the notices; the notice goes
// out through a real local SMTP server; the platform's staff open the link from the e-mail on
// a phone-sized page, confirm receipt, report one URL removed, try a refusal without the
// art. 17 facts (and see the server's field errors next to the fields), then complete it; the
// analyst sees the outcome and the responses on the case page, where script in a refusal is
// inert text. Also: the X-ARF classification asked first for child sexual abuse material, a
// web-form channel recorded as filled in by hand, an overdue notice, and an invalid link.
// axe-core checks the response page in Dutch and English and the case page.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import * as cases from "../../src/modules/cases/service.ts";
import { totpCode } from "../../src/modules/identity/totp.ts";
import { currentConsent } from "../../src/modules/intake/consent.ts";
import * as notices from "../../src/modules/notices/service.ts";
import { en } from "../../web/src/i18n/en.ts";
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
  const analyst = { email: "", secret: "" };
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

  /** A browser page of the analyst, signed in through the login and MFA pages. */
  async function analystPage(path: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-NL" });
    const opened = await open(context, path);
    const { page } = opened;
    await heading(page, nl["login.title"]).waitFor();
    await page.getByLabel(nl["form.email"]).fill(analyst.email);
    await page.getByLabel(nl["form.password"], { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: nl["login.submit"], exact: true }).click();
    await heading(page, nl["mfa.verify.title"]).waitFor();
    // Each TOTP step is accepted once: the next sign-in is a step later on the test's clock.
    t.clock.advance(30_000);
    await page.getByLabel(nl["mfa.code"]).fill(totpCode(analyst.secret, t.clock.now()));
    await page.getByRole("button", { name: nl["mfa.verify.submit"] }).click();
    await page.waitForURL(`${baseUrl}${path}`);
    return opened;
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

  const noticesSection = (page: Page) =>
    page.getByRole("region", { name: nl["case.notices.title"], exact: true });

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
    analyst.email = user.email;
    analyst.secret = (await login(t, user.email)).secret ?? "";
    assert.ok(analyst.secret, "the analyst enrolled TOTP");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    if (t) notices.closeNoticeEnv(t.deps);
    await t?.close();
    await sink?.close();
  });

  test("an analyst sends a notice; the platform answers by its link on a phone; the case shows it", async () => {
    const fotodeel = await party("Fotodeel B.V.", { kind: "email", address: "abuse@fotodeel.example" });
    const c = await publicCase("ncii", [U.a, U.b, U.loose]);
    await attribute(c.item(U.a), fotodeel);
    await attribute(c.item(U.b), fotodeel);

    // The analyst sends the notices from the case page.
    const staff = await analystPage(`/cases/${c.caseId}`);
    let token = "";
    try {
      const { page } = staff;
      const section = noticesSection(page);
      await section.waitFor();
      await section.getByText(nl["case.notices.empty"]).waitFor();
      const created = page.waitForResponse(
        (r) => r.url().endsWith(`/cases/${c.caseId}/notices`) && r.request().method() === "POST",
      );
      await section.getByRole("button", { name: nl["case.notices.send"] }).click();
      assert.equal((await created).status(), 201);
      await section
        .getByRole("status")
        .getByText(nl["case.notices.result.summary"].replace("{created}", "1").replace("{skipped}", "1"))
        .waitFor();
      const result = section.locator(".notice-result");
      assert.match((await result.textContent()) ?? "", /Fotodeel B\.V\./);
      assert.match((await result.textContent()) ?? "", new RegExp(`${U.loose}.*nog niet toegewezen`));
      const card = section.locator(".notice-card");
      await card.getByRole("heading", { name: /Fotodeel B\.V\./ }).waitFor();
      await card.getByText(nl["notice.status.queued"]).waitFor();
      assert.equal(await card.locator(".notice-urls__item").count(), 2);
      await expectAccessible(page, "case page with a new notice (nl)");
      assert.deepEqual(staff.problems, []);
    } finally {
      await staff.close();
    }

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

    // The analyst reloads the case: outcome on the item, responses on the notice, script inert.
    const again = await analystPage(`/cases/${c.caseId}`);
    try {
      const { page } = again;
      const itemA = page.locator("article.item").filter({ hasText: U.a });
      await itemA.locator(".item-notice").waitFor();
      assert.match(
        (await itemA.locator(".item-notice").textContent()) ?? "",
        /^Verwijdering gemeld door Fotodeel B\.V\. op .+, nog niet gecontroleerd$/,
      );
      const itemB = page.locator("article.item").filter({ hasText: U.b });
      await itemB.getByText(startsWith(`Geweigerd door Fotodeel B.V. op`)).waitFor();
      const card = noticesSection(page).locator(".notice-card");
      await card.locator(".notice-status").filter({ hasText: nl["notice.status.answered"] }).waitFor();
      const responses = card.locator(".notice-response");
      assert.equal(await responses.count(), 3);
      const refusal = responses.filter({ hasText: nl["notice.kind.refused"] });
      await refusal.getByText("No action").waitFor();
      await refusal.getByText("Terms, section 4.2").waitFor();
      await refusal.getByText(nl["case.notices.response.groundContractual"]).waitFor();
      assert.ok(((await refusal.textContent()) ?? "").includes(HOSTILE), "the facts show as text");
      assert.equal(await refusal.locator("script, img").count(), 0);
      assert.equal(await page.evaluate("window.__vgPwned"), undefined, "no script from the party ran");
      await card.getByText(nl["notice.delivery.sent"]).first().waitFor();
      await expectAccessible(page, "case page with answered notice (nl)");
      assert.deepEqual(again.problems, []);
    } finally {
      await again.close();
    }
  });

  test("child sexual abuse material: the classification first; a web form recorded by hand; overdue", async () => {
    const formHost = await party(
      "Formulier Hosting",
      { kind: "webform", address: "https://formulierhosting.example/abuse" },
      { responseHours: 1 },
    );
    const url = "https://formulierhosting.example/f/1";
    const c = await publicCase("csam", [url]);
    await attribute(c.item(url), formHost);

    const staff = await analystPage(`/cases/${c.caseId}`);
    try {
      const { page } = staff;
      const section = noticesSection(page);
      await section.getByRole("button", { name: nl["case.notices.send"] }).click();
      const group = section.getByRole("group", { name: nl["case.notices.csam.legend"] });
      await group.waitFor();
      await section.getByRole("button", { name: nl["case.notices.send"] }).click();
      await group.getByText(nl["case.notices.csam.required"]).waitFor();
      await group.getByRole("radio", { name: startsWith(nl["case.notices.csam.B2"]) }).check();
      await section.getByRole("button", { name: nl["case.notices.send"] }).click();
      await section.locator(".notice-result").getByText(nl["case.notices.result.manual"]).waitFor();
      const card = section.locator(".notice-card");
      await card.getByText(nl["notice.delivery.manual"]).waitFor();

      await card.getByRole("button", { name: nl["case.notices.manual.open"] }).click();
      await card.getByRole("button", { name: nl["case.notices.manual.submit"] }).click();
      await card.getByText(nl["case.notices.manual.required"]).waitFor();
      await card.getByLabel(nl["case.notices.manual.reason"]).fill("Formulier ingevuld, ticket 4711");
      await card.getByRole("button", { name: nl["case.notices.manual.submit"] }).click();
      await card.locator(".notice-status").filter({ hasText: nl["notice.status.sent"] }).waitFor();
      await card.locator(".delivery--sent").waitFor();
      const stored = await t.deps.db
        .selectFrom("notices")
        .select(["status", "attachment_kind"])
        .where("party_id", "=", formHost)
        .executeTakeFirstOrThrow();
      assert.deepEqual(stored, { status: "sent", attachment_kind: "xarf" });

      // Past the party's one-hour deadline without an answer: overdue, in words and an icon.
      t.clock.advance(2 * 3_600_000);
      assert.ok((await notices.checkDeadlines(t.deps)).overdue >= 1);
      await page.reload();
      await noticesSection(page).locator(".notice-card .overdue").first().waitFor();
      const overdue = noticesSection(page).locator(".notice-card .overdue").first();
      assert.equal((await overdue.textContent())?.replace("!", "").trim(), nl["notice.overdue"]);
      await page
        .locator("article.item")
        .filter({ hasText: url })
        .locator(".item-notice--overdue")
        .filter({ hasText: /Geen antwoord van Formulier Hosting; de termijn verliep op / })
        .waitFor();
      await expectAccessible(page, "case page with an overdue notice (nl)");
      assert.deepEqual(staff.problems, []);
    } finally {
      await staff.close();
    }
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
