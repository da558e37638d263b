// Browser test of the public report, as a person on a phone does it: in Dutch and in English,
// a report with two links and one screenshot, help routes shown at once for urgent answers, a
// receipt, and the status page. Every public page is checked with axe-core (no serious or
// critical findings), for sideways scrolling at 360 px, for requests to other origins and for
// cookies. The screenshot is a synthetic gradient made with sharp here; nothing else is used.
//
// axe is injected with page.evaluate(<source>), as in login.e2e.test.ts: the page keeps its CSP.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import sharp from "sharp";
import { en } from "../../web/src/i18n/en.ts";
import { type Catalogue, nl } from "../../web/src/i18n/nl.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  ensureWebBuilt,
  expectAccessible,
  requireBrowserInCi,
  skip,
} from "../support/browser.ts";
import { startTestServer } from "../support/server.ts";

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

requireBrowserInCi();
const PHONE = { width: 390, height: 844 };
const NARROW = { width: 360, height: 740 };

interface ReportForm {
  categories: { id: string; label: { nl: string; en: string } }[];
  consent: { version: string };
}

/** axe, and no sideways scrolling on a 360 px wide screen. */
async function checkPage(page: Page, label: string): Promise<void> {
  await expectAccessible(page, label);
  const size = page.viewportSize();
  await page.setViewportSize(NARROW);
  const overflow = await page.evaluate<number>(
    "document.documentElement.scrollWidth - document.documentElement.clientWidth",
  );
  if (size) await page.setViewportSize(size);
  assert.ok(overflow <= 0, `the ${label} scrolls sideways by ${overflow}px at 360px wide`);
}

/** Anything the page asks from another origin (data: and blob: URLs stay in the page). */
function watchOrigins(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith("data:") || url.startsWith("blob:")) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return foreign;
}

function watchForProblems(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  page.on("pageerror", (error) => seen.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => {
    seen.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return seen;
}

/** A benign synthetic screenshot: a soft two-colour gradient. */
async function syntheticScreenshot(): Promise<Buffer> {
  const width = 240;
  const height = 160;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = Math.round((x / width) * 200);
      pixels[i + 1] = 120;
      pixels[i + 2] = Math.round((y / height) * 220);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

const heading = (page: Page, name: string) => page.getByRole("heading", { level: 1, name });
const stepHeading = (page: Page, name: string) => page.getByRole("heading", { level: 2, name });

describe("web: the public report on a phone", { skip, timeout: 300_000 }, () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let form: ReportForm | undefined;
  let screenshot: Buffer | undefined;

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    // Public reports go to the oldest hotline: set one up.
    const setup = await fetch(`${server.url}/api/v1/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        setupCode: server.setupCode,
        organisation: { name: "Meldpunt Testland", kind: "hotline" },
        admin: {
          displayName: "Anna Admin",
          email: "anna@meldpunt.test",
          password: "een lange zin als wachtwoord",
        },
      }),
    });
    assert.equal(setup.status, 201, await setup.text());
    form = (await (await fetch(`${server.url}/api/v1/public/report-form`)).json()) as ReportForm;
    screenshot = await syntheticScreenshot();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newContext(locale: "nl" | "en"): Promise<BrowserContext> {
    assert.ok(browser, "browser started");
    return browser.newContext({
      viewport: PHONE,
      locale: locale === "nl" ? "nl-NL" : "en-GB",
      isMobile: true,
      hasTouch: true,
    });
  }

  async function fileReport(locale: "nl" | "en"): Promise<void> {
    assert.ok(server && form && screenshot);
    const t: Catalogue = locale === "nl" ? nl : en;
    const context = await newContext(locale);
    const page = await context.newPage();
    const foreign = watchOrigins(page, server.url);
    const problems = watchForProblems(page);
    try {
      const response = await page.goto(`${server.url}${locale === "nl" ? "/melden" : "/report"}`);
      assert.match(response?.headers()["content-security-policy"] ?? "", /script-src 'self'/);
      await heading(page, nl["report.title"]).waitFor();
      if (locale === "en") {
        await page.getByRole("button", { name: "EN", exact: true }).click();
        await heading(page, en["report.title"]).waitFor();
      }
      assert.equal(await page.evaluate<string>("document.documentElement.lang"), locale);

      // Step 1: what happened → the category, with the API's own label and description.
      await stepHeading(page, t["report.step.what"]).waitFor();
      await checkPage(page, `report step 1 (${locale})`);
      const ncii = form.categories.find((c) => c.id === "ncii");
      assert.ok(ncii, "the form offers the ncii category");
      await page.getByRole("radio", { name: ncii.label[locale] }).check();
      await page.getByRole("button", { name: t["report.next"] }).click();

      // Step 2: about you. Urgent answers show help at once, before anything is sent.
      await stepHeading(page, t["report.step.about"]).waitFor();
      await page.getByRole("button", { name: t["report.next"] }).click();
      await page.getByText(t["report.role.required"]).waitFor();
      await page.getByRole("radio", { name: t["report.role.depicted"] }).check();
      await page.getByRole("radio", { name: t["report.age.18_24"] }).check();
      const call112 = page.getByRole("link", { name: t["help.call"].replace("{phone}", "112") });
      assert.equal(await call112.count(), 0, "no emergency help before it is asked for");
      await page.getByRole("checkbox", { name: t["report.answer.immediateDanger"] }).check();
      await call112.waitFor();
      assert.equal(await call112.getAttribute("href"), "tel:112");
      await page.getByRole("checkbox", { name: t["report.answer.selfHarm"] }).check();
      const call113 = page.getByRole("link", { name: t["help.call"].replace("{phone}", "113") });
      await call113.waitFor();
      assert.equal(await call113.getAttribute("href"), "tel:113");
      await checkPage(page, `report step 2 with urgent help (${locale})`);
      await page.getByRole("button", { name: t["report.next"] }).click();

      // Step 3: two links.
      await stepHeading(page, t["report.step.where"]).waitFor();
      await page
        .getByLabel(t["report.url.label"].replace("{n}", "1"), { exact: true })
        .fill("example.com/gedeeld/1");
      await page.getByRole("button", { name: t["report.url.add"] }).click();
      const second = page.getByLabel(t["report.url.label"].replace("{n}", "2"), { exact: true });
      await second.fill("niet een link");
      await page.getByLabel(t["report.platform.label"]).fill("Telegram");
      await page.getByRole("button", { name: t["report.next"] }).click();
      await page.getByText(t["report.url.invalid"]).waitFor();
      assert.equal(await second.getAttribute("aria-invalid"), "true", "the wrong link is marked");
      await second.fill(`https://www.example.org/kanaal/${locale}?utm_source=x`);
      await checkPage(page, `report step 3 (${locale})`);
      await page.getByRole("button", { name: t["report.next"] }).click();

      // Step 4: in their own words, and one screenshot.
      await stepHeading(page, t["report.step.details"]).waitFor();
      await page.getByLabel(t["report.description.label"]).fill("Mijn foto's worden gedeeld in een kanaal.");
      await page.locator('input[type="file"]').setInputFiles({
        name: "screenshot.png",
        mimeType: "image/png",
        buffer: screenshot,
      });
      await page.getByRole("button", { name: `${t["report.remove"]} screenshot.png` }).waitFor();
      await checkPage(page, `report step 4 (${locale})`);
      await page.getByRole("button", { name: t["report.next"] }).click();

      // Step 5: consent, shown in full; the honeypot is there but out of sight and reach.
      await stepHeading(page, t["report.step.finish"]).waitFor();
      const honeypot = page.locator('input[name="website"]');
      assert.equal(await honeypot.getAttribute("tabindex"), "-1");
      assert.equal(await honeypot.getAttribute("autocomplete"), "off");
      const box = await honeypot.boundingBox();
      assert.ok(!box || box.x + box.width <= 0, "the honeypot is off screen");
      await page.getByRole("button", { name: t["report.submit"] }).click();
      await page.getByText(t["report.consent.required"]).waitFor();
      await checkPage(page, `report step 5 with an error (${locale})`);
      await page.getByRole("checkbox", { name: t["report.consent.check"] }).check();
      await page.getByRole("button", { name: t["report.submit"] }).click();

      // Help routes, urgent first, then the receipt and secret.
      await heading(page, t["report.done.title"]).waitFor();
      await page.getByRole("heading", { name: t["report.done.urgentTitle"] }).waitFor();
      const routes = await page.locator(".help-card h3").allTextContents();
      assert.match(routes[0] ?? "", /112/, "the emergency route comes first");
      assert.match(routes[1] ?? "", /113/, "then suicide prevention");
      const receipt = (await page.getByTestId("receipt").textContent()) ?? "";
      const secret = (await page.getByTestId("secret").textContent()) ?? "";
      assert.match(receipt, /^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
      assert.match(secret, /^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
      await checkPage(page, `report confirmation (${locale})`);

      // Later: the status page, from a fresh load, with the codes typed in.
      await page.goto(`${server.url}/status`);
      await heading(page, t["track.title"]).waitFor();
      await checkPage(page, `status page (${locale})`);
      await page.getByLabel(t["track.receipt"]).fill(receipt.toLowerCase());
      await page.getByLabel(t["track.secret"]).fill(secret);
      await page.getByRole("button", { name: t["track.submit"] }).click();
      const now = page.locator(".track-now__status");
      await now.waitFor();
      assert.equal(await now.textContent(), t["track.status.received"]);
      assert.equal(await page.locator(".track-now").getAttribute("data-status"), "received");
      // Two links and one screenshot.
      await page.getByText(t["track.removedOf"].replace("{removed}", "0").replace("{items}", "3")).waitFor();
      await checkPage(page, `status result (${locale})`);

      assert.deepEqual(foreign, [], "the public pages load nothing from other origins");
      assert.deepEqual(await context.cookies(), [], "the public pages set no cookies");
      assert.deepEqual(problems, [], "no CSP violations, page errors or dialogs");
    } finally {
      await context.close();
    }
  }

  test("a person reports two links and a screenshot in Dutch and follows the report", async () => {
    await fileReport("nl");
  });

  test("the same in English", async () => {
    await fileReport("en");
  });

  test("child abuse material: no upload is offered, only a clear warning", async () => {
    assert.ok(server && form);
    const context = await newContext("nl");
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/melden`);
      const csam = form.categories.find((c) => c.id === "csam");
      assert.ok(csam);
      await page.getByRole("radio", { name: csam.label.nl }).check();
      await page.getByText(nl["report.noUpload.title"]).first().waitFor();
      await page.getByRole("button", { name: nl["report.next"] }).click();
      await page.getByRole("radio", { name: nl["report.role.bystander"] }).check();
      await page.getByRole("radio", { name: nl["report.age.unknown"] }).check();
      await page.getByRole("button", { name: nl["report.next"] }).click();
      await page.getByRole("button", { name: nl["report.next"] }).click();
      await stepHeading(page, nl["report.step.details"]).waitFor();
      await page.getByText(nl["report.noUpload.text"]).waitFor();
      assert.equal(await page.locator('input[type="file"]').count(), 0, "no file input for this category");
    } finally {
      await context.close();
    }
  });

  test("a wrong receipt and secret give one neutral answer", async () => {
    assert.ok(server);
    const context = await newContext("nl");
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/status`);
      await page.getByLabel(nl["track.receipt"]).fill("AAAA-BBBB-CCCC");
      await page.getByLabel(nl["track.secret"]).fill("DDDD-EEEE-FFFF-GGGG");
      await page.getByRole("button", { name: nl["track.submit"] }).click();
      await page.getByText(nl["track.problem.notFound"]).waitFor();
      await checkPage(page, "status page with not found");
    } finally {
      await context.close();
    }
  });
});
