// Browser test of the figures: an admin of a hotline with a generated history signs in, opens
// the figures page, sees the summary and both charts drawn (one bar per party, one column per
// month), filters by party (the address follows), downloads the CSV export, turns the public
// transparency page on and opens it without an account, where a party with few notices shows
// "fewer than 10". axe-core checks the dashboard (Dutch and English) and the public page, and
// the page runs under the real CSP.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { totpCode } from "../../src/modules/identity/totp.ts";
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
import { generateHistory, type History } from "../support/history.ts";
import { ROOT } from "../support/server.ts";

requireBrowserInCi();

const heading = (page: Page, name: string) => page.getByRole("heading", { level: 1, name });

describe("web: figures dashboard and transparency page", { skip, timeout: 300_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl = "";
  let history: History;
  let organisationId = "";
  const admin = { email: "", secret: "" };

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
    const org = await makeOrganisation(t.deps, "hotline", "Meldpunt Cijferland");
    organisationId = org.id;
    history = await generateHistory(t.deps.db, org.id, {
      cases: 400,
      seed: 11,
      start: new Date(Date.UTC(new Date().getUTCFullYear() - 1, 0, 1)),
      days: 365,
      partyPrefix: "Cijfer",
    });
    const user = await makeUser(t.deps, org.id, "admin");
    admin.email = user.email;
    admin.secret = (await login(t, user.email)).secret ?? "";
    assert.ok(admin.secret);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(path: string) {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "nl-NL",
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(`${baseUrl}${path}`);
    await heading(page, nl["login.title"]).waitFor();
    await page.getByLabel(nl["form.email"]).fill(admin.email);
    await page.getByLabel(nl["form.password"], { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: nl["login.submit"], exact: true }).click();
    await heading(page, nl["mfa.verify.title"]).waitFor();
    t.clock.advance(30_000);
    await page.getByLabel(nl["mfa.code"]).fill(totpCode(admin.secret, t.clock.now()));
    await page.getByRole("button", { name: nl["mfa.verify.submit"] }).click();
    await page.waitForURL(`${baseUrl}${path}`);
    return { page, context, problems };
  }

  test("the dashboard draws its charts, filters by party and exports CSV", async () => {
    const { page, context, problems } = await signedIn("/figures");
    try {
      await heading(page, nl["figures.title"]).waitFor();
      await page.getByRole("link", { name: nl["nav.figures"] }).waitFor();
      const removal = page.locator('svg[data-chart="removal-distribution"]');
      await removal.waitFor();
      const sentParties = new Set(history.notices.filter((n) => n.sentAt).map((n) => n.partyId));
      assert.equal(await removal.locator("g.chart__row").count(), sentParties.size, "one bar per party");
      assert.ok((await removal.locator("rect[data-bucket]").count()) >= sentParties.size);
      assert.equal(await removal.getAttribute("role"), "img");
      assert.match(
        (await removal.locator("title").textContent()) ?? "",
        new RegExp(nl["figures.chart.removal.title"]),
      );
      const trend = page.locator('svg[data-chart="compliance-trend"]');
      const months = new Set(
        history.notices.filter((n) => n.sentAt).map((n) => (n.sentAt as Date).toISOString().slice(0, 7)),
      );
      assert.equal(await trend.locator("rect[data-month]").count(), months.size, "one column per month");
      // The same numbers as text: the summary and the per-party table.
      const stats = page.locator(".figures-stats");
      await stats.getByText(nl["figures.stat.notices"]).waitFor();
      const notices = history.notices.filter((n) => n.sentAt).length;
      assert.match((await stats.textContent()) ?? "", new RegExp(`${nl["figures.stat.notices"]}${notices}`));
      const table = page.getByRole("group", { name: nl["figures.parties.title"] });
      assert.equal(await table.locator("tbody tr").count(), sentParties.size);
      await expectAccessible(page, "figures dashboard (nl)");

      // Filter by one party: the address follows and the chart shows that party only.
      const fast = history.parties.find((p) => p.behaviour === "fast");
      assert.ok(fast);
      await page.getByLabel(nl["figures.filter.party"], { exact: true }).selectOption({ label: fast.name });
      await page.waitForURL(new RegExp(`partyId=${fast.id}`));
      await page.waitForFunction(
        () => document.querySelectorAll('svg[data-chart="removal-distribution"] g.chart__row').length === 1,
      );

      // The CSV export downloads, with the filter applied.
      const download = page.waitForEvent("download");
      await page.getByRole("link", { name: nl["figures.export"] }).click();
      const file = await download;
      assert.equal(file.suggestedFilename(), "figures.csv");
      const path = await file.path();
      const csv = readFileSync(path, "utf8");
      const lines = csv.trim().split("\r\n");
      assert.match(lines[0] ?? "", /^scope,party_id,party,category,month,notices,/);
      const partyRows = lines.filter((l) => l.startsWith("party,"));
      assert.equal(partyRows.length, 1);
      assert.ok(partyRows[0]?.includes(fast.name));
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("in English, and the transparency page once an admin publishes it", async () => {
    const { page, context, problems } = await signedIn("/figures");
    try {
      await heading(page, nl["figures.title"]).waitFor();
      await page.getByRole("button", { name: "EN", exact: true }).click();
      await heading(page, en["figures.title"]).waitFor();
      await page.locator('html[lang="en"]').waitFor({ state: "attached" });
      await page.locator('svg[data-chart="removal-distribution"]').waitFor();
      await expectAccessible(page, "figures dashboard (en)");
      await page.getByRole("button", { name: en["figures.publication.publish"] }).click();
      await page.getByRole("button", { name: en["figures.publication.withdraw"] }).waitFor();
      await page.getByText(en["figures.publication.on"].split("{time}")[0] as string).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }

    // The public page: no account.
    const context2 = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: "nl-NL" });
    try {
      const page = await context2.newPage();
      const problems2: string[] = [];
      page.on("pageerror", (e) => problems2.push(e.message));
      await page.goto(
        `${baseUrl}/transparantie?organisation=${organisationId}&year=${new Date().getUTCFullYear() - 1}`,
      );
      await heading(page, nl["transparency.title"]).waitFor();
      const table = page.getByRole("group", { name: nl["transparency.scorecards"] });
      await table.waitFor();
      const rare = history.parties.find((p) => p.behaviour === "rare");
      assert.ok(rare);
      const rareRow = table.getByRole("row", { name: new RegExp(rare.name) });
      await rareRow.getByText(nl["transparency.suppressed"]).first().waitFor();
      await page.getByRole("link", { name: nl["transparency.openData.csv"] }).waitFor();
      await expectAccessible(page, "transparency page (nl, phone)");
      assert.deepEqual(problems2, []);
    } finally {
      await context2.close();
    }
  });
});
