// Browser test of the analyst's workbench against a real `vangrail serve`: a hotline and its
// administrator are set up through the first-run API, reporters file reports through the
// public API, and the analyst finds a report in the queue (search, keyboard), classifies it,
// assigns it to themself and moves it to "in progress" with a reason; the reporter's status
// page then says so. Material stays blurred until revealed; script and HTML from reporters show
// as text and never run (any dialog fails the test). axe-core checks the queue and case pages.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import sharp from "sharp";
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

const ANALYST = {
  name: "Anna Analist",
  email: "anna@meldpunt.test",
  password: "een lange zin als wachtwoord",
};
const HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>";

/** A benign synthetic screenshot: coloured blocks drawn with sharp. */
async function syntheticScreenshot(): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 70, g: 140, b: 190 } } })
    .composite([
      {
        input: await sharp({
          create: { width: 120, height: 80, channels: 3, background: { r: 240, g: 200, b: 60 } },
        })
          .png()
          .toBuffer(),
        left: 40,
        top: 60,
      },
    ])
    .png()
    .toBuffer();
}

async function waitForFreshTotpStep(usedStep: number): Promise<void> {
  while (Math.floor(Date.now() / 30_000) <= usedStep) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });

describe("web: the analyst's workbench", { skip, timeout: 300_000 }, () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let consentVersion = "";
  let totpSecret = "";
  let enrolStep = 0;

  async function fileReport(report: Record<string, unknown>, files: Buffer[] = []) {
    assert.ok(server);
    const body = {
      category: "ncii",
      urls: [],
      description: "",
      reporterRole: "depicted",
      ageBand: "18_24",
      language: "nl",
      consent: { given: true, version: consentVersion },
      ...report,
    };
    let response: Response;
    if (files.length > 0) {
      const data = new FormData();
      data.set("report", JSON.stringify(body));
      for (const file of files)
        data.append("files", new Blob([new Uint8Array(file)], { type: "image/png" }), "screenshot.png");
      response = await fetch(`${server.url}/api/v1/public/reports`, { method: "POST", body: data });
    } else {
      response = await fetch(`${server.url}/api/v1/public/reports`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    }
    assert.equal(response.status, 201, await response.clone().text());
    const { receipt, secret } = (await response.json()) as { receipt: string; secret: string };
    return { receipt, secret };
  }

  async function publicStatus(codes: { receipt: string; secret: string }): Promise<string> {
    assert.ok(server);
    const r = await fetch(`${server.url}/api/v1/public/reports/status`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(codes),
    });
    assert.equal(r.status, 200);
    return ((await r.json()) as { status: string }).status;
  }

  /** A fresh browser page, signed in as the analyst (enrolling TOTP the first time). */
  async function signIn(path: string): Promise<{ page: Page; problems: string[]; close(): Promise<void> }> {
    assert.ok(server && browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-NL" });
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
    await page.goto(`${server.url}${path}`);
    await heading(page, nl["login.title"]).waitFor();
    await page.getByLabel(nl["form.email"]).fill(ANALYST.email);
    await page.getByLabel(nl["form.password"], { exact: true }).fill(ANALYST.password);
    await page.getByRole("button", { name: nl["login.submit"], exact: true }).click();
    if (!totpSecret) {
      await heading(page, nl["mfa.enrol.title"]).waitFor();
      totpSecret = (await page.locator("#mfa-secret").textContent())?.replace(/\s+/g, "") ?? "";
      enrolStep = Math.floor(Date.now() / 30_000);
      await page.getByLabel(nl["mfa.code"]).fill(totpNow(totpSecret));
      await page.getByRole("button", { name: nl["mfa.enrol.submit"] }).click();
    } else {
      await heading(page, nl["mfa.verify.title"]).waitFor();
      await waitForFreshTotpStep(enrolStep);
      enrolStep = Math.floor(Date.now() / 30_000);
      await page.getByLabel(nl["mfa.code"]).fill(totpNow(totpSecret));
      await page.getByRole("button", { name: nl["mfa.verify.submit"] }).click();
    }
    return { page, problems, close: () => context.close() };
  }

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const setup = await fetch(`${server.url}/api/v1/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        setupCode: server.setupCode,
        organisation: { name: "Meldpunt Testland", kind: "hotline" },
        admin: { displayName: ANALYST.name, email: ANALYST.email, password: ANALYST.password },
      }),
    });
    assert.equal(setup.status, 201, await setup.text());
    const form = (await (await fetch(`${server.url}/api/v1/public/report-form`)).json()) as {
      consent: { version: string };
    };
    consentVersion = form.consent.version;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("an analyst finds a report, classifies, assigns and starts it; the reporter sees it", async () => {
    // Two other reports first, so the one we want has to be found.
    await fileReport({
      category: "doxing",
      urls: ["https://forum.example.net/draad/1"],
      reporterRole: "bystander",
    });
    await fileReport({
      category: "sextortion",
      urls: ["https://chat.example.net/u/1"],
      ageBand: "16_17",
      answers: { ongoingThreat: true },
    });
    const codes = await fileReport(
      {
        urls: ["https://zoek-mij.example.org/album/7", "https://zoek-mij.example.org/album/8"],
        description: "Mijn foto's staan in dit album.",
      },
      [await syntheticScreenshot()],
    );
    assert.equal(await publicStatus(codes), "received");

    const { page, problems, close } = await signIn("/cases");
    try {
      // After sign-in the app returns to the queue that was asked for.
      await heading(page, nl["cases.title"]).waitFor();
      assert.equal(new URL(page.url()).pathname, "/cases");
      await page
        .getByRole("navigation", { name: nl["nav.label"] })
        .getByRole("link", { name: nl["nav.cases"] })
        .waitFor();
      const rows = page.locator("a.queue__ref");
      await rows.first().waitFor();
      assert.equal(await rows.count(), 3);
      // The urgent case leads and stands out with an icon and a word, not colour only.
      const first = page.locator("tbody tr").first();
      assert.match((await first.getAttribute("class")) ?? "", /queue__row--urgent/);
      assert.match((await first.textContent()) ?? "", new RegExp(nl["priority.urgent"]));
      await first.locator(".urgent-icon").waitFor();
      await expectAccessible(page, "queue");

      // The keyboard help is one key away, and "j" in the search box is just a letter.
      await page.keyboard.press("?");
      await page.getByText(nl["cases.key.note"]).waitFor();
      await page.keyboard.press("/");
      await page.keyboard.type("zoek-mij.example.org");
      assert.equal(
        await page.getByLabel(nl["cases.search"], { exact: true }).inputValue(),
        "zoek-mij.example.org",
      );
      await page.keyboard.press("Enter");
      await page.waitForURL(/[?&]q=zoek-mij\.example\.org/);
      await page.getByRole("heading", { name: nl["cases.resultsOne"] }).waitFor();
      assert.equal(await rows.count(), 1);
      const reference = (await rows.first().textContent()) ?? "";
      assert.match(reference, /^VG-\d{6}$/);

      // j selects the first row, Enter opens it.
      await page.evaluate("document.activeElement instanceof HTMLElement && document.activeElement.blur()");
      await page.keyboard.press("j");
      await page.keyboard.press("Enter");
      await heading(page, new RegExp(reference)).waitFor();
      await page.getByRole("heading", { name: nl["case.timeline.title"] }).waitFor();
      await page.locator(".item__value", { hasText: "https://zoek-mij.example.org/album/7" }).waitFor();
      await page.getByText("Mijn foto's staan in dit album.").waitFor();

      // Material is blurred and grey until revealed.
      const preview = page.getByRole("img", { name: nl["case.material.blurredAlt"] });
      await preview.waitFor();
      assert.match((await preview.getAttribute("src")) ?? "", /\/preview$/);
      await page.waitForFunction(() =>
        [...document.images].some((i) => i.src.endsWith("/preview") && i.complete && i.naturalWidth > 0),
      );
      assert.match(await preview.evaluate((img) => getComputedStyle(img).filter), /blur/);
      await page.getByText(nl["exposure.badge"].replace("{count}", "0")).waitFor();
      await expectAccessible(page, "case page");

      await page.getByRole("button", { name: nl["case.material.reveal"] }).click();
      const revealed = page.getByRole("img", { name: nl["case.material.revealedAlt"] });
      await revealed.waitFor();
      assert.match((await revealed.getAttribute("src")) ?? "", /\/file$/);
      await page.waitForFunction(() =>
        [...document.images].some((i) => i.src.endsWith("/file") && i.complete && i.naturalWidth > 0),
      );
      assert.equal(await revealed.evaluate((img) => getComputedStyle(img).filter), "none");
      await page.getByText(nl["case.material.exposureOne"]).waitFor();
      await page.getByText(nl["exposure.badge"].replace("{count}", "1")).waitFor();

      // Assign to me.
      await page.getByRole("button", { name: nl["case.triage.assignMe"] }).click();
      await page.getByText(nl["case.triage.assignedToMe"]).waitFor();
      await page.locator(".case-head__facts").getByText(ANALYST.name).waitFor();

      // A status change without a reason is refused before anything is sent.
      await page.getByLabel(nl["case.triage.category"]).selectOption("sextortion");
      await page.getByLabel(nl["case.triage.status"]).selectOption("in_progress");
      await page.getByRole("button", { name: nl["case.triage.save"] }).click();
      await page.getByText(nl["case.triage.reasonRequired"]).waitFor();
      assert.equal(await publicStatus(codes), "received");

      await page
        .getByLabel(new RegExp(`^${nl["case.triage.reason"]}`))
        .fill("Contact met het platform gezocht");
      await page.getByRole("button", { name: nl["case.triage.save"] }).click();
      await page.getByText(nl["case.triage.saved"]).waitFor();
      await page.locator(".case-head .status", { hasText: nl["caseStatus.in_progress"] }).waitFor();
      const timeline = page.locator(".timeline");
      await timeline
        .getByText(
          nl["case.event.status"]
            .replace("{from}", nl["caseStatus.new"])
            .replace("{to}", nl["caseStatus.in_progress"]),
        )
        .waitFor();
      await timeline.getByText("Contact met het platform gezocht").first().waitFor();
      await timeline.getByText(nl["case.event.assigned"].replace("{name}", ANALYST.name)).waitFor();

      // One item moves on by itself, with its own reason.
      await page
        .getByRole("button", {
          name: new RegExp(`^${nl["case.item.changeStatus"]}.*/album/8$`),
        })
        .click();
      await page.getByLabel(nl["case.item.newStatus"], { exact: true }).selectOption("triaged");
      await page.getByLabel(nl["case.item.reason"]).fill("Album bekeken");
      await page.getByRole("button", { name: nl["case.item.saveStatus"] }).click();
      await timeline.getByText("Album bekeken").waitFor();

      // A note.
      await page.getByLabel(nl["case.notes.add"]).fill("Platform gemaild.");
      await page.getByRole("button", { name: nl["case.notes.submit"] }).click();
      await page.locator(".note__body", { hasText: "Platform gemaild." }).waitFor();
      await expectAccessible(page, "case page after triage");

      // The reporter's status page changes with it.
      assert.equal(await publicStatus(codes), "in_progress");

      // Back in the queue, filtered on "assigned to me", the case is there.
      assert.ok(server);
      await page.goto(`${server.url}/cases?assignee=me`);
      await page.locator("a.queue__ref", { hasText: reference }).waitFor();
      assert.deepEqual(problems, [], "no dialogs, page errors or CSP violations");
    } finally {
      await close();
    }
  });

  test("script and HTML from a reporter show as text and never run", async () => {
    const host = "inert.example.org";
    await fileReport({
      category: "sexual_harassment",
      urls: [`https://${host}/p?x=${encodeURIComponent(HOSTILE)}`],
      platform: HOSTILE,
      accounts: [{ platform: HOSTILE, handle: HOSTILE }],
      description: HOSTILE,
      contact: { name: HOSTILE, email: "melder@example.org" },
    });
    const { page, problems, close } = await signIn(`/cases?q=${host}`);
    try {
      await heading(page, nl["cases.title"]).waitFor();
      await page.locator("a.queue__ref").first().click();
      await page.getByRole("heading", { name: nl["case.reports.title"] }).waitFor();

      // The description, the account and its platform are on the page as the literal text.
      await page.locator(".report__description .prewrap", { hasText: HOSTILE }).waitFor();
      assert.ok(
        (await page.locator(".item__value", { hasText: HOSTILE }).count()) >= 1,
        "account shown as text",
      );
      await page.locator(".item__facts dd", { hasText: HOSTILE }).first().waitFor();

      // The contact details need a reason; the name is text too.
      await page.getByRole("button", { name: nl["case.contact.show"] }).click();
      await page.getByRole("button", { name: nl["case.contact.confirm"] }).click();
      await page.getByText(nl["case.contact.reasonRequired"]).waitFor();
      await page.getByLabel(nl["case.contact.reason"]).fill("Melder wil teruggebeld worden");
      await page.getByRole("button", { name: nl["case.contact.confirm"] }).click();
      await page.locator(".contact-shown dd", { hasText: HOSTILE }).waitFor();
      await page.locator(".contact-shown dd", { hasText: "melder@example.org" }).waitFor();

      // A note with markup is text as well.
      await page.getByLabel(nl["case.notes.add"]).fill(HOSTILE);
      await page.getByRole("button", { name: nl["case.notes.submit"] }).click();
      await page.locator(".note__body", { hasText: HOSTILE }).waitFor();

      // Nothing of it became an element, and no handler ran.
      assert.equal(await page.locator('img[src="x"]').count(), 0, "no injected <img>");
      const scripts = await page.evaluate<string[]>("[...document.scripts].map((s) => s.textContent ?? '')");
      assert.ok(!scripts.some((text) => text.includes("alert(")), "no injected <script>");
      await page.waitForTimeout(300);
      await expectAccessible(page, "case page with hostile input");
      assert.deepEqual(problems, [], "no dialogs, page errors or CSP violations");
    } finally {
      await close();
    }
  });
});
