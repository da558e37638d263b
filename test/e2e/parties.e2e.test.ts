// Browser test of the party registry against a real `vangrail serve`: the hotline's admin opens
// "Partijen" from the menu, adds a fictional platform, gives it a domain pattern, an e-mail
// channel and a webhook (whose secret is shown once and is gone after a reload), finds it in
// the list by its domain, downloads the registry as CSV, and imports a CSV with a good and a bad
// row and sees one result per row. Markup in a party's name stays text. axe-core checks the
// list, the party page and the import page.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
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

const ADMIN = {
  name: "Beheer Meldpunt",
  email: "beheer@meldpunt.test",
  password: "een lange zin als wachtwoord",
};
const HOSTILE = "<img src=x onerror=alert(1)> Kwaad B.V.";

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });

describe("web: the party registry", { skip, timeout: 300_000 }, () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;

  before(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const setup = await fetch(`${server.url}/api/v1/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        setupCode: server.setupCode,
        organisation: { name: "Meldpunt Testland", kind: "hotline" },
        admin: { displayName: ADMIN.name, email: ADMIN.email, password: ADMIN.password },
      }),
    });
    assert.equal(setup.status, 201, await setup.text());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("an admin registers a party with a domain and channels, exports and imports CSV", async () => {
    assert.ok(server && browser);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "nl-NL",
      acceptDownloads: true,
    });
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
    try {
      await page.goto(`${server.url}/`);
      await heading(page, nl["login.title"]).waitFor();
      await page.getByLabel(nl["form.email"]).fill(ADMIN.email);
      await page.getByLabel(nl["form.password"], { exact: true }).fill(ADMIN.password);
      await page.getByRole("button", { name: nl["login.submit"], exact: true }).click();
      await heading(page, nl["mfa.enrol.title"]).waitFor();
      const secret = (await page.locator("#mfa-secret").textContent())?.replace(/\s+/g, "") ?? "";
      await page.getByLabel(nl["mfa.code"]).fill(totpNow(secret));
      await page.getByRole("button", { name: nl["mfa.enrol.submit"] }).click();

      // The menu leads to the registry, which starts empty.
      await page
        .getByRole("navigation", { name: nl["nav.label"] })
        .getByRole("link", { name: nl["nav.parties"] })
        .click();
      await heading(page, nl["parties.title"]).waitFor();
      await page.getByText(nl["parties.empty"]).waitFor();
      await expectAccessible(page, "empty party list");

      // A new party: name and kind, then its page.
      await page.getByRole("button", { name: nl["parties.add"] }).click();
      await page.getByRole("button", { name: nl["parties.add.submit"] }).click();
      await page.getByText(nl["parties.name.required"]).waitFor();
      const newForm = page.getByRole("form", { name: nl["parties.add.title"] });
      await newForm.getByLabel(nl["parties.field.name"]).fill("Fotodeel B.V. (fictief)");
      await newForm.getByLabel(nl["parties.field.kind"]).selectOption("platform");
      await newForm.getByRole("button", { name: nl["parties.add.submit"] }).click();
      await heading(page, "Fotodeel B.V. (fictief)").waitFor();
      assert.match(new URL(page.url()).pathname, /^\/parties\/[0-9a-f-]{36}$/);
      const partyUrl = page.url();

      // Its facts.
      await page.getByLabel(nl["parties.field.country"]).fill("NL");
      await page.getByLabel(nl["parties.field.dsc"]).fill("ACM");
      await page.getByLabel(nl["parties.field.languages"]).fill("nl, en");
      await page.getByRole("button", { name: nl["parties.details.save"] }).click();
      await page.getByText(nl["parties.details.saved"]).waitFor();

      // A domain pattern, written as people write it, stored as Vangrail matches it.
      await page.getByLabel(nl["parties.matchers.col.value"]).fill("WWW.Fotodeel.Example");
      await page.getByRole("button", { name: nl["parties.matchers.add.submit"] }).click();
      await page.locator("code", { hasText: /^www\.fotodeel\.example$/ }).waitFor();
      // A bad one is refused with the server's reason next to the field.
      await page.getByLabel(nl["parties.matchers.col.value"]).fill("geen domein");
      await page.getByRole("button", { name: nl["parties.matchers.add.submit"] }).click();
      await page.locator(".field__error", { hasText: /host name/ }).waitFor();

      // An e-mail channel.
      const channelForm = page.locator("form", {
        has: page.getByRole("heading", { name: nl["parties.channels.add"] }),
      });
      await channelForm.getByLabel(nl["parties.channels.col.kind"]).selectOption("email");
      await channelForm.getByLabel(nl["parties.channels.col.address"]).fill("abuse@fotodeel.example");
      await channelForm.getByRole("button", { name: nl["parties.channels.add.submit"] }).click();
      await page.locator("td code, th code", { hasText: "abuse@fotodeel.example" }).waitFor();

      // A webhook: its secret is shown once.
      await channelForm.getByLabel(nl["parties.channels.col.kind"]).selectOption("webhook");
      await channelForm
        .getByLabel(nl["parties.channels.col.address"])
        .fill("https://hooks.fotodeel.example/vangrail");
      await channelForm.getByRole("button", { name: nl["parties.channels.add.submit"] }).click();
      const secretBox = page.getByLabel(nl["parties.secret.value"]);
      await secretBox.waitFor();
      const webhookSecret = await secretBox.inputValue();
      assert.ok(webhookSecret.length >= 40);
      await expectAccessible(page, "party page with a new webhook secret");
      await page.getByRole("button", { name: nl["parties.secret.done"] }).click();
      await page.reload();
      await heading(page, "Fotodeel B.V. (fictief)").waitFor();
      await page.locator("code", { hasText: "hooks.fotodeel.example" }).waitFor();
      assert.equal(await page.getByLabel(nl["parties.secret.value"]).count(), 0);
      assert.ok(!(await page.content()).includes(webhookSecret), "the secret is gone after a reload");
      await expectAccessible(page, "party page");

      // The list finds it by its domain.
      await page.getByRole("link", { name: nl["parties.back"] }).click();
      await heading(page, nl["parties.title"]).waitFor();
      await page.getByLabel(nl["parties.search"], { exact: true }).fill("fotodeel.example");
      await page.getByRole("button", { name: nl["parties.search.submit"] }).click();
      await page.waitForURL(/[?&]q=fotodeel\.example/);
      await page.getByRole("link", { name: "Fotodeel B.V. (fictief)" }).waitFor();
      await expectAccessible(page, "party list");

      // CSV export: a download with the party, its domain and its channels, without the secret.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: nl["parties.export"] }).click(),
      ]);
      const csv = await readFile((await download.path()) as string, "utf8");
      assert.match(csv, /^name,kind,country/);
      assert.ok(csv.includes("Fotodeel B.V. (fictief),platform,NL"), csv);
      assert.ok(csv.includes("www.fotodeel.example"));
      assert.ok(csv.includes("email:abuse@fotodeel.example;webhook:https://hooks.fotodeel.example/vangrail"));
      assert.ok(!csv.includes(webhookSecret));

      // CSV import: one good row (markup in the name), one bad row.
      await page.getByRole("link", { name: nl["parties.import.link"] }).click();
      await heading(page, nl["parties.import.title"]).waitFor();
      await page.getByRole("button", { name: nl["parties.import.submit"] }).click();
      await page.getByText(nl["parties.import.file.required"]).waitFor();
      await page.getByLabel(nl["parties.import.file"]).setInputFiles({
        name: "partijen.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(
          `name,kind,domains,channels\n"${HOSTILE}",hosting,kwaad.example,email:abuse@kwaad.example\nFout,platform,geen domein,\n`,
        ),
      });
      await page.getByRole("button", { name: nl["parties.import.submit"] }).click();
      await page.getByRole("heading", { name: nl["parties.import.results"] }).waitFor();
      const rows = page.locator("tbody tr");
      assert.equal(await rows.count(), 2);
      await rows.nth(0).getByText(nl["parties.import.action.created"]).waitFor();
      await rows.nth(1).getByText(nl["parties.import.action.failed"]).waitFor();
      await rows
        .nth(1)
        .getByText(/domains/)
        .waitFor();
      await page.getByRole("link", { name: HOSTILE }).waitFor();
      assert.equal(await page.locator('img[src="x"]').count(), 0, "markup stays text");
      await expectAccessible(page, "import results");

      // The imported party has its own page.
      await page.getByRole("link", { name: HOSTILE }).click();
      await heading(page, HOSTILE).waitFor();
      await page.locator("code", { hasText: /^kwaad\.example$/ }).waitFor();

      // Back to the first party: archive it, and it leaves the default list.
      await page.goto(partyUrl);
      await heading(page, "Fotodeel B.V. (fictief)").waitFor();
      await page.getByRole("button", { name: nl["parties.archive"] }).click();
      await page.getByRole("button", { name: nl["parties.archive.confirm"] }).click();
      await page.getByText(nl["parties.archivedDone"]).waitFor();
      await page.goto(`${server.url}/parties`);
      await page.getByRole("link", { name: HOSTILE }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Fotodeel B.V. (fictief)" }).count(), 0);

      assert.deepEqual(problems, [], "no dialogs, page errors or CSP violations");
    } finally {
      await context.close();
    }
  });
});
