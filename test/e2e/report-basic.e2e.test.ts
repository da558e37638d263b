// The report form without JavaScript, in a real browser with JavaScript switched off: the
// plain HTML form posts, the receipt page comes back, and the page loads nothing from elsewhere.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../support/browser.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const skip =
  !existsSync(CHROMIUM) && !process.env.CI ? "Chromium is not installed (apt-get install chromium)" : false;

let server: TestServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  server = await startTestServer();
  const setup = await fetch(`${server.url}/api/v1/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      setupCode: server.setupCode,
      organisation: { name: "Meldpunt", kind: "hotline" },
      admin: { displayName: "Beheer", email: "admin@nojs.example", password: "nojs-password-123" },
    }),
  });
  assert.equal(setup.status, 201);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("a report filed with JavaScript switched off gets a receipt", { skip }, async () => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 360, height: 740 },
  });
  const page = await context.newPage();
  const foreign: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(server.url)) foreign.push(r.url());
  });
  await page.goto(`${server.url}/report-basic?lang=en`);
  await page.selectOption("#category", "ncii");
  await page.fill("#urls", "https://nojs-browser.example/1\nhttps://nojs-browser.example/2");
  await page.fill("#description", "Filed without JavaScript.");
  await page.selectOption("#reporterRole", "depicted");
  await page.check("#selfHarm");
  await page.check("#consent");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  const text = await page.textContent("body");
  assert.match(text ?? "", /Your report has been received/);
  assert.match(text ?? "", /113/);
  assert.match(text ?? "", /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
  assert.deepEqual(foreign, []);
  const overflow = await page.evaluate("document.documentElement.scrollWidth > window.innerWidth");
  assert.equal(overflow, false);
  await context.close();
});
