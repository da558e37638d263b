// The audit log: every state change writes an event in the same transaction as the change;
// `verify` walks the chain and names the first event that does not hold.

import { randomUUID } from "node:crypto";
import type { Clock } from "../../platform/clock.ts";
import type { Executor, Tx } from "../../platform/db.ts";
import { eventBodyAround, eventHash, GENESIS_HASH } from "./chain.ts";
import * as store from "./store.ts";

/** Sorted-key JSON, for other modules' records that are hashed (monitoring checks). */
export { canonicalJson } from "./chain.ts";
export type { AuditEvent } from "./store.ts";

/** Who did something. `public` is an anonymous person (a reporter); `system` is Vangrail itself. */
export interface Actor {
  type: "user" | "token" | "system" | "public";
  id: string | null;
  organisationId: string | null;
}

export const systemActor: Actor = { type: "system", id: null, organisationId: null };

export interface AuditEntry {
  action: string;
  subject?: { type: string; id: string };
  reason?: string;
  data?: Record<string, unknown>;
  /** Defaults to the actor's organisation. */
  organisationId?: string | null;
}

/**
 * Appends one event; `tx` must be the transaction of the change it records. The event joins the
 * chain (gets its seq and hash) when `tx` commits, and is gone with it if `tx` rolls back.
 */
export function record(tx: Tx, clock: Clock, actor: Actor, entry: AuditEntry): Promise<{ id: string }> {
  return store.append(tx, {
    occurredAt: clock.now().toISOString(),
    actorType: actor.type,
    actorId: actor.id,
    organisationId: entry.organisationId === undefined ? actor.organisationId : entry.organisationId,
    action: entry.action,
    subjectType: entry.subject?.type ?? null,
    subjectId: entry.subject?.id ?? null,
    reason: entry.reason ?? null,
    data: entry.data ?? {},
  });
}

/**
 * The row of an event for a store that writes a change and its event in one statement, where
 * `data[countKey]` is a count that statement computes: it inserts into `audit_pending` the
 * fields below with `data[countKey] = n` and `body = bodyHead || n || bodyTail`. The event
 * joins the chain when that statement's transaction commits, like any other.
 */
export interface EventWithCount {
  id: string;
  occurredAt: string;
  actorType: Actor["type"];
  actorId: string | null;
  organisationId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
  /** Without `countKey`. */
  data: Record<string, unknown>;
  countKey: string;
  bodyHead: string;
  bodyTail: string;
}

export function eventWithCount(
  clock: Clock,
  actor: Actor,
  entry: AuditEntry,
  countKey: string,
): EventWithCount {
  const fields = {
    id: randomUUID(),
    occurredAt: clock.now().toISOString(),
    actorType: actor.type,
    actorId: actor.id,
    organisationId: entry.organisationId === undefined ? actor.organisationId : entry.organisationId,
    action: entry.action,
    subjectType: entry.subject?.type ?? null,
    subjectId: entry.subject?.id ?? null,
    reason: entry.reason ?? null,
    data: { ...entry.data },
  };
  delete fields.data[countKey];
  const { head, tail } = eventBodyAround(fields, countKey);
  return { ...fields, countKey, bodyHead: head, bodyTail: tail };
}

export interface Broken {
  seq: number;
  id: string;
  reason: "hash_mismatch" | "prev_hash_mismatch" | "sequence_gap";
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headHash: string;
  firstBroken?: Broken;
}

/** Walks the whole chain from the first event and stops at the first that does not hold. */
export async function verify(db: Executor, pageSize = 2000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const events = await store.page(db, expectedSeq - 1, pageSize);
    if (events.length === 0) return { ok: true, checked, headHash: prev };
    for (const e of events) {
      const { hash, hashVersion, ...fields } = e;
      let reason: Broken["reason"] | undefined;
      if (e.seq !== expectedSeq) reason = "sequence_gap";
      else if (e.prevHash !== prev) reason = "prev_hash_mismatch";
      else if (eventHash(fields, hashVersion) !== hash) reason = "hash_mismatch";
      if (reason)
        return { ok: false, checked, headHash: prev, firstBroken: { seq: e.seq, id: e.id, reason } };
      prev = hash;
      expectedSeq = e.seq + 1;
      checked++;
    }
  }
}

/** The events about any of these subjects within an organisation, oldest first: a timeline. */
export function timeline(
  db: Executor,
  organisationId: string,
  subjects: { type: string; id: string }[],
  limit: number,
): Promise<store.AuditEvent[]> {
  return store.forSubjects(db, organisationId, subjects, limit);
}

/** Events of one organisation, newest first. Authorization is the caller's (see routes). */
export function listForOrganisation(
  db: Executor,
  organisationId: string,
  opts: { limit: number; beforeSeq?: number; subject?: { type: string; id: string } },
): Promise<store.AuditEvent[]> {
  return store.list(db, {
    organisationId,
    limit: opts.limit,
    beforeSeq: opts.beforeSeq,
    subjectType: opts.subject?.type,
    subjectId: opts.subject?.id,
  });
}
