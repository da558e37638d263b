// SQL of hash banks: banks, entries and the entry change log. Returns domain types.
import { sql } from "kysely";
import type { Executor, Tx } from "../../platform/db.ts";
import type { SignalType } from "./signals.ts";

export type BankKind = "victim_submitted" | "hotline_confirmed" | "partner_list";
export const bankKinds: readonly BankKind[] = ["victim_submitted", "hotline_confirmed", "partner_list"];

export interface Bank {
  id: string;
  organisationId: string;
  name: string;
  kind: BankKind;
  description: string | null;
  shared: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Entry {
  id: string;
  no: number;
  bankId: string;
  signalType: SignalType;
  value: string;
  quality: number | null;
  pipeline: string | null;
  enabled: boolean;
  expiresAt: Date | null;
  createdByType: "user" | "token" | "system" | "public";
  createdBy: string | null;
  createdAt: Date;
  caseId: string | null;
  reportId: string | null;
  source: string | null;
  note: string | null;
}

export interface NewEntry {
  bankId: string;
  signalType: SignalType;
  value: string;
  quality: number | null;
  pipeline: string | null;
  expiresAt: Date | null;
  createdByType: Entry["createdByType"];
  createdBy: string | null;
  caseId: string | null;
  reportId: string | null;
  source: string | null;
  note: string | null;
  withdrawalHash: string | null;
}

const bankCols = [
  "id",
  "organisation_id",
  "name",
  "kind",
  "description",
  "shared",
  "created_by",
  "created_at",
  "updated_at",
] as const;

type BankRow = {
  id: string;
  organisation_id: string;
  name: string;
  kind: BankKind;
  description: string | null;
  shared: boolean;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

const toBank = (r: BankRow): Bank => ({
  id: r.id,
  organisationId: r.organisation_id,
  name: r.name,
  kind: r.kind,
  description: r.description,
  shared: r.shared,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const entryCols = [
  "id",
  "no",
  "bank_id",
  "signal_type",
  "value",
  "quality",
  "pipeline",
  "enabled",
  "expires_at",
  "created_by_type",
  "created_by",
  "created_at",
  "case_id",
  "report_id",
  "source",
  "note",
] as const;

type EntryRow = {
  id: string;
  no: number;
  bank_id: string;
  signal_type: SignalType;
  value: string;
  quality: number | null;
  pipeline: string | null;
  enabled: boolean;
  expires_at: Date | null;
  created_by_type: Entry["createdByType"];
  created_by: string | null;
  created_at: Date;
  case_id: string | null;
  report_id: string | null;
  source: string | null;
  note: string | null;
};

const toEntry = (r: EntryRow): Entry => ({
  id: r.id,
  no: Number(r.no),
  bankId: r.bank_id,
  signalType: r.signal_type,
  value: r.value,
  quality: r.quality,
  pipeline: r.pipeline,
  enabled: r.enabled,
  expiresAt: r.expires_at,
  createdByType: r.created_by_type,
  createdBy: r.created_by,
  createdAt: r.created_at,
  caseId: r.case_id,
  reportId: r.report_id,
  source: r.source,
  note: r.note,
});

// ---------------------------------------------------------------------------------------------
// Banks

export async function insertBank(
  db: Executor,
  b: {
    organisationId: string;
    name: string;
    kind: BankKind;
    description: string | null;
    shared: boolean;
    createdBy: string | null;
    now: Date;
  },
): Promise<Bank> {
  const r = await db
    .insertInto("hash_banks")
    .values({
      organisation_id: b.organisationId,
      name: b.name,
      kind: b.kind,
      description: b.description,
      shared: b.shared,
      created_by: b.createdBy,
      created_at: b.now,
      updated_at: b.now,
    })
    .returning(bankCols)
    .executeTakeFirstOrThrow();
  return toBank(r);
}

export async function findBank(db: Executor, id: string): Promise<Bank | undefined> {
  const r = await db.selectFrom("hash_banks").select(bankCols).where("id", "=", id).executeTakeFirst();
  return r && toBank(r);
}

export async function findBankByName(db: Executor, organisationId: string, name: string) {
  const r = await db
    .selectFrom("hash_banks")
    .select(bankCols)
    .where("organisation_id", "=", organisationId)
    .where("name", "=", name)
    .executeTakeFirst();
  return r && toBank(r);
}

export interface BankWithCounts extends Bank {
  entries: number;
  enabledEntries: number;
}

export async function listBanks(db: Executor, organisationId: string): Promise<BankWithCounts[]> {
  const rows = await db
    .selectFrom("hash_banks as b")
    .leftJoin("hash_entries as e", "e.bank_id", "b.id")
    .select(bankCols.map((c) => `b.${c}` as const))
    .select((eb) => [
      eb.fn.count<number>("e.id").as("entries"),
      eb.fn.count<number>("e.id").filterWhere("e.enabled", "=", true).as("enabled_entries"),
    ])
    .where("b.organisation_id", "=", organisationId)
    .groupBy("b.id")
    .orderBy("b.created_at")
    .execute();
  return rows.map((r) => ({
    ...toBank(r),
    entries: Number(r.entries),
    enabledEntries: Number(r.enabled_entries),
  }));
}

export async function updateBank(
  db: Executor,
  id: string,
  patch: { name?: string; description?: string | null; shared?: boolean },
  now: Date,
): Promise<Bank> {
  const r = await db
    .updateTable("hash_banks")
    .set({ ...patch, updated_at: now })
    .where("id", "=", id)
    .returning(bankCols)
    .executeTakeFirstOrThrow();
  return toBank(r);
}

export async function deleteBank(db: Executor, id: string): Promise<void> {
  await db.deleteFrom("hash_banks").where("id", "=", id).execute();
}

// ---------------------------------------------------------------------------------------------
// Entries

/** Inserts entries; an entry already in the bank is skipped. Returns the inserted ones. */
export async function insertEntries(db: Executor, rows: NewEntry[], now: Date): Promise<Entry[]> {
  if (rows.length === 0) return [];
  const r = await db
    .insertInto("hash_entries")
    .values(
      rows.map((e) => ({
        bank_id: e.bankId,
        signal_type: e.signalType,
        value: e.value,
        quality: e.quality,
        pipeline: e.pipeline,
        expires_at: e.expiresAt,
        created_by_type: e.createdByType,
        created_by: e.createdBy,
        created_at: now,
        updated_at: now,
        case_id: e.caseId,
        report_id: e.reportId,
        source: e.source,
        note: e.note,
        withdrawal_hash: e.withdrawalHash,
      })),
    )
    .onConflict((oc) => oc.columns(["bank_id", "signal_type", "value"]).doNothing())
    .returning(entryCols)
    .execute();
  return r.map(toEntry);
}

export async function findEntry(db: Executor, id: string): Promise<Entry | undefined> {
  const r = await db.selectFrom("hash_entries").select(entryCols).where("id", "=", id).executeTakeFirst();
  return r && toEntry(r);
}

/** A page of a bank's entries in insertion order, after entry number `afterNo`. */
export async function listEntries(
  db: Executor,
  bankId: string,
  opts: { afterNo: number; limit: number },
): Promise<Entry[]> {
  const r = await db
    .selectFrom("hash_entries")
    .select(entryCols)
    .where("bank_id", "=", bankId)
    .where("no", ">", opts.afterNo)
    .orderBy("no")
    .limit(opts.limit)
    .execute();
  return r.map(toEntry);
}

export async function updateEntry(
  db: Executor,
  id: string,
  patch: { enabled?: boolean; expiresAt?: Date | null },
  now: Date,
): Promise<Entry> {
  const r = await db
    .updateTable("hash_entries")
    .set({
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      ...(patch.expiresAt !== undefined && { expires_at: patch.expiresAt }),
      updated_at: now,
    })
    .where("id", "=", id)
    .returning(entryCols)
    .executeTakeFirstOrThrow();
  return toEntry(r);
}

/** Deletes entries matching the filter; returns their ids, numbers and banks. */
export async function deleteEntries(
  db: Executor,
  where: { ids?: string[]; bankId?: string; reportId?: string; withdrawalHash?: string; expiredAt?: Date },
): Promise<{ id: string; no: number; bankId: string }[]> {
  let q = db.deleteFrom("hash_entries");
  if (where.expiredAt) q = q.where("expires_at", "<=", where.expiredAt);
  if (where.ids)
    q = q.where("id", "in", where.ids.length > 0 ? where.ids : ["00000000-0000-0000-0000-000000000000"]);
  if (where.bankId) q = q.where("bank_id", "=", where.bankId);
  if (where.reportId) q = q.where("report_id", "=", where.reportId);
  if (where.withdrawalHash) q = q.where("withdrawal_hash", "=", where.withdrawalHash);
  const r = await q.returning(["id", "no", "bank_id"]).execute();
  return r.map((x) => ({ id: x.id, no: Number(x.no), bankId: x.bank_id }));
}

// ---------------------------------------------------------------------------------------------
// The change log and the index's reads

const CHANGE_LOCK = 7_270_412_005;

/**
 * Appends changes of entries to the log. Takes the writers' advisory lock first (held to the
 * end of the transaction), so sequence numbers become visible in order.
 */
export async function appendChanges(tx: Tx, entryNos: number[], now: Date): Promise<void> {
  if (entryNos.length === 0) return;
  await sql`select pg_advisory_xact_lock(${CHANGE_LOCK})`.execute(tx);
  for (let i = 0; i < entryNos.length; i += 5000) {
    await tx
      .insertInto("hash_entry_changes")
      .values(entryNos.slice(i, i + 5000).map((no) => ({ entry_no: no, changed_at: now })))
      .execute();
  }
}

export async function lastChangeSeq(db: Executor): Promise<number> {
  const r = await db
    .selectFrom("hash_entry_changes")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirst();
  return Number(r?.seq ?? 0);
}

export interface IndexedEntry {
  no: number;
  signalType: SignalType;
  value: string;
}

/** How many enabled entries there are and the highest entry number (to size the index). */
export async function enabledExtent(db: Executor): Promise<{ count: number; maxNo: number }> {
  const r = await db
    .selectFrom("hash_entries")
    .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.max("no").as("max_no")])
    .where("enabled", "=", true)
    .executeTakeFirst();
  return { count: Number(r?.n ?? 0), maxNo: Number(r?.max_no ?? 0) };
}

/** A page of enabled entries, for loading the index at start. */
export async function enabledEntries(db: Executor, afterNo: number, limit: number): Promise<IndexedEntry[]> {
  const r = await db
    .selectFrom("hash_entries")
    .select(["no", "signal_type", "value"])
    .where("enabled", "=", true)
    .where("no", ">", afterNo)
    .orderBy("no")
    .limit(limit)
    .execute();
  return r.map((x) => ({ no: Number(x.no), signalType: x.signal_type, value: x.value }));
}

export interface Change {
  seq: number;
  no: number;
  /** The entry as it is now; undefined when it was deleted. */
  entry?: IndexedEntry & { enabled: boolean };
}

export async function changesSince(db: Executor, seq: number, limit: number): Promise<Change[]> {
  const r = await db
    .selectFrom("hash_entry_changes as c")
    .leftJoin("hash_entries as e", "e.no", "c.entry_no")
    .select(["c.seq", "c.entry_no", "e.signal_type", "e.value", "e.enabled"])
    .where("c.seq", ">", seq)
    .orderBy("c.seq")
    .limit(limit)
    .execute();
  return r.map((x) => ({
    seq: Number(x.seq),
    no: Number(x.entry_no),
    ...(x.signal_type &&
      x.value && {
        entry: {
          no: Number(x.entry_no),
          signalType: x.signal_type,
          value: x.value,
          enabled: x.enabled === true,
        },
      }),
  }));
}

export interface MatchedEntry {
  no: number;
  entryId: string;
  bankId: string;
  bankName: string;
  bankKind: BankKind;
  organisationId: string;
  signalType: SignalType;
  caseId: string | null;
  reportId: string | null;
}

/**
 * The entries behind index hits that `organisationId` may see (its own banks and shared ones),
 * enabled and not expired at `now`.
 */
export async function visibleEntries(
  db: Executor,
  nos: number[],
  organisationId: string | null,
  now: Date,
): Promise<MatchedEntry[]> {
  if (nos.length === 0) return [];
  let q = db
    .selectFrom("hash_entries as e")
    .innerJoin("hash_banks as b", "b.id", "e.bank_id")
    .select([
      "e.no",
      "e.id",
      "e.bank_id",
      "b.name",
      "b.kind",
      "b.organisation_id",
      "e.signal_type",
      "e.case_id",
      "e.report_id",
    ])
    .where("e.no", "in", nos)
    .where("e.enabled", "=", true)
    .where((eb) => eb.or([eb("e.expires_at", "is", null), eb("e.expires_at", ">", now)]));
  if (organisationId !== null)
    q = q.where((eb) => eb.or([eb("b.organisation_id", "=", organisationId), eb("b.shared", "=", true)]));
  const r = await q.execute();
  return r.map((x) => ({
    no: Number(x.no),
    entryId: x.id,
    bankId: x.bank_id,
    bankName: x.name,
    bankKind: x.kind,
    organisationId: x.organisation_id,
    signalType: x.signal_type,
    caseId: x.case_id,
    reportId: x.report_id,
  }));
}

/** Entry numbers of a bank (to log their removal when the bank is deleted). */
export async function entryNosOfBank(db: Executor, bankId: string): Promise<number[]> {
  const r = await db.selectFrom("hash_entries").select("no").where("bank_id", "=", bankId).execute();
  return r.map((x) => Number(x.no));
}
