// The whole chain of issue 7 on the test clock, on PGlite and PostgreSQL, with every part real:
// notices delivered to a local SMTP server, monitoring re-checking a local site through the safe
// fetcher, the ladder, and the enforcement module filing with a regulator's portal.
//
// A platform that ignores its notices (its page stays online) gets the escalated reminder, then
// its host and its registrar get notices; the regulator step waits for a supervisor; approved, it
// is filed with the ACM's organisation; the ACM confirms receipt; eight weeks pass without a
// decision, the term lapses and the notice of default is drafted; the ACM decides and the clock
// stops. A platform whose page is gone before the deadline (seen by a check) is never escalated.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as registry from "../src/modules/attribution/parties.ts";
import * as enforcement from "../src/modules/escalation/enforcement.ts";
import { escalationTick, pendingApprovals } from "../src/modules/escalation/ladder.ts";
import { type Principal, userPrincipal } from "../src/modules/identity/principal.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import { submitPublicReport } from "../src/modules/intake/service.ts";
import { buildMonitoringEnv, setMonitoringEnv } from "../src/modules/monitoring/env.ts";
import { shippedPolicyInput } from "../src/modules/monitoring/policy.ts";
import * as monitoring from "../src/modules/monitoring/service.ts";
import * as notices from "../src/modules/notices/service.ts";
import { createTransport } from "../src/modules/notices/transport.ts";
import { hours } from "../src/platform/clock.ts";
import { makeOrganisation, makeUser, startApp, type TestApp } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { type MonitorSite, startMonitorSite } from "./support/monitor-site.ts";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.ts";

const DAY = hours(24);

let site: MonitorSite;
let sink: SmtpSink;
before(async () => {
  process.env.VANGRAIL_TEST_MODE = "1";
  site = await startMonitorSite({ record: false });
  sink = await startSmtpSink();
});
after(async () => {
  await site.close();
  await sink.close();
});

for (const backend of backends) {
  describe(`escalation chain (${backend.name})`, { timeout: 600_000 }, () => {
    let t: TestApp;
    let hotlineId = "";
    let supervisor: Principal;
    let officer: Principal;
    let acmId = "";
    let seq = 0;

    before(async () => {
      t = await startApp(backend, { MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url });
      notices.setNoticeEnv(t.deps, {
        transport: createTransport(t.deps.config, { fetcher: { allowLoopback: true } }),
      });
      setMonitoringEnv(
        t.deps,
        buildMonitoringEnv(t.deps, {
          fetcher: { allowLoopback: true },
          policy: {
            ...(shippedPolicyInput() as unknown as Record<string, unknown>),
            politeness: { perHostConcurrency: 4, minSpacingMs: 0, perHostPerBatch: 100 },
          } as never,
        }),
      );
      const hotline = await makeOrganisation(t.deps, "hotline");
      hotlineId = hotline.id;
      // Public reports land with the first hotline; this test's is the only one in its database.
      supervisor = userPrincipal(await makeUser(t.deps, hotlineId, "supervisor"), "hotline", "test");
      const acm = await makeOrganisation(t.deps, "regulator", "Autoriteit Consument & Markt (test)");
      acmId = acm.id;
      officer = userPrincipal(await makeUser(t.deps, acmId, "regulator_officer"), "regulator", "test");
      await enforcement.saveSettings(t.deps, supervisor, {
        applicantName: "Stichting Meldpunt Testland",
        postalAddress: "Postbus 1234\n1000 AB Amsterdam",
        email: "handhaving@meldpunt.example",
        consultationMonths: 3,
      });
      await enforcement.saveContact(t.deps, supervisor, "acm", {
        regulatorOrganisationId: acmId,
        email: null,
      });
    });
    after(async () => {
      notices.closeNoticeEnv(t.deps);
      await t.close();
    });

    async function party(name: string, kind: "platform" | "hosting" | "registrar") {
      const operator = registry.operatorFor(hotlineId);
      const p = await registry.createParty(t.deps, operator, {
        name: `${name} ${++seq}`,
        kind,
        country: "DE",
        languages: ["en"],
      });
      await registry.addChannel(t.deps, operator, p.id, {
        kind: "email",
        address: `abuse-${seq}@${kind}.example`,
      });
      return p.id;
    }

    /** A public report of one page on the site, attributed to the parties, with its first notice sent. */
    async function reported(path: string, roles: Record<string, string>) {
      site.routes.set(path, {
        kind: "html",
        body: `<!doctype html><title>Fictional post</title><p>${path}</p>`,
      });
      const r = await submitPublicReport(t.deps, {
        category: "ncii",
        urls: [site.url(path)],
        accounts: [],
        description: "escalation chain test (fictional)",
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
        language: "en",
        consent: { given: true, version: currentConsent.version },
      });
      const item = await t.deps.db
        .selectFrom("case_items")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select(["items.id", "items.value"])
        .where("case_items.case_id", "=", r.caseId)
        .executeTakeFirstOrThrow();
      const now = t.clock.now();
      for (const [role, partyId] of Object.entries(roles))
        await t.deps.db
          .insertInto("attributions")
          .values({
            item_id: item.id,
            organisation_id: hotlineId,
            role: role as "platform",
            party_id: partyId,
            source: "registry",
            resolved_at: now,
            expires_at: new Date(now.getTime() + 365 * DAY),
          })
          .execute();
      const created = await notices.createNoticesForCase(t.deps, supervisor, r.caseId, {
        roles: ["platform"],
      });
      assert.equal(created.created.length, 1, JSON.stringify(created.skipped));
      return { caseId: r.caseId, itemId: item.id, path };
    }

    /** Runs the hotline's jobs hour by hour, as the workers would. */
    async function run(forHours: number, until?: () => Promise<boolean>) {
      for (let h = 0; h < forHours; h++) {
        await notices.deliverAll(t.deps);
        await monitoring.runAllDue(t.deps);
        await notices.checkDeadlines(t.deps);
        await escalationTick(t.deps);
        await enforcement.runClock(t.deps);
        if (until && (await until())) return h;
        t.clock.advance(hours(1));
      }
      return forHours;
    }

    const steps = (itemId: string) =>
      t.deps.db
        .selectFrom("notice_items")
        .innerJoin("notices", "notices.id", "notice_items.notice_id")
        .select(["notice_items.step", "notice_items.party_id", "notices.sent_at"])
        .where("notice_items.item_id", "=", itemId)
        .orderBy("notices.created_at")
        .execute();

    it("climbs from an ignoring platform to its host, its registrar and the ACM; the Awb term lapses; a decision stops the clock", async () => {
      const P = await party("Ignoring Platform", "platform");
      const H = await party("Silent Host", "hosting");
      const R = await party("Silent Registrar", "registrar");
      const Q = await party("Prompt Platform", "platform");
      const ignored = await reported(`/ignored-${seq}`, { platform: P, hosting: H, registrar: R });
      const removed = await reported(`/removed-${seq}`, { platform: Q, hosting: H, registrar: R });

      // The prompt platform takes its page down within hours; the check that sees it is the removal.
      await run(5);
      site.routes.set(removed.path, { kind: "status", status: 410 });

      // Run until the regulator step asks a supervisor; bounded so a broken ladder fails, not hangs.
      const waited = await run(21 * 24, async () => (await pendingApprovals(t.deps, supervisor)).length > 0);
      assert.ok(waited < 21 * 24, "the ladder reached the regulator step within three weeks");

      const ladder = await steps(ignored.itemId);
      assert.deepEqual(
        ladder.map((s) => [s.step, s.party_id]),
        [
          ["platform", P],
          ["platform_reminder", P],
          ["hosting", H],
          ["registrar", R],
        ],
      );
      assert.ok(
        ladder.every((s) => s.sent_at !== null),
        "every notice on the ladder was delivered",
      );
      const mailed = sink.messages.map((m) => m.to.join(","));
      for (const to of ["platform.example", "hosting.example", "registrar.example"])
        assert.ok(
          mailed.some((m) => m.includes(to)),
          `a notice reached the ${to} party by SMTP`,
        );

      // The prompt platform: seen gone by a check before its deadline, never escalated.
      const gone = await t.deps.db
        .selectFrom("items")
        .select(["status", "removed_at"])
        .where("id", "=", removed.itemId)
        .executeTakeFirstOrThrow();
      assert.equal(gone.status, "removed");
      assert.ok(gone.removed_at);
      assert.deepEqual(
        (await steps(removed.itemId)).map((s) => s.step),
        ["platform"],
      );

      // Nothing goes to a regulator without a supervisor.
      assert.equal(
        await t.deps.db.selectFrom("enforcement_requests").select("id").executeTakeFirst(),
        undefined,
      );
      const [approval] = await pendingApprovals(t.deps, supervisor);
      assert.ok(approval);
      assert.equal(approval.regulator, "acm");
      const { decideApproval } = await import("../src/modules/escalation/ladder.ts");
      await decideApproval(t.deps, supervisor, approval.id, { decision: "approve", note: "File with ACM." });
      await run(1);

      const requests = await enforcement.listRequests(t.deps, supervisor, {});
      const filed = requests.find((r) => r.regulator.id === "acm");
      assert.ok(filed, "the approved step was filed as an enforcement request");
      const view = await enforcement.getRequest(t.deps, supervisor, filed.id);
      assert.equal(view.status, "filed");
      assert.equal(view.party?.id, P);

      // The ACM sees it in its portal and confirms receipt: the eight weeks run from here.
      const portal = await enforcement.portalRequests(t.deps, officer, {});
      assert.deepEqual(
        portal.map((r) => r.id),
        [filed.id],
      );
      const received = await enforcement.recordReceipt(t.deps, officer, filed.id, {});
      assert.equal(received.clock.state, "running");
      const termEnds = new Date(received.clock.termEndsAt as string);

      // Silence: the term lapses, and Vangrail drafts the notice of default.
      t.clock.set(new Date(termEnds.getTime() + hours(2)));
      const clock = await enforcement.runClock(t.deps);
      assert.deepEqual([clock.lapsed, clock.drafted], [1, 1]);
      const lapsed = await enforcement.getRequest(t.deps, supervisor, filed.id);
      assert.equal(lapsed.clock.state, "lapsed");
      assert.ok(lapsed.defaultNotice, "the notice of default is drafted");
      assert.match(lapsed.defaultNotice.text, /Stichting Meldpunt Testland/);

      // The ACM decides: the clock stops, and stays stopped.
      t.clock.advance(3 * DAY);
      const decided = await enforcement.recordDecision(t.deps, officer, filed.id, {
        outcome: "granted",
        text: "Order subject to a penalty imposed on the platform (fictional).",
      });
      assert.equal(decided.clock.state, "decided");
      t.clock.advance(60 * DAY);
      await enforcement.runClock(t.deps);
      const final = await enforcement.getRequest(t.deps, supervisor, filed.id);
      assert.equal(final.clock.state, "decided");
      assert.equal(final.penalty.cents, 0, "no notice of default was received, so no penalty ran");
    });
  });
}
