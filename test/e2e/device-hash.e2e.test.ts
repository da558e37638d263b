// Browser test of hashing on the victim's own device, on a phone, against a real `vangrail
// serve`: a reporter picks a generated photo on /hashen, the page hashes it in Chromium, shows
// the exact JSON it will send, sends it and shows a withdrawal code once. Every request the page
// makes is recorded: only that JSON leaves (receipt, secret, {pdq, quality}), never a byte of
// the picture, and the hash is within 8 bits of the server's own hashImage of the same file.
// The hashes are then found in the victim-submitted bank (read from the server's database after
// it stops), withdrawal works by code and by receipt and secret, and axe passes in Dutch and
// English. Hostile input: a file that is no picture, and wrong codes.
//
// Every image here is generated (shapes, noise, a smooth gradient); nothing else is used.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { hashImage } from "../../src/modules/hashing/image.ts";
import { hammingHex } from "../../src/modules/hashing/pdq-core.ts";
import { gradient, photoJpeg, shapes } from "../../src/modules/hashing/synthetic.ts";
import { currentConsent } from "../../src/modules/intake/consent.ts";
import { openDatabase } from "../../src/platform/db.ts";
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
const PHONE = { width: 360, height: 740 };
const BROWSER_PIPELINE = "vg-pdq-browser-1";

interface Codes {
  receipt: string;
  secret: string;
}

interface Seen {
  url: string;
  method: string;
  body: Buffer | null;
}

/** Every request the page makes, with its body. */
function recordRequests(page: Page): Seen[] {
  const seen: Seen[] = [];
  page.on("request", (request) => {
    seen.push({ url: request.url(), method: request.method(), body: request.postDataBuffer() });
  });
  return seen;
}

function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

/** axe, and no sideways scrolling at 360 px. */
async function checkPage(page: Page, label: string): Promise<void> {
  await expectAccessible(page, label);
  const overflow = await page.evaluate<number>(
    "document.documentElement.scrollWidth - document.documentElement.clientWidth",
  );
  assert.ok(overflow <= 0, `the ${label} scrolls sideways by ${overflow}px at 360px wide`);
}

/** 48-byte slices from across the file: any of them in a request body means pixels left. */
function fingerprintsOf(bytes: Buffer): Buffer[] {
  const slices: Buffer[] = [];
  for (let i = 1; i <= 8; i++) {
    const at = Math.floor((bytes.length - 48) * (i / 9));
    slices.push(bytes.subarray(at, at + 48));
  }
  return slices;
}

/**
 * What left the page besides loading the app: nothing but the expected API calls, each with
 * a small JSON body that holds none of the image bytes (raw, base64 or hex).
 */
function assertNoImageLeft(seen: Seen[], origin: string, images: Buffer[]): Seen[] {
  const calls: Seen[] = [];
  for (const r of seen) {
    if (r.url.startsWith("blob:") || r.url.startsWith("data:")) continue;
    const url = new URL(r.url);
    assert.equal(url.origin, origin, `a request to another origin: ${r.url}`);
    assert.ok(r.url.length < 300, `a long address: ${r.url.slice(0, 80)}…`);
    if (r.method === "GET" && !url.pathname.startsWith("/api/")) {
      assert.equal(r.body, null);
      continue;
    }
    calls.push(r);
  }
  for (const call of calls) {
    assert.equal(call.method, "POST", `an unexpected API call: ${call.method} ${call.url}`);
    const body = call.body ?? Buffer.alloc(0);
    assert.ok(body.length < 4096, `a ${body.length}-byte body to ${call.url}`);
    const text = body.toString("utf8");
    for (const image of images) {
      for (const slice of fingerprintsOf(image)) {
        assert.equal(body.indexOf(slice), -1, `image bytes in the body to ${call.url}`);
        assert.ok(!text.includes(slice.toString("base64").slice(0, 40)), "base64 image bytes in a body");
        assert.ok(!text.includes(slice.toString("hex").slice(0, 40)), "hex image bytes in a body");
      }
    }
  }
  return calls;
}

const heading = (page: Page, name: string) => page.getByRole("heading", { level: 1, name });
const region = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

describe("web: hashing photos on the victim's device", { skip, timeout: 300_000 }, () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let photo: Buffer;
  let second: Buffer;
  let plain: Buffer;
  let third: Buffer;
  const kept: { receipt: string; pdq: string }[] = [];

  async function fileReport(): Promise<Codes> {
    assert.ok(server);
    const res = await fetch(`${server.url}/api/v1/public/reports`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        category: "ncii",
        urls: ["https://images.example/shared/1"],
        description: "Mijn foto's staan online.",
        reporterRole: "depicted",
        ageBand: "18_24",
        consent: { given: true, version: currentConsent.version },
      }),
    });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    const { receipt, secret } = JSON.parse(text) as Codes;
    return { receipt, secret };
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
        admin: {
          displayName: "Anna Admin",
          email: "anna@meldpunt.test",
          password: "een lange zin als wachtwoord",
        },
      }),
    });
    assert.equal(setup.status, 201, await setup.text());
    photo = await photoJpeg(41, 1600, 1000);
    second = await shapes(42, 900, 700);
    third = await shapes(43, 640, 480);
    plain = await gradient("horizontal", 400, 300);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newContext(locale: "nl" | "en"): Promise<BrowserContext> {
    assert.ok(browser);
    return browser.newContext({
      viewport: PHONE,
      locale: locale === "nl" ? "nl-NL" : "en-GB",
      isMobile: true,
      hasTouch: true,
    });
  }

  async function fillCodes(page: Page, t: Catalogue, codes: Codes): Promise<void> {
    const step = region(page, t["hashes.step.codes"]);
    await step.getByLabel(t["track.receipt"]).fill(codes.receipt);
    await step.getByLabel(t["track.secret"]).fill(codes.secret);
  }

  async function readPreview(page: Page): Promise<unknown> {
    return JSON.parse((await page.getByTestId("device-hash-body").textContent()) ?? "null");
  }

  test("in Dutch: a photo is hashed on the phone and only its hash is sent", async () => {
    assert.ok(server);
    const t = nl;
    const codes = await fileReport();
    const context = await newContext("nl");
    const page = await context.newPage();
    const seen = recordRequests(page);
    const problems = watchForProblems(page);
    try {
      await page.goto(`${server.url}/hashen`);
      await heading(page, t["hashes.title"]).waitFor();
      await page.getByRole("heading", { name: t["hashes.promise.title"] }).waitFor();
      await checkPage(page, "device-hashing page (nl)");

      await fillCodes(page, t, codes);
      // A photo and a smooth gradient (too little detail to match on: flagged, not sent).
      await page.locator('input[type="file"]').setInputFiles([
        { name: "vakantie.jpg", mimeType: "image/jpeg", buffer: photo },
        { name: "egaal.png", mimeType: "image/png", buffer: plain },
      ]);
      const ready = page.locator('li[data-state="ready"]');
      await ready.waitFor();
      await page.locator('li[data-state="lowQuality"]').waitFor();
      await page
        .getByText(t["hashes.photos.summary"].replace("{ready}", "1").replace("{total}", "2"))
        .waitFor();
      const shown = (await ready.getByTestId("device-hash").textContent()) ?? "";
      assert.match(shown, /^[0-9a-f]{64}$/);

      // The server's own pipeline on the same file.
      const onServer = await hashImage(photo);
      const distance = hammingHex(shown, onServer.hash);
      assert.ok(distance <= 8, `browser and server hashes are ${distance} bits apart`);

      // The preview blurs until asked.
      const img = ready.locator("img");
      assert.match((await img.getAttribute("class")) ?? "", /is-blurred/);
      assert.match((await img.getAttribute("src")) ?? "", /^blob:/);
      await ready.getByRole("button", { name: `${t["hashes.photo.show"]} vakantie.jpg` }).click();
      assert.doesNotMatch((await img.getAttribute("class")) ?? "", /is-blurred/);

      // Exactly what will be sent: the codes and one {pdq, quality}; the gradient is left out.
      const preview = (await readPreview(page)) as { hashes: { pdq: string; quality: number }[] };
      assert.deepEqual(Object.keys(preview), ["receipt", "secret", "hashes"]);
      assert.equal(preview.hashes.length, 1);
      assert.equal(preview.hashes[0]?.pdq, shown);
      assert.ok((preview.hashes[0]?.quality ?? 0) >= 50);
      await checkPage(page, "device-hashing page with photos (nl)");

      // Consent first.
      await page.getByRole("button", { name: t["hashes.submit"] }).click();
      await page.getByText(t["hashes.consent.required"]).waitFor();
      assert.equal(
        seen.filter((r) => r.url.includes("/api/")).length,
        0,
        "nothing is sent before the person agrees",
      );
      await page.getByRole("checkbox", { name: t["hashes.consent"] }).check();
      await page.getByRole("button", { name: t["hashes.submit"] }).click();

      await page
        .getByText(t["hashes.done.accepted"].replace("{accepted}", "1").replace("{total}", "1"))
        .waitFor();
      const code = ((await page.getByTestId("withdrawal-secret").textContent()) ?? "").replace(/\s+/g, "");
      assert.match(code, /^[A-Za-z0-9_-]{32}$/);
      assert.equal(await page.locator("li[data-state]").count(), 0, "the photos are off the page");
      await checkPage(page, "device hashes sent (nl)");

      const calls = assertNoImageLeft(seen, server.url, [photo, plain]);
      assert.equal(calls.length, 1, "one request with hashes");
      assert.equal(new URL(calls[0]?.url ?? "").pathname, "/api/v1/public/device-hashes");
      const sent = JSON.parse(calls[0]?.body?.toString("utf8") ?? "null");
      assert.deepEqual(sent, preview, "the request body is the JSON the page showed");
      assert.ok(hammingHex(sent.hashes[0]?.pdq ?? "", onServer.hash) <= 8);
      kept.push({ receipt: codes.receipt, pdq: shown });

      // Another sending from the same page, then withdrawn with its own code.
      await page.getByRole("button", { name: t["hashes.done.more"] }).click();
      await page.locator('input[type="file"]').setInputFiles({
        name: "nog-een.png",
        mimeType: "image/png",
        buffer: third,
      });
      await page.locator('li[data-state="ready"]').waitFor();
      await page.getByRole("checkbox", { name: t["hashes.consent"] }).check();
      await page.getByRole("button", { name: t["hashes.submit"] }).click();
      const code2 = ((await page.getByTestId("withdrawal-secret").textContent()) ?? "").replace(/\s+/g, "");
      assert.notEqual(code2, code);
      const withdraw = region(page, t["hashes.withdraw.title"]);
      await withdraw.getByRole("textbox", { name: t["hashes.withdraw.code"], exact: true }).fill(code2);
      await withdraw.getByRole("button", { name: t["hashes.withdraw.submit"] }).click();
      await page.getByText(t["hashes.withdraw.done"].replace("{deleted}", "1")).waitFor();
      await checkPage(page, "device hashes withdrawn (nl)");

      const all = assertNoImageLeft(seen, server.url, [photo, plain, third]);
      assert.deepEqual(
        all.map((c) => new URL(c.url).pathname),
        [
          "/api/v1/public/device-hashes",
          "/api/v1/public/device-hashes",
          "/api/v1/public/device-hashes/withdraw",
        ],
      );
      assert.deepEqual(JSON.parse(all[2]?.body?.toString("utf8") ?? "null"), { withdrawalSecret: code2 });
      assert.deepEqual(await context.cookies(), [], "no cookies");
      assert.deepEqual(problems, [], "no CSP violations, page errors or dialogs");
    } finally {
      await context.close();
    }
  });

  test("in English, from the status page: codes carried over, withdrawn with receipt and secret", async () => {
    assert.ok(server);
    const t = en;
    const codes = await fileReport();
    const context = await newContext("en");
    const page = await context.newPage();
    const seen = recordRequests(page);
    const problems = watchForProblems(page);
    try {
      await page.goto(`${server.url}/status`);
      await page.getByRole("button", { name: "EN", exact: true }).click();
      await heading(page, t["track.title"]).waitFor();
      await page.getByLabel(t["track.receipt"]).fill(codes.receipt);
      await page.getByLabel(t["track.secret"]).fill(codes.secret);
      await page.getByRole("button", { name: t["track.submit"] }).click();
      await page.getByRole("link", { name: t["track.hashesLink"] }).click();
      await heading(page, t["hashes.title"]).waitFor();
      assert.equal(new URL(page.url()).pathname, "/hashes");
      const step = region(page, t["hashes.step.codes"]);
      assert.equal(await step.getByLabel(t["track.receipt"]).inputValue(), codes.receipt);
      assert.equal(await step.getByLabel(t["track.secret"]).inputValue(), codes.secret);
      await checkPage(page, "device-hashing page (en)");

      await page.locator('input[type="file"]').setInputFiles({
        name: "shapes.png",
        mimeType: "image/png",
        buffer: second,
      });
      const shown =
        (await page.locator('li[data-state="ready"]').getByTestId("device-hash").textContent()) ?? "";
      assert.ok(hammingHex(shown, (await hashImage(second)).hash) <= 8);
      await checkPage(page, "device-hashing page with a photo (en)");
      await page.getByRole("checkbox", { name: t["hashes.consent"] }).check();
      await page.getByRole("button", { name: t["hashes.submit"] }).click();
      await page.getByTestId("withdrawal-secret").waitFor();
      await checkPage(page, "device hashes sent (en)");

      const withdraw = region(page, t["hashes.withdraw.title"]);
      await withdraw.getByRole("radio", { name: t["hashes.withdraw.byReport"] }).check();
      await withdraw.getByRole("textbox", { name: t["track.receipt"], exact: true }).fill(codes.receipt);
      await withdraw.getByRole("textbox", { name: t["track.secret"], exact: true }).fill(codes.secret);
      await withdraw.getByRole("button", { name: t["hashes.withdraw.submit"] }).click();
      await page.getByText(t["hashes.withdraw.done"].replace("{deleted}", "1")).waitFor();
      await checkPage(page, "device hashes withdrawn (en)");

      const calls = assertNoImageLeft(seen, server.url, [second]);
      assert.deepEqual(
        calls.map((c) => new URL(c.url).pathname),
        [
          "/api/v1/public/reports/status",
          "/api/v1/public/device-hashes",
          "/api/v1/public/device-hashes/withdraw",
        ],
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("hostile input: a file that is no picture, and wrong codes", async () => {
    assert.ok(server);
    const t = nl;
    const codes = await fileReport();
    const context = await newContext("nl");
    const page = await context.newPage();
    const seen = recordRequests(page);
    const problems = watchForProblems(page);
    try {
      await page.goto(`${server.url}/hashen`);
      await heading(page, t["hashes.title"]).waitFor();
      await fillCodes(page, t, codes);
      // Text dressed up as a photo, and an empty "photo".
      await page.locator('input[type="file"]').setInputFiles([
        {
          name: "foto.png",
          mimeType: "image/png",
          buffer: Buffer.from("<script>alert(1)</script> geen foto"),
        },
        { name: "leeg.jpg", mimeType: "image/jpeg", buffer: Buffer.alloc(0) },
      ]);
      await page.locator('li[data-state="unreadable"]').nth(1).waitFor();
      assert.equal(await page.getByText(t["hashes.photo.unreadable"]).count(), 2, "an error per file");
      await page.getByText(t["hashes.check.nothing"]).waitFor();
      await checkPage(page, "device-hashing page with unreadable files (nl)");
      await page.getByRole("checkbox", { name: t["hashes.consent"] }).check();
      await page.getByRole("button", { name: t["hashes.submit"] }).click();
      await page.getByText(t["hashes.photos.required"]).waitFor();
      assert.deepEqual(assertNoImageLeft(seen, server.url, []), [], "nothing was sent");

      // Wrong codes: the status page's one neutral answer; the photo stays ready to send.
      await page.getByRole("button", { name: `${t["hashes.photo.remove"]} foto.png` }).click();
      await page.locator('input[type="file"]').setInputFiles({
        name: "echt.png",
        mimeType: "image/png",
        buffer: second,
      });
      await page.locator('li[data-state="ready"]').waitFor();
      await fillCodes(page, t, { receipt: codes.receipt, secret: "AAAA-BBBB-CCCC-DDDD" });
      await page.getByRole("button", { name: t["hashes.submit"] }).click();
      await page.getByText(t["track.problem.notFound"]).waitFor();
      assert.equal(await page.locator('li[data-state="ready"]').count(), 1, "the photo is still there");
      await checkPage(page, "device-hashing page with wrong codes (nl)");
      const calls = assertNoImageLeft(seen, server.url, [second]);
      assert.equal(calls.length, 1);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the hashes sent are in the victim-submitted bank, withdrawn ones are gone", async () => {
    assert.ok(server);
    // PGlite has one process: stop the server, then read its database.
    server.kill("SIGTERM");
    await server.exited();
    const handle = await openDatabase({ dataDir: server.dataDir });
    try {
      const reports = new Map(
        (await handle.db.selectFrom("reports").select(["id", "receipt"]).execute()).map((r) => [
          String(r.id),
          r.receipt,
        ]),
      );
      const rows = (
        await handle.db
          .selectFrom("hash_entries")
          .innerJoin("hash_banks", "hash_banks.id", "hash_entries.bank_id")
          .select([
            "hash_entries.value",
            "hash_entries.pipeline",
            "hash_entries.created_by_type",
            "hash_entries.report_id",
            "hash_banks.kind",
          ])
          .execute()
      ).map((r) => ({ ...r, receipt: reports.get(String(r.report_id)) }));
      assert.deepEqual(
        rows.map((r) => ({
          value: r.value,
          pipeline: r.pipeline,
          by: r.created_by_type,
          kind: r.kind,
          receipt: r.receipt,
        })),
        kept.map((k) => ({
          value: k.pdq,
          pipeline: BROWSER_PIPELINE,
          by: "public",
          kind: "victim_submitted",
          receipt: k.receipt,
        })),
      );
    } finally {
      await handle.close();
    }
  });
});
