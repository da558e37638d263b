// Hash banks and matching: banks of PDQ / MD5 / SHA-256 hashes kept by an organisation (victim
// submissions, hotline-confirmed material, imported partner lists), their entries with
// provenance, import and export as CSV and JSON lines, the matching API for partners, the
// automatic check of every image Vangrail captures or receives, and hashes submitted from a
// victim's own device (withdrawable: withdrawal deletes them). Every change writes an audit
// event in its transaction, and appends the entry to the change log that keeps every
// replica's match index current.
import { randomToken, sha256Hex } from "../../platform/crypto.ts";
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import * as audit from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { authorize, type Principal, actorOf as principalActor } from "../identity/principal.ts";
import { BROWSER_PIPELINE_ID } from "./device-hash.ts";
import { exactHashes, hashImage, type ImageHashes } from "./image.ts";
import { matcherFor } from "./matcher.ts";
import { hammingHex, isPdqHex, PDQ_MATCH_RADIUS, PDQ_MIN_QUALITY } from "./pdq-core.ts";
import { checkSignal, type SignalType, signalTypes } from "./signals.ts";
import * as store from "./store.ts";

export { BROWSER_PIPELINE_ID } from "./device-hash.ts";
export type { Bank, BankKind, BankWithCounts, Entry } from "./store.ts";
export { bankKinds } from "./store.ts";

/** The largest radius the matching API accepts (Meta's MIH stops at 47 too). */
export const MAX_RADIUS = 47;
const VICTIM_BANK_NAME = "Victim submissions (device hashing)";
const exactSha256 = (bytes: Uint8Array): string => exactHashes(bytes).sha256;

export interface BulkResult {
  /** 1-based line of an imported file, or 1-based position in a list. */
  line: number;
  ok: boolean;
  id?: string;
  error?: string;
}

// The operator's command line (`vangrail banks`) acts for the organisation that owns a bank,
// with every bank permission, and is recorded in the audit log as the system.
const OPERATOR = "operator-cli";

/** A principal for `vangrail banks`, acting for the organisation that owns `bankId`. */
export async function operatorForBank(deps: Deps, bankId: string): Promise<Principal> {
  const bank = await store.findBank(deps.db, bankId);
  if (!bank) throw new AppError("not_found", { detail: `No bank ${bankId}.` });
  return operatorFor(bank.organisationId);
}

/** A principal for `vangrail banks`, acting for an organisation. */
export function operatorFor(organisationId: string): Principal {
  return {
    kind: "token",
    tokenId: OPERATOR,
    organisationId,
    organisationKind: "hotline",
    permissions: new Set(["banks:read", "banks:manage", "match"]),
  };
}

const actorOf = (p: Principal): audit.Actor =>
  p.kind === "token" && p.tokenId === OPERATOR
    ? { type: "system", id: null, organisationId: p.organisationId }
    : principalActor(p);

async function bankFor(deps: Deps, by: Principal, bankId: string, permission: "banks:read" | "banks:manage") {
  authorize(by, permission);
  const bank = await store.findBank(deps.db, bankId);
  if (!bank || bank.organisationId !== by.organisationId) throw new AppError("not_found");
  return bank;
}

// ---------------------------------------------------------------------------------------------
// Banks

export interface BankInput {
  name: string;
  kind: store.BankKind;
  description?: string | null | undefined;
  shared?: boolean | undefined;
}

/** Creates a bank owned by the principal's organisation. */
export async function createBank(deps: Deps, by: Principal, input: BankInput): Promise<store.Bank> {
  authorize(by, "banks:manage");
  return deps.db.transaction().execute(async (tx) => {
    if (await store.findBankByName(tx, by.organisationId, input.name))
      throw new AppError("conflict", { detail: `A bank named "${input.name}" already exists.` });
    const actor = actorOf(by);
    const bank = await store.insertBank(tx, {
      organisationId: by.organisationId,
      name: input.name,
      kind: input.kind,
      description: input.description ?? null,
      shared: input.shared ?? false,
      createdBy: actor.id,
      now: deps.clock.now(),
    });
    await audit.record(tx, deps.clock, actor, {
      action: "banks.bank_created",
      subject: { type: "hash_bank", id: bank.id },
      data: { name: bank.name, kind: bank.kind, shared: bank.shared },
    });
    return bank;
  });
}

export async function listBanks(deps: Deps, by: Principal): Promise<store.BankWithCounts[]> {
  authorize(by, "banks:read");
  return store.listBanks(deps.db, by.organisationId);
}

export async function getBank(deps: Deps, by: Principal, bankId: string): Promise<store.BankWithCounts> {
  const bank = await bankFor(deps, by, bankId, "banks:read");
  const withCounts = (await store.listBanks(deps.db, by.organisationId)).find((b) => b.id === bank.id);
  return withCounts ?? { ...bank, entries: 0, enabledEntries: 0 };
}

export async function updateBank(
  deps: Deps,
  by: Principal,
  bankId: string,
  patch: { name?: string | undefined; description?: string | null | undefined; shared?: boolean | undefined },
): Promise<store.Bank> {
  await bankFor(deps, by, bankId, "banks:manage");
  return deps.db.transaction().execute(async (tx) => {
    if (patch.name) {
      const other = await store.findBankByName(tx, by.organisationId, patch.name);
      if (other && other.id !== bankId)
        throw new AppError("conflict", { detail: `A bank named "${patch.name}" already exists.` });
    }
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const bank = await store.updateBank(tx, bankId, clean, deps.clock.now());
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "banks.bank_updated",
      subject: { type: "hash_bank", id: bankId },
      data: clean,
    });
    return bank;
  });
}

/** Deletes a bank and all its entries; they stop matching at once on every replica. */
export async function deleteBank(deps: Deps, by: Principal, bankId: string, reason?: string): Promise<void> {
  const bank = await bankFor(deps, by, bankId, "banks:manage");
  await deps.db.transaction().execute(async (tx) => {
    const removed = await store.deleteEntries(tx, { bankId });
    await store.appendChanges(
      tx,
      removed.map((e) => e.no),
      deps.clock.now(),
    );
    await store.deleteBank(tx, bankId);
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "banks.bank_deleted",
      subject: { type: "hash_bank", id: bankId },
      ...(reason && { reason }),
      data: { name: bank.name, entriesDeleted: removed.length },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Entries

export interface EntryInput {
  signalType: string;
  value: string;
  quality?: number | null | undefined;
  pipeline?: string | null | undefined;
  expiresAt?: string | Date | null | undefined;
  caseId?: string | null | undefined;
  source?: string | null | undefined;
  note?: string | null | undefined;
}

type Validated =
  | { ok: true; row: Omit<store.NewEntry, "bankId" | "createdByType" | "createdBy"> }
  | { ok: false; error: string };

function validateEntry(input: EntryInput, defaults: { source: string | null }): Validated {
  const quality = input.quality ?? null;
  const check = checkSignal(input.signalType, String(input.value ?? ""), quality);
  if (!check.ok) return check;
  let expiresAt: Date | null = null;
  if (input.expiresAt) {
    expiresAt = input.expiresAt instanceof Date ? input.expiresAt : new Date(input.expiresAt);
    if (Number.isNaN(expiresAt.getTime()))
      return { ok: false, error: "expires_at is not an ISO 8601 date-time" };
  }
  const text = (v: string | null | undefined, max: number, name: string): string | null | Error => {
    if (v === undefined || v === null || v === "") return null;
    return v.length > max ? new Error(`${name} is longer than ${max} characters`) : v;
  };
  const pipeline = text(input.pipeline, 100, "pipeline");
  const caseId = text(input.caseId, 100, "case_id");
  const source = text(input.source ?? defaults.source, 200, "source");
  const note = text(input.note, 2000, "note");
  for (const v of [pipeline, caseId, source, note])
    if (v instanceof Error) return { ok: false, error: v.message };
  return {
    ok: true,
    row: {
      signalType: input.signalType as SignalType,
      value: check.value,
      quality: input.signalType === "pdq" ? quality : null,
      pipeline: input.signalType === "pdq" ? (pipeline as string | null) : null,
      expiresAt,
      caseId: caseId as string | null,
      reportId: null,
      source: source as string | null,
      note: note as string | null,
      withdrawalHash: null,
    },
  };
}

/**
 * Adds entries to a bank, each checked on its own: the result has one item per input, with the
 * new entry's id or the reason it was refused (bad format, degenerate, duplicate).
 */
export async function addEntries(
  deps: Deps,
  by: Principal,
  bankId: string,
  items: { line: number; input: EntryInput }[],
  opts: { source?: string | null } = {},
): Promise<BulkResult[]> {
  const bank = await bankFor(deps, by, bankId, "banks:manage");
  const actor = actorOf(by);
  return insertValidated(deps, actor, bank, items, {
    source: opts.source ?? null,
    createdByType: actor.type,
    createdBy: actor.id,
    reportId: null,
    withdrawalHash: null,
  });
}

async function insertValidated(
  deps: Deps,
  actor: audit.Actor,
  bank: store.Bank,
  items: { line: number; input: EntryInput }[],
  p: {
    source: string | null;
    createdByType: store.Entry["createdByType"];
    createdBy: string | null;
    reportId: string | null;
    withdrawalHash: string | null;
  },
): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  const rows: { line: number; row: store.NewEntry }[] = [];
  const seen = new Set<string>();
  for (const { line, input } of items) {
    const v = validateEntry(input, { source: p.source });
    if (!v.ok) {
      results.push({ line, ok: false, error: v.error });
      continue;
    }
    const key = `${v.row.signalType}:${v.row.value}`;
    if (seen.has(key)) {
      results.push({ line, ok: false, error: "duplicate of an earlier line" });
      continue;
    }
    seen.add(key);
    rows.push({
      line,
      row: {
        ...v.row,
        bankId: bank.id,
        createdByType: p.createdByType,
        createdBy: p.createdBy,
        reportId: p.reportId,
        withdrawalHash: p.withdrawalHash,
      },
    });
  }
  if (rows.length > 0) {
    await deps.db.transaction().execute(async (tx) => {
      const now = deps.clock.now();
      const inserted: store.Entry[] = [];
      for (let i = 0; i < rows.length; i += 2000)
        inserted.push(
          ...(await store.insertEntries(
            tx,
            rows.slice(i, i + 2000).map((r) => r.row),
            now,
          )),
        );
      const byKey = new Map(inserted.map((e) => [`${e.signalType}:${e.value}`, e]));
      for (const { line, row } of rows) {
        const e = byKey.get(`${row.signalType}:${row.value}`);
        results.push(e ? { line, ok: true, id: e.id } : { line, ok: false, error: "already in this bank" });
      }
      await store.appendChanges(
        tx,
        inserted.map((e) => e.no),
        now,
      );
      if (inserted.length > 0)
        await audit.record(tx, deps.clock, actor, {
          organisationId: bank.organisationId,
          action: "banks.entries_added",
          subject: { type: "hash_bank", id: bank.id },
          data: {
            added: inserted.length,
            signalTypes: [...new Set(inserted.map((e) => e.signalType))],
            ...(p.source && { source: p.source }),
            ...(p.reportId && { reportId: p.reportId }),
            entryIds: inserted.length <= 100 ? inserted.map((e) => e.id) : undefined,
          },
        });
    });
  }
  return results.sort((a, b) => a.line - b.line);
}

export async function listEntries(
  deps: Deps,
  by: Principal,
  bankId: string,
  opts: { afterNo?: number | undefined; limit?: number | undefined },
): Promise<store.Entry[]> {
  await bankFor(deps, by, bankId, "banks:read");
  return store.listEntries(deps.db, bankId, {
    afterNo: opts.afterNo ?? 0,
    limit: Math.min(opts.limit ?? 100, limits.pageSizeMax),
  });
}

async function entryFor(
  deps: Deps,
  by: Principal,
  entryId: string,
  permission: "banks:read" | "banks:manage",
) {
  authorize(by, permission);
  const entry = await store.findEntry(deps.db, entryId);
  if (!entry) throw new AppError("not_found");
  await bankFor(deps, by, entry.bankId, permission);
  return entry;
}

export async function getEntry(deps: Deps, by: Principal, entryId: string): Promise<store.Entry> {
  return entryFor(deps, by, entryId, "banks:read");
}

/** Enables or disables an entry, or changes its expiry; applied to matching at once. */
export async function updateEntry(
  deps: Deps,
  by: Principal,
  entryId: string,
  patch: { enabled?: boolean | undefined; expiresAt?: string | null | undefined },
  reason?: string,
): Promise<store.Entry> {
  await entryFor(deps, by, entryId, "banks:manage");
  return deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now();
    const e = await store.updateEntry(
      tx,
      entryId,
      {
        ...(patch.enabled !== undefined && { enabled: patch.enabled }),
        ...(patch.expiresAt !== undefined && {
          expiresAt: patch.expiresAt ? new Date(patch.expiresAt) : null,
        }),
      },
      now,
    );
    await store.appendChanges(tx, [e.no], now);
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "banks.entry_updated",
      subject: { type: "hash_entry", id: e.id },
      ...(reason && { reason }),
      data: { bankId: e.bankId, ...patch },
    });
    return e;
  });
}

export async function deleteEntry(
  deps: Deps,
  by: Principal,
  entryId: string,
  reason?: string,
): Promise<void> {
  const entry = await entryFor(deps, by, entryId, "banks:manage");
  await deps.db.transaction().execute(async (tx) => {
    const removed = await store.deleteEntries(tx, { ids: [entryId] });
    await store.appendChanges(
      tx,
      removed.map((e) => e.no),
      deps.clock.now(),
    );
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "banks.entry_deleted",
      subject: { type: "hash_entry", id: entryId },
      ...(reason && { reason }),
      data: { bankId: entry.bankId, signalType: entry.signalType },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Import and export: CSV (header row) and JSON lines, with the same column names.

export const listColumns = [
  "signal_type",
  "value",
  "quality",
  "pipeline",
  "case_id",
  "source",
  "note",
  "expires_at",
] as const;
export type ListFormat = "csv" | "jsonl";

/** Splits one CSV line into fields (RFC 4180 quoting; no newlines inside fields). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(field);
      field = "";
    } else field += ch;
  }
  out.push(field);
  return out;
}

const csvField = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  const s = v instanceof Date ? v.toISOString() : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** Parses a hash list; lines that cannot be read become per-line errors. */
export function parseList(
  text: string,
  format: ListFormat,
): { items: { line: number; input: EntryInput }[]; errors: BulkResult[] } {
  const lines = text.split(/\r?\n/);
  const items: { line: number; input: EntryInput }[] = [];
  const errors: BulkResult[] = [];
  let header: string[] | undefined;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "" || raw.startsWith("#")) return;
    let rec: Record<string, unknown>;
    if (format === "jsonl") {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          throw new Error("not an object");
        rec = parsed as Record<string, unknown>;
      } catch {
        errors.push({ line, ok: false, error: "not a JSON object" });
        return;
      }
    } else {
      const fields = parseCsvLine(raw).map((f) => f.trim());
      if (!header) {
        header = fields.map((f) => f.toLowerCase());
        const missing = ["signal_type", "value"].filter((c) => !header?.includes(c));
        if (missing.length > 0) {
          errors.push({ line, ok: false, error: `the header row lacks ${missing.join(", ")}` });
          header = [];
        }
        return;
      }
      if (header.length === 0) return;
      rec = Object.fromEntries(header.map((h, k) => [h, fields[k] ?? ""]));
    }
    const str = (k: string) =>
      rec[k] === undefined || rec[k] === null || rec[k] === "" ? null : String(rec[k]);
    const q = str("quality");
    const quality = q === null ? null : Number(q);
    if (quality !== null && !Number.isInteger(quality)) {
      errors.push({ line, ok: false, error: "quality must be an integer from 0 to 100" });
      return;
    }
    items.push({
      line,
      input: {
        signalType: str("signal_type") ?? "",
        value: str("value") ?? "",
        quality,
        pipeline: str("pipeline"),
        caseId: str("case_id"),
        source: str("source"),
        note: str("note"),
        expiresAt: str("expires_at"),
      },
    });
  });
  return { items, errors };
}

/** Imports a CSV or JSON-lines hash list into a bank; one result per data line. */
export async function importList(
  deps: Deps,
  by: Principal,
  bankId: string,
  text: string,
  format: ListFormat,
  opts: { source?: string | null } = {},
): Promise<BulkResult[]> {
  await bankFor(deps, by, bankId, "banks:manage");
  const { items, errors } = parseList(text, format);
  const added = await addEntries(deps, by, bankId, items, opts);
  return [...errors, ...added].sort((a, b) => a.line - b.line);
}

/** Exports a bank's enabled entries, page by page (an async generator of text chunks). */
export async function* exportList(
  deps: Deps,
  by: Principal,
  bankId: string,
  format: ListFormat,
): AsyncGenerator<string> {
  const bank = await bankFor(deps, by, bankId, "banks:read");
  await deps.db.transaction().execute((tx) =>
    audit.record(tx, deps.clock, actorOf(by), {
      action: "banks.exported",
      subject: { type: "hash_bank", id: bank.id },
      data: { format },
    }),
  );
  const cols = ["signal_type", "value", "quality", "pipeline", "created_at", "expires_at", "source"] as const;
  if (format === "csv") yield `${cols.join(",")}\n`;
  let after = 0;
  for (;;) {
    const page = await store.listEntries(deps.db, bankId, { afterNo: after, limit: 5000 });
    const now = deps.clock.now();
    let chunk = "";
    for (const e of page) {
      if (!e.enabled || (e.expiresAt && e.expiresAt <= now)) continue;
      const rec = {
        signal_type: e.signalType,
        value: e.value,
        quality: e.quality,
        pipeline: e.pipeline,
        created_at: e.createdAt.toISOString(),
        expires_at: e.expiresAt?.toISOString() ?? null,
        source: e.source,
      };
      chunk +=
        format === "csv" ? `${cols.map((c) => csvField(rec[c])).join(",")}\n` : `${JSON.stringify(rec)}\n`;
    }
    if (chunk) yield chunk;
    if (page.length < 5000) return;
    after = (page.at(-1) as store.Entry).no;
  }
}

// ---------------------------------------------------------------------------------------------
// Matching

export interface MatchItem {
  pdq?: string | undefined;
  quality?: number | undefined;
  /** The eight dihedral hashes of the same image (as `vangrail hash --dihedral` prints them). */
  dihedral?: string[] | undefined;
  md5?: string | undefined;
  sha256?: string | undefined;
  /** The caller's own reference, echoed back. */
  ref?: string | undefined;
}

export interface EntryMatch {
  bankId: string;
  bankName: string;
  bankKind: store.BankKind;
  entryId: string;
  signalType: SignalType;
  /** Hamming distance for PDQ (0 for exact hashes). */
  distance: number;
  /** Case and report of the entry: only for the bank's own organisation. */
  caseId?: string | null;
  reportId?: string | null;
}

export interface ItemResult {
  index: number;
  ref?: string;
  ok: boolean;
  error?: string;
  warning?: string;
  matches: EntryMatch[];
}

interface Hit {
  no: number;
  signalType: SignalType;
  distance: number;
}

/**
 * Matches up to 1,000 images' hashes against the banks the principal may see (its own and
 * shared ones). Audited with counts and the matched entry ids only: hashes that match nothing
 * are not stored anywhere.
 */
export async function match(
  deps: Deps,
  by: Principal,
  items: MatchItem[],
  opts: { radius?: number | undefined } = {},
): Promise<ItemResult[]> {
  authorize(by, "match");
  if (items.length > limits.hashMatchBatchMax)
    throw new AppError("validation_failed", {
      errors: [{ path: "/hashes", message: `At most ${limits.hashMatchBatchMax} hashes per call.` }],
    });
  const radius = opts.radius ?? PDQ_MATCH_RADIUS;
  const results = await matchItems(deps, by.organisationId, items, radius);
  const matchedIds = [...new Set(results.flatMap((r) => r.matches.map((m) => m.entryId)))];
  await deps.db.transaction().execute((tx) =>
    audit.record(tx, deps.clock, actorOf(by), {
      action: "banks.match_query",
      data: {
        hashes: items.length,
        invalid: results.filter((r) => !r.ok).length,
        matchedItems: results.filter((r) => r.matches.length > 0).length,
        matchedEntryIds: matchedIds.slice(0, 1000),
        radius,
      },
    }),
  );
  return results.map((r) => ({
    ...r,
    matches: r.matches.map((m) => {
      const { caseId: _c, reportId: _r, ...rest } = m;
      return rest;
    }),
  }));
}

async function matchItems(
  deps: Deps,
  organisationId: string | null,
  items: MatchItem[],
  radius: number,
): Promise<(ItemResult & { matches: (EntryMatch & { organisationId?: string })[] })[]> {
  if (!Number.isInteger(radius) || radius < 0 || radius > MAX_RADIUS)
    throw new AppError("validation_failed", {
      errors: [{ path: "/radius", message: `The radius is an integer from 0 to ${MAX_RADIUS}.` }],
    });
  const matcher = matcherFor(deps.db);
  await matcher.sync(deps.db);
  const perItem: { index: number; ref?: string; hits: Hit[]; error?: string; warning?: string }[] = items.map(
    (item, index) => {
      const base = { index, ...(item.ref !== undefined && { ref: item.ref }) };
      const hits: Hit[] = [];
      if (!item.pdq && !item.md5 && !item.sha256) return { ...base, hits, error: "give pdq, md5 or sha256" };
      for (const type of ["md5", "sha256"] as const) {
        const v = item[type];
        if (v === undefined) continue;
        const c = checkSignal(type, v);
        if (!c.ok) return { ...base, hits, error: `${type}: ${c.error}` };
        for (const no of matcher.searchExact(type, c.value)) hits.push({ no, signalType: type, distance: 0 });
      }
      let warning: string | undefined;
      if (item.pdq !== undefined) {
        const c = checkSignal("pdq", item.pdq);
        if (!c.ok) return { ...base, hits, error: `pdq: ${c.error}` };
        const variants = item.dihedral?.map((h) => h.trim().toLowerCase()) ?? [c.value];
        if (item.dihedral && (variants.length !== 8 || !variants.every(isPdqHex) || variants[0] !== c.value))
          return { ...base, hits, error: "dihedral: eight 64-hex hashes, the first equal to pdq" };
        if (item.quality !== undefined && item.quality < PDQ_MIN_QUALITY)
          warning = `pdq quality ${item.quality} is below ${PDQ_MIN_QUALITY}: not matched`;
        else
          for (const m of matcher.searchPdq(variants, radius))
            hits.push({ no: m.key, signalType: "pdq", distance: m.distance });
      }
      return { ...base, hits, ...(warning && { warning }) };
    },
  );
  const nos = [...new Set(perItem.flatMap((r) => r.hits.map((h) => h.no)))];
  const visible = new Map(
    (await store.visibleEntries(deps.db, nos, organisationId, deps.clock.now())).map((e) => [e.no, e]),
  );
  return perItem.map((r) => {
    const matches = r.hits.flatMap((h) => {
      const e = visible.get(h.no);
      if (!e) return [];
      const own = organisationId === null || e.organisationId === organisationId;
      return [
        {
          bankId: e.bankId,
          bankName: e.bankName,
          bankKind: e.bankKind,
          entryId: e.entryId,
          signalType: h.signalType,
          distance: h.distance,
          ...(own && { caseId: e.caseId, reportId: e.reportId }),
        },
      ];
    });
    matches.sort((a, b) => a.distance - b.distance);
    return {
      index: r.index,
      ...(r.ref !== undefined && { ref: r.ref }),
      ok: r.error === undefined,
      ...(r.error && { error: r.error }),
      ...(r.warning && { warning: r.warning }),
      matches,
    };
  });
}

export interface CheckContext {
  /** Whose banks to check (own + shared); null checks every bank (a system-wide check). */
  organisationId: string | null;
  /** What the image is, for the audit trail: e.g. { type: "evidence_artefact", id }. */
  subject?: { type: string; id: string };
  caseId?: string | null;
}

export interface CheckResult {
  hashes: ImageHashes;
  matches: EntryMatch[];
}

/**
 * The automatic check: hashes an image that Vangrail captured or received (MD5, SHA-256, PDQ
 * with its eight dihedral variants) and matches it against the banks. Matches carry the case
 * and report of the banked entry, so the caller can link the item to earlier cases
 * (re-upload detection). A match is audited; an image without a match leaves no trace here.
 * Throws `image_unreadable` for bytes that are not an image (exact hashes are then the caller's).
 * Call it outside any open transaction: it reads and writes through `deps.db` (on PGlite, a
 * transaction held by the caller would make it wait forever for the one connection).
 */
export async function checkImage(deps: Deps, bytes: Uint8Array, context: CheckContext): Promise<CheckResult> {
  const hashes = await hashImage(bytes);
  const [result] = await matchItems(
    deps,
    context.organisationId,
    [
      {
        pdq: hashes.hash,
        quality: hashes.quality,
        dihedral: hashes.dihedral,
        md5: hashes.md5,
        sha256: hashes.sha256,
      },
    ],
    PDQ_MATCH_RADIUS,
  );
  const matches = result?.matches ?? [];
  if (matches.length > 0) {
    await deps.db.transaction().execute((tx) =>
      audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: context.organisationId,
        action: "banks.image_matched",
        ...(context.subject && { subject: context.subject }),
        data: {
          sha256: hashes.sha256,
          caseId: context.caseId ?? null,
          matches: matches.map((m) => ({ entryId: m.entryId, bankId: m.bankId, distance: m.distance })),
        },
      }),
    );
  }
  return { hashes, matches };
}

/**
 * The automatic check for media whose bytes are gone (captures kept as hashes only): matches
 * known hashes against the banks, like `checkImage` but without hashing. Audited on a match.
 */
export async function checkHashes(
  deps: Deps,
  hashes: { sha256?: string | undefined; md5?: string | undefined; pdq?: string | null | undefined },
  context: CheckContext,
): Promise<EntryMatch[]> {
  const item: MatchItem = {
    ...(hashes.sha256 && { sha256: hashes.sha256 }),
    ...(hashes.md5 && { md5: hashes.md5 }),
    ...(hashes.pdq && { pdq: hashes.pdq }),
  };
  if (!item.sha256 && !item.md5 && !item.pdq) return [];
  const [result] = await matchItems(deps, context.organisationId, [item], PDQ_MATCH_RADIUS);
  const matches = result?.ok ? result.matches : [];
  if (matches.length > 0)
    await deps.db.transaction().execute((tx) =>
      audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: context.organisationId,
        action: "banks.image_matched",
        ...(context.subject && { subject: context.subject }),
        data: {
          sha256: hashes.sha256 ?? null,
          caseId: context.caseId ?? null,
          matches: matches.map((m) => ({ entryId: m.entryId, bankId: m.bankId, distance: m.distance })),
        },
      }),
    );
  return matches;
}

/** The radius within which two PDQ hashes are the same image (the banks' default). */
export const PDQ_RADIUS = PDQ_MATCH_RADIUS;
/** PDQ quality below which a hash is too featureless to compare. */
export const PDQ_QUALITY_MIN = PDQ_MIN_QUALITY;

/** Bits in which two PDQ hashes differ. */
export const pdqDistance = (a: string, b: string): number => hammingHex(a, b);

/**
 * SHA-256 and PDQ of image bytes through the pinned pipeline, matched against nothing and stored
 * nowhere (monitoring compares what a site serves with what was captured). PDQ is null for bytes
 * that are not a decodable image or too featureless to compare.
 */
export async function fingerprintImage(bytes: Uint8Array): Promise<{ sha256: string; pdq: string | null }> {
  const h = await hashImage(bytes).catch(() => null);
  if (!h) return { sha256: exactSha256(bytes), pdq: null };
  return { sha256: h.sha256, pdq: h.quality >= PDQ_MIN_QUALITY ? h.hash : null };
}

// ---------------------------------------------------------------------------------------------
// Hashing on the victim's device, and withdrawal

export interface DeviceHash {
  pdq: string;
  quality: number;
}

/**
 * Stores PDQ hashes computed in a victim's browser for a report, in the organisation's
 * victim-submitted bank (created on first use). The caller (the intake module) has already
 * verified the report's receipt and secret. Returns one result per hash and a withdrawal secret
 * (shown to the victim once): with it, or through the report, the entries are deleted again.
 */
export async function submitDeviceHashes(
  deps: Deps,
  target: { organisationId: string; reportId: string; caseId?: string | null },
  hashes: DeviceHash[],
): Promise<{ results: BulkResult[]; withdrawalSecret: string }> {
  if (hashes.length === 0 || hashes.length > limits.hashMatchBatchMax)
    throw new AppError("validation_failed", {
      errors: [{ path: "/hashes", message: `Send 1 to ${limits.hashMatchBatchMax} hashes.` }],
    });
  const actor: audit.Actor = { type: "public", id: null, organisationId: target.organisationId };
  const bank = await victimBank(deps, target.organisationId);
  const withdrawalSecret = randomToken(24);
  const results = await insertValidated(
    deps,
    actor,
    bank,
    hashes.map((h, i) => ({
      line: i + 1,
      input: {
        signalType: "pdq",
        value: h.pdq,
        quality: h.quality,
        pipeline: BROWSER_PIPELINE_ID,
        caseId: target.caseId ?? null,
      },
    })),
    {
      source: "device",
      createdByType: "public",
      createdBy: null,
      reportId: target.reportId,
      withdrawalHash: sha256Hex(withdrawalSecret),
    },
  );
  return { results, withdrawalSecret };
}

async function victimBank(deps: Deps, organisationId: string): Promise<store.Bank> {
  const existing = await store.findBankByName(deps.db, organisationId, VICTIM_BANK_NAME);
  if (existing) return existing;
  return deps.db.transaction().execute(async (tx) => {
    const again = await store.findBankByName(tx, organisationId, VICTIM_BANK_NAME);
    if (again) return again;
    const bank = await store.insertBank(tx, {
      organisationId,
      name: VICTIM_BANK_NAME,
      kind: "victim_submitted",
      description: "PDQ hashes made on victims' own devices; the images never left the device.",
      shared: false,
      createdBy: null,
      now: deps.clock.now(),
    });
    await audit.record(tx, deps.clock, audit.systemActor, {
      organisationId,
      action: "banks.bank_created",
      subject: { type: "hash_bank", id: bank.id },
      data: { name: bank.name, kind: bank.kind },
    });
    return bank;
  });
}

/**
 * Withdraws (deletes) every entry submitted for a report, or holding a withdrawal secret.
 * The intake module calls it after checking the receipt; `vangrail banks withdraw` too.
 */
export async function withdraw(
  deps: Deps,
  by: { reportId: string } | { secret: string },
  reason = "withdrawn by the victim",
): Promise<{ deleted: number }> {
  return deps.db.transaction().execute(async (tx) => {
    const removed = await store.deleteEntries(
      tx,
      "reportId" in by ? { reportId: by.reportId } : { withdrawalHash: sha256Hex(by.secret) },
    );
    if (removed.length === 0) return { deleted: 0 };
    await store.appendChanges(
      tx,
      removed.map((e) => e.no),
      deps.clock.now(),
    );
    const banks = [...new Set(removed.map((e) => e.bankId))];
    for (const bankId of banks) {
      const bank = await store.findBank(tx, bankId);
      await audit.record(
        tx,
        deps.clock,
        { type: "public", id: null, organisationId: bank?.organisationId ?? null },
        {
          action: "banks.entries_withdrawn",
          subject: { type: "hash_bank", id: bankId },
          reason,
          data: {
            deleted: removed.filter((e) => e.bankId === bankId).length,
            ...("reportId" in by && { reportId: by.reportId }),
          },
        },
      );
    }
    return { deleted: removed.length };
  });
}

/**
 * Deletes entries whose expiry has passed (they already stopped matching at that moment; this
 * frees them from the index and the database). Run hourly by the job `hashing.purge-expired`.
 */
export async function purgeExpired(deps: Deps): Promise<{ deleted: number }> {
  return deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now();
    const removed = await store.deleteEntries(tx, { expiredAt: now });
    if (removed.length === 0) return { deleted: 0 };
    await store.appendChanges(
      tx,
      removed.map((e) => e.no),
      now,
    );
    for (const bankId of new Set(removed.map((e) => e.bankId))) {
      const bank = await store.findBank(tx, bankId);
      await audit.record(
        tx,
        deps.clock,
        { ...audit.systemActor, organisationId: bank?.organisationId ?? null },
        {
          action: "banks.entries_expired",
          subject: { type: "hash_bank", id: bankId },
          data: { deleted: removed.filter((e) => e.bankId === bankId).length },
        },
      );
    }
    return { deleted: removed.length };
  });
}

/** Signal types, for schemas. */
export { signalTypes };
