// Browser test of the first visit to a fresh Vangrail: the setup page, login, TOTP enrolment,
// logout and a second login with a new TOTP code, in Debian's Chromium against a real
// `vangrail serve`. axe-core checks the main pages; serious or critical findings fail.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { nl } from "../../web/src/i18n/nl.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  ensureWebBuilt,
  expectAccessible,
  requireBrowserInCi,
  skip,
} from "../support/browser.ts";
import { startTestServer } from "../support/server.ts";
import { totpNow } from "../support/totp.ts";

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

requireBrowserInCi();

const ORGANISATION = "Meldpunt Testland";
const ADMIN = { name: "Anna Admin", email: "anna@meldpunt.test", password: "een lange zin als wachtwoord" };

/** Console errors about the CSP mean the built UI needs something the policy forbids. */
function watchForCspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  page.on("pageerror", (error) => seen.push(`page error: ${error.message}`));
  return seen;
}

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });

async function waitForFreshTotpStep(usedStep: number): Promise<void> {
  while (Math.floor(Date.now() / 30_000) <= usedStep) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("web: first run, login and TOTP in the browser", { skip, timeout: 240_000 }, () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newContext(viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
    assert.ok(browser, "browser started");
    return browser.newContext({ viewport, locale: "nl-NL" });
  }

  test("sets up a hotline, enrols TOTP, logs out and logs in again", async () => {
    assert.ok(server);
    const context = await newContext();
    const page = await context.newPage();
    const cspProblems = watchForCspViolations(page);
    try {
      const response = await page.goto(`${server.url}/`);
      const csp = response?.headers()["content-security-policy"] ?? "";
      assert.match(csp, /script-src 'self'/, "the page is served with the strict CSP");

      // First run: the app sends a fresh installation to the setup page.
      await heading(page, nl["setup.title"]).waitFor();
      assert.equal(new URL(page.url()).pathname, "/setup");
      assert.equal(await page.evaluate<string>("document.documentElement.lang"), "nl");
      await expectAccessible(page, "setup page");
      assert.ok(server.setupCode, "the test server has a setup code");
      await page.getByLabel(nl["setup.setupCode"]).fill(server.setupCode);
      await page.getByLabel(nl["setup.orgName"]).fill(ORGANISATION);
      await page.getByLabel(nl["setup.orgKind"]).selectOption("hotline");
      await page.getByLabel(nl["form.displayName"], { exact: true }).fill(ADMIN.name);
      await page.getByLabel(nl["form.email"]).fill(ADMIN.email);
      await page.getByLabel(nl["form.password"], { exact: true }).fill(ADMIN.password);
      await page.getByRole("button", { name: nl["setup.submit"] }).click();

      // Login, with the new administrator's email already filled in.
      await heading(page, nl["login.title"]).waitFor();
      assert.equal(new URL(page.url()).pathname, "/login");
      await page.getByText(nl["login.notice.setupComplete"]).waitFor();
      await expectAccessible(page, "login page");
      await page.getByLabel(nl["form.email"]).fill(ADMIN.email);
      await page.getByLabel(nl["form.password"], { exact: true }).fill(ADMIN.password);
      await page.getByRole("button", { name: nl["login.submit"], exact: true }).click();

      // TOTP enrolment: read the key a person would type into their app.
      await heading(page, nl["mfa.enrol.title"]).waitFor();
      const secret = (await page.locator("#mfa-secret").textContent())?.replace(/\s+/g, "") ?? "";
      assert.match(secret, /^[A-Z2-7]{16,}=*$/, "a base32 TOTP secret is shown");
      const qr = page.getByRole("img", { name: nl["mfa.enrol.qrAlt"] });
      assert.match((await qr.getAttribute("src")) ?? "", /^data:image\//);
      await expectAccessible(page, "MFA enrolment page");
      const enrolStep = Math.floor(Date.now() / 30_000);
      await page.getByLabel(nl["mfa.code"]).fill(totpNow(secret));
      await page.getByRole("button", { name: nl["mfa.enrol.submit"] }).click();

      // The app: overview with the person, role and organisation.
      await heading(page, nl["overview.welcome"].replace("{name}", ADMIN.name)).waitFor();
      assert.equal(new URL(page.url()).pathname, "/");
      await page.getByRole("banner").getByText(ORGANISATION).waitFor();
      await page.getByRole("navigation", { name: nl["nav.label"] }).waitFor();
      await expectAccessible(page, "app overview");

      await page.getByRole("button", { name: nl["header.logout"] }).click();
      await heading(page, nl["login.title"]).waitFor();
      await page.getByText(nl["login.notice.signedOut"]).waitFor();

      // Second login: the server refuses a code it has seen, so wait for the next step.
      await page.getByLabel(nl["form.email"]).fill(ADMIN.email);
      await page.getByLabel(nl["form.password"], { exact: true }).fill(ADMIN.password);
      await page.getByRole("button", { name: nl["login.submit"], exact: true }).click();
      await heading(page, nl["mfa.verify.title"]).waitFor();
      await waitForFreshTotpStep(enrolStep);
      await page.getByLabel(nl["mfa.code"]).fill(totpNow(secret));
      await page.getByRole("button", { name: nl["mfa.verify.submit"] }).click();
      await heading(page, nl["overview.welcome"].replace("{name}", ADMIN.name)).waitFor();
      assert.equal(new URL(page.url()).pathname, "/");

      assert.deepEqual(cspProblems, [], "no CSP violations or page errors");
    } finally {
      await context.close();
    }
  });

  test("the login page fits a 360 px wide screen and switches language", async () => {
    assert.ok(server);
    const context = await newContext({ width: 360, height: 740 });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/login`);
      await heading(page, nl["login.title"]).waitFor();
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 360px wide`);

      const submit = page.getByRole("button", { name: nl["login.submit"], exact: true });
      const box = await submit.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, "the login button is fully on screen");
      assert.ok(box && box.height >= 24, "the login button is a large enough touch target");

      await page.getByRole("button", { name: "EN", exact: true }).click();
      await heading(page, "Log in").waitFor();
      assert.equal(await page.evaluate<string>("document.documentElement.lang"), "en");
      await page.reload();
      await heading(page, "Log in").waitFor();
      assert.equal(await page.evaluate<string>("document.documentElement.lang"), "en", "the choice is kept");
    } finally {
      await context.close();
    }
  });
});
