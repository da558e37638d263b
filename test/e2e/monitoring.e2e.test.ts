// Browser test of the case page's monitoring section: a case with two links on a local site is
// noticed to a platform, which claims both removed; one page is really gone (410), the other is
// still online. After the checks the analyst sees, in Dutch, the verified removal of the first,
// the contradicted claim of the second (with the party's name), and asks for a check now.
// axe-core checks the page.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import * as registry from "../../src/modules/attribution/parties.ts";
import * as audit from "../../src/modules/audit/service.ts";
import * as cases from "../../src/modules/cases/service.ts";
import { totpCode } from "../../src/modules/identity/totp.ts";
import { currentConsent } from "../../src/modules/intake/consent.ts";
import { submitPublicReport } from "../../src/modules/intake/service.ts";
import { buildMonitoringEnv, setMonitoringEnv } from "../../src/modules/monitoring/env.ts";
import * as monitoring from "../../src/modules/monitoring/service.ts";
import * as notices from "../../src/modules/notices/service.ts";
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
import { type MonitorSite, startMonitorSite } from "../support/monitor-site.ts";
import { ROOT } from "../support/server.ts";

requireBrowserInCi();

const heading = (page: Page, name: string) => page.getByRole("heading", { level: 1, name });
const prefix = (key: keyof typeof nl) => (nl[key] as string).split("{")[0]?.trim() as string;

describe("web: monitoring on the case page", { skip, timeout: 300_000 }, () => {
  let t: TestApp;
  let site: MonitorSite;
  let browser: Browser;
  let baseUrl = "";
  const analyst = { email: "", secret: "" };

  before(async () => {
    process.env.VANGRAIL_TEST_MODE = "1";
    ensureWebBuilt();
    site = await startMonitorSite();
    const backend = backends[0];
    assert.ok(backend);
    t = await startApp(
      backend,
      { SESSION_IDLE_MINUTES: "1440", SESSION_MAX_HOURS: "48" },
      { webDir: join(ROOT, "dist", "web") },
    );
    setMonitoringEnv(t.deps, buildMonitoringEnv(t.deps, { fetcher: { allowLoopback: true } }));
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    await site?.close();
  });

  test("shows the verified removal and the contradicted claim, and checks now", async () => {
    const org = await makeOrganisation(t.deps, "hotline", "Meldpunt Monitorland");
    const user = await makeUser(t.deps, org.id, "analyst");
    analyst.email = user.email;
    analyst.secret = (await login(t, user.email)).secret ?? "";
    const platformOrg = await makeOrganisation(t.deps, "platform", "Fotodeel B.V.");
    const operator = registry.operatorFor(org.id);
    const party = await registry.createParty(t.deps, operator, {
      name: "Fotodeel B.V.",
      kind: "platform",
      country: "NL",
      languages: ["nl"],
      maxUrlsPerNotice: 50,
      responseHours: null,
      partyOrganisationId: platformOrg.id,
    });
    await registry.addChannel(t.deps, operator, party.id, {
      kind: "email",
      address: "abuse@fotodeel.example",
    });

    site.routes.set("/gone", { kind: "html", body: "<p>post one</p>" });
    site.routes.set("/kept", { kind: "html", body: "<p>post two</p>" });
    const r = await submitPublicReport(t.deps, {
      category: "ncii",
      urls: [site.url("/gone"), site.url("/kept")],
      accounts: [],
      description: "twee links",
      reporterRole: "depicted",
      ageBand: "25_plus",
      answers: {
        immediateDanger: false,
        selfHarm: false,
        minorInvolved: false,
        ongoingThreat: false,
        paid: false,
        physicalViolence: false,
      },
      language: "nl",
      consent: { given: true, version: currentConsent.version },
    });
    const c = await cases.caseWithItems(t.deps, org.id, r.caseId);
    assert.ok(c);
    const now = t.clock.now();
    for (const i of c.items)
      await t.deps.db
        .insertInto("attributions")
        .values({
          item_id: i.id,
          organisation_id: org.id,
          role: "platform",
          party_id: party.id,
          address: "127.0.0.1",
          source: "registry",
          resolved_at: now,
          expires_at: new Date(now.getTime() + 86_400_000),
        })
        .execute();
    const created = await notices.createNotices(t.deps, audit.systemActor, org.id, "ncii", c.items);
    await notices.deliverAll(t.deps);
    const noticeId = created.created[0]?.noticeId as string;
    await notices.respondAsParty(
      t.deps,
      {
        kind: "token",
        tokenId: "platform-token",
        organisationId: platformOrg.id,
        organisationKind: "platform",
        permissions: new Set(["notices:respond", "notices:read"]),
      },
      noticeId,
      { kind: "removed" },
    );
    site.routes.set("/gone", { kind: "status", status: 410 });
    t.clock.advance(16 * 60_000);
    const run = await monitoring.runDue(t.deps);
    assert.equal(run.removed, 1);
    assert.equal(run.contradicted, 1);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-NL" });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${baseUrl}/cases/${r.caseId}`);
      await heading(page, nl["login.title"]).waitFor();
      await page.getByLabel(nl["form.email"]).fill(analyst.email);
      await page.getByLabel(nl["form.password"], { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: nl["login.submit"], exact: true }).click();
      await heading(page, nl["mfa.verify.title"]).waitFor();
      t.clock.advance(30_000);
      await page.getByLabel(nl["mfa.code"]).fill(totpCode(analyst.secret, t.clock.now()));
      await page.getByRole("button", { name: nl["mfa.verify.submit"] }).click();
      const section = page.getByRole("region", { name: nl["case.monitoring.title"], exact: true });
      await section.waitFor();
      const gone = section.getByRole("article", { name: site.url("/gone") });
      const kept = section.getByRole("article", { name: site.url("/kept") });
      await gone.getByText(prefix("case.monitoring.removed")).waitFor();
      assert.match(await gone.innerText(), /http_410/);
      const claim = kept.getByText(/Fotodeel B\.V\. meldde verwijdering/);
      await claim.waitFor();
      assert.match(await kept.innerText(), new RegExp(nl["case.monitoring.notRemoved"]));
      assert.match(await kept.innerText(), /same_content|answers/);
      await expectAccessible(page, "case page with monitoring (nl)");
      await kept.getByRole("button", { name: nl["case.monitoring.checkNow"] }).click();
      await kept.getByRole("status").getByText(nl["case.monitoring.queued"]).waitFor();
      const s = await t.deps.db
        .selectFrom("monitor_schedule")
        .selectAll()
        .where("item_id", "=", c.items.find((i) => i.value.endsWith("/kept"))?.id as string)
        .executeTakeFirstOrThrow();
      assert.equal(s.extra_checks, 1, "the check now is owed");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
