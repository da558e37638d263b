// The hash of one audit event: SHA-256 over a canonical JSON of its fields and the previous
// event's hash. Anyone holding an export of the table can recompute the chain.
import { sha256Hex } from "../../platform/crypto.ts";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields {
  seq: number;
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  organisationId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
  data: unknown;
  prevHash: string;
}

/**
 * JSON with object keys sorted at every level (by UTF-16 code unit, as `sort()` does), so the
 * same value always hashes the same. Written as plain loops: every audit event goes through it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? "," : ""}${canonicalJson(value[i])}`;
    return `${out}]`;
  }
  const o = value as Record<string, unknown>;
  let out = "{";
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** Version 1 (events before migration 0005): the canonical JSON of every field, prevHash included. */
export const eventHashV1 = (e: ChainedFields): string => sha256Hex(canonicalJson(e));

/** The body of an event: the canonical JSON of its fields other than seq and prevHash. */
export const eventBody = (e: Omit<ChainedFields, "seq" | "prevHash">): string =>
  canonicalJson({
    id: e.id,
    occurredAt: e.occurredAt,
    actorType: e.actorType,
    actorId: e.actorId,
    organisationId: e.organisationId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    reason: e.reason,
    data: e.data,
  });

/** Version 2 (computed by the database function audit_append): sha256("prev:seq:body"). */
export const eventHashV2 = (prevHash: string, seq: number, body: string): string =>
  sha256Hex(`${prevHash}:${seq}:${body}`);

/** The hash an event must have, by the version it was written with. */
export function eventHash(e: ChainedFields, version = 2): string {
  if (version === 1) return eventHashV1(e);
  const { seq, prevHash, ...rest } = e;
  return eventHashV2(prevHash, seq, eventBody(rest));
}

// A number no event's data holds, standing in for a count until the database knows it.
const COUNT_SLOT = -7_270_412_999;

/**
 * The body of an event one of whose `data` fields is a count only the database learns while it
 * writes the change (intake: how many reported items were already known), split around that
 * count: `head + String(n) + tail === eventBody(e with data[key] = n)` for every integer n >= 0.
 * The slot is found unambiguously: in canonical JSON a `"` inside a string is always escaped, so
 * `"key":` followed by the slot number can only be the key itself.
 */
export function eventBodyAround(
  e: Omit<ChainedFields, "seq" | "prevHash">,
  key: string,
): { head: string; tail: string } {
  const body = eventBody({ ...e, data: { ...(e.data as Record<string, unknown>), [key]: COUNT_SLOT } });
  const label = `${JSON.stringify(key)}:`;
  const at = body.indexOf(`${label}${COUNT_SLOT}`);
  if (at < 0 || body.indexOf(`${label}${COUNT_SLOT}`, at + 1) >= 0)
    throw new Error(`no single slot for ${key}`);
  return {
    head: body.slice(0, at + label.length),
    tail: body.slice(at + label.length + String(COUNT_SLOT).length),
  };
}
