// SQL of attribution: the RDAP answer cache, attributions with their provenance, and the reads
// attribution needs from items, cases and the party registry (matchers, and whether a party
// has a channel to reach it). Returns domain types.
import { sql } from "kysely";
import type { AttributionRole, ItemStatus, PartyMatcherKind } from "../../../migrations/schema.ts";
import type { Executor, Tx } from "../../platform/db.ts";

export type { AttributionRole };

export interface Attribution {
  id: string;
  itemId: string;
  organisationId: string;
  role: AttributionRole;
  partyId: string | null;
  /** The registered party's name, when one matched. */
  partyName: string | null;
  /** Whether that party has a channel to send notices through. */
  partyReachable: boolean;
  name: string | null;
  abuseEmail: string | null;
  country: string | null;
  asn: number | null;
  network: string | null;
  address: string | null;
  source: string;
  sourceUrl: string | null;
  rawSha256: string | null;
  error: string | null;
  resolvedAt: Date;
  expiresAt: Date;
  supersededAt: Date | null;
}

export type NewAttribution = Omit<
  Attribution,
  "id" | "organisationId" | "partyName" | "partyReachable" | "resolvedAt" | "supersededAt"
>;

// ---------------------------------------------------------------------------------------------
// RDAP cache

export interface CacheRow {
  key: string;
  url: string | null;
  status: number | null;
  rawSha256: string | null;
  answer: unknown;
  error: string | null;
  fetchedAt: Date;
  expiresAt: Date;
}

export async function cacheGet(db: Executor, key: string): Promise<CacheRow | undefined> {
  const r = await db.selectFrom("rdap_cache").selectAll().where("key", "=", key).executeTakeFirst();
  return (
    r && {
      key: r.key,
      url: r.url,
      status: r.status,
      rawSha256: r.raw_sha256,
      answer: r.answer,
      error: r.error,
      fetchedAt: r.fetched_at,
      expiresAt: r.expires_at,
    }
  );
}

export async function cachePut(db: Executor, row: CacheRow): Promise<void> {
  const values = {
    key: row.key,
    url: row.url,
    status: row.status,
    raw_sha256: row.rawSha256,
    answer: row.answer === undefined || row.answer === null ? null : JSON.stringify(row.answer),
    error: row.error,
    fetched_at: row.fetchedAt,
    expires_at: row.expiresAt,
  };
  await db
    .insertInto("rdap_cache")
    .values(values)
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        url: values.url,
        status: values.status,
        raw_sha256: values.raw_sha256,
        answer: values.answer,
        error: values.error,
        fetched_at: values.fetched_at,
        expires_at: values.expires_at,
      }),
    )
    .execute();
}

/** Deletes cache rows that expired before `before`; returns how many. */
export async function cachePurge(db: Executor, before: Date): Promise<number> {
  const r = await db.deleteFrom("rdap_cache").where("expires_at", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Items and cases (read; the status update is attribution's own step in the item's life)

export interface ItemRef {
  id: string;
  kind: "url" | "file" | "account" | "domain";
  value: string;
  normalized: string;
  host: string | null;
  status: ItemStatus;
}

export async function itemsByIds(db: Executor, organisationId: string, ids: string[]): Promise<ItemRef[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom("items")
    .select(["id", "kind", "value", "normalized", "host", "status"])
    .where("organisation_id", "=", organisationId)
    .where("id", "in", ids)
    .execute();
}

/** The URL and domain items of a case; null when the case is not the organisation's. */
export async function attributableItemsOfCase(
  db: Executor,
  organisationId: string,
  caseId: string,
): Promise<string[] | null> {
  const c = await db
    .selectFrom("cases")
    .select("id")
    .where("id", "=", caseId)
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  if (!c) return null;
  const rows = await db
    .selectFrom("case_items")
    .innerJoin("items", "items.id", "case_items.item_id")
    .select("items.id")
    .where("case_items.case_id", "=", caseId)
    .where("items.kind", "in", ["url", "domain"])
    .orderBy("case_items.added_at")
    .execute();
  return rows.map((r) => r.id);
}

export async function itemExists(db: Executor, organisationId: string, itemId: string): Promise<boolean> {
  const r = await db
    .selectFrom("items")
    .select("id")
    .where("id", "=", itemId)
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return r !== undefined;
}

const ATTRIBUTABLE_FROM: ItemStatus[] = ["reported", "triaged", "evidence_captured"];

/**
 * Moves items that are not yet further along to `attributed`; returns those moved with the
 * status they had. An item already noticed, removed or closed keeps its status.
 */
export async function markAttributed(
  tx: Tx,
  ids: string[],
  now: Date,
): Promise<{ id: string; from: ItemStatus }[]> {
  if (ids.length === 0) return [];
  const before = await tx
    .selectFrom("items")
    .select(["id", "status"])
    .where("id", "in", ids)
    .where("status", "in", ATTRIBUTABLE_FROM)
    .forUpdate()
    .execute();
  if (before.length === 0) return [];
  await tx
    .updateTable("items")
    .set({ status: "attributed", updated_at: now })
    .where(
      "id",
      "in",
      before.map((b) => b.id),
    )
    .execute();
  return before.map((b) => ({ id: b.id, from: b.status }));
}

// ---------------------------------------------------------------------------------------------
// The party registry (read only: the registry's own module keeps it)

export interface Matcher {
  kind: PartyMatcherKind;
  value: string;
  partyId: string;
  partyName: string;
  reachable: boolean;
}

export async function matchersOf(db: Executor, organisationId: string): Promise<Matcher[]> {
  const rows = await db
    .selectFrom("party_matchers as m")
    .innerJoin("parties as p", "p.id", "m.party_id")
    .select([
      "m.kind",
      "m.value",
      "m.party_id",
      "p.name",
      sql<boolean>`exists (select 1 from party_channels c where c.party_id = p.id)`.as("reachable"),
    ])
    .where("m.organisation_id", "=", organisationId)
    .where("p.organisation_id", "=", organisationId)
    .where("p.archived_at", "is", null)
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    value: r.value,
    partyId: r.party_id,
    partyName: r.name,
    reachable: r.reachable === true,
  }));
}

// ---------------------------------------------------------------------------------------------
// Attributions

const attributionCols = [
  "a.id",
  "a.item_id",
  "a.organisation_id",
  "a.role",
  "a.party_id",
  "a.name",
  "a.abuse_email",
  "a.country",
  "a.asn",
  "a.network",
  "a.address",
  "a.source",
  "a.source_url",
  "a.raw_sha256",
  "a.error",
  "a.resolved_at",
  "a.expires_at",
  "a.superseded_at",
  "p.name as party_name",
] as const;

type AttributionRow = {
  id: string;
  item_id: string;
  organisation_id: string;
  role: AttributionRole;
  party_id: string | null;
  name: string | null;
  abuse_email: string | null;
  country: string | null;
  asn: number | string | null;
  network: string | null;
  address: string | null;
  source: string;
  source_url: string | null;
  raw_sha256: string | null;
  error: string | null;
  resolved_at: Date;
  expires_at: Date;
  superseded_at: Date | null;
  party_name: string | null;
  reachable: boolean | null;
};

const toAttribution = (r: AttributionRow): Attribution => ({
  id: r.id,
  itemId: r.item_id,
  organisationId: r.organisation_id,
  role: r.role,
  partyId: r.party_id,
  partyName: r.party_name,
  partyReachable: r.reachable === true,
  name: r.name,
  abuseEmail: r.abuse_email,
  country: r.country,
  asn: r.asn === null ? null : Number(r.asn),
  network: r.network,
  address: r.address,
  source: r.source,
  sourceUrl: r.source_url,
  rawSha256: r.raw_sha256,
  error: r.error,
  resolvedAt: r.resolved_at,
  expiresAt: r.expires_at,
  supersededAt: r.superseded_at,
});

const ROLE_ORDER = sql<number>`array_position(array['platform','hosting','registrar','registry']::text[], a.role)`;

function attributionQuery(db: Executor, organisationId: string) {
  return db
    .selectFrom("attributions as a")
    .leftJoin("parties as p", "p.id", "a.party_id")
    .select(attributionCols)
    .select(
      sql<boolean>`exists (select 1 from party_channels c where c.party_id = a.party_id)`.as("reachable"),
    )
    .where("a.organisation_id", "=", organisationId);
}

/** The current attribution of each item, per role. */
export async function current(
  db: Executor,
  organisationId: string,
  itemIds: string[],
): Promise<Attribution[]> {
  if (itemIds.length === 0) return [];
  const rows = await attributionQuery(db, organisationId)
    .where("a.item_id", "in", itemIds)
    .where("a.superseded_at", "is", null)
    .orderBy("a.item_id")
    .orderBy(ROLE_ORDER)
    .execute();
  return rows.map((r) => toAttribution(r as AttributionRow));
}

/** Every attribution of one item, current and superseded, newest first. */
export async function history(
  db: Executor,
  organisationId: string,
  itemId: string,
  limit: number,
): Promise<Attribution[]> {
  const rows = await attributionQuery(db, organisationId)
    .where("a.item_id", "=", itemId)
    .orderBy("a.resolved_at", "desc")
    .orderBy(ROLE_ORDER)
    .limit(limit)
    .execute();
  return rows.map((r) => toAttribution(r as AttributionRow));
}

/** Items whose current attribution exists and has not expired: nothing to do for them. */
export async function freshItemIds(
  db: Executor,
  organisationId: string,
  itemIds: string[],
  now: Date,
): Promise<Set<string>> {
  if (itemIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("attributions")
    .select("item_id")
    .where("organisation_id", "=", organisationId)
    .where("item_id", "in", itemIds)
    .where("superseded_at", "is", null)
    .groupBy("item_id")
    .having(sql<boolean>`min(expires_at) > ${now}`)
    .execute();
  return new Set(rows.map((r) => r.item_id));
}

/**
 * Replaces the current attributions of `itemIds` with `rows`: the old ones are marked
 * superseded (kept for the record), the new ones inserted. One statement each.
 */
export async function replaceCurrent(
  tx: Tx,
  organisationId: string,
  itemIds: string[],
  rows: NewAttribution[],
  now: Date,
): Promise<void> {
  if (itemIds.length === 0) return;
  await tx
    .updateTable("attributions")
    .set({ superseded_at: now })
    .where("organisation_id", "=", organisationId)
    .where("item_id", "in", itemIds)
    .where("superseded_at", "is", null)
    .execute();
  if (rows.length === 0) return;
  await tx
    .insertInto("attributions")
    .values(
      rows.map((r) => ({
        item_id: r.itemId,
        organisation_id: organisationId,
        role: r.role,
        party_id: r.partyId,
        name: r.name,
        abuse_email: r.abuseEmail,
        country: r.country,
        asn: r.asn,
        network: r.network,
        address: r.address,
        source: r.source,
        source_url: r.sourceUrl,
        raw_sha256: r.rawSha256,
        error: r.error,
        resolved_at: now,
        expires_at: r.expiresAt,
      })),
    )
    .execute();
}

/**
 * Confirms current rows that a new run found again unchanged: a new `resolved_at` and the new
 * expiry, instead of a copy of the same answer. One statement per distinct expiry.
 */
export async function confirmCurrent(
  tx: Tx,
  rows: { id: string; expiresAt: Date }[],
  now: Date,
): Promise<void> {
  const byExpiry = new Map<number, string[]>();
  for (const r of rows)
    byExpiry.set(r.expiresAt.getTime(), [...(byExpiry.get(r.expiresAt.getTime()) ?? []), r.id]);
  for (const [expires, ids] of byExpiry)
    await tx
      .updateTable("attributions")
      .set({ resolved_at: now, expires_at: new Date(expires) })
      .where("id", "in", ids)
      .where("superseded_at", "is", null)
      .execute();
}
