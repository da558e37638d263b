// SQL of the party registry: parties, the matchers that recognise them and the channels that
// reach them. Returns domain types; a channel's sealed secret leaves only through `sealedSecret`.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { ChannelKind, PartyKind, PartyMatcherKind } from "../../../migrations/schema.ts";
import type { Executor, Tx } from "../../platform/db.ts";

export interface Party {
  id: string;
  organisationId: string;
  name: string;
  kind: PartyKind;
  country: string | null;
  dsaContact: string | null;
  legalRepresentative: string | null;
  veryLarge: boolean;
  dsc: string | null;
  languages: string[];
  responseHours: number | null;
  maxUrlsPerNotice: number;
  partyOrganisationId: string | null;
  notes: string | null;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Registered by attribution from an RDAP answer (its URL and raw SHA-256), else null. */
  autoRegistered: { source: "rdap"; sourceUrl: string | null; rawSha256: string | null } | null;
  /** When a person confirmed an auto-registered party. */
  reviewedAt: Date | null;
}

export interface PartyMatcher {
  id: string;
  partyId: string;
  kind: PartyMatcherKind;
  value: string;
  createdAt: Date;
}

export interface PartyChannel {
  id: string;
  partyId: string;
  kind: ChannelKind;
  address: string;
  priority: number;
  hasSecret: boolean;
  failingSince: Date | null;
  failures: number;
  lastFailure: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The editable fields of a party, as stored. */
export interface PartyValues {
  name: string;
  kind: PartyKind;
  country: string | null;
  dsaContact: string | null;
  legalRepresentative: string | null;
  veryLarge: boolean;
  dsc: string | null;
  languages: string[];
  responseHours: number | null;
  maxUrlsPerNotice: number;
  partyOrganisationId: string | null;
  notes: string | null;
}

const partyCols = [
  "id",
  "organisation_id",
  "name",
  "kind",
  "country",
  "dsa_contact",
  "legal_representative",
  "very_large",
  "dsc",
  "languages",
  "response_hours",
  "max_urls_per_notice",
  "party_organisation_id",
  "notes",
  "archived_at",
  "created_at",
  "updated_at",
  "auto_source",
  "auto_source_url",
  "auto_raw_sha256",
  "reviewed_at",
] as const;

interface PartyRow {
  id: string;
  organisation_id: string;
  name: string;
  kind: PartyKind;
  country: string | null;
  dsa_contact: string | null;
  legal_representative: string | null;
  very_large: boolean;
  dsc: string | null;
  languages: string[];
  response_hours: number | null;
  max_urls_per_notice: number;
  party_organisation_id: string | null;
  notes: string | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
  auto_source: "rdap" | null;
  auto_source_url: string | null;
  auto_raw_sha256: string | null;
  reviewed_at: Date | null;
}

const toParty = (r: PartyRow): Party => ({
  id: r.id,
  organisationId: r.organisation_id,
  name: r.name,
  kind: r.kind,
  country: r.country,
  dsaContact: r.dsa_contact,
  legalRepresentative: r.legal_representative,
  veryLarge: r.very_large,
  dsc: r.dsc,
  languages: r.languages,
  responseHours: r.response_hours,
  maxUrlsPerNotice: r.max_urls_per_notice,
  partyOrganisationId: r.party_organisation_id,
  notes: r.notes,
  archivedAt: r.archived_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  autoRegistered: r.auto_source
    ? { source: r.auto_source, sourceUrl: r.auto_source_url, rawSha256: r.auto_raw_sha256 }
    : null,
  reviewedAt: r.reviewed_at,
});

const toRow = (v: Partial<PartyValues>) => ({
  ...(v.name !== undefined && { name: v.name }),
  ...(v.kind !== undefined && { kind: v.kind }),
  ...(v.country !== undefined && { country: v.country }),
  ...(v.dsaContact !== undefined && { dsa_contact: v.dsaContact }),
  ...(v.legalRepresentative !== undefined && { legal_representative: v.legalRepresentative }),
  ...(v.veryLarge !== undefined && { very_large: v.veryLarge }),
  ...(v.dsc !== undefined && { dsc: v.dsc }),
  ...(v.languages !== undefined && { languages: v.languages }),
  ...(v.responseHours !== undefined && { response_hours: v.responseHours }),
  ...(v.maxUrlsPerNotice !== undefined && { max_urls_per_notice: v.maxUrlsPerNotice }),
  ...(v.partyOrganisationId !== undefined && { party_organisation_id: v.partyOrganisationId }),
  ...(v.notes !== undefined && { notes: v.notes }),
});

const matcherCols = ["id", "party_id", "kind", "value", "created_at"] as const;
const toMatcher = (r: {
  id: string;
  party_id: string;
  kind: PartyMatcherKind;
  value: string;
  created_at: Date;
}): PartyMatcher => ({
  id: r.id,
  partyId: r.party_id,
  kind: r.kind,
  value: r.value,
  createdAt: r.created_at,
});

const channelCols = [
  "party_channels.id",
  "party_channels.party_id",
  "party_channels.kind",
  "party_channels.address",
  "party_channels.priority",
  "party_channels.secret_sealed",
  "party_channels.failing_since",
  "party_channels.failures",
  "party_channels.last_failure",
  "party_channels.created_at",
  "party_channels.updated_at",
] as const;

const toChannel = (r: {
  id: string;
  party_id: string;
  kind: ChannelKind;
  address: string;
  priority: number;
  secret_sealed: string | null;
  failing_since: Date | null;
  failures: number;
  last_failure: string | null;
  created_at: Date;
  updated_at: Date;
}): PartyChannel => ({
  id: r.id,
  partyId: r.party_id,
  kind: r.kind,
  address: r.address,
  priority: r.priority,
  hasSecret: r.secret_sealed !== null,
  failingSince: r.failing_since,
  failures: r.failures,
  lastFailure: r.last_failure,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

// ---------------------------------------------------------------------------------------------
// Parties

export async function insertParty(tx: Tx, organisationId: string, v: PartyValues, now: Date): Promise<Party> {
  const r = await tx
    .insertInto("parties")
    .values({
      organisation_id: organisationId,
      ...toRow(v),
      name: v.name,
      kind: v.kind,
      created_at: now,
      updated_at: now,
    })
    .returning(partyCols)
    .executeTakeFirstOrThrow();
  return toParty(r);
}

export async function updateParty(tx: Tx, id: string, v: Partial<PartyValues>, now: Date): Promise<Party> {
  const r = await tx
    .updateTable("parties")
    .set({ ...toRow(v), updated_at: now })
    .where("id", "=", id)
    .returning(partyCols)
    .executeTakeFirstOrThrow();
  return toParty(r);
}

/** Marks a party as registered by attribution, with where the answer came from. */
export async function setAutoSource(
  tx: Tx,
  id: string,
  source: { sourceUrl: string | null; rawSha256: string | null },
): Promise<Party> {
  const r = await tx
    .updateTable("parties")
    .set({ auto_source: "rdap", auto_source_url: source.sourceUrl, auto_raw_sha256: source.rawSha256 })
    .where("id", "=", id)
    .returning(partyCols)
    .executeTakeFirstOrThrow();
  return toParty(r);
}

export async function setReviewed(tx: Tx, id: string, at: Date): Promise<Party> {
  const r = await tx
    .updateTable("parties")
    .set({ reviewed_at: at, updated_at: at })
    .where("id", "=", id)
    .returning(partyCols)
    .executeTakeFirstOrThrow();
  return toParty(r);
}

export async function setArchived(tx: Tx, id: string, at: Date | null, now: Date): Promise<Party> {
  const r = await tx
    .updateTable("parties")
    .set({ archived_at: at, updated_at: now })
    .where("id", "=", id)
    .returning(partyCols)
    .executeTakeFirstOrThrow();
  return toParty(r);
}

export async function findParty(db: Executor, id: string, forUpdate = false): Promise<Party | undefined> {
  let q = db.selectFrom("parties").select(partyCols).where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? toParty(r) : undefined;
}

export async function findPartyByName(
  db: Executor,
  organisationId: string,
  name: string,
): Promise<Party | undefined> {
  const r = await db
    .selectFrom("parties")
    .select(partyCols)
    .where("organisation_id", "=", organisationId)
    .where(sql<string>`lower(name)`, "=", name.toLowerCase())
    .executeTakeFirst();
  return r ? toParty(r) : undefined;
}

export interface PartyFilter {
  kind?: PartyKind | undefined;
  /** Part of the name, or of a matcher's value. */
  q?: string | undefined;
  archived: "false" | "true" | "all";
  limit: number;
}

const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Parties of an organisation by name, with how many channels each has and how many fail. */
export async function listParties(
  db: Executor,
  organisationId: string,
  f: PartyFilter,
): Promise<(Party & { channels: number; failingChannels: number })[]> {
  let q = db
    .selectFrom("parties")
    .select(partyCols)
    .select((eb) => [
      eb
        .selectFrom("party_channels")
        .whereRef("party_channels.party_id", "=", "parties.id")
        .select(eb.fn.countAll<number>().as("n"))
        .as("channel_count"),
      eb
        .selectFrom("party_channels")
        .whereRef("party_channels.party_id", "=", "parties.id")
        .where("party_channels.failing_since", "is not", null)
        .select(eb.fn.countAll<number>().as("n"))
        .as("failing_count"),
    ])
    .where("organisation_id", "=", organisationId);
  if (f.kind) q = q.where("kind", "=", f.kind);
  if (f.archived === "false") q = q.where("archived_at", "is", null);
  else if (f.archived === "true") q = q.where("archived_at", "is not", null);
  if (f.q) {
    const pattern = likePattern(f.q);
    q = q.where((eb) =>
      eb.or([
        eb(sql<string>`lower(parties.name)`, "like", pattern),
        eb.exists(
          eb
            .selectFrom("party_matchers")
            .select("party_matchers.id")
            .whereRef("party_matchers.party_id", "=", "parties.id")
            .where("party_matchers.value", "like", pattern),
        ),
      ]),
    );
  }
  const rows = await q.orderBy(sql`lower(name)`).orderBy("id").limit(f.limit).execute();
  return rows.map((r) => ({
    ...toParty(r),
    channels: Number(r.channel_count ?? 0),
    failingChannels: Number(r.failing_count ?? 0),
  }));
}

/** Every party of an organisation (archived ones too), by name: for the CSV export. */
export async function allParties(db: Executor, organisationId: string): Promise<Party[]> {
  const rows = await db
    .selectFrom("parties")
    .select(partyCols)
    .where("organisation_id", "=", organisationId)
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .execute();
  return rows.map(toParty);
}

// ---------------------------------------------------------------------------------------------
// Matchers

export async function matchersOf(db: Executor, partyIds: string[]): Promise<PartyMatcher[]> {
  if (partyIds.length === 0) return [];
  const rows = await db
    .selectFrom("party_matchers")
    .select(matcherCols)
    .where("party_id", "in", partyIds)
    .orderBy("kind")
    .orderBy("value")
    .execute();
  return rows.map(toMatcher);
}

export async function insertMatcher(
  tx: Tx,
  organisationId: string,
  partyId: string,
  m: { kind: PartyMatcherKind; value: string },
  now: Date,
): Promise<PartyMatcher> {
  const r = await tx
    .insertInto("party_matchers")
    .values({
      organisation_id: organisationId,
      party_id: partyId,
      kind: m.kind,
      value: m.value,
      created_at: now,
    })
    .returning(matcherCols)
    .executeTakeFirstOrThrow();
  return toMatcher(r);
}

export async function deleteMatcher(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom("party_matchers").where("id", "=", id).execute();
}

export async function findMatcher(db: Executor, id: string): Promise<PartyMatcher | undefined> {
  const r = await db.selectFrom("party_matchers").select(matcherCols).where("id", "=", id).executeTakeFirst();
  return r ? toMatcher(r) : undefined;
}

/** Who holds these matcher values in an organisation (any party, archived too). */
export async function matcherHolders(
  db: Executor,
  organisationId: string,
  kind: PartyMatcherKind,
  values: string[],
): Promise<(PartyMatcher & { partyName: string; archived: boolean })[]> {
  if (values.length === 0) return [];
  const rows = await db
    .selectFrom("party_matchers")
    .innerJoin("parties", "parties.id", "party_matchers.party_id")
    .select([
      "party_matchers.id",
      "party_matchers.party_id",
      "party_matchers.kind",
      "party_matchers.value",
      "party_matchers.created_at",
      "parties.name as party_name",
      "parties.archived_at",
    ])
    .where("party_matchers.organisation_id", "=", organisationId)
    .where("party_matchers.kind", "=", kind)
    .where("party_matchers.value", "in", values)
    .execute();
  return rows.map((r) => ({ ...toMatcher(r), partyName: r.party_name, archived: r.archived_at !== null }));
}

/** The current (not archived) party holding any of `values` as a matcher of `kind`. */
export async function activeMatches(
  db: Executor,
  organisationId: string,
  kind: PartyMatcherKind,
  values: string[],
): Promise<{ party: Party; matcher: PartyMatcher }[]> {
  if (values.length === 0) return [];
  const rows = await db
    .selectFrom("party_matchers")
    .innerJoin("parties", "parties.id", "party_matchers.party_id")
    .select(partyCols.map((c) => `parties.${c}` as const))
    .select([
      "party_matchers.id as m_id",
      "party_matchers.kind as m_kind",
      "party_matchers.value as m_value",
      "party_matchers.created_at as m_created_at",
    ])
    .where("party_matchers.organisation_id", "=", organisationId)
    .where("party_matchers.kind", "=", kind)
    .where("party_matchers.value", "in", values)
    .where("parties.archived_at", "is", null)
    .execute();
  return rows.map((r) => ({
    party: toParty(r),
    matcher: { id: r.m_id, partyId: r.id, kind: r.m_kind, value: r.m_value, createdAt: r.m_created_at },
  }));
}

// ---------------------------------------------------------------------------------------------
// Channels

/** A party's channels: healthy ones first, then by priority and age. */
export async function channelsOf(db: Executor, partyIds: string[]): Promise<PartyChannel[]> {
  if (partyIds.length === 0) return [];
  const rows = await db
    .selectFrom("party_channels")
    .select(channelCols)
    .where("party_id", "in", partyIds)
    .orderBy(sql`(failing_since is not null)`)
    .orderBy("priority")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toChannel);
}

/** A channel with the organisation of its party (channels carry no organisation themselves). */
export async function findChannel(
  db: Executor,
  id: string,
): Promise<(PartyChannel & { organisationId: string }) | undefined> {
  const r = await db
    .selectFrom("party_channels")
    .innerJoin("parties", "parties.id", "party_channels.party_id")
    .select(channelCols)
    .select("parties.organisation_id")
    .where("party_channels.id", "=", id)
    .executeTakeFirst();
  return r ? { ...toChannel(r), organisationId: r.organisation_id } : undefined;
}

export async function insertChannel(
  tx: Tx,
  c: {
    id?: string;
    partyId: string;
    kind: ChannelKind;
    address: string;
    priority: number;
    secretSealed: string | null;
  },
  now: Date,
): Promise<PartyChannel> {
  const r = await tx
    .insertInto("party_channels")
    .values({
      id: c.id ?? randomUUID(),
      party_id: c.partyId,
      kind: c.kind,
      address: c.address,
      priority: c.priority,
      secret_sealed: c.secretSealed,
      created_at: now,
      updated_at: now,
    })
    .returning(channelCols)
    .executeTakeFirstOrThrow();
  return toChannel(r);
}

export async function updateChannel(
  tx: Tx,
  id: string,
  patch: { address?: string; priority?: number; secretSealed?: string },
  now: Date,
): Promise<PartyChannel> {
  const r = await tx
    .updateTable("party_channels")
    .set({
      ...(patch.address !== undefined && { address: patch.address }),
      ...(patch.priority !== undefined && { priority: patch.priority }),
      ...(patch.secretSealed !== undefined && { secret_sealed: patch.secretSealed }),
      updated_at: now,
    })
    .where("id", "=", id)
    .returning(channelCols)
    .executeTakeFirstOrThrow();
  return toChannel(r);
}

export async function deleteChannel(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom("party_channels").where("id", "=", id).execute();
}

export async function markFailed(tx: Executor, id: string, error: string, at: Date): Promise<void> {
  await tx
    .updateTable("party_channels")
    .set((eb) => ({
      failures: eb("failures", "+", 1),
      failing_since: eb.fn.coalesce("failing_since", sql<Date>`${at}::timestamptz`),
      last_failure: error,
      updated_at: at,
    }))
    .where("id", "=", id)
    .execute();
}

/** Clears the failure mark; `keepLast` keeps the text of the last failure for the record. */
export async function markHealthy(
  tx: Executor,
  id: string,
  opts: { keepLast: boolean; at?: Date },
): Promise<void> {
  await tx
    .updateTable("party_channels")
    .set({
      failing_since: null,
      failures: 0,
      ...(!opts.keepLast && { last_failure: null }),
      ...(opts.at && { updated_at: opts.at }),
    })
    .where("id", "=", id)
    .where((eb) =>
      eb.or([
        eb("failing_since", "is not", null),
        eb("failures", ">", 0),
        ...(opts.keepLast ? [] : [eb("last_failure", "is not", null)]),
      ]),
    )
    .execute();
}

export async function sealedSecret(db: Executor, channelId: string): Promise<string | null | undefined> {
  const r = await db
    .selectFrom("party_channels")
    .select("secret_sealed")
    .where("id", "=", channelId)
    .executeTakeFirst();
  return r ? r.secret_sealed : undefined;
}

/** Every sealed webhook secret: for re-sealing after a master-key change. */
export async function allSealedSecrets(db: Executor): Promise<{ id: string; sealed: string }[]> {
  const rows = await db
    .selectFrom("party_channels")
    .select(["id", "secret_sealed"])
    .where("secret_sealed", "is not", null)
    .execute();
  return rows.map((r) => ({ id: r.id, sealed: r.secret_sealed as string }));
}

export async function setSealedSecret(db: Executor, id: string, sealed: string): Promise<void> {
  await db.updateTable("party_channels").set({ secret_sealed: sealed }).where("id", "=", id).execute();
}
