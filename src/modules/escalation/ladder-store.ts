// SQL of the escalation ladder: where each item stands (escalation_items), every move
// (escalation_transitions) and the approval requests of regulator steps (escalation_approvals).
// It reads notice_items and items (the state the ladder reacts to) but never writes them.
import { sql } from "kysely";
import type {
  EscalationApprovalStatus,
  EscalationState,
  ItemOutcome,
  ItemStatus,
  RegulatorCode,
} from "../../../migrations/schema.ts";
import type { Executor, Tx } from "../../platform/db.ts";

const toDate = (v: Date | string | null | undefined): Date | null =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(v);

export const DONE_STATUSES: ItemStatus[] = ["removed", "closed", "not_actionable"];
const TERMINAL: EscalationState[] = ["resolved", "ended"];

// --- Entering ---------------------------------------------------------------------------------

export interface EntryCandidate {
  itemId: string;
  organisationId: string;
  category: string;
  noticeId: string;
  partyId: string;
  step: string;
  deadlineAt: Date;
}

/** Items with a notice that are not on a ladder yet, with their first notice. */
export async function entryCandidates(db: Executor, limit: number): Promise<EntryCandidate[]> {
  const { rows } = await sql<{
    item_id: string;
    organisation_id: string;
    category: string;
    notice_id: string;
    party_id: string;
    step: string;
    deadline_at: Date | string;
  }>`
    select distinct on (ni.item_id) ni.item_id, n.organisation_id, n.category, ni.notice_id,
      ni.party_id, ni.step, ni.deadline_at
    from notice_items ni
    join notices n on n.id = ni.notice_id
    where not exists (select 1 from escalation_items e where e.item_id = ni.item_id)
    order by ni.item_id, n.created_at, ni.notice_id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({
    itemId: r.item_id,
    organisationId: r.organisation_id,
    category: r.category,
    noticeId: r.notice_id,
    partyId: r.party_id,
    step: r.step,
    deadlineAt: toDate(r.deadline_at) as Date,
  }));
}

export interface NewEntry {
  itemId: string;
  organisationId: string;
  category: string;
  jurisdiction: string | null;
  ladder: string;
  step: string;
  partyId: string;
  noticeId: string;
  deadlineAt: Date;
  nextAt: Date | null;
  at: Date;
}

/** Puts items on their ladder; returns the ids actually inserted (another tick may have won). */
export async function insertEntries(tx: Tx, entries: NewEntry[]): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const rows = await tx
    .insertInto("escalation_items")
    .values(
      entries.map((e) => ({
        item_id: e.itemId,
        organisation_id: e.organisationId,
        category: e.category,
        jurisdiction: e.jurisdiction,
        ladder: e.ladder,
        step: e.step,
        state: "waiting" as const,
        party_id: e.partyId,
        notice_id: e.noticeId,
        deadline_at: e.deadlineAt,
        next_at: e.nextAt,
        entered_at: e.at,
        updated_at: e.at,
      })),
    )
    .onConflict((oc) => oc.column("item_id").doNothing())
    .returning("item_id")
    .execute();
  return new Set(rows.map((r) => r.item_id));
}

// --- Claiming and reading ---------------------------------------------------------------------

/**
 * Claims up to `limit` items the engine must look at now: due (next_at passed), verifiably done,
 * answered with a refusal or a claim while waiting, or held on a claim that a check contradicted.
 * Rows another tick holds (a lease, or a row lock: SKIP LOCKED) are left alone.
 */
export async function claimDue(db: Executor, now: Date, leaseUntil: Date, limit: number): Promise<string[]> {
  const { rows } = await sql<{ item_id: string }>`
    update escalation_items set lease_until = ${leaseUntil}
    where item_id in (
      select e.item_id
      from escalation_items e
      join items i on i.id = e.item_id
      left join notice_items ni on ni.notice_id = e.notice_id and ni.item_id = e.item_id
      where e.state not in ('resolved', 'ended')
        and (e.lease_until is null or e.lease_until <= ${now})
        and (
          (e.next_at is not null and e.next_at <= ${now})
          or i.removed_at is not null
          or i.status in ('removed', 'closed', 'not_actionable')
          or (e.state = 'waiting' and ni.outcome in ('refused', 'not_responsible'))
          or (e.state = 'waiting' and ni.outcome is not null and ni.claim_contradicted_at is null)
          or (e.state = 'held' and ni.claim_contradicted_at is not null)
        )
      order by e.next_at nulls first
      limit ${limit}
      for update of e skip locked
    )
    returning item_id`.execute(db);
  return rows.map((r) => r.item_id);
}

export interface LadderRow {
  itemId: string;
  organisationId: string;
  category: string;
  jurisdiction: string | null;
  ladder: string;
  step: string;
  state: EscalationState;
  partyId: string | null;
  noticeId: string | null;
  approvalId: string | null;
  deadlineAt: Date | null;
  nextAt: Date | null;
  stuckReason: string | null;
  enteredAt: Date;
  updatedAt: Date;
  /** The item: its URL and whether it is verifiably done. */
  value: string;
  itemStatus: ItemStatus;
  removedAt: Date | null;
  /** What the current step's party said about the item. */
  outcome: ItemOutcome | null;
  outcomeAt: Date | null;
  claimContradictedAt: Date | null;
}

export async function rowsOf(db: Executor, itemIds: string[]): Promise<LadderRow[]> {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("escalation_items as e")
    .innerJoin("items as i", "i.id", "e.item_id")
    .leftJoin("notice_items as ni", (j) =>
      j.onRef("ni.notice_id", "=", "e.notice_id").onRef("ni.item_id", "=", "e.item_id"),
    )
    .select([
      "e.item_id",
      "e.organisation_id",
      "e.category",
      "e.jurisdiction",
      "e.ladder",
      "e.step",
      "e.state",
      "e.party_id",
      "e.notice_id",
      "e.approval_id",
      "e.deadline_at",
      "e.next_at",
      "e.stuck_reason",
      "e.entered_at",
      "e.updated_at",
      "i.value",
      "i.status as item_status",
      "i.removed_at",
      "ni.outcome",
      "ni.outcome_at",
      "ni.claim_contradicted_at",
    ])
    .where("e.item_id", "in", itemIds)
    .execute();
  return rows.map((r) => ({
    itemId: r.item_id,
    organisationId: r.organisation_id,
    category: r.category,
    jurisdiction: r.jurisdiction,
    ladder: r.ladder,
    step: r.step,
    state: r.state,
    partyId: r.party_id,
    noticeId: r.notice_id,
    approvalId: r.approval_id,
    deadlineAt: toDate(r.deadline_at),
    nextAt: toDate(r.next_at),
    stuckReason: r.stuck_reason,
    enteredAt: toDate(r.entered_at) as Date,
    updatedAt: toDate(r.updated_at) as Date,
    value: r.value,
    itemStatus: r.item_status,
    removedAt: toDate(r.removed_at),
    outcome: r.outcome,
    outcomeAt: toDate(r.outcome_at),
    claimContradictedAt: toDate(r.claim_contradicted_at),
  }));
}

/** Lets go of claimed rows that were not moved (their lease would otherwise hide them a while). */
export async function release(db: Executor, itemIds: string[]): Promise<void> {
  if (itemIds.length === 0) return;
  await db
    .updateTable("escalation_items")
    .set({ lease_until: null })
    .where("item_id", "in", itemIds)
    .execute();
}

// --- Moving -----------------------------------------------------------------------------------

export interface ItemChange {
  step?: string;
  state: EscalationState;
  partyId?: string | null;
  noticeId?: string | null;
  approvalId?: string | null;
  deadlineAt?: Date | null;
  nextAt: Date | null;
  stuckReason?: string | null;
}

/** Moves items (and lets go of their lease). */
export async function updateItems(tx: Tx, itemIds: string[], change: ItemChange, at: Date): Promise<void> {
  if (itemIds.length === 0) return;
  await tx
    .updateTable("escalation_items")
    .set({
      ...(change.step !== undefined ? { step: change.step } : {}),
      state: change.state,
      ...(change.partyId !== undefined ? { party_id: change.partyId } : {}),
      ...(change.noticeId !== undefined ? { notice_id: change.noticeId } : {}),
      ...(change.approvalId !== undefined ? { approval_id: change.approvalId } : {}),
      ...(change.deadlineAt !== undefined ? { deadline_at: change.deadlineAt } : {}),
      ...(change.stuckReason !== undefined ? { stuck_reason: change.stuckReason } : {}),
      next_at: change.nextAt,
      lease_until: null,
      updated_at: at,
    })
    .where("item_id", "in", itemIds)
    .execute();
}

export interface Transition {
  organisationId: string;
  itemId: string;
  fromStep: string | null;
  toStep: string;
  state: EscalationState;
  fromPartyId: string | null;
  partyId: string | null;
  noticeId?: string | null;
  approvalId?: string | null;
  requestId?: string | null;
  reason: string;
  at: Date;
}

export async function insertTransitions(tx: Tx, rows: Transition[]): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto("escalation_transitions")
    .values(
      rows.map((t) => ({
        organisation_id: t.organisationId,
        item_id: t.itemId,
        from_step: t.fromStep,
        to_step: t.toStep,
        state: t.state,
        from_party_id: t.fromPartyId,
        party_id: t.partyId,
        notice_id: t.noticeId ?? null,
        approval_id: t.approvalId ?? null,
        request_id: t.requestId ?? null,
        reason: t.reason.slice(0, 2000),
        at: t.at,
      })),
    )
    .execute();
}

/** The notice items that already exist for these items at `step` (of any party). */
export async function noticedAt(
  db: Executor,
  itemIds: string[],
  step: string,
): Promise<Map<string, { noticeId: string; partyId: string; deadlineAt: Date }>> {
  if (itemIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("notice_items")
    .innerJoin("notices", "notices.id", "notice_items.notice_id")
    .select([
      "notice_items.item_id",
      "notice_items.notice_id",
      "notice_items.party_id",
      "notice_items.deadline_at",
    ])
    .where("notice_items.item_id", "in", itemIds)
    .where("notice_items.step", "=", step)
    .orderBy("notices.created_at")
    .execute();
  const out = new Map<string, { noticeId: string; partyId: string; deadlineAt: Date }>();
  for (const r of rows)
    if (!out.has(r.item_id))
      out.set(r.item_id, {
        noticeId: r.notice_id,
        partyId: r.party_id,
        deadlineAt: toDate(r.deadline_at) as Date,
      });
  return out;
}

export type CsamClassification = "baseline" | "A1" | "A2" | "B1" | "B2";
const CLASSIFICATIONS = new Set(["baseline", "A1", "A2", "B1", "B2"]);

/**
 * The X-ARF classification an analyst gave each item's earliest notice about child sexual abuse
 * material: a later notice about the same item carries the same.
 */
export async function csamClassifications(
  db: Executor,
  itemIds: string[],
): Promise<Map<string, CsamClassification>> {
  if (itemIds.length === 0) return new Map();
  const { rows } = await sql<{ item_id: string; classification: string | null }>`
    select distinct on (ni.item_id) ni.item_id, r.report->>'classification' as classification
    from notice_items ni
    join notices n on n.id = ni.notice_id
    cross join lateral jsonb_array_elements(coalesce(n.attachment->'reports', '[]'::jsonb)) as r(report)
    where ni.item_id in (${sql.join(itemIds)})
      and n.attachment_kind = 'xarf'
      and r.report ? 'classification'
    order by ni.item_id, n.created_at`.execute(db);
  const out = new Map<string, CsamClassification>();
  for (const r of rows)
    if (r.classification && CLASSIFICATIONS.has(r.classification))
      out.set(r.item_id, r.classification as CsamClassification);
  return out;
}

/** The cases that hold these items. */
export async function caseIdsOf(db: Executor, itemIds: string[]): Promise<string[]> {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("case_items")
    .select("case_id")
    .distinct()
    .where("item_id", "in", itemIds)
    .orderBy("case_id")
    .execute();
  return rows.map((r) => r.case_id);
}

// --- Approvals --------------------------------------------------------------------------------

export interface Approval {
  id: string;
  organisationId: string;
  step: string;
  regulator: RegulatorCode;
  partyId: string | null;
  category: string;
  itemIds: string[];
  caseIds: string[];
  status: EscalationApprovalStatus;
  auto: boolean;
  requestedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  note: string | null;
  filedAt: Date | null;
  requestId: string | null;
}

type ApprovalRow = {
  id: string;
  organisation_id: string;
  step: string;
  regulator: RegulatorCode;
  party_id: string | null;
  category: string;
  item_ids: string[] | string;
  case_ids: string[] | string;
  status: EscalationApprovalStatus;
  auto: boolean;
  requested_at: Date | string;
  decided_at: Date | string | null;
  decided_by: string | null;
  note: string | null;
  filed_at: Date | string | null;
  request_id: string | null;
};

// PGlite and pg both parse uuid[]; the text form is kept as a fallback for raw queries.
const uuidArray = (v: string[] | string): string[] =>
  Array.isArray(v)
    ? v
    : v
        .replace(/^\{|\}$/g, "")
        .split(",")
        .filter(Boolean);

const toApproval = (r: ApprovalRow): Approval => ({
  id: r.id,
  organisationId: r.organisation_id,
  step: r.step,
  regulator: r.regulator,
  partyId: r.party_id,
  category: r.category,
  itemIds: uuidArray(r.item_ids),
  caseIds: uuidArray(r.case_ids),
  status: r.status,
  auto: r.auto,
  requestedAt: toDate(r.requested_at) as Date,
  decidedAt: toDate(r.decided_at),
  decidedBy: r.decided_by,
  note: r.note,
  filedAt: toDate(r.filed_at),
  requestId: r.request_id,
});

/** The pending approval of a step and party that new items join (locked), if any. */
export async function openApproval(
  tx: Tx,
  organisationId: string,
  step: string,
  partyId: string | null,
  category: string,
): Promise<Approval | undefined> {
  let q = tx
    .selectFrom("escalation_approvals")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .where("step", "=", step)
    .where("category", "=", category)
    .where("status", "=", "pending");
  q = partyId ? q.where("party_id", "=", partyId) : q.where("party_id", "is", null);
  const r = await q.orderBy("requested_at").limit(1).forUpdate().executeTakeFirst();
  return r ? toApproval(r) : undefined;
}

export interface NewApproval {
  organisationId: string;
  step: string;
  regulator: RegulatorCode;
  partyId: string | null;
  category: string;
  itemIds: string[];
  caseIds: string[];
  auto: boolean;
  at: Date;
  note: string | null;
}

export async function insertApproval(tx: Tx, a: NewApproval): Promise<string> {
  const r = await tx
    .insertInto("escalation_approvals")
    .values({
      organisation_id: a.organisationId,
      step: a.step,
      regulator: a.regulator,
      party_id: a.partyId,
      category: a.category,
      item_ids: a.itemIds,
      case_ids: a.caseIds,
      status: a.auto ? "approved" : "pending",
      auto: a.auto,
      requested_at: a.at,
      decided_at: a.auto ? a.at : null,
      note: a.note,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function extendApproval(
  tx: Tx,
  id: string,
  itemIds: string[],
  caseIds: string[],
): Promise<void> {
  await tx
    .updateTable("escalation_approvals")
    .set({ item_ids: itemIds, case_ids: caseIds })
    .where("id", "=", id)
    .execute();
}

export async function findApproval(
  db: Executor,
  id: string,
  forUpdate = false,
): Promise<Approval | undefined> {
  let q = db.selectFrom("escalation_approvals").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? toApproval(r) : undefined;
}

export async function approvalsOf(db: Executor, ids: string[]): Promise<Map<string, Approval>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("escalation_approvals").selectAll().where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, toApproval(r)]));
}

export async function pendingApprovals(
  db: Executor,
  organisationId: string,
  limit: number,
): Promise<Approval[]> {
  const rows = await db
    .selectFrom("escalation_approvals")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .where("status", "=", "pending")
    .orderBy("requested_at")
    .limit(limit)
    .execute();
  return rows.map(toApproval);
}

export async function decideApproval(
  tx: Tx,
  id: string,
  set: { status: EscalationApprovalStatus; decidedAt: Date; decidedBy: string | null; note: string | null },
): Promise<void> {
  await tx
    .updateTable("escalation_approvals")
    .set({ status: set.status, decided_at: set.decidedAt, decided_by: set.decidedBy, note: set.note })
    .where("id", "=", id)
    .execute();
}

/** One approved, unfiled approval, locked; another tick skips it. */
export async function claimUnfiled(tx: Tx, exclude: string[]): Promise<Approval | undefined> {
  let q = tx
    .selectFrom("escalation_approvals")
    .selectAll()
    .where("status", "=", "approved")
    .where("filed_at", "is", null);
  if (exclude.length) q = q.where("id", "not in", exclude);
  const r = await q.orderBy("requested_at").limit(1).forUpdate().skipLocked().executeTakeFirst();
  return r ? toApproval(r) : undefined;
}

export async function markFiled(tx: Tx, id: string, requestId: string, at: Date): Promise<void> {
  await tx
    .updateTable("escalation_approvals")
    .set({ filed_at: at, request_id: requestId })
    .where("id", "=", id)
    .execute();
}

/** Pending approvals whose every item is done (removed before anyone decided). */
export async function mootApprovals(db: Executor, limit: number): Promise<Approval[]> {
  const rows = await db
    .selectFrom("escalation_approvals as a")
    .selectAll("a")
    .where("a.status", "in", ["pending", "approved"])
    .where("a.filed_at", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("escalation_items as e")
            .select("e.item_id")
            .whereRef("e.approval_id", "=", "a.id")
            .where("e.state", "in", ["awaiting_approval", "ready"]),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map(toApproval);
}

export async function itemsOfApproval(db: Executor, approvalId: string, states: EscalationState[]) {
  const rows = await db
    .selectFrom("escalation_items")
    .select(["item_id", "ladder", "step", "party_id", "organisation_id"])
    .where("approval_id", "=", approvalId)
    .where("state", "in", states)
    .orderBy("item_id")
    .execute();
  return rows.map((r) => ({ itemId: r.item_id, ladder: r.ladder, step: r.step, partyId: r.party_id }));
}

// --- Settings ---------------------------------------------------------------------------------

export async function autoApproves(db: Executor, organisationId: string): Promise<boolean> {
  const r = await db
    .selectFrom("organisations")
    .select("escalation_auto_approve")
    .where("id", "=", organisationId)
    .executeTakeFirst();
  return r?.escalation_auto_approve ?? false;
}

export async function setAutoApprove(tx: Tx, organisationId: string, on: boolean): Promise<void> {
  await tx
    .updateTable("organisations")
    .set({ escalation_auto_approve: on })
    .where("id", "=", organisationId)
    .execute();
}

// --- Views ------------------------------------------------------------------------------------

export async function transitionsOf(db: Executor, organisationId: string, itemIds: string[]) {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("escalation_transitions as t")
    .leftJoin("parties as p", "p.id", "t.party_id")
    .select([
      "t.id",
      "t.item_id",
      "t.from_step",
      "t.to_step",
      "t.state",
      "t.party_id",
      "p.name as party_name",
      "t.notice_id",
      "t.approval_id",
      "t.request_id",
      "t.reason",
      "t.at",
    ])
    .where("t.organisation_id", "=", organisationId)
    .where("t.item_id", "in", itemIds)
    .orderBy("t.seq")
    .execute();
  return rows.map((r) => ({ ...r, at: toDate(r.at) as Date }));
}

export async function partyNames(
  db: Executor,
  organisationId: string,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("parties")
    .select(["id", "name"])
    .where("organisation_id", "=", organisationId)
    .where("id", "in", ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Per party: how many distinct items were escalated away from it (to another party or an authority). */
export async function countsByParty(db: Executor, organisationId: string) {
  const rows = await db
    .selectFrom("escalation_transitions as t")
    .innerJoin("parties as p", "p.id", "t.from_party_id")
    .select(["t.from_party_id as party_id", "p.name"])
    .select(sql<number>`count(distinct t.item_id)::int`.as("items"))
    .where("t.organisation_id", "=", organisationId)
    .where("t.state", "not in", ["stuck", "resolved", "ended", "held", "rejected"])
    .where(sql<boolean>`t.party_id is distinct from t.from_party_id`)
    .groupBy(["t.from_party_id", "p.name"])
    .orderBy("items", "desc")
    .execute();
  return rows.map((r) => ({ partyId: r.party_id as string, partyName: r.name, items: Number(r.items) }));
}

export const isTerminal = (s: EscalationState): boolean => TERMINAL.includes(s);
