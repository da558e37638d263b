// The escalation ladder: the engine that moves each noticed item up its ladder (ladder.json)
// while it stays online, the analyst's approval of steps towards a regulator or the police, and
// the case view of where each item stands and what happens next, and when.
//
// The engine (`escalationTick`, the job escalation.tick) is idempotent and safe to run twice at
// once: an item enters with `insert … on conflict do nothing`; due items are claimed with a lease
// (SKIP LOCKED), so two ticks never look at the same item; a notice step first adopts a notice
// that already exists for the item at that step (a tick that died after creating it), and the
// notices module itself notices an item once per party and step. Every move writes a
// transition row and an audit event in one transaction.
import { z } from "zod";
import type { EscalationState, ItemOutcome } from "../../../migrations/schema.ts";
import type { Tx } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { defineJob } from "../../platform/queue.ts";
import * as registry from "../attribution/parties.ts";
import * as attribution from "../attribution/service.ts";
import * as audit from "../audit/service.ts";
import * as cases from "../cases/service.ts";
import type { Deps } from "../deps.ts";
import { actorOf, authorize, type Principal } from "../identity/principal.ts";
import * as notices from "../notices/service.ts";
import { fileEnforcementRequest } from "./enforcement.ts";
import {
  indexOfStep,
  type Ladder,
  type LadderPolicy,
  type LadderStep,
  ladderByKey,
  ladderFor,
  loadLadderPolicy,
  needsApproval,
  type RegulatorStep,
  sameParty,
} from "./ladder-policy.ts";
import * as store from "./ladder-store.ts";

/** Moves items up their ladders; every five minutes, and after an approval. */
export const tickJob = defineJob({
  name: "escalation.tick",
  schema: z.object({}),
  cron: "*/5 * * * *",
  retryLimit: 2,
});

// --- The enforcement filer hook ---------------------------------------------------------------

/** What an approved regulator or police step asks the enforcement module to file. */
export interface EnforcementFiling {
  organisationId: string;
  /** acm, ap, cvdm, atkm, police, ec. */
  regulator: string;
  /** The party the request is about; null when the step concerns the content only. */
  partyId: string | null;
  itemIds: string[];
  caseIds: string[];
  /** The ladder step, e.g. regulator:acm. */
  step: string;
  /** The user who approved; null when the step or the organisation auto-approves. */
  approvedBy: string | null;
}

/** Files an enforcement request in `tx` (the ladder's transaction) and returns its id. */
export type EnforcementFiler = (deps: Deps, tx: Tx, req: EnforcementFiling) => Promise<{ requestId: string }>;

let filer: EnforcementFiler | undefined = fileEnforcementRequest;

/**
 * Replaces the filer (by default the enforcement module's `fileEnforcementRequest`). With none,
 * approved steps stay `ready` (visible and counted); the next tick after one is registered files
 * them. `undefined` unregisters; tests of the ladder alone use that.
 */
export function registerEnforcementFiler(fn: EnforcementFiler | undefined): void {
  filer = fn;
}

// --- Policy -----------------------------------------------------------------------------------

const policies = new WeakMap<Deps, LadderPolicy>();

/** Replaces the ladder policy for these deps (tests, a hotline's own file); undefined restores it. */
export function setLadderPolicy(deps: Deps, policy: LadderPolicy | undefined): void {
  if (policy) policies.set(deps, policy);
  else policies.delete(deps);
}

const policyOf = (deps: Deps): LadderPolicy => policies.get(deps) ?? loadLadderPolicy();

const ladderOf = (
  policy: LadderPolicy,
  row: { ladder: string; category: string; jurisdiction: string | null },
) => ladderByKey(policy, row.ladder) ?? ladderFor(policy, row.category, row.jurisdiction);

const HOUR = 3_600_000;
const LEASE_MS = 5 * 60_000;
const BATCH = 200;
/** Entering costs one scan of notice_items per batch: larger batches, fewer scans. */
const ENTRY_BATCH = 1000;
const CLAIMS = new Set<ItemOutcome>(["removed", "disabled", "geo_restricted"]);
const PASSES = new Set<ItemOutcome>(["refused", "not_responsible"]);
const at = (d: Date, hours: number) => new Date(d.getTime() + hours * HOUR);
const systemFor = (organisationId: string): audit.Actor => ({ ...audit.systemActor, organisationId });

/** The next step that fires after `index`, skipping further notices to `skip`'s party. */
function nextIndex(ladder: Ladder, index: number, skip?: LadderStep): number {
  let i = index + 1;
  while (i < ladder.steps.length && skip && sameParty(skip, ladder.steps[i] as LadderStep)) i++;
  return i;
}

// --- The tick ---------------------------------------------------------------------------------

export interface TickResult {
  entered: number;
  noticed: number;
  approvalsRequested: number;
  ready: number;
  filed: number;
  held: number;
  resumed: number;
  stuck: number;
  resolved: number;
  ended: number;
  withdrawn: number;
}

const emptyResult = (): TickResult => ({
  entered: 0,
  noticed: 0,
  approvalsRequested: 0,
  ready: 0,
  filed: 0,
  held: 0,
  resumed: 0,
  stuck: 0,
  resolved: 0,
  ended: 0,
  withdrawn: 0,
});

/** One pass of the engine: enter newly noticed items, move due ones, file approved steps. */
export async function escalationTick(deps: Deps, opts: { maxItems?: number } = {}): Promise<TickResult> {
  const r = emptyResult();
  const policy = policyOf(deps);
  const max = opts.maxItems ?? 10_000;
  for (let n = 0; n < max; ) {
    const k = await enter(deps, policy, r);
    n += k;
    if (k < ENTRY_BATCH) break;
  }
  const seen = new Set<string>();
  while (seen.size < max) {
    const now = deps.clock.now();
    const ids = (await store.claimDue(deps.db, now, new Date(now.getTime() + LEASE_MS), BATCH)).filter(
      (id) => !seen.has(id),
    );
    if (ids.length === 0) break;
    for (const id of ids) seen.add(id);
    await processDue(deps, policy, ids, r);
  }
  await withdrawMoot(deps, r);
  await fileReady(deps, policy, r);
  return r;
}

// --- Entering ---------------------------------------------------------------------------------

async function enter(deps: Deps, policy: LadderPolicy, r: TickResult): Promise<number> {
  const candidates = await store.entryCandidates(deps.db, ENTRY_BATCH);
  if (candidates.length === 0) return 0;
  const now = deps.clock.now();
  const byOrg = new Map<string, store.EntryCandidate[]>();
  for (const c of candidates) byOrg.set(c.organisationId, [...(byOrg.get(c.organisationId) ?? []), c]);
  for (const [org, list] of byOrg) {
    const countries = await hostingCountries(
      deps,
      org,
      list.map((c) => c.itemId),
    );
    const entries = list.map((c) => {
      const jurisdiction = countries.get(c.itemId) ?? null;
      const ladder = ladderFor(policy, c.category, jurisdiction);
      const i = indexOfStep(ladder, c.step);
      const next = ladder.steps[nextIndex(ladder, i)];
      return {
        itemId: c.itemId,
        organisationId: org,
        category: c.category,
        jurisdiction,
        ladder: ladder.key,
        step: c.step,
        partyId: c.partyId,
        noticeId: c.noticeId,
        deadlineAt: c.deadlineAt,
        nextAt: at(c.deadlineAt, next?.afterHours ?? 0),
        at: now,
      };
    });
    await deps.db.transaction().execute(async (tx) => {
      const inserted = await store.insertEntries(tx, entries);
      const mine = entries.filter((e) => inserted.has(e.itemId));
      await store.insertTransitions(
        tx,
        mine.map((e) => ({
          organisationId: org,
          itemId: e.itemId,
          fromStep: null,
          toStep: e.step,
          state: "waiting",
          fromPartyId: null,
          partyId: e.partyId,
          noticeId: e.noticeId,
          reason: `entered the ${e.ladder} ladder with its first notice`,
          at: now,
        })),
      );
      const byNotice = new Map<string, typeof mine>();
      for (const e of mine) byNotice.set(e.noticeId, [...(byNotice.get(e.noticeId) ?? []), e]);
      for (const [noticeId, es] of byNotice)
        await audit.record(tx, deps.clock, systemFor(org), {
          action: "escalation.entered",
          subject: { type: "notice", id: noticeId },
          data: {
            itemIds: es.map((e) => e.itemId),
            ladder: [...new Set(es.map((e) => e.ladder))],
            step: es[0]?.step,
            nextAt: es[0]?.nextAt?.toISOString() ?? null,
          },
        });
      r.entered += mine.length;
    });
  }
  return candidates.length;
}

/** The country of each item's hosting party (or of the hosting attribution). */
async function hostingCountries(deps: Deps, org: string, itemIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const parties = new Map<string, string | null>();
  for (const a of await attribution.currentAttributions(deps.db, org, itemIds)) {
    if (a.role !== "hosting") continue;
    let country = a.country;
    if (a.partyId) {
      if (!parties.has(a.partyId))
        parties.set(a.partyId, (await registry.getParty(deps.db, org, a.partyId))?.country ?? null);
      country = parties.get(a.partyId) ?? country;
    }
    if (country && /^[A-Z]{2}$/i.test(country)) out.set(a.itemId, country.toUpperCase());
  }
  return out;
}

// --- Moving due items -------------------------------------------------------------------------

interface Climb {
  row: store.LadderRow;
  ladder: Ladder;
  /** The candidate step. */
  index: number;
  /** Further notices to this step's party are skipped (it refused, or is not responsible). */
  skip: LadderStep | undefined;
  reason: string;
  stuck: { step: string; reason: string }[];
}

async function processDue(deps: Deps, policy: LadderPolicy, ids: string[], r: TickResult): Promise<void> {
  const now = deps.clock.now();
  const rows = await store.rowsOf(deps.db, ids);
  const resolve: store.LadderRow[] = [];
  const hold: store.LadderRow[] = [];
  const resume: { row: store.LadderRow; nextAt: Date }[] = [];
  const climb: Climb[] = [];
  const untouched: string[] = [];
  for (const row of rows) {
    const ladder = ladderOf(policy, row);
    const index = indexOfStep(ladder, row.step);
    const current = ladder.steps[index];
    if (row.removedAt || store.DONE_STATUSES.includes(row.itemStatus)) {
      resolve.push(row);
      continue;
    }
    const passed = row.outcome !== null && PASSES.has(row.outcome);
    const skip = passed ? current : undefined;
    const due = row.nextAt !== null && row.nextAt <= now;
    const go = (reason: string) =>
      climb.push({ row, ladder, index: nextIndex(ladder, index, skip), skip, reason, stuck: [] });
    switch (row.state) {
      case "waiting":
        if (passed) go(`the party answered ${row.outcome?.replace("_", " ")}`);
        else if (row.outcome && CLAIMS.has(row.outcome) && !row.claimContradictedAt) hold.push(row);
        else if (due)
          go(
            row.claimContradictedAt
              ? "the deadline passed and a check found the item still online after the party's claim"
              : "the deadline passed and the item is not verifiably removed",
          );
        else untouched.push(row.itemId);
        break;
      case "held":
        if (row.claimContradictedAt) {
          const next = ladder.steps[nextIndex(ladder, index)];
          const when = row.deadlineAt ? at(row.deadlineAt, next?.afterHours ?? 0) : now;
          if (when <= now) go("a check found the item still online after the party claimed its removal");
          else resume.push({ row, nextAt: when });
        } else untouched.push(row.itemId);
        break;
      case "filed":
      case "rejected":
      case "stuck":
        if (due)
          go(
            row.state === "stuck"
              ? "trying again the steps that could not act"
              : row.state === "rejected"
                ? "the step was rejected; the next step follows"
                : "the next step follows the filed request",
          );
        else untouched.push(row.itemId);
        break;
      default:
        untouched.push(row.itemId);
    }
  }
  await store.release(deps.db, untouched);
  await resolveItems(deps, resolve, r);
  await holdItems(deps, hold, r);
  await resumeItems(deps, resume, r);
  await climbItems(deps, policy, climb, r);
}

const byOrganisation = <T extends { organisationId: string }>(xs: T[]): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(x.organisationId, [...(m.get(x.organisationId) ?? []), x]);
  return m;
};

async function resolveItems(deps: Deps, rows: store.LadderRow[], r: TickResult): Promise<void> {
  const now = deps.clock.now();
  for (const [org, list] of byOrganisation(rows))
    await deps.db.transaction().execute(async (tx) => {
      await store.updateItems(
        tx,
        list.map((x) => x.itemId),
        { state: "resolved", nextAt: null },
        now,
      );
      await store.insertTransitions(
        tx,
        list.map((x) => ({
          organisationId: org,
          itemId: x.itemId,
          fromStep: x.step,
          toStep: x.step,
          state: "resolved" as const,
          fromPartyId: x.partyId,
          partyId: x.partyId,
          reason: x.removedAt
            ? `verifiably removed: a monitoring check saw it gone at ${x.removedAt.toISOString()}`
            : `the item is ${x.itemStatus.replace("_", " ")}`,
          at: now,
        })),
      );
      await audit.record(tx, deps.clock, systemFor(org), {
        action: "escalation.resolved",
        data: { itemIds: list.map((x) => x.itemId) },
      });
      r.resolved += list.length;
    });
}

async function holdItems(deps: Deps, rows: store.LadderRow[], r: TickResult): Promise<void> {
  const now = deps.clock.now();
  for (const [org, list] of byOrganisation(rows))
    await deps.db.transaction().execute(async (tx) => {
      await store.updateItems(
        tx,
        list.map((x) => x.itemId),
        { state: "held", nextAt: null },
        now,
      );
      await store.insertTransitions(
        tx,
        list.map((x) => ({
          organisationId: org,
          itemId: x.itemId,
          fromStep: x.step,
          toStep: x.step,
          state: "held" as const,
          fromPartyId: x.partyId,
          partyId: x.partyId,
          noticeId: x.noticeId,
          reason: `the party says ${x.outcome?.replace("_", " ")}; the ladder waits until monitoring verifies or contradicts it`,
          at: now,
        })),
      );
      await audit.record(tx, deps.clock, systemFor(org), {
        action: "escalation.held",
        data: { itemIds: list.map((x) => x.itemId) },
      });
      r.held += list.length;
    });
}

async function resumeItems(
  deps: Deps,
  rows: { row: store.LadderRow; nextAt: Date }[],
  r: TickResult,
): Promise<void> {
  const now = deps.clock.now();
  for (const { row, nextAt } of rows)
    await deps.db.transaction().execute(async (tx) => {
      await store.updateItems(tx, [row.itemId], { state: "waiting", nextAt }, now);
      await store.insertTransitions(tx, [
        {
          organisationId: row.organisationId,
          itemId: row.itemId,
          fromStep: row.step,
          toStep: row.step,
          state: "waiting",
          fromPartyId: row.partyId,
          partyId: row.partyId,
          noticeId: row.noticeId,
          reason:
            "a check found the item still online after the party claimed its removal; the ladder resumes",
          at: now,
        },
      ]);
      await audit.record(tx, deps.clock, systemFor(row.organisationId), {
        action: "escalation.resumed",
        subject: { type: "item", id: row.itemId },
        data: { step: row.step, nextAt: nextAt.toISOString() },
      });
      r.resumed++;
    });
}

/** Takes each item to the first step from its candidate onwards that can act. */
async function climbItems(deps: Deps, policy: LadderPolicy, work: Climb[], r: TickResult): Promise<void> {
  let todo = work;
  while (todo.length > 0) {
    const next: Climb[] = [];
    const groups = new Map<string, Climb[]>();
    const exhausted: Climb[] = [];
    for (const c of todo) {
      while (
        c.index < c.ladder.steps.length &&
        c.skip &&
        sameParty(c.skip, c.ladder.steps[c.index] as LadderStep)
      )
        c.index++;
      const step = c.ladder.steps[c.index];
      if (!step) {
        exhausted.push(c);
        continue;
      }
      const key = `${c.row.organisationId}|${c.row.category}|${step.id}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    await endItems(deps, policy, exhausted, r);
    for (const group of groups.values()) {
      const first = group[0] as Climb;
      const step = first.ladder.steps[first.index] as LadderStep;
      const failed =
        step.kind === "notice"
          ? await noticeStep(deps, step, group, r)
          : await regulatorStep(deps, step, group, r);
      for (const c of failed) {
        c.index++;
        next.push(c);
      }
    }
    todo = next;
  }
}

/** Items past the last step: stuck if some step could not act, else at the end of the ladder. */
async function endItems(deps: Deps, policy: LadderPolicy, list: Climb[], r: TickResult): Promise<void> {
  const now = deps.clock.now();
  for (const c of list) {
    const stuck = c.stuck.length > 0;
    const reason = c.stuck.map((s) => `${s.step}: ${s.reason}`).join("; ");
    await deps.db.transaction().execute(async (tx) => {
      if (stuck) {
        const retry = at(now, policy.stuckRetryHours);
        const same = c.row.state === "stuck" && c.row.stuckReason === reason;
        await store.updateItems(
          tx,
          [c.row.itemId],
          { state: "stuck", nextAt: retry, stuckReason: reason },
          now,
        );
        if (same) return;
        await store.insertTransitions(tx, stuckRows(c, now));
        await audit.record(tx, deps.clock, systemFor(c.row.organisationId), {
          action: "escalation.stuck",
          subject: { type: "item", id: c.row.itemId },
          reason,
          data: { step: c.row.step, retryAt: retry.toISOString() },
        });
        r.stuck++;
      } else {
        await store.updateItems(tx, [c.row.itemId], { state: "ended", nextAt: null }, now);
        await store.insertTransitions(tx, [
          {
            organisationId: c.row.organisationId,
            itemId: c.row.itemId,
            fromStep: c.row.step,
            toStep: c.row.step,
            state: "ended",
            fromPartyId: c.row.partyId,
            partyId: c.row.partyId,
            reason: `${c.reason}; the ladder has no further step`,
            at: now,
          },
        ]);
        await audit.record(tx, deps.clock, systemFor(c.row.organisationId), {
          action: "escalation.ended",
          subject: { type: "item", id: c.row.itemId },
          data: { step: c.row.step, ladder: c.ladder.key },
        });
        r.ended++;
      }
    });
  }
}

const stuckRows = (c: Climb, now: Date): store.Transition[] =>
  c.stuck.map((s) => ({
    organisationId: c.row.organisationId,
    itemId: c.row.itemId,
    fromStep: c.row.step,
    toStep: s.step,
    state: "stuck" as const,
    fromPartyId: c.row.partyId,
    partyId: null,
    reason: s.reason,
    at: now,
  }));

/** A notice step for a group of items (one organisation, category and step); returns those that could not take it. */
async function noticeStep(
  deps: Deps,
  step: Extract<LadderStep, { kind: "notice" }>,
  group: Climb[],
  r: TickResult,
): Promise<Climb[]> {
  const first = group[0] as Climb;
  const org = first.row.organisationId;
  const ids = group.map((c) => c.row.itemId);
  const reasons = new Map<string, string>();
  // A notice that already exists at this step is adopted: a tick that died after making it, or
  // an analyst who sent it by hand.
  const existing = await store.noticedAt(deps.db, ids, step.id);
  const fresh = group.filter((c) => !existing.has(c.row.itemId));
  // Child abuse material: a later notice carries the classification the analyst gave the first.
  const classified =
    first.row.category === "csam"
      ? await store.csamClassifications(
          deps.db,
          fresh.map((c) => c.row.itemId),
        )
      : new Map<string, store.CsamClassification>();
  const batches = new Map<string, Climb[]>();
  for (const c of fresh) {
    const k = classified.get(c.row.itemId) ?? "";
    batches.set(k, [...(batches.get(k) ?? []), c]);
  }
  for (const [classification, batch] of batches) {
    if (first.row.category === "csam" && !classification) {
      for (const c of batch) reasons.set(c.row.itemId, "no earlier notice carries the X-ARF classification");
      continue;
    }
    try {
      const res = await notices.createNotices(
        deps,
        systemFor(org),
        org,
        first.row.category,
        batch.map((c) => ({ id: c.row.itemId, value: c.row.value })),
        {
          roles: [step.role],
          step: step.id,
          ...(classification ? { csamClassification: classification as store.CsamClassification } : {}),
        },
      );
      for (const s of res.skipped)
        reasons.set(
          s.itemId,
          s.reason === "no party found for this item" ? `no ${step.role} party attributed` : s.reason,
        );
    } catch (e) {
      const why = e instanceof AppError ? (e.detail ?? e.message) : "the notice could not be made";
      deps.logger.error({ err: e, step: step.id }, "escalation: notice step failed");
      for (const c of batch) reasons.set(c.row.itemId, why);
    }
  }
  const made = await store.noticedAt(deps.db, ids, step.id);
  const failed: Climb[] = [];
  const landed = new Map<string, { climbs: Climb[]; partyId: string; deadlineAt: Date }>();
  for (const c of group) {
    const n = made.get(c.row.itemId);
    if (!n) {
      c.stuck.push({ step: step.id, reason: reasons.get(c.row.itemId) ?? `no ${step.role} party to notice` });
      failed.push(c);
      continue;
    }
    const l = landed.get(n.noticeId) ?? { climbs: [], partyId: n.partyId, deadlineAt: n.deadlineAt };
    l.climbs.push(c);
    landed.set(n.noticeId, l);
  }
  const now = deps.clock.now();
  for (const [noticeId, l] of landed)
    await deps.db.transaction().execute(async (tx) => {
      const transitions: store.Transition[] = [];
      // One statement per (next time, skipped steps): the items of a notice mostly share both.
      const same = new Map<string, { ids: string[]; nextAt: Date; stuckReason: string | null }>();
      for (const c of l.climbs) {
        const next = c.ladder.steps[nextIndex(c.ladder, c.index)];
        const nextAt = at(l.deadlineAt, next?.afterHours ?? 0);
        const stuckReason = c.stuck.length ? c.stuck.map((s) => `${s.step}: ${s.reason}`).join("; ") : null;
        const key = `${nextAt.getTime()}|${stuckReason ?? ""}`;
        const g = same.get(key) ?? { ids: [], nextAt, stuckReason };
        g.ids.push(c.row.itemId);
        same.set(key, g);
        transitions.push(...stuckRows(c, now), {
          organisationId: org,
          itemId: c.row.itemId,
          fromStep: c.row.step,
          toStep: step.id,
          state: "waiting",
          fromPartyId: c.row.partyId,
          partyId: l.partyId,
          noticeId,
          reason: c.reason,
          at: now,
        });
      }
      for (const g of same.values())
        await store.updateItems(
          tx,
          g.ids,
          {
            step: step.id,
            state: "waiting",
            partyId: l.partyId,
            noticeId,
            approvalId: null,
            deadlineAt: l.deadlineAt,
            nextAt: g.nextAt,
            stuckReason: g.stuckReason,
          },
          now,
        );
      await store.insertTransitions(tx, transitions);
      const itemIds = l.climbs.map((c) => c.row.itemId);
      await audit.record(tx, deps.clock, systemFor(org), {
        action: "escalation.moved",
        subject: { type: "notice", id: noticeId },
        reason: first.reason,
        data: {
          itemIds,
          from: [...new Set(l.climbs.map((c) => c.row.step))],
          to: step.id,
          partyId: l.partyId,
          deadline: l.deadlineAt.toISOString(),
          skipped: [...new Set(l.climbs.flatMap((c) => c.stuck.map((s) => s.step)))],
        },
      });
      const away = l.climbs.filter((c) => c.row.partyId !== l.partyId).map((c) => c.row.itemId);
      await cases.advanceItems(tx, deps.clock, org, away, "escalated", `escalated to ${step.id}`, {
        noticeId,
      });
      r.noticed += itemIds.length;
    });
  return failed;
}

/** A regulator or police step: an approval request per party (or ready at once when auto-approved). */
async function regulatorStep(
  deps: Deps,
  step: RegulatorStep,
  group: Climb[],
  r: TickResult,
): Promise<Climb[]> {
  const first = group[0] as Climb;
  const org = first.row.organisationId;
  const failed: Climb[] = [];
  const byParty = new Map<string, Climb[]>();
  const attrs = await attribution.currentAttributions(
    deps.db,
    org,
    group.map((c) => c.row.itemId),
  );
  const veryLarge = new Map<string, boolean>();
  for (const c of group) {
    let partyId: string | null = null;
    if (step.against.length > 0) {
      for (const role of step.against) {
        const a = attrs.find((x) => x.itemId === c.row.itemId && x.role === role && x.partyId);
        if (a?.partyId) {
          partyId = a.partyId;
          break;
        }
      }
      if (!partyId) {
        c.stuck.push({
          step: step.id,
          reason: `no ${step.against.join(" or ")} party attributed to file against`,
        });
        failed.push(c);
        continue;
      }
      if (step.onlyVeryLarge) {
        if (!veryLarge.has(partyId))
          veryLarge.set(partyId, (await registry.getParty(deps.db, org, partyId))?.veryLarge ?? false);
        // Not a very large platform: the step does not apply; the item goes on without a record.
        if (!veryLarge.get(partyId)) {
          failed.push(c);
          continue;
        }
      }
    }
    const key = partyId ?? "";
    byParty.set(key, [...(byParty.get(key) ?? []), c]);
  }
  const now = deps.clock.now();
  for (const [key, climbs] of byParty) {
    const partyId = key || null;
    const itemIds = climbs.map((c) => c.row.itemId);
    await deps.db.transaction().execute(async (tx) => {
      const orgAuto = await store.autoApproves(tx, org);
      const auto = !needsApproval(step) || orgAuto;
      const caseIds = await store.caseIdsOf(tx, itemIds);
      let approvalId: string;
      const open = auto ? undefined : await store.openApproval(tx, org, step.id, partyId, first.row.category);
      if (open) {
        approvalId = open.id;
        await store.extendApproval(
          tx,
          open.id,
          [...new Set([...open.itemIds, ...itemIds])],
          [...new Set([...open.caseIds, ...caseIds])],
        );
      } else
        approvalId = await store.insertApproval(tx, {
          organisationId: org,
          step: step.id,
          regulator: step.regulator,
          partyId,
          category: first.row.category,
          itemIds,
          caseIds,
          auto,
          at: now,
          note: auto
            ? orgAuto
              ? "approved by the organisation's auto-approve setting"
              : "the ladder step needs no approval"
            : null,
        });
      const state: EscalationState = auto ? "ready" : "awaiting_approval";
      await store.updateItems(
        tx,
        itemIds,
        {
          step: step.id,
          state,
          partyId,
          noticeId: null,
          approvalId,
          deadlineAt: null,
          nextAt: null,
          stuckReason: null,
        },
        now,
      );
      for (const c of climbs)
        if (c.stuck.length)
          await store.updateItems(
            tx,
            [c.row.itemId],
            { state, nextAt: null, stuckReason: c.stuck.map((s) => `${s.step}: ${s.reason}`).join("; ") },
            now,
          );
      await store.insertTransitions(
        tx,
        climbs.flatMap((c) => [
          ...stuckRows(c, now),
          {
            organisationId: org,
            itemId: c.row.itemId,
            fromStep: c.row.step,
            toStep: step.id,
            state,
            fromPartyId: c.row.partyId,
            partyId,
            approvalId,
            reason: auto
              ? `${c.reason}; approved without an analyst`
              : `${c.reason}; waiting for an analyst's approval`,
            at: now,
          },
        ]),
      );
      await audit.record(tx, deps.clock, systemFor(org), {
        action: auto ? "escalation.ready" : "escalation.approval_requested",
        subject: { type: "escalation_approval", id: approvalId },
        reason: first.reason,
        data: { itemIds, step: step.id, regulator: step.regulator, partyId, auto },
      });
      const away = climbs.filter((c) => c.row.partyId !== partyId).map((c) => c.row.itemId);
      await cases.advanceItems(tx, deps.clock, org, away, "escalated", `escalated to ${step.id}`, {
        approvalId,
      });
      if (auto) r.ready += itemIds.length;
      else if (!open) r.approvalsRequested++;
    });
  }
  return failed;
}

// --- Approvals that no longer matter, and filing ----------------------------------------------

async function withdrawMoot(deps: Deps, r: TickResult): Promise<void> {
  const now = deps.clock.now();
  for (const a of await store.mootApprovals(deps.db, 100))
    await deps.db.transaction().execute(async (tx) => {
      const locked = await store.findApproval(tx, a.id, true);
      if (!locked || locked.filedAt || (locked.status !== "pending" && locked.status !== "approved")) return;
      if ((await store.itemsOfApproval(tx, a.id, ["awaiting_approval", "ready"])).length > 0) return;
      await store.decideApproval(tx, a.id, {
        status: "withdrawn",
        decidedAt: locked.decidedAt ?? now,
        decidedBy: locked.decidedBy,
        note: locked.note,
      });
      await audit.record(tx, deps.clock, systemFor(a.organisationId), {
        action: "escalation.approval_withdrawn",
        subject: { type: "escalation_approval", id: a.id },
        reason: "none of its items is still waiting for this step",
        data: { step: a.step, itemIds: a.itemIds },
      });
      r.withdrawn++;
    });
}

async function fileReady(deps: Deps, policy: LadderPolicy, r: TickResult): Promise<void> {
  const fn = filer;
  if (!fn) return;
  const failedIds: string[] = [];
  for (let n = 0; n < 1000; n++) {
    const more = await deps.db
      .transaction()
      .execute(async (tx) => {
        const a = await store.claimUnfiled(tx, failedIds);
        if (!a) return false;
        const items = await store.itemsOfApproval(tx, a.id, ["ready"]);
        if (items.length === 0) return true;
        const now = deps.clock.now();
        const itemIds = items.map((i) => i.itemId);
        try {
          const { requestId } = await fn(deps, tx, {
            organisationId: a.organisationId,
            regulator: a.regulator,
            partyId: a.partyId,
            itemIds,
            caseIds: await store.caseIdsOf(tx, itemIds),
            step: a.step,
            approvedBy: a.auto ? null : a.decidedBy,
          });
          await store.markFiled(tx, a.id, requestId, now);
          const transitions: store.Transition[] = [];
          for (const i of items) {
            const ladder = ladderOf(policy, { ladder: i.ladder, category: a.category, jurisdiction: null });
            const next = ladder.steps[nextIndex(ladder, indexOfStep(ladder, i.step))];
            await store.updateItems(
              tx,
              [i.itemId],
              { state: "filed", nextAt: next ? at(now, next.afterHours) : null },
              now,
            );
            transitions.push({
              organisationId: a.organisationId,
              itemId: i.itemId,
              fromStep: i.step,
              toStep: i.step,
              state: "filed",
              fromPartyId: i.partyId,
              partyId: i.partyId,
              approvalId: a.id,
              requestId,
              reason: `enforcement request filed with ${a.regulator}`,
              at: now,
            });
          }
          await store.insertTransitions(tx, transitions);
          await audit.record(tx, deps.clock, systemFor(a.organisationId), {
            action: "escalation.filed",
            subject: { type: "escalation_approval", id: a.id },
            data: { requestId, regulator: a.regulator, step: a.step, partyId: a.partyId, itemIds },
          });
          r.filed += itemIds.length;
          return true;
        } catch (e) {
          deps.logger.error(
            { err: e, approvalId: a.id },
            "escalation: filing the enforcement request failed",
          );
          failedIds.push(a.id);
          throw e;
        }
      })
      .catch(() => true);
    if (!more) break;
  }
}

// --- Approving --------------------------------------------------------------------------------

export interface Decision {
  decision: "approve" | "reject";
  note?: string | undefined;
}

/** An analyst approves or rejects a regulator or police step (escalation:approve). */
export async function decideApproval(deps: Deps, by: Principal, id: string, input: Decision) {
  authorize(by, "escalation:approve");
  const now = deps.clock.now();
  const note = input.note?.trim() ? input.note.trim() : null;
  return deps.db.transaction().execute(async (tx) => {
    const a = await store.findApproval(tx, id, true);
    if (!a || a.organisationId !== by.organisationId) throw new AppError("not_found");
    if (a.status !== "pending")
      throw new AppError("conflict", { detail: `This request was already ${a.status}.` });
    const approve = input.decision === "approve";
    const items = await store.itemsOfApproval(tx, id, ["awaiting_approval"]);
    const itemIds = items.map((i) => i.itemId);
    await store.decideApproval(tx, id, {
      status: approve ? "approved" : "rejected",
      decidedAt: now,
      decidedBy: by.kind === "user" ? by.userId : null,
      note,
    });
    const state: EscalationState = approve ? "ready" : "rejected";
    await store.updateItems(tx, itemIds, { state, nextAt: approve ? null : now }, now);
    await store.insertTransitions(
      tx,
      items.map((i) => ({
        organisationId: a.organisationId,
        itemId: i.itemId,
        fromStep: i.step,
        toStep: i.step,
        state,
        fromPartyId: i.partyId,
        partyId: i.partyId,
        approvalId: id,
        reason: `${approve ? "approved" : "rejected"} by an analyst${note ? `: ${note}` : ""}`,
        at: now,
      })),
    );
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "escalation.approval_decided",
      subject: { type: "escalation_approval", id },
      ...(note ? { reason: note } : {}),
      data: { decision: input.decision, step: a.step, regulator: a.regulator, partyId: a.partyId, itemIds },
    });
    await deps.queue?.send(tickJob, {}, { tx, singletonKey: "escalation-tick" });
    return presentApproval((await store.findApproval(tx, id)) as store.Approval);
  });
}

const presentApproval = (a: store.Approval, partyName?: string | null) => ({
  id: a.id,
  step: a.step,
  regulator: a.regulator,
  party: a.partyId ? { id: a.partyId, name: partyName ?? null } : null,
  category: a.category,
  itemIds: a.itemIds,
  caseIds: a.caseIds,
  status: a.status,
  auto: a.auto,
  requestedAt: a.requestedAt.toISOString(),
  decidedAt: a.decidedAt?.toISOString() ?? null,
  note: a.note,
  filedAt: a.filedAt?.toISOString() ?? null,
  requestId: a.requestId,
});

/** The organisation's approval requests that wait for a decision, oldest first. */
export async function pendingApprovals(deps: Deps, by: Principal) {
  authorize(by, "escalation:read");
  const list = await store.pendingApprovals(deps.db, by.organisationId, 500);
  const names = await store.partyNames(
    deps.db,
    by.organisationId,
    list.flatMap((a) => (a.partyId ? [a.partyId] : [])),
  );
  const policy = policyOf(deps);
  return list.map((a) => ({
    ...presentApproval(a, a.partyId ? names.get(a.partyId) : null),
    reason: reasonOf(policy, a.category, a.step),
  }));
}

/** The legal reason of a step, as the category's default ladder gives it. */
function reasonOf(policy: LadderPolicy, category: string, stepId: string): string | null {
  for (const byCountry of [policy.ladders[category], policy.ladders.default])
    for (const steps of Object.values(byCountry ?? {})) {
      const s = steps.find((x) => x.id === stepId);
      if (s) return s.reason;
    }
  return null;
}

// --- Settings ---------------------------------------------------------------------------------

export async function escalationSettings(deps: Deps, by: Principal) {
  authorize(by, "escalation:read");
  return { autoApprove: await store.autoApproves(deps.db, by.organisationId) };
}

/** Whether regulator and police steps of this organisation go without an analyst's approval. */
export async function setEscalationSettings(deps: Deps, by: Principal, input: { autoApprove: boolean }) {
  authorize(by, "escalation:approve");
  await deps.db.transaction().execute(async (tx) => {
    await store.setAutoApprove(tx, by.organisationId, input.autoApprove);
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "escalation.settings_changed",
      subject: { type: "organisation", id: by.organisationId },
      data: { autoApprove: input.autoApprove },
    });
  });
  return { autoApprove: input.autoApprove };
}

// --- Views ------------------------------------------------------------------------------------

/** Per party: how many items were escalated away from it (for the simulation's summary). */
export function escalationCounts(db: Deps["db"], organisationId: string) {
  return store.countsByParty(db, organisationId);
}

const stepView = (s: LadderStep | undefined) =>
  s
    ? {
        id: s.id,
        kind: s.kind,
        role: s.kind === "notice" ? s.role : null,
        regulator: s.kind === "regulator" ? s.regulator : null,
        afterHours: s.afterHours,
        approval: s.kind === "regulator" ? needsApproval(s) : false,
        reason: s.reason,
      }
    : null;

/** Per item of a case: where it stands on its ladder, what happens next and when, and its history. */
export async function itemLadder(deps: Deps, by: Principal, caseId: string) {
  authorize(by, "escalation:read");
  const c = await cases.caseWithItems(deps, by.organisationId, caseId);
  if (!c) throw new AppError("not_found");
  const items = c.items.filter((i) => i.kind === "url");
  const ids = items.map((i) => i.id);
  const rows = new Map(
    (await store.rowsOf(deps.db, ids))
      .filter((x) => x.organisationId === by.organisationId)
      .map((x) => [x.itemId, x]),
  );
  const history = await store.transitionsOf(deps.db, by.organisationId, ids);
  const approvals = await store.approvalsOf(deps.db, [
    ...new Set([...rows.values()].flatMap((x) => (x.approvalId ? [x.approvalId] : []))),
  ]);
  const names = await store.partyNames(deps.db, by.organisationId, [
    ...new Set([
      ...[...rows.values()].flatMap((x) => (x.partyId ? [x.partyId] : [])),
      ...history.flatMap((h) => (h.from_step && h.party_id ? [h.party_id] : [])),
    ]),
  ]);
  const policy = policyOf(deps);
  const autoOrg = await store.autoApproves(deps.db, by.organisationId);
  return items.map((item) => {
    const row = rows.get(item.id);
    if (!row)
      return {
        itemId: item.id,
        url: item.value,
        state: "not_started" as const,
        ladder: null,
        jurisdiction: null,
        step: null,
        party: null,
        noticeId: null,
        deadlineAt: null,
        outcome: null,
        claimContradictedAt: null,
        stuckReason: null,
        nextStep: null,
        nextAt: null,
        approval: null,
        steps: [],
        history: [],
      };
    const ladder = ladderOf(policy, row);
    const index = indexOfStep(ladder, row.step);
    const terminal = store.isTerminal(row.state);
    const passed = row.outcome !== null && PASSES.has(row.outcome);
    const next = terminal
      ? undefined
      : ladder.steps[nextIndex(ladder, index, passed ? ladder.steps[index] : undefined)];
    const approval = row.approvalId ? approvals.get(row.approvalId) : undefined;
    return {
      itemId: item.id,
      url: item.value,
      state: row.state,
      ladder: ladder.key,
      jurisdiction: row.jurisdiction,
      step: stepView(ladder.steps[index]) ?? {
        id: row.step,
        kind: "notice" as const,
        role: null,
        regulator: null,
        afterHours: 0,
        approval: false,
        reason: "",
      },
      party: row.partyId ? { id: row.partyId, name: names.get(row.partyId) ?? null } : null,
      noticeId: row.noticeId,
      deadlineAt: row.deadlineAt?.toISOString() ?? null,
      outcome: row.outcome,
      claimContradictedAt: row.claimContradictedAt?.toISOString() ?? null,
      stuckReason: row.stuckReason,
      nextStep: next
        ? { ...stepView(next), approval: next.kind === "regulator" && needsApproval(next) && !autoOrg }
        : null,
      // held, awaiting approval and ready have no time: they wait for monitoring, an analyst, the filer.
      nextAt: row.nextAt?.toISOString() ?? null,
      approval: approval
        ? {
            id: approval.id,
            status: approval.status,
            regulator: approval.regulator,
            auto: approval.auto,
            requestedAt: approval.requestedAt.toISOString(),
            decidedAt: approval.decidedAt?.toISOString() ?? null,
            note: approval.note,
            filedAt: approval.filedAt?.toISOString() ?? null,
            requestId: approval.requestId,
          }
        : null,
      steps: ladder.steps.map((s) => stepView(s)),
      history: history
        .filter((h) => h.item_id === item.id)
        .map((h) => ({
          at: h.at.toISOString(),
          fromStep: h.from_step,
          toStep: h.to_step,
          state: h.state,
          party: h.party_id ? { id: h.party_id, name: h.party_name } : null,
          noticeId: h.notice_id,
          approvalId: h.approval_id,
          requestId: h.request_id,
          reason: h.reason,
        })),
    };
  });
}
