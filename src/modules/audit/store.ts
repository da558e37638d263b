// SQL of the audit log. Events are chained one after another, with a gap-free sequence, whatever
// the number of writers: the database does it at commit, under a transaction-scoped advisory lock.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Executor, Tx } from "../../platform/db.ts";
import { type ChainedFields, eventBody } from "./chain.ts";

export interface AuditEvent extends ChainedFields {
  hash: string;
  hashVersion: number;
}

export type NewAuditEvent = Omit<ChainedFields, "seq" | "id" | "prevHash">;

/**
 * Writes one event to `audit_pending` in the caller's transaction. The database chains it into
 * `audit_events` when that transaction commits (migration 0007): the chain lock is held for the
 * commit only, never across a round trip to the application. Its seq and hash exist from then on.
 */
export async function append(tx: Tx, e: NewAuditEvent): Promise<{ id: string }> {
  const id = randomUUID();
  const body = eventBody({ ...e, id });
  await sql`
    insert into audit_pending (
      id, occurred_at, actor_type, actor_id, organisation_id, action, subject_type, subject_id,
      reason, data, body
    ) values (
      ${id}, ${e.occurredAt}, ${e.actorType}, ${e.actorId}, ${e.organisationId}, ${e.action},
      ${e.subjectType}, ${e.subjectId}, ${e.reason}, ${JSON.stringify(e.data ?? {})}::jsonb, ${body}
    )`.execute(tx);
  return { id };
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
  hash_version: number;
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
  hashVersion: Number(r.hash_version ?? 1),
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
