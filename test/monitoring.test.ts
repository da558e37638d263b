// Monitoring end to end on PGlite and PostgreSQL, driven by the test clock, against a real local
// web site whose answers the tests change: an item enters monitoring with its first notice and
// is re-checked on the policy's cadence; every verdict (removed by 404/410/451, a removal page
// or the captured media gone; online by the same content or the media still served, also
// re-encoded; changed; error); the removal time is the first check that saw it gone, never the
// party's claim; a claim that a check contradicts is flagged; a re-appearance is recorded;
// hostile servers never crash the worker nor lose the schedule; two workers never check the same
// item twice, and a dead worker's rows come back; checks are polite per host; the re-upload
// watch fast-tracks uploads and captures of known material; authorization per organisation.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import * as registry from "../src/modules/attribution/parties.ts";
import { canonicalJson } from "../src/modules/audit/chain.ts";
import * as audit from "../src/modules/audit/service.ts";
import * as cases from "../src/modules/cases/service.ts";
import { buildEvidenceEnv, setEvidenceEnv } from "../src/modules/evidence/env.ts";
import * as evidence from "../src/modules/evidence/service.ts";
import { photoJpeg } from "../src/modules/hashing/synthetic.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import { submitPublicReport } from "../src/modules/intake/service.ts";
import { buildMonitoringEnv, setMonitoringEnv } from "../src/modules/monitoring/env.ts";
import { shippedPolicyInput } from "../src/modules/monitoring/policy.ts";
import * as monitoring from "../src/modules/monitoring/service.ts";
import * as notices from "../src/modules/notices/service.ts";
import { hours, minutes } from "../src/platform/clock.ts";
import { sha256Hex } from "../src/platform/crypto.ts";
import { type Agent, login, makeUser, startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { type MonitorSite, startMonitorSite } from "./support/monitor-site.ts";

const page = (body: string) => `<!doctype html><title>Fictional post</title><p>${body}</p>`;

function testPolicy(over: Record<string, unknown> = {}) {
  const p = shippedPolicyInput() as unknown as Record<string, unknown>;
  return {
    ...p,
    endAfterDays: 5,
    confirmAfterRemovalHours: [24, 72],
    politeness: { perHostConcurrency: 2, minSpacingMs: 0, perHostPerBatch: 100 },
    worker: { batch: 100, concurrency: 16, lanes: 2, leaseMinutes: 10 },
    fetch: { timeoutMs: 1000, maxBytes: 200_000, maxRedirects: 3, maxMedia: 4, mediaMaxBytes: 500_000 },
    ...over,
  };
}

for (const backend of backends) {
  describe(`monitoring (${backend.name})`, () => {
    let t: TestApp;
    let site: MonitorSite;
    let hotline: Awaited<ReturnType<typeof userAgent>>;
    let platform: Awaited<ReturnType<typeof userAgent>>;
    let partyId: string;

    before(async () => {
      process.env.VANGRAIL_TEST_MODE = "1";
      site = await startMonitorSite({ addresses: ["127.0.0.1", "127.0.0.2"] });
      t = await startApp(backend, { CAPTURE_SCREENSHOTS: "false", CAPTURE_MAX_MEDIA: "4" });
      setMonitoringEnv(
        t.deps,
        buildMonitoringEnv(t.deps, { fetcher: { allowLoopback: true }, policy: testPolicy() }),
      );
      setEvidenceEnv(t.deps, buildEvidenceEnv(t.deps, { allowLoopback: true }));
      hotline = await userAgent(t, "hotline", "analyst");
      platform = await userAgent(t, "platform", "platform_agent");
      const operator = registry.operatorFor(hotline.org.id);
      const p = await registry.createParty(t.deps, operator, {
        name: "Fictional Platform B.V.",
        kind: "platform",
        country: "NL",
        languages: ["en"],
        maxUrlsPerNotice: 100,
        responseHours: null,
        partyOrganisationId: platform.org.id,
      });
      await registry.addChannel(t.deps, operator, p.id, { kind: "email", address: "abuse@platform.example" });
      partyId = p.id;
    });
    after(async () => {
      await t.close();
      await site.close();
    });

    let seq = 0;
    /** A public report with these paths on the site; returns the case and its items by path. */
    async function report(paths: string[], address = "127.0.0.1") {
      const urls = paths.map((p) => site.url(p, address));
      const r = await submitPublicReport(t.deps, {
        category: "ncii",
        urls,
        accounts: [],
        description: `monitoring test ${++seq}`,
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
      const c = await cases.caseWithItems(t.deps, hotline.org.id, r.caseId);
      assert.ok(c);
      const byPath = new Map(c.items.map((i) => [new URL(i.value).pathname, i]));
      return { caseId: r.caseId, items: c.items, item: (p: string) => byPath.get(p) as cases.Item };
    }

    /** Attributes the items to the party and sends its notice (which starts monitoring). */
    async function notice(items: cases.Item[]) {
      const now = t.clock.now();
      for (const i of items)
        await t.deps.db
          .insertInto("attributions")
          .values({
            item_id: i.id,
            organisation_id: hotline.org.id,
            role: "platform",
            party_id: partyId,
            address: "127.0.0.1",
            source: "registry",
            resolved_at: now,
            expires_at: new Date(now.getTime() + 86_400_000),
          })
          .execute();
      const r = await notices.createNotices(t.deps, audit.systemActor, hotline.org.id, "ncii", items);
      assert.equal(r.created.length, 1, JSON.stringify(r.skipped));
      await notices.deliverAll(t.deps);
      return r.created[0]?.noticeId as string;
    }

    const respond = (agent: Agent, noticeId: string, kind: string, itemIds?: string[]) =>
      agent.request("POST", `/api/v1/notices/${noticeId}/responses`, { kind, ...(itemIds && { itemIds }) });

    const checksOf = (itemId: string) =>
      t.deps.db
        .selectFrom("item_checks")
        .selectAll()
        .where("item_id", "=", itemId)
        .orderBy("checked_at")
        .execute();
    const scheduleOf = (itemId: string) =>
      t.deps.db
        .selectFrom("monitor_schedule")
        .selectAll()
        .where("item_id", "=", itemId)
        .executeTakeFirstOrThrow();
    const itemRow = (itemId: string) =>
      t.deps.db.selectFrom("items").selectAll().where("id", "=", itemId).executeTakeFirstOrThrow();
    /** Makes every active schedule of these items due now. */
    const dueNow = async (itemIds: string[]) => {
      await t.deps.db
        .updateTable("monitor_schedule")
        .set({ next_check_at: t.clock.now() })
        .where("item_id", "in", itemIds)
        .execute();
    };
    const run = () => monitoring.runDue(t.deps);
    /** Only these items stay on the schedule (tests that count checks). */
    const isolate = async (itemIds: string[]) => {
      await t.deps.db
        .updateTable("monitor_schedule")
        .set({ ended_at: t.clock.now(), end_reason: "expired", extra_checks: 0 })
        .where("item_id", "not in", itemIds)
        .where("ended_at", "is", null)
        .execute();
      await t.deps.db
        .updateTable("monitor_schedule")
        .set({ extra_checks: 0 })
        .where("item_id", "not in", itemIds)
        .execute();
    };
    /** Logged in now (sessions time out as the test clock moves): an analyst and the platform's agent. */
    const analyst = async () => login(t, (await makeUser(t.deps, hotline.org.id, "analyst")).email);
    const agentOfPlatform = async () =>
      login(t, (await makeUser(t.deps, platform.org.id, "platform_agent")).email);

    it("enters monitoring with its first notice and is checked every 6 h for 3 days, then daily, until it expires", async () => {
      site.routes.set("/cadence", { kind: "html", body: page("still here") });
      const c = await report(["/cadence"]);
      const item = c.item("/cadence");
      assert.equal(
        (await t.deps.db.selectFrom("monitor_schedule").selectAll().where("item_id", "=", item.id).execute())
          .length,
        0,
      );
      const start = t.clock.now().getTime();
      await notice([item]);
      const s0 = await scheduleOf(item.id);
      assert.equal(new Date(s0.started_at).getTime(), start);
      assert.equal(new Date(s0.next_check_at).getTime(), start + hours(6));
      // A second notice (another step) does not restart the schedule.
      t.clock.advance(minutes(5));
      const again = await t.deps.db
        .transaction()
        .execute((tx) => monitoring.startMonitoring(tx, t.deps, hotline.org.id, [item]));
      assert.deepEqual(again, []);
      assert.equal(new Date((await scheduleOf(item.id)).next_check_at).getTime(), start + hours(6));
      t.clock.set(new Date(start));
      for (let h = 1; h <= 130; h++) {
        t.clock.advance(hours(1));
        await run();
      }
      const seen = (await checksOf(item.id)).map(
        (k) => (new Date(k.checked_at).getTime() - start) / hours(1),
      );
      assert.deepEqual(seen, [6, 12, 18, 24, 30, 36, 42, 48, 54, 60, 66, 72, 96, 120]);
      const checks = await checksOf(item.id);
      assert.equal(checks[0]?.verdict, "online");
      assert.equal(checks[0]?.reason, "answers");
      assert.ok(checks.slice(1).every((k) => k.verdict === "online" && k.reason === "same_content"));
      const s = await scheduleOf(item.id);
      assert.equal(s.end_reason, "expired");
      assert.equal(s.checks, 14);
      // Each check's record hash is the SHA-256 of its canonical record.
      const k = checks[3] as (typeof checks)[number];
      const record = monitoring.checkRecord(
        {
          id: k.id,
          itemId: k.item_id,
          checkedAt: new Date(k.checked_at),
          verdict: k.verdict,
          reason: k.reason,
          httpStatus: k.http_status,
          finalUrl: k.final_url,
          contentSha256: k.content_sha256,
          contentBytes: k.content_bytes === null ? null : Number(k.content_bytes),
          pdqDistance: k.pdq_distance,
          durationMs: k.duration_ms,
          error: k.error,
          fetcher: k.fetcher,
          recordSha256: k.record_sha256,
        },
        item.value,
        hotline.org.id,
      );
      assert.equal(sha256Hex(canonicalJson(record)), k.record_sha256);
      // The checks are in the audit log, batched per run.
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select(["action", "data"])
        .where("organisation_id", "=", hotline.org.id)
        .where("action", "in", ["monitoring.checks_recorded", "monitoring.started"])
        .execute();
      const recorded = events.flatMap((e) =>
        e.action === "monitoring.checks_recorded"
          ? ((e.data as { checks: { id: string }[] }).checks ?? []).map((x) => x.id)
          : [],
      );
      for (const check of checks) assert.ok(recorded.includes(check.id));
      assert.ok(events.some((e) => e.action === "monitoring.started"));
    });

    it("decides each verdict: 404, 410, 451, a removal page, an answer that changed, 403/500 as errors", async () => {
      const paths = ["/v404", "/v410", "/v451", "/vremoval", "/vchanged", "/v403", "/v500", "/vsame"];
      for (const p of paths) site.routes.set(p, { kind: "html", body: page(`post ${p}`) });
      const c = await report(paths);
      await notice(c.items);
      const ids = c.items.map((i) => i.id);
      await dueNow(ids);
      await run(); // the baseline: every item online
      site.routes.set("/v404", { kind: "status", status: 404 });
      site.routes.set("/v410", { kind: "status", status: 410 });
      site.routes.set("/v451", { kind: "status", status: 451 });
      site.routes.set("/vremoval", {
        kind: "html",
        body: page("Sorry, this content is no longer available."),
      });
      site.routes.set("/vchanged", { kind: "html", body: page("something else entirely") });
      site.routes.set("/v403", { kind: "status", status: 403 });
      site.routes.set("/v500", { kind: "status", status: 500 });
      t.clock.advance(minutes(1));
      await dueNow(ids);
      const r = await run();
      assert.equal(r.checked, paths.length);
      const last = async (p: string) => (await checksOf(c.item(p).id)).at(-1);
      assert.deepEqual(
        await Promise.all(paths.map(async (p) => [(await last(p))?.verdict, (await last(p))?.reason])),
        [
          ["removed", "http_404"],
          ["removed", "http_410"],
          ["removed", "http_451"],
          ["removed", "removal_page:generic-en"],
          ["changed", "content_changed"],
          ["error", "http_403"],
          ["error", "http_5xx"],
          ["online", "same_content"],
        ],
      );
      for (const p of ["/v404", "/v410", "/v451", "/vremoval"]) {
        const i = await itemRow(c.item(p).id);
        assert.equal(i.status, "removed");
        assert.equal(new Date(i.removed_at as Date).getTime(), t.clock.now().getTime());
        assert.equal(i.removal_check_id, (await last(p))?.id);
        assert.equal((await scheduleOf(c.item(p).id)).end_reason, "removed");
      }
      for (const p of ["/vchanged", "/v403", "/v500", "/vsame"]) {
        assert.equal((await itemRow(c.item(p).id)).removed_at, null);
        assert.equal((await scheduleOf(c.item(p).id)).ended_at, null);
      }
      assert.equal((await scheduleOf(c.item("/v500").id)).consecutive_errors, 1);
    });

    it("compares the captured media: still served (also re-encoded) is online, gone is removed", async () => {
      const photo = await photoJpeg(7, 320, 240);
      const reencoded = await sharp(photo).png().toBuffer();
      site.routes.set("/media/a.jpg", { kind: "bytes", type: "image/jpeg", body: photo });
      site.routes.set("/media/b.jpg", {
        kind: "bytes",
        type: "image/jpeg",
        body: await photoJpeg(8, 320, 240),
      });
      const withImage = (src: string) =>
        page(`<img src="${src}" alt="">a caption that changes ${Math.random()}`);
      site.routes.set("/mpost1", { kind: "html", body: withImage("/media/a.jpg") });
      site.routes.set("/mpost2", { kind: "html", body: withImage("/media/b.jpg") });
      const c = await report(["/mpost1", "/mpost2"]);
      for (const i of c.items) {
        const { captureId } = await evidence.captureUrl(t.deps, {
          url: i.value,
          organisationId: hotline.org.id,
          caseId: c.caseId,
          itemId: i.id,
        });
        const r = await evidence.runCapture(t.deps, captureId);
        assert.equal("status" in r && r.status, "captured");
      }
      await notice(c.items);
      // The page changes its text but still shows the same image, re-encoded at a new URL.
      site.routes.set("/media/a2.png", { kind: "bytes", type: "image/png", body: reencoded });
      site.routes.delete("/media/a.jpg");
      site.routes.set("/mpost1", { kind: "html", body: withImage("/media/a2.png") });
      // The second page stays, but its image is gone.
      site.routes.delete("/media/b.jpg");
      site.routes.set("/mpost2", { kind: "html", body: page("the post is still here, without the picture") });
      await dueNow(c.items.map((i) => i.id));
      await run();
      const one = (await checksOf(c.item("/mpost1").id)).at(-1);
      assert.equal(one?.verdict, "online");
      assert.equal(one?.reason, "media_served");
      assert.ok((one?.pdq_distance ?? 99) <= 31, `pdq distance ${one?.pdq_distance}`);
      const two = (await checksOf(c.item("/mpost2").id)).at(-1);
      assert.equal(two?.verdict, "removed");
      assert.equal(two?.reason, "media_gone");
      assert.equal((await itemRow(c.item("/mpost2").id)).status, "removed");
    });

    it("takes the removal time from the first check that saw it gone, not from the party's claim", async () => {
      site.routes.set("/claimed", { kind: "html", body: page("a post") });
      const c = await report(["/claimed"]);
      const item = c.item("/claimed");
      const noticeId = await notice([item]);
      const claimAt = t.clock.now().getTime();
      const res = await respond(await agentOfPlatform(), noticeId, "removed");
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((await itemRow(item.id)).removed_at, null, "a claim never sets the removal");
      // The claim brings the next check forward to 15 minutes.
      assert.equal(new Date((await scheduleOf(item.id)).next_check_at).getTime(), claimAt + minutes(15));
      // It is in fact taken down an hour later; the check at +15 min still sees it.
      t.clock.advance(minutes(16));
      await run();
      assert.equal((await checksOf(item.id)).at(-1)?.verdict, "online");
      site.routes.set("/claimed", { kind: "status", status: 410 });
      t.clock.advance(hours(6));
      await run();
      const gone = (await checksOf(item.id)).at(-1);
      assert.equal(gone?.verdict, "removed");
      const row = await itemRow(item.id);
      assert.equal(new Date(row.removed_at as Date).getTime(), new Date(gone?.checked_at as Date).getTime());
      assert.equal(new Date(row.removed_at as Date).getTime(), claimAt + minutes(16) + hours(6));
      // Confirmations later do not move it.
      t.clock.advance(hours(24));
      await run();
      assert.equal((await checksOf(item.id)).length, 3);
      assert.equal(
        new Date((await itemRow(item.id)).removed_at as Date).getTime(),
        claimAt + minutes(16) + hours(6),
      );
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("subject_id", "=", item.id)
        .where("action", "=", "item.removal_verified")
        .execute();
      assert.equal(events.length, 1);
    });

    it("flags a claimed removal that a later check contradicts, and shows it on the case", async () => {
      site.routes.set("/liar", { kind: "html", body: page("still online") });
      const c = await report(["/liar"]);
      const item = c.item("/liar");
      const noticeId = await notice([item]);
      assert.equal((await respond(await agentOfPlatform(), noticeId, "removed")).statusCode, 201);
      t.clock.advance(minutes(15));
      const r = await run();
      assert.equal(r.contradicted, 1);
      const ni = await t.deps.db
        .selectFrom("notice_items")
        .selectAll()
        .where("item_id", "=", item.id)
        .executeTakeFirstOrThrow();
      const check = (await checksOf(item.id)).at(-1);
      assert.ok(ni.claim_contradicted_at);
      assert.equal(ni.contradicting_check_id, check?.id);
      assert.equal((await itemRow(item.id)).status, "still_online");
      assert.equal((await itemRow(item.id)).removed_at, null);
      const view = await (await analyst()).request("GET", `/api/v1/cases/${c.caseId}/monitoring`);
      assert.equal(view.statusCode, 200, view.body);
      const shown = view.json().items[0];
      assert.equal(shown.claims[0].outcome, "removed");
      assert.equal(shown.claims[0].party, "Fictional Platform B.V.");
      assert.equal(shown.claims[0].contradictingCheckId, check?.id);
      assert.equal(shown.lastChecks[0].id, check?.id);
      assert.equal(shown.schedule.endReason, null);
      // Flagged once: the next check does not flag it again.
      t.clock.advance(hours(6));
      assert.equal((await run()).contradicted, 0);
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("subject_id", "=", item.id)
        .where("action", "=", "monitoring.claim_contradicted")
        .execute();
      assert.equal(events.length, 1);
    });

    it("records a re-appearance after a verified removal and starts the schedule again", async () => {
      site.routes.set("/back", { kind: "html", body: page("here") });
      const c = await report(["/back"]);
      const item = c.item("/back");
      await notice([item]);
      site.routes.set("/back", { kind: "status", status: 404 });
      t.clock.advance(hours(6));
      await run();
      const removedAt = (await itemRow(item.id)).removed_at;
      assert.ok(removedAt);
      const s = await scheduleOf(item.id);
      assert.equal(s.end_reason, "removed");
      assert.equal(s.extra_checks, 2);
      assert.equal(new Date(s.next_check_at).getTime(), new Date(removedAt).getTime() + hours(24));
      site.routes.set("/back", { kind: "html", body: page("here again") });
      t.clock.advance(hours(24));
      const r = await run();
      assert.equal(r.reappeared, 1);
      const row = await itemRow(item.id);
      assert.equal(row.removed_at, null);
      assert.equal(row.status, "still_online");
      const again = await scheduleOf(item.id);
      assert.equal(again.ended_at, null);
      assert.equal(new Date(again.next_check_at).getTime(), t.clock.now().getTime() + hours(6));
      const view = (await (await analyst()).request("GET", `/api/v1/cases/${c.caseId}/monitoring`)).json();
      assert.equal(view.items[0].reappearances.length, 1);
      assert.equal(view.items[0].reappearances[0].removedAt, new Date(removedAt).toISOString());
      assert.equal(view.items[0].removal, null);
    });

    it("survives hostile servers (slow, huge, redirect loop, reset, garbage) without losing the schedule", async () => {
      const hostile = {
        "/h-slow": { kind: "slow" },
        "/h-huge": { kind: "huge" },
        "/h-loop": { kind: "loop" },
        "/h-reset": { kind: "reset" },
        "/h-garbage": { kind: "garbage" },
      } as const;
      const paths = Object.keys(hostile);
      for (const p of paths) site.routes.set(p, { kind: "html", body: page(p) });
      const c = await report(paths);
      await notice(c.items);
      for (const [p, route] of Object.entries(hostile)) site.routes.set(p, route);
      await dueNow(c.items.map((i) => i.id));
      const before = t.clock.now().getTime();
      const r = await run();
      assert.equal(r.errors, paths.length);
      const reasons = Object.fromEntries(
        await Promise.all(paths.map(async (p) => [p, (await checksOf(c.item(p).id)).at(-1)?.reason])),
      );
      assert.deepEqual(reasons, {
        "/h-slow": "timeout",
        "/h-huge": "too_large",
        "/h-loop": "redirect_loop",
        "/h-reset": "connection_reset",
        "/h-garbage": "bad_response",
      });
      for (const p of paths) {
        const s = await scheduleOf(c.item(p).id);
        assert.equal(s.ended_at, null, `${p} keeps its schedule`);
        assert.equal(s.lease_until, null);
        assert.equal(s.consecutive_errors, 1);
        assert.equal(
          new Date(s.next_check_at).getTime(),
          before + minutes(30),
          "the first retry after 30 min",
        );
      }
      // A second error in a row doubles the wait.
      t.clock.advance(minutes(30));
      await run();
      assert.equal(
        new Date((await scheduleOf(c.item("/h-loop").id)).next_check_at).getTime(),
        before + minutes(30) + minutes(60),
      );
      // The sites recover: the next check decides again, and the error count resets.
      for (const p of paths) site.routes.set(p, { kind: "html", body: page(p) });
      t.clock.advance(hours(1));
      const ok = await run();
      assert.equal(ok.online, paths.length);
      for (const p of paths) assert.equal((await scheduleOf(c.item(p).id)).consecutive_errors, 0);
    });

    it("never lets two workers check the same item, and a dead worker's rows come back after the lease", async () => {
      const paths = Array.from({ length: 24 }, (_, i) => `/par-${i}`);
      for (const p of paths) site.routes.set(p, { kind: "html", body: page(p) });
      const c = await report(paths.slice(0, 12));
      const c2 = await report(paths.slice(12), "127.0.0.2");
      const items = [...c.items, ...c2.items];
      await notice(c.items);
      await notice(c2.items);
      const ids = items.map((i) => i.id);
      await isolate(ids);
      await dueNow(ids);
      site.requests.length = 0;
      const [a, b] = await Promise.all([
        monitoring.runDue(t.deps, { limit: 10 }),
        monitoring.runDue(t.deps, { limit: 10 }),
      ]);
      // A worker skips the rows another holds (it may find none while the other's claim is
      // open); what is left is checked by later rounds, each item once.
      let checked = (a?.checked ?? 0) + (b?.checked ?? 0);
      for (let round = 0; round < 3 && checked < 24; round++)
        checked += (await monitoring.runDue(t.deps, { limit: 10 })).checked;
      assert.equal(checked, 24);
      for (const id of ids) assert.equal((await checksOf(id)).length, 1);
      assert.equal(site.requests.filter((r) => r.includes("/par-")).length, 24);

      // A worker claims and dies before writing: nobody else takes its rows until the lease ends.
      t.clock.advance(hours(6));
      await assert.rejects(
        monitoring.runDue(t.deps, {
          beforeWrite: () => {
            throw new Error("worker died");
          },
        }),
        /worker died/,
      );
      assert.equal((await run()).claimed, 0, "leased rows are not claimed again");
      t.clock.advance(minutes(11));
      const retried = await run();
      assert.equal(retried.checked, 24);
      for (const id of ids) assert.equal((await checksOf(id)).length, 2);

      // A worker that stalls past its lease: another worker checks the rows; the stale results are dropped.
      t.clock.advance(hours(6));
      let release!: () => void;
      const stalled = new Promise<void>((r) => {
        release = r;
      });
      let claimedStale!: () => void;
      const hasClaimed = new Promise<void>((r) => {
        claimedStale = r;
      });
      const stale = monitoring.runDue(t.deps, {
        beforeWrite: async () => {
          claimedStale();
          await stalled;
        },
      });
      await hasClaimed;
      t.clock.advance(minutes(11));
      const fresh = await run();
      assert.equal(fresh.checked, 24);
      release();
      const late = await stale;
      assert.equal(late.lost, 24);
      assert.equal(late.checked, 0);
      for (const id of ids) assert.equal((await checksOf(id)).length, 3);
    });

    it("is polite per host: at most the policy's checks at once, spaced apart", async () => {
      const polite = startMonitorSite({ addresses: ["127.0.0.3"], latencyMs: 40 });
      const s = await polite;
      try {
        setMonitoringEnv(
          t.deps,
          buildMonitoringEnv(t.deps, {
            fetcher: { allowLoopback: true },
            policy: testPolicy({
              politeness: { perHostConcurrency: 2, minSpacingMs: 30, perHostPerBatch: 100 },
            }),
          }),
        );
        const paths = Array.from({ length: 10 }, (_, i) => `/polite-${i}`);
        for (const p of paths) s.routes.set(p, { kind: "html", body: page(p) });
        const urls = paths.map((p) => s.url(p));
        const r = await submitPublicReport(t.deps, {
          category: "ncii",
          urls,
          accounts: [],
          description: "polite",
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
        const cw = await cases.caseWithItems(t.deps, hotline.org.id, r.caseId);
        await notice(cw?.items ?? []);
        await isolate((cw?.items ?? []).map((i) => i.id));
        await dueNow((cw?.items ?? []).map((i) => i.id));
        const out = await run();
        assert.equal(out.checked, 10);
        assert.equal(s.maxInFlight.get("127.0.0.3"), 2);
        // Starts are spaced by the gate; the site sees them with some network jitter.
        const starts = s.starts.get("127.0.0.3") ?? [];
        assert.equal(starts.length, 10);
        const span = (starts.at(-1) as number) - (starts[0] as number);
        assert.ok(span >= 9 * 30 * 0.9, `spread over 9 gaps of 30 ms: ${span}`);
        for (let i = 1; i < starts.length; i++)
          assert.ok((starts[i] as number) - (starts[i - 1] as number) >= 10, "never two at the same moment");
      } finally {
        setMonitoringEnv(
          t.deps,
          buildMonitoringEnv(t.deps, { fetcher: { allowLoopback: true }, policy: testPolicy() }),
        );
        await s.close();
      }
    });

    it("fast-tracks a re-upload: an upload or a capture whose image matches an earlier case's media", async () => {
      const photo = await photoJpeg(21, 400, 300);
      site.routes.set("/orig/photo.jpg", { kind: "bytes", type: "image/jpeg", body: photo });
      site.routes.set("/orig", { kind: "html", body: page('<img src="/orig/photo.jpg" alt="">') });
      const first = await report(["/orig"]);
      const orig = first.item("/orig");
      const cap = await evidence.captureUrl(t.deps, {
        url: orig.value,
        organisationId: hotline.org.id,
        caseId: first.caseId,
        itemId: orig.id,
      });
      await evidence.runCapture(t.deps, cap.captureId);
      const none = await monitoring.watchCapture(t.deps, cap.captureId);
      assert.deepEqual(
        "earlierCaseIds" in none ? none.earlierCaseIds : [],
        [],
        "nothing earlier than the first",
      );

      // Someone uploads a re-encoded copy as a screenshot in a new report.
      const copy = await sharp(photo).resize(360, 270).png().toBuffer();
      const upload = await submitPublicReport(
        t.deps,
        {
          category: "ncii",
          urls: [],
          accounts: [],
          description: "I found my photo again",
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
        },
        [{ bytes: copy }],
      );
      const fileItem = [...(upload.fileItems?.values() ?? [])][0] as string;
      const fi = await itemRow(fileItem);
      assert.ok(fi.fast_tracked_at, "the upload is fast-tracked");
      const linked = await t.deps.db
        .selectFrom("case_items")
        .select("case_id")
        .where("item_id", "=", fileItem)
        .execute();
      assert.deepEqual(new Set(linked.map((l) => l.case_id)), new Set([first.caseId, upload.caseId]));
      const raised = await t.deps.db
        .selectFrom("cases")
        .selectAll()
        .where("id", "=", upload.caseId)
        .executeTakeFirstOrThrow();
      assert.equal(raised.priority, "urgent");
      assert.ok(raised.urgent_reasons.includes("re_upload"));
      const queue = await (await analyst()).request("GET", "/api/v1/cases?sort=priority&limit=5");
      assert.equal(queue.statusCode, 200, queue.body);
      assert.equal(queue.json().items[0].id, upload.caseId, "first in the queue");

      // A new URL whose page shows the same photo: the capture recognises it.
      site.routes.set("/elsewhere/p.jpg", { kind: "bytes", type: "image/jpeg", body: photo });
      site.routes.set("/elsewhere", { kind: "html", body: page('<img src="/elsewhere/p.jpg" alt="">') });
      const third = await report(["/elsewhere"], "127.0.0.2");
      const again = third.item("/elsewhere");
      const cap2 = await evidence.captureUrl(t.deps, {
        url: again.value,
        organisationId: hotline.org.id,
        caseId: third.caseId,
        itemId: again.id,
      });
      await evidence.runCapture(t.deps, cap2.captureId);
      const r = await monitoring.watchCapture(t.deps, cap2.captureId);
      assert.ok("earlierCaseIds" in r);
      assert.ok(r.earlierCaseIds.includes(first.caseId));
      assert.deepEqual(r.raised, [third.caseId]);
      assert.ok((await itemRow(again.id)).fast_tracked_at);
      const view = (
        await (await analyst()).request("GET", `/api/v1/cases/${third.caseId}/monitoring`)
      ).json();
      assert.ok(view.items[0].fastTrackedAt);
      const ev = await t.deps.db
        .selectFrom("audit_events")
        .select(["action", "data"])
        .where("subject_id", "=", third.caseId)
        .where("action", "=", "case.fast_tracked")
        .execute();
      assert.equal(ev.length, 1);
    });

    it("checks now on request (also after the schedule ended), only for its own organisation, with checked input", async () => {
      site.routes.set("/now", { kind: "status", status: 404 });
      const c = await report(["/now"]);
      const item = c.item("/now");
      // Never noticed: check now puts it on the schedule.
      const res = await (await analyst()).request("POST", `/api/v1/items/${item.id}/checks`, {
        reason: "analyst asks",
      });
      assert.equal(res.statusCode, 202, res.body);
      await run();
      assert.equal((await checksOf(item.id)).at(-1)?.verdict, "removed");
      assert.equal((await scheduleOf(item.id)).end_reason, "removed");
      // After the removal, a check now still runs (and would see a re-appearance).
      site.routes.set("/now", { kind: "html", body: page("back") });
      assert.equal(
        (await (await analyst()).request("POST", `/api/v1/items/${item.id}/checks`, {})).statusCode,
        202,
      );
      const r = await run();
      assert.equal(r.reappeared, 1);

      const other = await userAgent(t, "hotline", "analyst");
      assert.equal(
        (await other.agent.request("GET", `/api/v1/cases/${c.caseId}/monitoring`)).statusCode,
        404,
      );
      assert.equal(
        (await other.agent.request("POST", `/api/v1/items/${item.id}/checks`, {})).statusCode,
        404,
      );
      const auditor = await userAgent(t, "hotline", "auditor");
      assert.equal(
        (await auditor.agent.request("POST", `/api/v1/items/${item.id}/checks`, {})).statusCode,
        403,
      );
      assert.equal(
        (await (await agentOfPlatform()).request("GET", `/api/v1/cases/${c.caseId}/monitoring`)).statusCode,
        403,
      );
      const anon = await t.app.inject({ method: "GET", url: `/api/v1/cases/${c.caseId}/monitoring` });
      assert.equal(anon.statusCode, 401);
      for (const [url, body] of [
        ["/api/v1/items/not-a-uuid/checks", {}],
        [`/api/v1/items/${item.id}/checks`, { reason: "x".repeat(1001) }],
        [`/api/v1/items/${item.id}/checks`, { reason: "ok", extra: true }],
        [`/api/v1/items/${item.id}/checks`, { reason: 42 }],
      ] as const) {
        const bad = await (await analyst()).request("POST", url, body);
        assert.ok(
          [400, 422].includes(bad.statusCode),
          `${url} ${JSON.stringify(body).slice(0, 40)}: ${bad.statusCode}`,
        );
        assert.match(bad.headers["content-type"] as string, /problem\+json/);
      }
      assert.equal(
        (
          await (
            await analyst()
          ).request("GET", "/api/v1/cases/00000000-0000-4000-8000-000000000000/monitoring")
        ).statusCode,
        404,
      );
      // Not a link: nothing to check.
      const acc = await t.deps.db
        .selectFrom("items")
        .select("id")
        .where("organisation_id", "=", hotline.org.id)
        .where("kind", "=", "file")
        .executeTakeFirst();
      if (acc)
        assert.equal(
          (await (await analyst()).request("POST", `/api/v1/items/${acc.id}/checks`, {})).statusCode,
          409,
        );
    });

    it("ends the schedule when every case of the item is closed", async () => {
      site.routes.set("/closing", { kind: "html", body: page("x") });
      const c = await report(["/closing"]);
      await notice(c.items);
      await t.deps.db.updateTable("cases").set({ status: "closed" }).where("id", "=", c.caseId).execute();
      site.requests.length = 0;
      await dueNow([c.item("/closing").id]);
      const r = await run();
      assert.equal(r.ended, 1);
      assert.equal(r.checked, 0);
      assert.equal((await scheduleOf(c.item("/closing").id)).end_reason, "closed");
      assert.equal(site.requests.length, 0, "nothing fetched for a closed case");
    });
  });
}
