// SQL of the audit log. Appends take a transaction-scoped advisory lock so that events are
// chained one after another, with a gap-free sequence, whatever the number of writers.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Executor, Tx } from "../../platform/db.ts";
import { type ChainedFields, eventHash, GENESIS_HASH } from "./chain.ts";

const APPEND_LOCK = 7_270_412_002;

export interface AuditEvent extends ChainedFields {
  hash: string;
}

export type NewAuditEvent = Omit<ChainedFields, "seq" | "id" | "prevHash">;

export async function append(tx: Tx, e: NewAuditEvent): Promise<AuditEvent> {
  await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(tx);
  const last = await tx
    .selectFrom("audit_events")
    .select(["seq", "hash"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const fields: ChainedFields = {
    ...e,
    seq: (last?.seq ?? 0) + 1,
    id: randomUUID(),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = eventHash(fields);
  await tx
    .insertInto("audit_events")
    .values({
      seq: fields.seq,
      id: fields.id,
      occurred_at: fields.occurredAt,
      actor_type: fields.actorType as "user",
      actor_id: fields.actorId,
      organisation_id: fields.organisationId,
      action: fields.action,
      subject_type: fields.subjectType,
      subject_id: fields.subjectId,
      reason: fields.reason,
      data: JSON.stringify(fields.data ?? {}),
      prev_hash: fields.prevHash,
      hash,
    })
    .execute();
  return { ...fields, hash };
}

type Row = {
  seq: number;
  id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  organisation_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  reason: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
};

const toEvent = (r: Row): AuditEvent => ({
  seq: r.seq,
  id: r.id,
  occurredAt: r.occurred_at.toISOString(),
  actorType: r.actor_type,
  actorId: r.actor_id,
  organisationId: r.organisation_id,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  reason: r.reason,
  data: typeof r.data === "string" ? JSON.parse(r.data) : r.data,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** Events after `afterSeq` in order, `limit` at a time: the chain walk reads in pages. */
export async function page(db: Executor, afterSeq: number, limit: number): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom("audit_events")
    .selectAll()
    .where("seq", ">", afterSeq)
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((r) => toEvent(r as Row));
}

export async function forSubjects(
  db: Executor,
  organisationId: string,
  subjects: { type: string; id: string }[],
  limit: number,
): Promise<AuditEvent[]> {
  if (subjects.length === 0) return [];
  const rows = await db
    .selectFrom("audit_events")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .where((eb) =>
      eb.or(subjects.map((s) => eb.and([eb("subject_type", "=", s.type), eb("subject_id", "=", s.id)]))),
    )
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((r) => toEvent(r as Row));
}

export interface ListFilter {
  organisationId: string;
  beforeSeq?: number | undefined;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  limit: number;
}

export async function list(db: Executor, f: ListFilter): Promise<AuditEvent[]> {
  let q = db.selectFrom("audit_events").selectAll().where("organisation_id", "=", f.organisationId);
  if (f.beforeSeq !== undefined) q = q.where("seq", "<", f.beforeSeq);
  if (f.subjectType) q = q.where("subject_type", "=", f.subjectType);
  if (f.subjectId) q = q.where("subject_id", "=", f.subjectId);
  const rows = await q.orderBy("seq", "desc").limit(f.limit).execute();
  return rows.map((r) => toEvent(r as Row));
}
