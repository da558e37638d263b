// The escalation ladder on PGlite and PostgreSQL, driven by the test clock: a party that ignores
// its notices gets the escalated reminder, then its host and its registrar are noticed, then the
// regulator step waits for approval and, approved, is ready with the enforcement payload (and is
// filed once a filer is registered). A party that removes in time is never escalated; a refusal
// escalates at once; "not responsible" skips the reminder; a contradicted removal claim resumes
// the ladder; a missing attribution is visible as stuck; two ticks at once never make two
// notices; NL-hosted child abuse material goes to ATKM; organisation isolation and hostile input.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import * as registry from "../src/modules/attribution/parties.ts";
import * as audit from "../src/modules/audit/service.ts";
import * as cases from "../src/modules/cases/service.ts";
import { fileEnforcementRequest } from "../src/modules/escalation/enforcement.ts";
import {
  type EnforcementFiling,
  escalationCounts,
  escalationTick,
  registerEnforcementFiler,
  setLadderPolicy,
} from "../src/modules/escalation/ladder.ts";
import { loadLadderPolicy } from "../src/modules/escalation/ladder-policy.ts";
import * as notices from "../src/modules/notices/service.ts";
import { openWithAny } from "../src/platform/crypto.ts";
import { login, makeUser, startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";

const HOUR = 3_600_000;

for (const backend of backends) {
  describe(`escalation ladder (${backend.name})`, () => {
    let t: TestApp;
    let hotline: Awaited<ReturnType<typeof userAgent>>;
    let seq = 0;

    before(async () => {
      // The ladder alone: approved steps stay ready unless a test registers a filer. The chain
      // with the real enforcement filer is test/escalation-chain.test.ts.
      registerEnforcementFiler(undefined);
      t = await startApp(backend, { PUBLIC_URL: "https://vangrail.hotline.example" });
      hotline = await userAgent(t, "hotline", "admin");
    });
    after(async () => {
      registerEnforcementFiler(fileEnforcementRequest);
      await t.close();
    });

    type Role = "platform" | "hosting" | "registrar" | "registry";

    /** A freshly logged-in user of the hotline: the test clock jumps days, past any session. */
    async function staff(role: "admin" | "analyst" | "supervisor" = "admin") {
      const user = await makeUser(t.deps, hotline.org.id, role);
      return { user, agent: await login(t, user.email) };
    }

    async function party(
      name: string,
      kind: Role,
      country = "DE",
      extra: { veryLarge?: boolean; org?: string } = {},
    ): Promise<string> {
      const operator = registry.operatorFor(extra.org ?? hotline.org.id);
      const p = await registry.createParty(t.deps, operator, {
        name: `${name} ${++seq}`,
        kind,
        country,
        languages: ["en"],
        veryLarge: extra.veryLarge ?? false,
      });
      await registry.addChannel(t.deps, operator, p.id, {
        kind: "email",
        address: `abuse-${seq}@${kind}.example`,
      });
      return p.id;
    }

    async function attribute(itemId: string, role: Role, partyId: string, org = hotline.org.id) {
      const now = t.clock.now();
      await t.deps.db
        .updateTable("attributions")
        .set({ superseded_at: now })
        .where("item_id", "=", itemId)
        .where("role", "=", role)
        .where("superseded_at", "is", null)
        .execute();
      await t.deps.db
        .insertInto("attributions")
        .values({
          item_id: itemId,
          organisation_id: org,
          role,
          party_id: partyId,
          address: "192.0.2.10",
          source: "registry",
          resolved_at: now,
          expires_at: new Date(now.getTime() + 365 * 24 * HOUR),
        })
        .execute();
    }

    /** A case with one URL item per url, attributed to the given parties per role. */
    async function caseWith(
      category: string,
      urls: string[],
      roles: Partial<Record<Role, string>>,
      org = hotline.org.id,
    ) {
      const c = await t.deps.db.transaction().execute((tx) =>
        cases.createCaseInTx(tx, t.deps, audit.systemActor, {
          organisationId: org,
          category,
          source: "staff",
          priority: "normal",
          urgentReasons: [],
          items: urls.map((value) => ({ kind: "url" as const, value })),
        }),
      );
      for (const item of c.items)
        for (const [role, partyId] of Object.entries(roles))
          await attribute(item.id, role as Role, partyId, org);
      return { caseId: c.case.id, itemIds: c.items.map((i) => i.id) };
    }

    const url = (host: string) => `https://${host}-${++seq}.example/p/${seq}`;

    async function firstNotice(caseId: string, body: Record<string, unknown> = {}) {
      const res = await (await staff()).agent.request("POST", `/api/v1/cases/${caseId}/notices`, body);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().created.length >= 1, true, res.body);
      return res.json().created as { noticeId: string; partyId: string; step: string }[];
    }

    async function ladderOf(caseId: string, agent?: Awaited<ReturnType<typeof staff>>["agent"]) {
      const res = await (agent ?? (await staff()).agent).request("GET", `/api/v1/cases/${caseId}/escalation`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().items as {
        itemId: string;
        state: string;
        ladder: string;
        jurisdiction: string | null;
        step: { id: string };
        party: { id: string; name: string } | null;
        deadlineAt: string | null;
        nextStep: { id: string; approval: boolean } | null;
        nextAt: string | null;
        stuckReason: string | null;
        approval: { id: string; status: string; auto: boolean; requestId: string | null } | null;
        history: { toStep: string; state: string; reason: string; noticeId: string | null }[];
      }[];
    }

    const noticeItems = (itemId: string) =>
      t.deps.db
        .selectFrom("notice_items")
        .select(["notice_id", "party_id", "step", "deadline_at"])
        .where("item_id", "=", itemId)
        .orderBy("deadline_at")
        .execute();

    async function respond(noticeId: string, body: Record<string, unknown>) {
      const n = await t.deps.db
        .selectFrom("notices")
        .select("response_token_sealed")
        .where("id", "=", noticeId)
        .executeTakeFirstOrThrow();
      const token = openWithAny([t.deps.masterKey], n.response_token_sealed, "notice-response-token");
      const res = await t.app.inject({
        method: "POST",
        url: `/api/v1/public/notices/${token}/responses`,
        payload: body,
      });
      assert.equal(res.statusCode, 201, res.body);
    }

    it("climbs from an ignoring platform to its reminder, host, registrar, then ACM on approval, with the filing payload", async () => {
      const P = await party("Ignoring Platform", "platform");
      const H = await party("Silent Host", "hosting");
      const R = await party("Slow Registrar", "registrar");
      const c = await caseWith("ncii", [url("ignore")], { platform: P, hosting: H, registrar: R });
      const item = c.itemIds[0] as string;
      const t0 = t.clock.now().getTime();
      await firstNotice(c.caseId);

      const entered = await escalationTick(t.deps);
      assert.equal(entered.entered, 1);
      let [v] = await ladderOf(c.caseId);
      assert.equal(v?.state, "waiting");
      assert.equal(v?.step.id, "platform");
      assert.equal(v?.party?.id, P);
      assert.equal(v?.ladder, "ncii/default", "the host is in Germany");
      assert.equal(v?.jurisdiction, "DE");
      assert.equal(v?.deadlineAt, new Date(t0 + 24 * HOUR).toISOString());
      assert.equal(v?.nextStep?.id, "platform_reminder");
      assert.equal(v?.nextAt, new Date(t0 + 48 * HOUR).toISOString(), "a day after the deadline");

      t.clock.advance(47 * HOUR);
      assert.equal((await escalationTick(t.deps)).noticed, 0, "not before its time");
      t.clock.advance(1 * HOUR);
      assert.equal((await escalationTick(t.deps)).noticed, 1);
      let ni = await noticeItems(item);
      assert.deepEqual(
        ni.map((n) => [n.step, n.party_id]),
        [
          ["platform", P],
          ["platform_reminder", P],
        ],
      );
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.step.id, "platform_reminder");
      assert.equal(v?.nextStep?.id, "hosting");

      t.clock.advance(24 * HOUR); // the reminder's deadline
      assert.equal((await escalationTick(t.deps)).noticed, 1);
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.step.id, "hosting");
      assert.equal(v?.party?.id, H);
      assert.equal(v?.nextStep?.id, "registrar");

      t.clock.advance(24 * HOUR + 23 * HOUR);
      assert.equal((await escalationTick(t.deps)).noticed, 0);
      t.clock.advance(1 * HOUR);
      assert.equal((await escalationTick(t.deps)).noticed, 1);
      ni = await noticeItems(item);
      assert.deepEqual(
        ni.map((n) => n.step),
        ["platform", "platform_reminder", "hosting", "registrar"],
      );
      assert.equal(ni[3]?.party_id, R);
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.nextStep?.id, "regulator:acm");
      assert.equal(v?.nextStep?.approval, true);

      t.clock.advance(24 * HOUR);
      const asked = await escalationTick(t.deps);
      assert.equal(asked.approvalsRequested, 1);
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.state, "awaiting_approval");
      assert.equal(v?.step.id, "regulator:acm");
      assert.equal(v?.party?.id, P, "the complaint is about the platform that ignored the notices");
      assert.equal(v?.approval?.status, "pending");
      assert.equal(v?.nextAt, null, "it waits for an analyst, not for a time");

      const approver = await staff("supervisor");
      const pending = await approver.agent.request("GET", "/api/v1/escalation/approvals");
      assert.equal(pending.statusCode, 200);
      const mine = pending.json().items.find((a: { id: string }) => a.id === v?.approval?.id);
      assert.ok(mine);
      assert.equal(mine.regulator, "acm");
      assert.deepEqual(mine.itemIds, [item]);
      assert.deepEqual(mine.caseIds, [c.caseId]);
      assert.match(mine.reason, /art\. 53/);
      assert.equal(mine.party.id, P);

      // Nothing is filed on its own, and a tick does not approve it.
      assert.equal((await escalationTick(t.deps)).ready, 0);
      const decided = await approver.agent.request("POST", `/api/v1/escalation/approvals/${mine.id}`, {
        decision: "approve",
        note: "Platform silent for six days; file with ACM.",
      });
      assert.equal(decided.statusCode, 200, decided.body);
      assert.equal(decided.json().status, "approved");
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.state, "ready");

      // No enforcement filer on this branch: the step stays ready, with nothing filed.
      await escalationTick(t.deps);
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.state, "ready");
      assert.equal(v?.approval?.requestId, null);
      const row = await t.deps.db
        .selectFrom("escalation_approvals")
        .selectAll()
        .where("id", "=", mine.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, "approved");
      assert.equal(row.decided_by, approver.user.id);
      assert.deepEqual(row.item_ids, [item]);
      assert.equal(row.filed_at, null);

      // Once the enforcement module registers its filer, the next tick files it, once.
      const filed: EnforcementFiling[] = [];
      const requestId = randomUUID();
      registerEnforcementFiler(async (_deps, tx, req) => {
        filed.push(req);
        await audit.record(tx, t.deps.clock, audit.systemActor, {
          organisationId: req.organisationId,
          action: "enforcement.test_filed",
          data: { requestId },
        });
        return { requestId };
      });
      try {
        assert.equal((await escalationTick(t.deps)).filed, 1);
        [v] = await ladderOf(c.caseId);
        assert.equal(v?.state, "filed");
        assert.equal(v?.approval?.requestId, requestId);
        assert.equal(v?.nextStep?.id, "regulator:ap");
        // The AP step (GDPR art. 77) follows and again waits for approval; nothing is filed twice.
        const after = await escalationTick(t.deps);
        assert.equal(after.filed, 0);
        assert.equal(after.approvalsRequested, 1);
      } finally {
        registerEnforcementFiler(undefined);
      }
      assert.deepEqual(filed, [
        {
          organisationId: hotline.org.id,
          regulator: "acm",
          partyId: P,
          itemIds: [item],
          caseIds: [c.caseId],
          step: "regulator:acm",
          approvedBy: approver.user.id,
        },
      ]);
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.step.id, "regulator:ap");
      assert.equal(v?.state, "awaiting_approval");

      assert.deepEqual(
        v?.history.map((h) => [h.toStep, h.state]),
        [
          ["platform", "waiting"],
          ["platform_reminder", "waiting"],
          ["hosting", "waiting"],
          ["registrar", "waiting"],
          ["regulator:acm", "awaiting_approval"],
          ["regulator:acm", "ready"],
          ["regulator:acm", "filed"],
          ["regulator:ap", "awaiting_approval"],
        ],
      );
      const status = await t.deps.db
        .selectFrom("items")
        .select("status")
        .where("id", "=", item)
        .executeTakeFirstOrThrow();
      assert.equal(status.status, "escalated");

      const counts = await escalationCounts(t.deps.db, hotline.org.id);
      const of = (id: string) => counts.find((x) => x.partyId === id)?.items;
      assert.equal(of(P), 1, "escalated away from the platform");
      assert.equal(of(H), 1);
      assert.equal(of(R), 1);

      const actions = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("organisation_id", "=", hotline.org.id)
        .where("action", "like", "escalation.%")
        .execute();
      const set = new Set(actions.map((a) => a.action));
      for (const a of [
        "escalation.entered",
        "escalation.moved",
        "escalation.approval_requested",
        "escalation.approval_decided",
        "escalation.filed",
      ])
        assert.ok(set.has(a), a);
      const verified = await (await staff()).agent.request("POST", "/api/v1/audit/verify", {});
      if (verified.statusCode === 200) assert.equal(verified.json().ok, true, verified.body);
    });

    it("never escalates an item that was verifiably removed within the deadline", async () => {
      const P = await party("Fast Platform", "platform");
      const H = await party("Fast Host", "hosting");
      const c = await caseWith("deepfake", [url("fast")], { platform: P, hosting: H });
      const item = c.itemIds[0] as string;
      await firstNotice(c.caseId);
      await escalationTick(t.deps);
      t.clock.advance(20 * HOUR);
      // What monitoring does when a check sees the item gone.
      await t.deps.db
        .updateTable("items")
        .set({ removed_at: t.clock.now(), status: "removed" })
        .where("id", "=", item)
        .execute();
      t.clock.advance(200 * HOUR);
      const r = await escalationTick(t.deps);
      assert.equal(r.resolved, 1);
      assert.equal(r.noticed, 0);
      t.clock.advance(200 * HOUR);
      await escalationTick(t.deps);
      assert.deepEqual(
        (await noticeItems(item)).map((n) => n.step),
        ["platform"],
      );
      const [v] = await ladderOf(c.caseId);
      assert.equal(v?.state, "resolved");
      assert.equal(v?.nextStep, null);
      assert.match(v?.history.at(-1)?.reason ?? "", /monitoring check/);
    });

    it("escalates a refusal at once, past the reminder, to the host", async () => {
      const P = await party("Refusing Platform", "platform");
      const H = await party("Host Of Refuser", "hosting");
      const c = await caseWith("ncii", [url("refuse")], { platform: P, hosting: H });
      const item = c.itemIds[0] as string;
      const [n] = await firstNotice(c.caseId);
      await escalationTick(t.deps);
      t.clock.advance(2 * HOUR);
      await respond(n?.noticeId as string, {
        kind: "refused",
        restriction: "no action",
        groundKind: "contractual",
        ground: "Our terms allow this content.",
        facts: "The account holder says it is consensual.",
        automated: false,
      });
      const r = await escalationTick(t.deps);
      assert.equal(r.noticed, 1);
      const ni = await noticeItems(item);
      assert.deepEqual(
        ni.map((x) => [x.step, x.party_id]),
        [
          ["platform", P],
          ["hosting", H],
        ],
      );
      const [v] = await ladderOf(c.caseId);
      assert.equal(v?.step.id, "hosting");
      assert.match(v?.history.at(-1)?.reason ?? "", /refused/);
    });

    it("skips the reminder when the party says it is not responsible", async () => {
      const P = await party("Not Us Platform", "platform");
      const H = await party("Real Host", "hosting");
      const c = await caseWith("ncii", [url("notus")], { platform: P, hosting: H });
      const item = c.itemIds[0] as string;
      const [n] = await firstNotice(c.caseId);
      await respond(n?.noticeId as string, {
        kind: "not_responsible",
        responsible: "Real Host hosts the file.",
      });
      // Entered and moved in the same tick.
      const r = await escalationTick(t.deps);
      assert.equal(r.entered, 1);
      assert.equal(r.noticed, 1);
      assert.deepEqual(
        (await noticeItems(item)).map((x) => x.step),
        ["platform", "hosting"],
      );
    });

    it("holds on a claimed removal, and resumes when a check contradicts it", async () => {
      const P = await party("Claiming Platform", "platform");
      const H = await party("Claim Host", "hosting");
      const c = await caseWith("ncii", [url("claim")], { platform: P, hosting: H });
      const item = c.itemIds[0] as string;
      const [n] = await firstNotice(c.caseId);
      await escalationTick(t.deps);
      await respond(n?.noticeId as string, { kind: "removed" });
      assert.equal((await escalationTick(t.deps)).held, 1);
      t.clock.advance(100 * HOUR);
      assert.equal((await escalationTick(t.deps)).noticed, 0, "a claim holds the ladder");
      let [v] = await ladderOf(c.caseId);
      assert.equal(v?.state, "held");
      assert.equal(v?.nextAt, null);
      // What monitoring does when a later check still finds the item online.
      await t.deps.db
        .updateTable("notice_items")
        .set({ claim_contradicted_at: t.clock.now() })
        .where("notice_id", "=", n?.noticeId as string)
        .where("item_id", "=", item)
        .execute();
      const r = await escalationTick(t.deps);
      assert.equal(r.noticed, 1, "past the deadline: the next step at once");
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.step.id, "platform_reminder");
      assert.equal(v?.state, "waiting");
      assert.match(v?.history.at(-1)?.reason ?? "", /still online/);
    });

    it("resumes a contradicted claim at the step's own time when the deadline has not passed", async () => {
      const P = await party("Early Claim Platform", "platform");
      const c = await caseWith("ncii", [url("early")], { platform: P });
      const item = c.itemIds[0] as string;
      const t0 = t.clock.now().getTime();
      const [n] = await firstNotice(c.caseId);
      await respond(n?.noticeId as string, { kind: "removed" });
      await escalationTick(t.deps);
      t.clock.advance(3 * HOUR);
      await t.deps.db
        .updateTable("notice_items")
        .set({ claim_contradicted_at: t.clock.now() })
        .where("item_id", "=", item)
        .execute();
      assert.equal((await escalationTick(t.deps)).resumed, 1);
      const [v] = await ladderOf(c.caseId);
      assert.equal(v?.state, "waiting");
      assert.equal(v?.nextAt, new Date(t0 + 48 * HOUR).toISOString());
    });

    it("shows a missing attribution as stuck, skips to the next step that can act, and retries", async () => {
      // Only a platform: no host, no registrar. The shipped ladder goes on to ACM (about the platform).
      const P = await party("Lonely Platform", "platform");
      const c = await caseWith("ncii", [url("lonely")], { platform: P });
      await firstNotice(c.caseId);
      await escalationTick(t.deps);
      t.clock.advance(48 * HOUR);
      await escalationTick(t.deps); // the reminder
      t.clock.advance(24 * HOUR);
      await escalationTick(t.deps);
      let [v] = await ladderOf(c.caseId);
      assert.equal(v?.state, "awaiting_approval");
      assert.equal(v?.step.id, "regulator:acm");
      assert.match(v?.stuckReason ?? "", /hosting: no hosting party attributed/);
      assert.match(v?.stuckReason ?? "", /registrar: no registrar party attributed/);
      assert.deepEqual(
        v?.history.filter((h) => h.state === "stuck").map((h) => h.toStep),
        ["hosting", "registrar"],
      );

      // A ladder whose only later step needs a host: the item is stuck, and moves once a host is known.
      const policy = structuredClone(loadLadderPolicy());
      policy.ladders = {
        default: {
          default: (policy.ladders.default?.default ?? []).filter((s) =>
            ["platform", "hosting"].includes(s.id),
          ),
        },
      };
      setLadderPolicy(t.deps, policy);
      try {
        const Q = await party("Hostless Platform", "platform");
        const d = await caseWith("sexual_harassment", [url("hostless")], { platform: Q });
        const item = d.itemIds[0] as string;
        await firstNotice(d.caseId);
        await escalationTick(t.deps);
        t.clock.advance(48 * HOUR);
        assert.equal((await escalationTick(t.deps)).stuck, 1);
        [v] = await ladderOf(d.caseId);
        assert.equal(v?.state, "stuck");
        assert.equal(v?.step.id, "platform");
        assert.match(v?.stuckReason ?? "", /hosting: no hosting party attributed/);
        assert.ok(v?.nextAt, "it will try again");
        const retryAt = new Date(v?.nextAt as string).getTime();
        assert.equal(retryAt - t.clock.now().getTime(), policy.stuckRetryHours * HOUR);
        t.clock.advance(policy.stuckRetryHours * HOUR);
        assert.equal((await escalationTick(t.deps)).stuck, 0, "the same reason is not recorded twice");
        const H = await party("Found Host", "hosting");
        await attribute(item, "hosting", H);
        t.clock.advance(policy.stuckRetryHours * HOUR);
        assert.equal((await escalationTick(t.deps)).noticed, 1);
        [v] = await ladderOf(d.caseId);
        assert.equal(v?.step.id, "hosting");
        assert.equal(v?.state, "waiting");
        assert.equal(v?.stuckReason, null);
        // Past the host's deadline the ladder has nothing more: it ends, visibly.
        t.clock.advance(48 * HOUR);
        assert.equal((await escalationTick(t.deps)).ended, 1);
        [v] = await ladderOf(d.caseId);
        assert.equal(v?.state, "ended");
      } finally {
        setLadderPolicy(t.deps, undefined);
      }
    });

    it("never makes two notices when two ticks run at once, and adopts a notice a dead tick left", async () => {
      const P1 = await party("Busy Platform A", "platform");
      const P2 = await party("Busy Platform B", "platform");
      const a = await caseWith("ncii", [url("busy"), url("busy"), url("busy")], { platform: P1 });
      const b = await caseWith("ncii", [url("busy"), url("busy")], { platform: P2 });
      await firstNotice(a.caseId);
      await firstNotice(b.caseId);
      const both = [...a.itemIds, ...b.itemIds];
      const [e1, e2] = await Promise.all([escalationTick(t.deps), escalationTick(t.deps)]);
      assert.equal((e1?.entered ?? 0) + (e2?.entered ?? 0), 5, "each item entered once");

      // A tick that died after making the reminder notice for one item of b.
      t.clock.advance(48 * HOUR);
      const dead = await notices.createNotices(
        t.deps,
        audit.systemActor,
        hotline.org.id,
        "ncii",
        [{ id: b.itemIds[0] as string, value: "x" }],
        { roles: ["platform"], step: "platform_reminder" },
      );
      assert.equal(dead.created.length, 1);

      const [r1, r2] = await Promise.all([escalationTick(t.deps), escalationTick(t.deps)]);
      assert.equal((r1?.noticed ?? 0) + (r2?.noticed ?? 0), 5);
      const reminders = await t.deps.db
        .selectFrom("notice_items")
        .select(["notice_id", "item_id", "party_id"])
        .where("item_id", "in", both)
        .where("step", "=", "platform_reminder")
        .execute();
      assert.equal(reminders.length, 5, "one reminder per item");
      assert.equal(new Set(reminders.map((x) => x.item_id)).size, 5);
      const moves = await t.deps.db
        .selectFrom("escalation_transitions")
        .select("item_id")
        .where("item_id", "in", both)
        .where("to_step", "=", "platform_reminder")
        .execute();
      assert.equal(moves.length, 5, "one transition per item");
      const adopted = await t.deps.db
        .selectFrom("escalation_items")
        .select("notice_id")
        .where("item_id", "=", b.itemIds[0] as string)
        .executeTakeFirstOrThrow();
      assert.equal(adopted.notice_id, dead.created[0]?.noticeId);
      assert.equal((await escalationTick(t.deps)).noticed, 0);
    });

    it("sends NL-hosted child abuse material to the host with the analyst's classification, then ATKM", async () => {
      const P = await party("CSAM Platform", "platform", "US");
      const H = await party("Dutch Host", "hosting", "NL");
      const c = await caseWith("csam", [url("csam")], { platform: P, hosting: H });
      const item = c.itemIds[0] as string;
      await firstNotice(c.caseId, { csamClassification: "A1" });
      await escalationTick(t.deps);
      let [v] = await ladderOf(c.caseId);
      assert.equal(v?.ladder, "csam/NL");
      assert.equal(v?.nextStep?.id, "hosting");
      t.clock.advance(24 * HOUR);
      assert.equal((await escalationTick(t.deps)).noticed, 1);
      const hostNotice = await t.deps.db
        .selectFrom("notices")
        .innerJoin("notice_items", "notice_items.notice_id", "notices.id")
        .select(["notices.attachment", "notices.party_id"])
        .where("notice_items.item_id", "=", item)
        .where("notice_items.step", "=", "hosting")
        .executeTakeFirstOrThrow();
      assert.equal(hostNotice.party_id, H);
      const reports = (hostNotice.attachment as { reports: { classification: string }[] }).reports;
      assert.equal(reports[0]?.classification, "A1");
      t.clock.advance(24 * HOUR);
      await escalationTick(t.deps);
      [v] = await ladderOf(c.caseId);
      assert.equal(v?.step.id, "regulator:atkm");
      assert.equal(v?.party?.id, H, "ATKM acts against the host");
      assert.equal(v?.state, "awaiting_approval");
      assert.equal(v?.nextStep?.id, "regulator:police");
    });

    it("auto-approves when the organisation says so, and withdraws a request whose items were removed", async () => {
      const own = await userAgent(t, "hotline", "admin");
      const put = await own.agent.request("PUT", "/api/v1/escalation/settings", { autoApprove: true });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal((await own.agent.request("GET", "/api/v1/escalation/settings")).json().autoApprove, true);
      const policy = structuredClone(loadLadderPolicy());
      const steps = policy.ladders.ncii?.default ?? [];
      policy.ladders = {
        default: {
          default: [steps[0] as (typeof steps)[number], ...steps.filter((s) => s.kind === "regulator")],
        },
      };
      setLadderPolicy(t.deps, policy);
      try {
        const P = await party("Auto Platform", "platform", "DE", { org: own.org.id });
        const c = await caseWith("doxing", [url("auto")], { platform: P }, own.org.id);
        const res = await own.agent.request("POST", `/api/v1/cases/${c.caseId}/notices`, {});
        assert.equal(res.statusCode, 201, res.body);
        await escalationTick(t.deps);
        t.clock.advance(48 * HOUR); // doxing: 48 hours to act
        const r = await escalationTick(t.deps);
        assert.equal(r.ready, 1);
        const ownStaff = async () => login(t, (await makeUser(t.deps, own.org.id, "admin")).email);
        let [v] = await ladderOf(c.caseId, await ownStaff());
        assert.equal(v?.state, "ready");
        assert.equal(v?.approval?.auto, true);
        assert.equal(v?.approval?.status, "approved");
        const filed: EnforcementFiling[] = [];
        registerEnforcementFiler(async (_d, _tx, req) => {
          filed.push(req);
          return { requestId: randomUUID() };
        });
        try {
          await escalationTick(t.deps);
        } finally {
          registerEnforcementFiler(undefined);
        }
        assert.equal(filed[0]?.approvedBy, null, "nobody approved it by hand");

        // The next regulator step is ready at once too; then the item is removed before filing.
        [v] = await ladderOf(c.caseId, await ownStaff());
        assert.equal(v?.state, "filed");
        await escalationTick(t.deps);
        [v] = await ladderOf(c.caseId, await ownStaff());
        assert.equal(v?.state, "ready");
        const approvalId = v?.approval?.id as string;
        await t.deps.db
          .updateTable("items")
          .set({ removed_at: t.clock.now(), status: "removed" })
          .where("id", "=", c.itemIds[0] as string)
          .execute();
        const w = await escalationTick(t.deps);
        assert.equal(w.resolved, 1);
        assert.equal(w.withdrawn, 1);
        const a = await t.deps.db
          .selectFrom("escalation_approvals")
          .select("status")
          .where("id", "=", approvalId)
          .executeTakeFirstOrThrow();
        assert.equal(a.status, "withdrawn");
      } finally {
        setLadderPolicy(t.deps, undefined);
      }
    });

    it("moves on past a rejected step", async () => {
      const policy = structuredClone(loadLadderPolicy());
      const steps = policy.ladders.ncii?.default ?? [];
      policy.ladders = {
        default: {
          default: [
            steps[0] as (typeof steps)[number],
            ...steps.filter((s) => s.id === "regulator:acm" || s.id === "regulator:ap"),
          ],
        },
      };
      setLadderPolicy(t.deps, policy);
      try {
        const P = await party("Rejected Platform", "platform");
        const c = await caseWith("ncii", [url("reject")], { platform: P });
        await firstNotice(c.caseId);
        await escalationTick(t.deps);
        t.clock.advance(24 * HOUR);
        await escalationTick(t.deps);
        let [v] = await ladderOf(c.caseId);
        assert.equal(v?.step.id, "regulator:acm");
        const boss = await staff();
        const res = await boss.agent.request("POST", `/api/v1/escalation/approvals/${v?.approval?.id}`, {
          decision: "reject",
          note: "Not enough for ACM yet.",
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().status, "rejected");
        const again = await boss.agent.request("POST", `/api/v1/escalation/approvals/${v?.approval?.id}`, {
          decision: "approve",
        });
        assert.equal(again.statusCode, 409, "decided once");
        await escalationTick(t.deps);
        [v] = await ladderOf(c.caseId);
        assert.equal(v?.step.id, "regulator:ap");
        assert.equal(v?.state, "awaiting_approval");
      } finally {
        setLadderPolicy(t.deps, undefined);
      }
    });

    it("keeps the ladder and its approvals within the organisation, and refuses hostile input", async () => {
      const P = await party("Private Platform", "platform");
      const c = await caseWith("ncii", [url("private")], { platform: P });
      await firstNotice(c.caseId);
      await escalationTick(t.deps);
      t.clock.advance(48 * HOUR);
      await escalationTick(t.deps);
      t.clock.advance(24 * HOUR);
      await escalationTick(t.deps);
      const me = await staff();
      const [v] = await ladderOf(c.caseId, me.agent);
      const approvalId = v?.approval?.id as string;
      assert.ok(approvalId);

      const other = await userAgent(t, "hotline", "admin");
      assert.equal(
        (await other.agent.request("GET", `/api/v1/cases/${c.caseId}/escalation`)).statusCode,
        404,
      );
      const theirs = (await other.agent.request("GET", "/api/v1/escalation/approvals")).json().items as {
        id: string;
      }[];
      assert.ok(!theirs.some((a) => a.id === approvalId));
      assert.equal(
        (
          await other.agent.request("POST", `/api/v1/escalation/approvals/${approvalId}`, {
            decision: "approve",
          })
        ).statusCode,
        404,
      );
      const analyst = await staff("analyst");
      assert.equal(
        (
          await analyst.agent.request("POST", `/api/v1/escalation/approvals/${approvalId}`, {
            decision: "approve",
          })
        ).statusCode,
        403,
        "analysts follow the ladder; supervisors and admins approve",
      );
      const regulator = await userAgent(t, "regulator", "regulator_officer");
      assert.equal((await regulator.agent.request("GET", "/api/v1/escalation/approvals")).statusCode, 403);
      assert.equal(
        (await t.app.inject({ method: "GET", url: "/api/v1/escalation/approvals" })).statusCode,
        401,
      );

      for (const [path, body] of [
        ["/api/v1/escalation/approvals/not-a-uuid", { decision: "approve" }],
        [`/api/v1/escalation/approvals/${approvalId}`, { decision: "maybe" }],
        [`/api/v1/escalation/approvals/${approvalId}`, { decision: "approve", note: "x".repeat(2001) }],
        [`/api/v1/escalation/approvals/${approvalId}`, { decision: "approve", extra: 1 }],
        [`/api/v1/escalation/approvals/${approvalId}`, { decision: ["approve"] }],
        [`/api/v1/escalation/approvals/${approvalId}`, "decision=approve"],
      ] as [string, unknown][]) {
        const res = await me.agent.request("POST", path, body);
        assert.ok(
          [400, 415, 422].includes(res.statusCode),
          `${path} ${JSON.stringify(body).slice(0, 40)}: ${res.statusCode}`,
        );
        assert.match(res.headers["content-type"] as string, /problem\+json/);
      }
      assert.equal(
        (
          await me.agent.request("POST", `/api/v1/escalation/approvals/${randomUUID()}`, {
            decision: "approve",
          })
        ).statusCode,
        404,
      );
      assert.equal((await me.agent.request("GET", "/api/v1/cases/not-a-uuid/escalation")).statusCode, 422);
      assert.equal(
        (await me.agent.request("PUT", "/api/v1/escalation/settings", { autoApprove: "yes" })).statusCode,
        422,
      );
      // Still pending: none of that touched it.
      const [w] = await ladderOf(c.caseId, me.agent);
      assert.equal(w?.approval?.status, "pending");
      // A note is stored as text.
      const ok = await me.agent.request("POST", `/api/v1/escalation/approvals/${approvalId}`, {
        decision: "approve",
        note: "<script>alert(1)</script>",
      });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().note, "<script>alert(1)</script>");
    });
  });
}
