// Monitoring: every item under notice is re-checked on the policy's schedule through the safe
// fetcher, politely per host, and every check is a record of its own (a row with the SHA-256 of
// its canonical JSON). The removal time is the first check that saw the item gone, never what a
// party claims; a claim that a later check contradicts is flagged; a re-appearance after a
// verified removal is recorded and restarts the schedule. The re-upload watch links an item
// whose media matches a hash bank or an earlier item to the earlier case and fast-tracks it.
//
// Workers claim due rows with FOR UPDATE SKIP LOCKED and a lease: two workers never check the
// same item at once, and the rows of a worker that dies are checked again when the lease runs
// out. Results are written only for rows the worker still holds.
import { randomUUID } from "node:crypto";
import { sha256Hex } from "../../platform/crypto.ts";
import type { Tx } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { FETCHER_VERSION } from "../../platform/fetcher/fetcher.ts";
import * as audit from "../audit/service.ts";
import * as cases from "../cases/service.ts";
import type { Deps } from "../deps.ts";
import * as evidence from "../evidence/service.ts";
import * as hashing from "../hashing/service.ts";
import { actorOf, authorize, type Principal } from "../identity/principal.ts";
import { type Baseline, type CheckOutcome, checkUrl, type Verdict } from "./check.ts";
import { monitoringEnv } from "./env.ts";
import { checkNowJob } from "./jobspecs.ts";
import { errorDelay, type MonitoringPolicy, nextRegularCheck } from "./policy.ts";
import * as store from "./store.ts";

const HOUR = 3_600_000;
/** Errors in a row after which a check owed past the schedule's end is given up. */
const OWED_CHECK_MAX_ERRORS = 5;

function hostOfUrl(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    return host.length >= 1 && host.length <= 253 ? host : undefined;
  } catch {
    return undefined;
  }
}

// --- Entering the schedule ----------------------------------------------------------------------

/**
 * Puts URL items on the schedule, in the caller's transaction (the notices module calls this when
 * it creates an item's first notice). An item already monitored keeps its schedule. The first
 * check is one interval later. Returns the ids that entered monitoring.
 */
export async function startMonitoring(
  tx: Tx,
  deps: Deps,
  organisationId: string,
  items: { id: string; value: string }[],
): Promise<string[]> {
  const policy = monitoringEnv(deps).policy;
  const now = deps.clock.now();
  const rows = items.flatMap((i) => {
    const host = hostOfUrl(i.value);
    return host
      ? [
          {
            itemId: i.id,
            organisationId,
            host,
            startedAt: now,
            nextCheckAt: nextRegularCheck(policy, now, now) ?? now,
          },
        ]
      : [];
  });
  const added = await store.insertSchedules(tx, rows);
  if (added.length > 0)
    await audit.record(tx, deps.clock, audit.systemActor, {
      organisationId,
      action: "monitoring.started",
      reason: "first notice created",
      data: {
        itemIds: added,
        firstCheckAt: rows[0]?.nextCheckAt.toISOString() ?? null,
        policy: policy.version,
      },
    });
  return added;
}

/**
 * A party claims it removed (or disabled) items: their next check comes forward to the policy's
 * `claimCheckMinutes` from now. Called in the transaction that records the claim. The claim
 * itself never sets a removal.
 */
export async function checkSoon(
  tx: Tx,
  deps: Deps,
  organisationId: string,
  items: { id: string; value: string }[],
): Promise<string[]> {
  if (items.length === 0) return [];
  const policy = monitoringEnv(deps).policy;
  await startMonitoring(tx, deps, organisationId, items);
  const at = new Date(deps.clock.now().getTime() + policy.claimCheckMinutes * 60_000);
  const changed = await store.bringForward(
    tx,
    organisationId,
    items.map((i) => i.id),
    at,
  );
  if (changed.length > 0)
    await audit.record(tx, deps.clock, audit.systemActor, {
      organisationId,
      action: "monitoring.check_brought_forward",
      reason: "a party claims removal; a check verifies it",
      data: { itemIds: changed, checkBy: at.toISOString() },
    });
  await deps.queue?.send(checkNowJob, {}, { tx, startAfter: at, singletonKey: `check-${at.getTime()}` });
  return changed;
}

/**
 * "Check now" for one item of the principal's organisation: due at once, and done even when the
 * schedule ended (a removed item's check can show a re-appearance). The check itself runs in the
 * monitoring job, never in the request.
 */
export async function requestCheckNow(
  deps: Deps,
  by: Principal,
  itemId: string,
  reason?: string,
): Promise<{ itemId: string; nextCheckAt: string }> {
  authorize(by, "monitoring:run");
  return deps.db.transaction().execute(async (tx) => {
    const item = await cases.itemForSystem(tx, by.organisationId, itemId);
    if (!item) throw new AppError("not_found");
    if (item.kind !== "url" || !hostOfUrl(item.value))
      throw new AppError("conflict", { detail: "Only links (http or https) can be checked." });
    const now = deps.clock.now();
    await store.insertSchedules(tx, [
      {
        itemId,
        organisationId: by.organisationId,
        host: hostOfUrl(item.value) as string,
        startedAt: now,
        nextCheckAt: now,
      },
    ]);
    const s = await store.requestCheck(tx, by.organisationId, itemId, now);
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "monitoring.check_requested",
      subject: { type: "item", id: itemId },
      ...(reason?.trim() && { reason: reason.trim() }),
      data: { nextCheckAt: now.toISOString(), scheduleEnded: s?.endReason ?? null },
    });
    await deps.queue?.send(checkNowJob, {}, { tx, singletonKey: "check-now" });
    return { itemId, nextCheckAt: now.toISOString() };
  });
}

// --- Running the checks -------------------------------------------------------------------------

export interface RunResult {
  claimed: number;
  checked: number;
  removed: number;
  online: number;
  changed: number;
  errors: number;
  ended: number;
  contradicted: number;
  reappeared: number;
  /** Claimed rows whose lease ran out before the results were written (another worker has them). */
  lost: number;
}

const emptyResult = (): RunResult => ({
  claimed: 0,
  checked: 0,
  removed: 0,
  online: 0,
  changed: 0,
  errors: 0,
  ended: 0,
  contradicted: 0,
  reappeared: 0,
  lost: 0,
});

export interface RunOptions {
  /** Rows claimed at once; default the policy's batch. */
  limit?: number;
  signal?: AbortSignal;
  /** Test hook: after the checks, before the results are written. */
  beforeWrite?: () => Promise<void> | void;
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The canonical record of a check: what its `record_sha256` is the hash of. */
export function checkRecord(c: store.NewCheck | store.Check, url: string, organisationId: string) {
  return {
    v: 1,
    id: c.id,
    organisationId,
    itemId: c.itemId,
    url,
    checkedAt: c.checkedAt.toISOString(),
    verdict: c.verdict,
    reason: c.reason,
    httpStatus: c.httpStatus,
    finalUrl: c.finalUrl,
    contentSha256: c.contentSha256,
    contentBytes: c.contentBytes,
    pdqDistance: c.pdqDistance,
    durationMs: c.durationMs,
    error: c.error,
    fetcher: c.fetcher,
  };
}

interface Planned {
  row: store.Claimed;
  outcome: CheckOutcome | undefined;
  update: store.ScheduleUpdate;
  check: store.NewCheck | undefined;
  event: "removal" | "reappearance" | undefined;
  ended: store.EndReason | undefined;
}

/** What a check (or its absence) means for the schedule row: the rules in docs/MONITORING.md. */
function plan(
  policy: MonitoringPolicy,
  row: store.Claimed,
  outcome: CheckOutcome | undefined,
  at: Date,
): Planned {
  const keep = {
    itemId: row.itemId,
    startedAt: row.startedAt,
    nextCheckAt: row.nextCheckAt,
    checked: 0 as 0 | 1,
    consecutiveErrors: row.consecutiveErrors,
    endedAt: row.endedAt,
    endReason: row.endReason,
    extraChecks: row.extraChecks,
  };
  const end = (reason: store.EndReason): Planned => ({
    row,
    outcome,
    check: undefined,
    event: undefined,
    ended: reason,
    update: { ...keep, endedAt: at, endReason: reason, extraChecks: 0 },
  });
  if (!outcome) {
    if (row.kind !== "url" || !hostOfUrl(row.url)) return end("not_checkable");
    return end("closed");
  }
  if (outcome.verdict === "error" && outcome.reason === "invalid_url") return end("not_checkable");

  const checked: store.ScheduleUpdate = { ...keep, checked: 1 };
  const confirmations = policy.confirmAfterRemovalHours;
  const confirmationAt = (removedAt: Date, left: number): Date => {
    const h = confirmations[confirmations.length - left];
    return h === undefined ? at : new Date(removedAt.getTime() + h * HOUR);
  };
  const base = { row, outcome, check: undefined, event: undefined, ended: undefined } as const;
  const v: Verdict = outcome.verdict;

  if (v === "error") {
    const errors = row.consecutiveErrors + 1;
    const retry = new Date(at.getTime() + errorDelay(policy, errors));
    if (row.endedAt !== null) {
      // A check owed after the end: retried, then given up after a few errors.
      const giveUp = errors >= OWED_CHECK_MAX_ERRORS;
      return {
        ...base,
        update: {
          ...checked,
          consecutiveErrors: giveUp ? 0 : errors,
          extraChecks: giveUp ? Math.max(0, row.extraChecks - 1) : row.extraChecks,
          nextCheckAt: retry,
        },
      };
    }
    const expiry = row.startedAt.getTime() + policy.endAfterDays * 24 * HOUR;
    if (at.getTime() >= expiry && row.extraChecks === 0)
      return {
        ...base,
        ended: "expired",
        update: { ...checked, consecutiveErrors: errors, endedAt: at, endReason: "expired" },
      };
    return {
      ...base,
      update: {
        ...checked,
        consecutiveErrors: errors,
        extraChecks: Math.max(0, row.extraChecks - (errors >= OWED_CHECK_MAX_ERRORS ? 1 : 0)),
        nextCheckAt: retry,
      },
    };
  }

  if (row.removedAt) {
    // A confirmation (or a check now) after a verified removal.
    if (v === "removed") {
      const left = Math.max(0, row.extraChecks - 1);
      return {
        ...base,
        update: {
          ...checked,
          consecutiveErrors: 0,
          extraChecks: left,
          nextCheckAt: left > 0 ? confirmationAt(row.removedAt, left) : row.nextCheckAt,
        },
      };
    }
    // Seen again: the removal is cleared and the schedule starts again.
    return {
      ...base,
      event: "reappearance",
      update: {
        ...checked,
        startedAt: at,
        consecutiveErrors: 0,
        endedAt: null,
        endReason: null,
        extraChecks: 0,
        nextCheckAt: nextRegularCheck(policy, at, at) ?? at,
      },
    };
  }

  if (v === "removed")
    return {
      ...base,
      event: "removal",
      ended: "removed",
      update: {
        ...checked,
        consecutiveErrors: 0,
        endedAt: at,
        endReason: "removed",
        extraChecks: confirmations.length,
        nextCheckAt: confirmations.length > 0 ? confirmationAt(at, confirmations.length) : at,
      },
    };

  // online or changed
  if (row.endedAt !== null)
    return {
      ...base,
      update: { ...checked, consecutiveErrors: 0, extraChecks: Math.max(0, row.extraChecks - 1) },
    };
  const next = nextRegularCheck(policy, row.startedAt, at);
  const extra = Math.max(0, row.extraChecks - 1);
  if (!next)
    return {
      ...base,
      ended: "expired",
      update: { ...checked, consecutiveErrors: 0, extraChecks: extra, endedAt: at, endReason: "expired" },
    };
  return { ...base, update: { ...checked, consecutiveErrors: 0, extraChecks: extra, nextCheckAt: next } };
}

/**
 * Claims one batch of due rows, checks them (politely, in parallel), and writes the checks and
 * their consequences in one transaction. Safe to run in several workers at once.
 */
export async function runDue(deps: Deps, opts: RunOptions = {}): Promise<RunResult> {
  const env = monitoringEnv(deps);
  const policy = env.policy;
  const result = emptyResult();
  const claimedAt = deps.clock.now();
  const leaseUntil = new Date(claimedAt.getTime() + policy.worker.leaseMinutes * 60_000);
  const rows = await store.claimDue(
    deps.db,
    claimedAt,
    leaseUntil,
    opts.limit ?? policy.worker.batch,
    policy.politeness.perHostPerBatch,
  );
  result.claimed = rows.length;
  if (rows.length === 0) return result;

  const checkable = rows.filter(
    (r) =>
      r.kind === "url" && hostOfUrl(r.url) && (r.endedAt !== null || r.openCases > 0 || r.extraChecks > 0),
  );
  const baselines = new Map<string, Baseline>();
  const byOrg = new Map<string, string[]>();
  for (const r of checkable) byOrg.set(r.organisationId, [...(byOrg.get(r.organisationId) ?? []), r.itemId]);
  for (const [org, ids] of byOrg)
    for (const c of await evidence.latestCapturedMediaOfItems(deps, org, ids))
      baselines.set(c.itemId, { pageSha256: c.page?.sha256 ?? null, media: c.media });

  const tools = {
    fetcher: env.fetcher,
    gate: env.gate,
    policy,
    target: env.target,
    fingerprint: (b: Buffer) => hashing.fingerprintImage(b),
    distance: hashing.pdqDistance,
    radius: hashing.PDQ_RADIUS,
    imageUrls: evidence.imageUrls,
  };
  const outcomes = new Map<string, { outcome: CheckOutcome; at: Date }>();
  await pool(checkable, policy.worker.concurrency, async (r) => {
    if (opts.signal?.aborted) return;
    const baseline = baselines.get(r.itemId) ?? { pageSha256: r.firstOnlineSha256, media: [] };
    const outcome = await checkUrl(tools, r.url, baseline);
    outcomes.set(r.itemId, { outcome, at: deps.clock.now() });
  });
  await opts.beforeWrite?.();

  const plans: Planned[] = [];
  for (const r of rows) {
    const o = outcomes.get(r.itemId);
    if (!o && checkable.includes(r)) continue; // aborted before its check: the lease brings it back
    const at = o?.at ?? deps.clock.now();
    const p = plan(policy, r, o?.outcome, at);
    if (o) {
      const id = randomUUID();
      const check: store.NewCheck = {
        id,
        organisationId: r.organisationId,
        itemId: r.itemId,
        checkedAt: at,
        verdict: o.outcome.verdict,
        reason: o.outcome.reason.slice(0, 100),
        httpStatus: o.outcome.httpStatus,
        finalUrl: o.outcome.finalUrl,
        contentSha256: o.outcome.contentSha256,
        contentBytes: o.outcome.contentBytes,
        pdqDistance: o.outcome.pdqDistance,
        durationMs: o.outcome.durationMs,
        error: o.outcome.error?.slice(0, 2000) ?? null,
        fetcher: FETCHER_VERSION,
        recordSha256: "",
      };
      check.recordSha256 = sha256Hex(audit.canonicalJson(checkRecord(check, r.url, r.organisationId)));
      p.check = check;
    }
    plans.push(p);
  }

  await deps.db.transaction().execute(async (tx) => {
    const held = await store.applyUpdates(
      tx,
      leaseUntil,
      plans.map((p) => p.update),
    );
    const mine = plans.filter((p) => held.has(p.row.itemId));
    result.lost = plans.length - mine.length;
    await store.insertChecks(
      tx,
      mine.flatMap((p) => (p.check ? [p.check] : [])),
    );
    const online: { itemId: string; checkId: string; at: Date; organisationId: string }[] = [];
    for (const p of mine) {
      const c = p.check;
      if (c) {
        result.checked++;
        if (c.verdict === "removed") result.removed++;
        else if (c.verdict === "online") result.online++;
        else if (c.verdict === "changed") result.changed++;
        else result.errors++;
        if (c.verdict === "online")
          online.push({ itemId: c.itemId, checkId: c.id, at: c.checkedAt, organisationId: c.organisationId });
      }
      if (p.ended && p.ended !== "removed") result.ended++;
      if (p.event === "removal" && c)
        await cases.recordVerifiedRemoval(tx, deps.clock, p.row.organisationId, p.row.itemId, {
          id: c.id,
          at: c.checkedAt,
          reason: c.reason,
        });
      if (p.event === "reappearance" && c) {
        if (
          await cases.recordReappearance(tx, deps.clock, p.row.organisationId, p.row.itemId, {
            id: c.id,
            at: c.checkedAt,
            verdict: c.verdict,
          })
        )
          result.reappeared++;
      }
    }
    const flagged = await store.contradictClaims(tx, online, policy.claimCheckMinutes * 60_000);
    const orgOf = new Map(online.map((o) => [o.itemId, o.organisationId]));
    for (const f of flagged) {
      result.contradicted++;
      const organisationId = orgOf.get(f.itemId) as string;
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId,
        action: "monitoring.claim_contradicted",
        subject: { type: "item", id: f.itemId },
        reason: "a check found the item online after the party said it was removed",
        data: {
          noticeId: f.noticeId,
          partyId: f.partyId,
          claim: f.outcome,
          claimedAt: f.outcomeAt.toISOString(),
          checkId: f.checkId,
          checkedAt: f.at.toISOString(),
        },
      });
      await cases.advanceItems(
        tx,
        deps.clock,
        organisationId,
        [f.itemId],
        "still_online",
        "claimed removal contradicted by a check",
        {
          checkId: f.checkId,
          noticeId: f.noticeId,
        },
      );
    }
    // One event per organisation for the batch: the checks (each also a row with its own hash)
    // and the schedules that ended.
    const perOrg = new Map<string, Planned[]>();
    for (const p of mine) perOrg.set(p.row.organisationId, [...(perOrg.get(p.row.organisationId) ?? []), p]);
    for (const [organisationId, ps] of perOrg)
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId,
        action: "monitoring.checks_recorded",
        data: {
          checks: ps.flatMap((p) =>
            p.check
              ? [
                  {
                    id: p.check.id,
                    itemId: p.check.itemId,
                    verdict: p.check.verdict,
                    reason: p.check.reason,
                    recordSha256: p.check.recordSha256,
                  },
                ]
              : [],
          ),
          ended: ps.flatMap((p) => (p.ended ? [{ itemId: p.row.itemId, reason: p.ended }] : [])),
        },
      });
  });
  return result;
}

/**
 * Runs batches until nothing is due (the job's loop), within `maxMs` of wall time. The policy's
 * `lanes` batches run at once, each on rows of its own, so one slow host in a batch does not hold
 * up the others; the host gate keeps every lane polite.
 */
export async function runAllDue(
  deps: Deps,
  opts: { maxMs?: number; maxBatches?: number; signal?: AbortSignal } = {},
): Promise<RunResult> {
  const total = emptyResult();
  const stopAt = Date.now() + (opts.maxMs ?? 50_000);
  let batches = 0;
  const lane = async () => {
    while (batches < (opts.maxBatches ?? 1000)) {
      if (opts.signal?.aborted || Date.now() > stopAt) return;
      batches++;
      const r = await runDue(deps, { ...(opts.signal && { signal: opts.signal }) });
      for (const k of Object.keys(total) as (keyof RunResult)[]) total[k] += r[k];
      if (r.claimed === 0) return;
    }
  };
  await Promise.all(Array.from({ length: monitoringEnv(deps).policy.worker.lanes }, lane));
  return total;
}

// --- The case view ------------------------------------------------------------------------------

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Per item of a case: its schedule, next check, last checks, verified removal, re-appearances
 * and contradicted claims. Another organisation's case is not found.
 */
export async function monitoringOfCase(deps: Deps, by: Principal, caseId: string, lastChecks = 5) {
  authorize(by, "monitoring:read");
  authorize(by, "cases:read");
  const c = await cases.caseWithItems(deps, by.organisationId, caseId);
  if (!c) throw new AppError("not_found");
  const ids = c.items.map((i) => i.id);
  const [schedules, checks, facts, claims] = await Promise.all([
    store.schedulesOf(deps.db, by.organisationId, ids),
    store.checksOf(deps.db, by.organisationId, ids),
    store.itemFacts(deps.db, by.organisationId, ids),
    store.claimsOf(deps.db, by.organisationId, ids),
  ]);
  const scheduleOf = new Map(schedules.map((s) => [s.itemId, s]));
  const factsOf = new Map(facts.map((f) => [f.itemId, f]));
  const present = (k: store.Check) => ({
    id: k.id,
    checkedAt: k.checkedAt.toISOString(),
    verdict: k.verdict,
    reason: k.reason,
    httpStatus: k.httpStatus,
    finalUrl: k.finalUrl,
    contentSha256: k.contentSha256,
    contentBytes: k.contentBytes,
    pdqDistance: k.pdqDistance,
    durationMs: k.durationMs,
    error: k.error,
    recordSha256: k.recordSha256,
  });
  return {
    caseId: c.case.id,
    items: c.items.map((item) => {
      const s = scheduleOf.get(item.id);
      const f = factsOf.get(item.id);
      const mine = checks.filter((k) => k.itemId === item.id);
      // Re-appearances: a check that saw the item again after a check that saw it gone.
      const reappearances: { at: string; checkId: string; verdict: string; removedAt: string }[] = [];
      let goneSince: store.Check | undefined;
      for (const k of mine) {
        if (k.verdict === "removed" && !goneSince) goneSince = k;
        else if ((k.verdict === "online" || k.verdict === "changed") && goneSince) {
          reappearances.push({
            at: k.checkedAt.toISOString(),
            checkId: k.id,
            verdict: k.verdict,
            removedAt: goneSince.checkedAt.toISOString(),
          });
          goneSince = undefined;
        }
      }
      const due = s && (s.endedAt === null || s.extraChecks > 0);
      return {
        itemId: item.id,
        kind: item.kind,
        url: item.kind === "url" ? item.value : null,
        status: item.status,
        schedule: s
          ? {
              startedAt: s.startedAt.toISOString(),
              nextCheckAt: due ? s.nextCheckAt.toISOString() : null,
              checks: s.checks,
              consecutiveErrors: s.consecutiveErrors,
              endedAt: iso(s.endedAt),
              endReason: s.endReason,
              extraChecks: s.extraChecks,
            }
          : null,
        removal: f?.removedAt ? { at: f.removedAt.toISOString(), checkId: f.removalCheckId } : null,
        reappearances,
        fastTrackedAt: iso(f?.fastTrackedAt),
        checkCount: mine.length,
        lastChecks: mine.slice(-lastChecks).reverse().map(present),
        claims: claims
          .filter((k) => k.itemId === item.id)
          .map((k) => ({
            noticeId: k.noticeId,
            party: k.party,
            outcome: k.outcome,
            claimedAt: iso(k.claimedAt),
            contradictedAt: iso(k.contradictedAt),
            contradictingCheckId: k.contradictingCheckId,
          })),
      };
    }),
  };
}

// --- Re-upload watch ----------------------------------------------------------------------------

export interface ReuploadResult {
  earlierCaseIds: string[];
  linked: string[];
  raised: string[];
}

interface Fingerprint {
  sha256: string;
  pdq: string | null;
  banks: hashing.EntryMatch[];
}

/**
 * Earlier cases holding the same material, then the fast track. For an upload, `uploadCaseId` is
 * the new report's case: the same file reported before is the same item, so the item's other
 * cases are earlier ones too.
 */
async function recognise(
  deps: Deps,
  organisationId: string,
  itemId: string,
  images: Fingerprint[],
  uploadCaseId: string | undefined,
): Promise<ReuploadResult> {
  const own = await cases.casesOfItems(deps, organisationId, [itemId]);
  const ownIds = new Set(own.map((c) => c.caseId));
  const earlier = new Set<string>();
  const why: Record<string, unknown>[] = [];
  for (const img of images) {
    for (const m of img.banks)
      if (m.caseId) {
        earlier.add(m.caseId);
        why.push({ via: "bank", bankId: m.bankId, entryId: m.entryId, distance: m.distance });
      }
    const items = new Set<string>();
    for (const m of await evidence.capturedMediaMatching(
      deps,
      organisationId,
      img,
      hashing.PDQ_RADIUS,
      itemId,
    )) {
      items.add(m.itemId);
      why.push({ via: "capture", itemId: m.itemId, captureId: m.captureId, distance: m.distance });
    }
    for (const other of await cases.fileItemsWithSha256(deps, organisationId, img.sha256, itemId)) {
      items.add(other);
      why.push({ via: "upload", itemId: other, distance: 0 });
    }
    for (const c of await cases.casesOfItems(deps, organisationId, [...items])) earlier.add(c.caseId);
  }
  for (const id of ownIds) earlier.delete(id);
  if (uploadCaseId)
    for (const c of own)
      if (c.caseId !== uploadCaseId) {
        earlier.add(c.caseId);
        why.push({ via: "same_file", itemId, caseId: c.caseId });
      }
  const earlierCaseIds = [...earlier];
  if (earlierCaseIds.length === 0) return { earlierCaseIds: [], linked: [], raised: [] };
  const r = await cases.fastTrackReupload(deps, organisationId, itemId, earlierCaseIds, {
    matches: why.slice(0, 50),
  });
  return { earlierCaseIds, linked: r.linked, raised: r.raised };
}

/**
 * The re-upload watch for an uploaded image (intake calls it after the report is committed):
 * checks the banks and earlier items' media; a match links the item to the earlier case(s) and
 * fast-tracks it. Call outside any transaction.
 */
export async function watchUpload(
  deps: Deps,
  input: { organisationId: string; caseId: string; itemId: string; bytes: Buffer },
): Promise<ReuploadResult> {
  const { hashes, matches } = await hashing.checkImage(deps, input.bytes, {
    organisationId: input.organisationId,
    subject: { type: "item", id: input.itemId },
    caseId: input.caseId,
  });
  return recognise(
    deps,
    input.organisationId,
    input.itemId,
    [
      {
        sha256: hashes.sha256,
        pdq: hashes.quality >= hashing.PDQ_QUALITY_MIN ? hashes.hash : null,
        banks: matches,
      },
    ],
    input.caseId,
  );
}

/**
 * The re-upload watch for a finished capture (the evidence job calls it): every captured image,
 * by its hashes (the bytes may not be kept), against the banks and earlier items' media.
 */
export async function watchCapture(
  deps: Deps,
  captureId: string,
): Promise<ReuploadResult | { skipped: string }> {
  const found = await evidence.captureWithArtefacts(deps, captureId);
  if (found?.capture.status !== "captured" || !found.capture.itemId)
    return { skipped: "not a captured item" };
  const { capture, artefacts } = found;
  const images: Fingerprint[] = [];
  for (const a of artefacts) {
    if (!a.mediaType.startsWith("image/") || a.name === "screenshot.png") continue;
    const banks = await hashing.checkHashes(
      deps,
      { sha256: a.sha256, pdq: a.pdq },
      {
        organisationId: capture.organisationId,
        subject: { type: "evidence_capture", id: capture.id },
        caseId: capture.caseId,
      },
    );
    images.push({ sha256: a.sha256, pdq: a.pdq, banks });
  }
  if (images.length === 0) return { skipped: "no images captured" };
  return recognise(deps, capture.organisationId, capture.itemId as string, images, undefined);
}
