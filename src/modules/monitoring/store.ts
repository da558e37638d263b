// SQL of monitoring: the schedule (one row per monitored item), the checks, and the two columns
// that migration 0008 added to notice_items for contradicted claims (this module owns them; the
// notices module owns the rest of that table). Items, cases and parties are only read here.
import { sql } from "kysely";
import type { CheckVerdict } from "../../../migrations/schema.ts";
import type { Executor, Tx } from "../../platform/db.ts";

export type EndReason = "removed" | "closed" | "expired" | "not_checkable";

export interface Schedule {
  itemId: string;
  organisationId: string;
  host: string;
  startedAt: Date;
  nextCheckAt: Date;
  checks: number;
  consecutiveErrors: number;
  leaseUntil: Date | null;
  endedAt: Date | null;
  endReason: EndReason | null;
  extraChecks: number;
}

/** A due row claimed by a worker, with what the check needs to know about its item. */
export interface Claimed extends Schedule {
  url: string;
  kind: string;
  removedAt: Date | null;
  openCases: number;
  /** Content hash of the first check that saw the item online (a baseline without a capture). */
  firstOnlineSha256: string | null;
}

const d = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string));
const dn = (v: unknown): Date | null => (v === null || v === undefined ? null : d(v));

function toSchedule(r: Record<string, unknown>): Schedule {
  return {
    itemId: r.item_id as string,
    organisationId: r.organisation_id as string,
    host: r.host as string,
    startedAt: d(r.started_at),
    nextCheckAt: d(r.next_check_at),
    checks: Number(r.checks),
    consecutiveErrors: Number(r.consecutive_errors),
    leaseUntil: dn(r.lease_until),
    endedAt: dn(r.ended_at),
    endReason: (r.end_reason as EndReason | null) ?? null,
    extraChecks: Number(r.extra_checks),
  };
}

/** Puts items on the schedule; an item already on it keeps its row. Returns the ids added. */
export async function insertSchedules(
  db: Executor,
  rows: { itemId: string; organisationId: string; host: string; startedAt: Date; nextCheckAt: Date }[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  const r = await db
    .insertInto("monitor_schedule")
    .values(
      rows.map((x) => ({
        item_id: x.itemId,
        organisation_id: x.organisationId,
        host: x.host,
        started_at: x.startedAt,
        next_check_at: x.nextCheckAt,
      })),
    )
    .onConflict((oc) => oc.column("item_id").doNothing())
    .returning("item_id")
    .execute();
  return r.map((x) => x.item_id);
}

/**
 * Brings the next check forward to `at` at the latest. A schedule that ended (other than by a
 * verified removal) owes one more check. Returns the ids changed.
 */
export async function bringForward(
  db: Executor,
  organisationId: string,
  itemIds: string[],
  at: Date,
): Promise<string[]> {
  if (itemIds.length === 0) return [];
  const r = await db
    .updateTable("monitor_schedule")
    .set((eb) => ({
      next_check_at: sql<Date>`least(${eb.ref("next_check_at")}, ${at}::timestamptz)`,
      extra_checks: sql<number>`case when ended_at is not null and end_reason <> 'removed' then greatest(extra_checks, 1) else extra_checks end`,
    }))
    .where("organisation_id", "=", organisationId)
    .where("item_id", "in", itemIds)
    .where((eb) => eb.or([eb("ended_at", "is", null), eb("end_reason", "!=", "removed")]))
    .returning("item_id")
    .execute();
  return r.map((x) => x.item_id);
}

/** An analyst's "check now": due at `at`, and owed even if the schedule ended. */
export async function requestCheck(
  db: Executor,
  organisationId: string,
  itemId: string,
  at: Date,
): Promise<Schedule | undefined> {
  const r = await db
    .updateTable("monitor_schedule")
    .set({ next_check_at: at, extra_checks: sql<number>`greatest(extra_checks, 1)` })
    .where("organisation_id", "=", organisationId)
    .where("item_id", "=", itemId)
    .returningAll()
    .executeTakeFirst();
  return r ? toSchedule(r as unknown as Record<string, unknown>) : undefined;
}

/**
 * Claims up to `batch` due rows for one worker: locked with SKIP LOCKED (so two workers never take
 * the same row) and leased until `leaseUntil` (so a worker that dies leaves them to be retried).
 * At most `perHost` rows of one host per claim, so one large host does not fill a batch.
 */
export async function claimDue(
  db: Executor,
  now: Date,
  leaseUntil: Date,
  batch: number,
  perHost: number,
): Promise<Claimed[]> {
  const { rows } = await sql<Record<string, unknown>>`
    with candidates as (
      select item_id, host, next_check_at from monitor_schedule
      where next_check_at <= ${now}::timestamptz
        and (ended_at is null or extra_checks > 0)
        and (lease_until is null or lease_until <= ${now}::timestamptz)
      order by next_check_at
      limit ${batch * 4}
      for update skip locked
    ), ranked as (
      select item_id, next_check_at,
        row_number() over (partition by host order by next_check_at) as n
      from candidates
    ), chosen as (
      -- Round robin over hosts: every host's first row, then every host's second, …
      select item_id from ranked where n <= ${perHost} order by n, next_check_at limit ${batch}
    )
    update monitor_schedule s set lease_until = ${leaseUntil}::timestamptz
    from chosen, items i
    where s.item_id = chosen.item_id and i.id = s.item_id
    returning s.*, i.value as url, i.kind, i.removed_at,
      (select count(*) from case_items ci join cases c on c.id = ci.case_id
        where ci.item_id = s.item_id and c.status <> 'closed')::int as open_cases,
      (select k.content_sha256 from item_checks k
        where k.item_id = s.item_id and k.verdict = 'online' and k.content_sha256 is not null
        order by k.checked_at limit 1) as first_online_sha256`.execute(db);
  return rows.map((r) => ({
    ...toSchedule(r),
    url: r.url as string,
    kind: r.kind as string,
    removedAt: dn(r.removed_at),
    openCases: Number(r.open_cases),
    firstOnlineSha256: (r.first_online_sha256 as string | null) ?? null,
  }));
}

export interface ScheduleUpdate {
  itemId: string;
  startedAt: Date;
  nextCheckAt: Date;
  /** 1 when this round made a check, 0 when it only ended the schedule. */
  checked: 0 | 1;
  consecutiveErrors: number;
  endedAt: Date | null;
  endReason: EndReason | null;
  extraChecks: number;
}

/**
 * Writes the new state of rows this worker still holds (its lease unchanged) and releases them;
 * returns the ids written. A row whose lease ran out and went to another worker is left alone,
 * and its check is not recorded twice.
 */
export async function applyUpdates(
  tx: Tx,
  leaseUntil: Date,
  updates: ScheduleUpdate[],
): Promise<Set<string>> {
  if (updates.length === 0) return new Set();
  const json = JSON.stringify(
    updates.map((u) => ({
      item_id: u.itemId,
      started_at: u.startedAt.toISOString(),
      next_check_at: u.nextCheckAt.toISOString(),
      checked: u.checked,
      consecutive_errors: u.consecutiveErrors,
      ended_at: u.endedAt?.toISOString() ?? null,
      end_reason: u.endReason,
      extra_checks: u.extraChecks,
    })),
  );
  const { rows } = await sql<{ item_id: string }>`
    update monitor_schedule s set
      started_at = v.started_at,
      next_check_at = v.next_check_at,
      checks = s.checks + v.checked,
      consecutive_errors = v.consecutive_errors,
      ended_at = v.ended_at,
      end_reason = v.end_reason,
      extra_checks = v.extra_checks,
      lease_until = null
    from jsonb_to_recordset(${json}::jsonb) as v(
      item_id uuid, started_at timestamptz, next_check_at timestamptz, checked int,
      consecutive_errors int, ended_at timestamptz, end_reason text, extra_checks int)
    where s.item_id = v.item_id and s.lease_until = ${leaseUntil}::timestamptz
    returning s.item_id`.execute(tx);
  return new Set(rows.map((r) => r.item_id));
}

export interface NewCheck {
  id: string;
  organisationId: string;
  itemId: string;
  checkedAt: Date;
  verdict: CheckVerdict;
  reason: string;
  httpStatus: number | null;
  finalUrl: string | null;
  contentSha256: string | null;
  contentBytes: number | null;
  pdqDistance: number | null;
  durationMs: number | null;
  error: string | null;
  fetcher: string;
  recordSha256: string;
}

export async function insertChecks(tx: Tx, checks: NewCheck[]): Promise<void> {
  if (checks.length === 0) return;
  await tx
    .insertInto("item_checks")
    .values(
      checks.map((c) => ({
        id: c.id,
        organisation_id: c.organisationId,
        item_id: c.itemId,
        checked_at: c.checkedAt,
        verdict: c.verdict,
        reason: c.reason,
        http_status: c.httpStatus,
        final_url: c.finalUrl,
        content_sha256: c.contentSha256,
        content_bytes: c.contentBytes,
        pdq_distance: c.pdqDistance,
        duration_ms: c.durationMs,
        error: c.error,
        fetcher: c.fetcher,
        record_sha256: c.recordSha256,
      })),
    )
    .execute();
}

/**
 * Flags the parties' claims of removal that these checks contradict: the item still online at
 * least `graceMs` after the claim. Each claim is flagged once. Returns what was flagged.
 */
export async function contradictClaims(
  tx: Tx,
  checks: { itemId: string; checkId: string; at: Date }[],
  graceMs: number,
): Promise<
  {
    noticeId: string;
    itemId: string;
    partyId: string;
    outcome: string;
    outcomeAt: Date;
    checkId: string;
    at: Date;
  }[]
> {
  if (checks.length === 0) return [];
  const json = JSON.stringify(
    checks.map((c) => ({
      item_id: c.itemId,
      check_id: c.checkId,
      at: c.at.toISOString(),
      before: new Date(c.at.getTime() - graceMs).toISOString(),
    })),
  );
  const { rows } = await sql<Record<string, unknown>>`
    update notice_items ni set claim_contradicted_at = v.at, contradicting_check_id = v.check_id
    from jsonb_to_recordset(${json}::jsonb) as v(item_id uuid, check_id uuid, at timestamptz, before timestamptz)
    where ni.item_id = v.item_id
      and ni.outcome in ('removed', 'disabled')
      and ni.outcome_at <= v.before
      and ni.claim_contradicted_at is null
    returning ni.notice_id, ni.item_id, ni.party_id, ni.outcome, ni.outcome_at, v.check_id, v.at`.execute(tx);
  return rows.map((r) => ({
    noticeId: r.notice_id as string,
    itemId: r.item_id as string,
    partyId: r.party_id as string,
    outcome: r.outcome as string,
    outcomeAt: d(r.outcome_at),
    checkId: r.check_id as string,
    at: d(r.at),
  }));
}

// --- Reading ----------------------------------------------------------------------------------

export async function schedulesOf(
  db: Executor,
  organisationId: string,
  itemIds: string[],
): Promise<Schedule[]> {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("monitor_schedule")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .where("item_id", "in", itemIds)
    .execute();
  return rows.map((r) => toSchedule(r as unknown as Record<string, unknown>));
}

export interface Check {
  id: string;
  itemId: string;
  checkedAt: Date;
  verdict: CheckVerdict;
  reason: string;
  httpStatus: number | null;
  finalUrl: string | null;
  contentSha256: string | null;
  contentBytes: number | null;
  pdqDistance: number | null;
  durationMs: number | null;
  error: string | null;
  fetcher: string;
  recordSha256: string;
}

/** Every check of these items, oldest first (a few dozen per item over a schedule). */
export async function checksOf(db: Executor, organisationId: string, itemIds: string[]): Promise<Check[]> {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("item_checks")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .where("item_id", "in", itemIds)
    .orderBy("checked_at")
    .orderBy("id")
    .limit(20_000)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    itemId: r.item_id,
    checkedAt: d(r.checked_at),
    verdict: r.verdict,
    reason: r.reason,
    httpStatus: r.http_status,
    finalUrl: r.final_url,
    contentSha256: r.content_sha256,
    contentBytes: r.content_bytes === null ? null : Number(r.content_bytes),
    pdqDistance: r.pdq_distance,
    durationMs: r.duration_ms,
    error: r.error,
    fetcher: r.fetcher,
    recordSha256: r.record_sha256,
  }));
}

/** Monitoring's facts about items: verified removal and fast track (items are read only). */
export async function itemFacts(db: Executor, organisationId: string, itemIds: string[]) {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("items")
    .select(["id", "removed_at", "removal_check_id", "fast_tracked_at"])
    .where("organisation_id", "=", organisationId)
    .where("id", "in", itemIds)
    .execute();
  return rows.map((r) => ({
    itemId: r.id,
    removedAt: dn(r.removed_at),
    removalCheckId: r.removal_check_id,
    fastTrackedAt: dn(r.fast_tracked_at),
  }));
}

/** The parties' claims of removal about these items, and whether a check contradicted them. */
export async function claimsOf(db: Executor, organisationId: string, itemIds: string[]) {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("notice_items")
    .innerJoin("notices", "notices.id", "notice_items.notice_id")
    .innerJoin("parties", "parties.id", "notice_items.party_id")
    .select([
      "notice_items.notice_id",
      "notice_items.item_id",
      "notice_items.outcome",
      "notice_items.outcome_at",
      "notice_items.claim_contradicted_at",
      "notice_items.contradicting_check_id",
      "parties.name as party_name",
    ])
    .where("notices.organisation_id", "=", organisationId)
    .where("notice_items.item_id", "in", itemIds)
    .where("notice_items.outcome", "in", ["removed", "disabled"])
    .orderBy("notice_items.outcome_at")
    .execute();
  return rows.map((r) => ({
    noticeId: r.notice_id,
    itemId: r.item_id,
    outcome: r.outcome as "removed" | "disabled",
    claimedAt: dn(r.outcome_at),
    contradictedAt: dn(r.claim_contradicted_at),
    contradictingCheckId: r.contradicting_check_id,
    party: r.party_name,
  }));
}
