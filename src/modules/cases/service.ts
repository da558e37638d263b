// Cases: the analyst's unit of work. A case has items (shared with other cases that report the
// same thing), a category from the taxonomy, a priority, a status, an assignee, notes, and a
// timeline read from the audit log. Every change writes an audit event in its transaction.

import type { Executor, Tx } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import * as attribution from "../attribution/service.ts";
import * as audit from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { actorOf, assertSameOrganisation, authorize, type Principal } from "../identity/principal.ts";
import * as identity from "../identity/service.ts";
import * as store from "./store.ts";
import { category as categoryOf, concernsMinor, taxonomy } from "./taxonomy.ts";
import { hostOf, InvalidUrlError, normaliseUrl } from "./urls.ts";

export type { Case, CaseStatus, Item, ItemKind, ItemStatus, Priority } from "./store.ts";

export const caseReference = (number: number): string => `VG-${String(number).padStart(6, "0")}`;

export function parseReference(ref: string): number | undefined {
  const m = /^(?:VG-)?0*(\d{1,12})$/i.exec(ref.trim());
  return m?.[1] ? Number(m[1]) : undefined;
}

/** Why a case is urgent, from the facts of a report. */
export interface UrgencySignals {
  category: string;
  minorInvolved: boolean;
  ongoingSextortion: boolean;
  selfHarm: boolean;
  immediateDanger: boolean;
}

export function urgency(s: UrgencySignals): { priority: store.Priority; reasons: string[] } {
  const reasons: string[] = [];
  if (s.minorInvolved || concernsMinor(s.category)) reasons.push("minor");
  if (s.ongoingSextortion) reasons.push("ongoing_sextortion");
  if (s.selfHarm) reasons.push("self_harm");
  if (s.immediateDanger) reasons.push("immediate_danger");
  if (reasons.length > 0) return { priority: "urgent", reasons };
  const high = s.category === "sextortion" || s.category === "exposure_list" || s.category === "doxing";
  return { priority: high ? "high" : "normal", reasons };
}

export interface NewItemInput {
  kind: store.ItemKind;
  value: string;
  platform?: string | null | undefined;
  /** The item's key when the caller has computed it already (`itemKey`). */
  key?: { key: string; host: string | null };
  /** Files: hashes and, when the category allows keeping media, the sealed blob. */
  file?: {
    sha256: string;
    md5: string;
    blobRef: string | null;
    mediaType: string;
    sizeBytes: number;
    width: number;
    height: number;
  };
}

/** The normalised key of an item; throws InvalidUrlError for a bad URL or domain. */
export function itemKey(
  kind: store.ItemKind,
  value: string,
  platform?: string | null,
): { key: string; host: string | null } {
  switch (kind) {
    case "url": {
      const key = normaliseUrl(value);
      return { key, host: hostOf(key) };
    }
    case "domain": {
      const key = new URL(normaliseUrl(value.replace(/^https?:\/\//i, ""))).hostname;
      return { key, host: key };
    }
    case "account": {
      const handle = value.trim().replace(/^@/, "").toLowerCase();
      return { key: `${(platform ?? "").trim().toLowerCase()}:${handle}`, host: null };
    }
    case "file":
      return { key: value, host: null };
  }
}

/** An item of a new case, keyed: the row `items` gets unless the item is already known. */
export interface ItemDraft {
  kind: store.ItemKind;
  value: string;
  normalized: string;
  host: string | null;
  platform: string | null;
  sha256: string | null;
  md5: string | null;
  blobRef: string | null;
  mediaType: string | null;
  sizeBytes: number | null;
  width: number | null;
  height: number | null;
}

/**
 * The rows of a new case, checked and keyed as `createCaseInTx` writes them: the category must
 * exist, each item gets its normalised key, and an item given twice is kept once (the first).
 * For a writer that inserts the case in one statement with rows of its own (intake).
 */
export function draftCase(input: Omit<CreateCaseInput, "recordAudit">): {
  taxonomyVersion: string;
  items: ItemDraft[];
} {
  if (!categoryOf(input.category))
    throw new AppError("validation_failed", { errors: [{ path: "category", message: "Unknown category." }] });
  const items: ItemDraft[] = [];
  const seen = new Set<string>();
  for (const i of input.items) {
    const { key, host } =
      i.kind === "file" && i.file
        ? { key: i.file.sha256, host: null }
        : (i.key ?? itemKey(i.kind, i.value, i.platform));
    if (seen.has(`${i.kind}:${key}`)) continue;
    seen.add(`${i.kind}:${key}`);
    items.push({
      kind: i.kind,
      value: i.value,
      normalized: key,
      host,
      platform: i.platform ?? null,
      sha256: i.file?.sha256 ?? null,
      md5: i.file?.md5 ?? null,
      blobRef: i.file?.blobRef ?? null,
      mediaType: i.file?.mediaType ?? null,
      sizeBytes: i.file?.sizeBytes ?? null,
      width: i.file?.width ?? null,
      height: i.file?.height ?? null,
    });
  }
  return { taxonomyVersion: taxonomy.version, items };
}

export interface CreateCaseInput {
  organisationId: string;
  category: string;
  source: store.CaseSource;
  priority: store.Priority;
  urgentReasons: string[];
  items: NewItemInput[];
  /** False when the caller records one event for the whole change itself (intake). */
  recordAudit?: boolean;
}

/**
 * Creates a case with its items inside the caller's transaction (intake writes the report in
 * the same one). Items already known are linked, not duplicated.
 */
export async function createCaseInTx(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  actor: audit.Actor,
  input: CreateCaseInput,
): Promise<{ case: store.Case; items: store.Item[]; freshItems: store.Item[]; linkedItems: number }> {
  if (!categoryOf(input.category))
    throw new AppError("validation_failed", { errors: [{ path: "category", message: "Unknown category." }] });
  const now = deps.clock.now();
  const c = await store.insertCase(tx, {
    organisationId: input.organisationId,
    category: input.category,
    taxonomyVersion: taxonomy.version,
    priority: input.priority,
    urgentReasons: input.urgentReasons,
    status: "new",
    source: input.source,
    createdAt: now,
  });
  const items: store.Item[] = [];
  const freshItems: store.Item[] = [];
  let linkedItems = 0;
  for (const i of input.items) {
    const { key, host } =
      i.kind === "file" && i.file ? { key: i.file.sha256, host: null } : itemKey(i.kind, i.value, i.platform);
    const { item, created } = await store.upsertItem(
      tx,
      {
        organisationId: input.organisationId,
        kind: i.kind,
        value: i.value,
        normalized: key,
        host,
        platform: i.platform ?? null,
        ...(i.file && {
          sha256: i.file.sha256,
          md5: i.file.md5,
          blobRef: i.file.blobRef,
          mediaType: i.file.mediaType,
          sizeBytes: i.file.sizeBytes,
          width: i.file.width,
          height: i.file.height,
        }),
      },
      now,
    );
    if (await store.linkItem(tx, c.id, item.id, now)) items.push(item);
    if (created) freshItems.push(item);
    else linkedItems++;
  }
  if (input.recordAudit === false) return { case: c, items, freshItems, linkedItems };
  await audit.record(tx, deps.clock, actor, {
    organisationId: input.organisationId,
    action: "case.created",
    subject: { type: "case", id: c.id },
    data: {
      source: input.source,
      category: c.category,
      priority: c.priority,
      urgentReasons: c.urgentReasons,
      items: items.length,
      linkedItems,
    },
  });
  return { case: c, items, freshItems, linkedItems };
}

export interface QueueQuery {
  status?: store.CaseStatus | "open" | "all" | undefined;
  category?: string | undefined;
  priority?: store.Priority | undefined;
  assignee?: "me" | "none" | string | undefined;
  q?: string | undefined;
  sort?: "priority" | "oldest" | "newest" | "updated" | undefined;
  limit: number;
  offset: number;
}

const OPEN: store.CaseStatus[] = ["new", "triage", "in_progress", "waiting"];

/** The triage queue with filters, sorting and counts by status and priority. */
export async function queue(deps: Deps, by: Principal, q: QueueQuery) {
  authorize(by, "cases:read");
  const statuses =
    q.status === undefined || q.status === "open"
      ? OPEN
      : q.status === "all"
        ? [...OPEN, "closed" as const]
        : [q.status];
  let number: number | undefined;
  let host: string | undefined;
  if (q.q) {
    number = parseReference(q.q);
    if (number === undefined) {
      try {
        host = hostOf(normaliseUrl(q.q));
      } catch {
        host = q.q.trim().toLowerCase();
      }
    }
  }
  const assignee = q.assignee === "me" ? (by.kind === "user" ? by.userId : undefined) : q.assignee;
  const { rows, total } = await store.queue(deps.db, {
    organisationId: by.organisationId,
    statuses,
    category: q.category,
    priority: q.priority,
    assignee,
    number,
    host,
    sort: q.sort ?? "priority",
    limit: q.limit,
    offset: q.offset,
  });
  const counts = await store.counts(deps.db, by.organisationId);
  return { rows, total, counts };
}

async function loadCase(deps: Deps, by: Principal, id: string, forUpdate?: Tx) {
  const c = await store.findCase(forUpdate ?? deps.db, by.organisationId, id, forUpdate !== undefined);
  assertSameOrganisation(by, c?.organisationId);
  return c as store.Case;
}

/** Everything the case page shows. Reports and contact details come from the intake module. */
export async function getCase(deps: Deps, by: Principal, id: string) {
  authorize(by, "cases:read");
  const c = await loadCase(deps, by, id);
  const items = await store.itemsOfCase(deps.db, c.id);
  const linked = await store.linkedCases(
    deps.db,
    c.id,
    items.map((i) => i.id),
  );
  const notes = await store.notesOfCase(deps.db, c.id);
  const subjects = [{ type: "case", id: c.id }, ...items.map((i) => ({ type: "item", id: i.id }))];
  const timeline = await audit.timeline(deps.db, by.organisationId, subjects, 500);
  const assignee = c.assigneeId ? await identity.findUserById(deps, c.assigneeId) : undefined;
  return { case: c, items, linked, notes, timeline, assignee };
}

/** Links an item into an earlier case because its image matched material banked there. */
export async function linkByMatch(
  deps: Deps,
  organisationId: string,
  earlierCaseId: string,
  itemId: string,
  fromCaseId: string,
): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const earlier = await store.findCase(tx, organisationId, earlierCaseId);
    if (!earlier) return;
    if (!(await store.linkItem(tx, earlier.id, itemId, deps.clock.now()))) return;
    await audit.record(tx, deps.clock, audit.systemActor, {
      organisationId,
      action: "case.item_linked_by_match",
      subject: { type: "case", id: earlier.id },
      reason: "re-upload: the image matches material banked from this case",
      data: { itemId, fromCaseId },
    });
  });
}

export async function findByNumber(
  deps: Deps,
  by: Principal,
  number: number,
): Promise<store.Case | undefined> {
  authorize(by, "cases:read");
  return store.findCaseByNumber(deps.db, by.organisationId, number);
}

export interface CaseChange {
  category?: string | undefined;
  priority?: store.Priority | undefined;
  status?: store.CaseStatus | undefined;
  assigneeId?: string | null | undefined;
  reason?: string | undefined;
}

/** Classifies, prioritises, assigns or moves a case; status changes need a reason. */
export async function changeCase(
  deps: Deps,
  by: Principal,
  id: string,
  change: CaseChange,
): Promise<store.Case> {
  authorize(by, "cases:triage");
  if (change.category !== undefined && !categoryOf(change.category)) {
    throw new AppError("validation_failed", {
      errors: [{ path: "category", pointer: "/category", message: "Unknown category." }],
    });
  }
  if (change.status !== undefined && !change.reason?.trim()) {
    throw new AppError("validation_failed", {
      errors: [{ path: "reason", pointer: "/reason", message: "Give a reason for the status change." }],
    });
  }
  if (change.assigneeId) {
    const u = await identity.findUserById(deps, change.assigneeId);
    if (!u || u.organisationId !== by.organisationId) {
      throw new AppError("validation_failed", {
        errors: [{ path: "assigneeId", pointer: "/assigneeId", message: "No such colleague." }],
      });
    }
  }
  return deps.db.transaction().execute(async (tx) => {
    const c = await loadCase(deps, by, id, tx);
    const now = deps.clock.now();
    const patch: Parameters<typeof store.updateCase>[2] = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (change.category !== undefined && change.category !== c.category) {
      patch.category = change.category;
      changes.category = { from: c.category, to: change.category };
    }
    if (change.priority !== undefined && change.priority !== c.priority) {
      patch.priority = change.priority;
      changes.priority = { from: c.priority, to: change.priority };
    }
    if (change.status !== undefined && change.status !== c.status) {
      patch.status = change.status;
      patch.closedAt = change.status === "closed" ? now : null;
      changes.status = { from: c.status, to: change.status };
    }
    if (change.assigneeId !== undefined && change.assigneeId !== c.assigneeId) {
      patch.assigneeId = change.assigneeId;
      changes.assignee = { from: c.assigneeId, to: change.assigneeId };
    }
    if (Object.keys(changes).length === 0) return c;
    await store.updateCase(tx, c.id, patch, now);
    for (const [field, v] of Object.entries(changes)) {
      await audit.record(tx, deps.clock, actorOf(by), {
        action:
          field === "status"
            ? "case.status_changed"
            : field === "assignee"
              ? "case.assigned"
              : `case.${field}_changed`,
        subject: { type: "case", id: c.id },
        ...(change.reason?.trim() && { reason: change.reason.trim() }),
        data: v,
      });
    }
    return { ...c, ...patch, updatedAt: now } as store.Case;
  });
}

export async function addNote(deps: Deps, by: Principal, caseId: string, body: string): Promise<string> {
  authorize(by, "cases:triage");
  if (by.kind !== "user") throw new AppError("forbidden", { detail: "Notes are written by people." });
  return deps.db.transaction().execute(async (tx) => {
    const c = await loadCase(deps, by, caseId, tx);
    const id = await store.insertNote(tx, { caseId: c.id, authorId: by.userId, body, now: deps.clock.now() });
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "case.note_added",
      subject: { type: "case", id: c.id },
      data: { noteId: id },
    });
    return id;
  });
}

/** Adds items (URLs, accounts, domains) to a case; per-item results, partial failure is normal. */
export async function addItems(
  deps: Deps,
  by: Principal,
  caseId: string,
  items: { kind: "url" | "account" | "domain"; value: string; platform?: string | undefined }[],
): Promise<{ index: number; ok: boolean; itemId?: string; linked?: boolean; error?: string }[]> {
  authorize(by, "cases:triage");
  const results: { index: number; ok: boolean; itemId?: string; linked?: boolean; error?: string }[] = [];
  const fresh: string[] = [];
  await deps.db.transaction().execute(async (tx) => {
    const c = await loadCase(deps, by, caseId, tx);
    const now = deps.clock.now();
    for (const [index, i] of items.entries()) {
      let key: { key: string; host: string | null };
      try {
        key = itemKey(i.kind, i.value, i.platform);
      } catch (e) {
        results.push({ index, ok: false, error: e instanceof InvalidUrlError ? e.message : "Not valid." });
        continue;
      }
      const { item, created } = await store.upsertItem(
        tx,
        {
          organisationId: c.organisationId,
          kind: i.kind,
          value: i.value.trim(),
          normalized: key.key,
          host: key.host,
          platform: i.platform ?? null,
        },
        now,
      );
      const added = await store.linkItem(tx, c.id, item.id, now);
      if (added) {
        await audit.record(tx, deps.clock, actorOf(by), {
          action: "case.item_added",
          subject: { type: "case", id: c.id },
          data: { itemId: item.id, kind: i.kind, existing: !created },
        });
      }
      results.push({ index, ok: true, itemId: item.id, linked: !created });
      if (created && (i.kind === "url" || i.kind === "domain")) fresh.push(item.id);
    }
    // New URLs and domains are attributed without anyone asking (a job in this transaction).
    if (fresh.length > 0) await attribution.queueAutoAttribution(deps, tx, c.organisationId, c.id, fresh);
  });
  return results;
}

const ITEM_STATUSES: store.ItemStatus[] = [
  "reported",
  "triaged",
  "evidence_captured",
  "attributed",
  "notice_sent",
  "removed",
  "still_online",
  "escalated",
  "not_actionable",
  "closed",
];

export async function changeItemStatus(
  deps: Deps,
  by: Principal,
  caseId: string,
  itemId: string,
  status: store.ItemStatus,
  reason: string,
): Promise<void> {
  authorize(by, "cases:triage");
  if (!ITEM_STATUSES.includes(status)) throw new AppError("validation_failed");
  await deps.db.transaction().execute(async (tx) => {
    const c = await loadCase(deps, by, caseId, tx);
    const item = await store.findItem(tx, by.organisationId, itemId);
    if (!item || !(await store.caseHasItem(tx, c.id, item.id))) throw new AppError("not_found");
    if (item.status === status) return;
    await store.updateItemStatus(tx, item.id, status, deps.clock.now());
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "item.status_changed",
      subject: { type: "item", id: item.id },
      reason,
      data: { from: item.status, to: status, caseId: c.id },
    });
  });
}

/** The item behind a case, for showing its file; checks that it belongs to the case. */
export async function itemOfCase(
  deps: Deps,
  by: Principal,
  caseId: string,
  itemId: string,
): Promise<store.Item> {
  authorize(by, "cases:read");
  const c = await loadCase(deps, by, caseId);
  const item = await store.findItem(deps.db, by.organisationId, itemId);
  if (!item || !(await store.caseHasItem(deps.db, c.id, item.id))) throw new AppError("not_found");
  return item;
}

// A reveal opens the material to that person for a short while; after that it is blurred again.
const REVEAL_WINDOW_MS = 10 * 60_000;

/** The stored file of an item: only for someone who revealed it in the last few minutes. */
export async function revealedFile(deps: Deps, by: Principal, caseId: string, itemId: string) {
  authorize(by, "cases:reveal");
  if (by.kind !== "user") throw new AppError("forbidden");
  const item = await itemOfCase(deps, by, caseId, itemId);
  if (!item.blobRef) throw new AppError("not_found", { detail: "No file is kept for this item." });
  const since = new Date(deps.clock.now().getTime() - REVEAL_WINDOW_MS);
  if (!(await store.revealedSince(deps.db, by.userId, item.id, since))) throw new AppError("reveal_required");
  return {
    bytes: await deps.blobs.get(item.blobRef),
    mediaType: item.mediaType ?? "application/octet-stream",
  };
}

/** A small, heavily blurred greyscale preview: shows that there is an image, not what it shows. */
export async function blurredPreview(
  deps: Deps,
  by: Principal,
  caseId: string,
  itemId: string,
): Promise<Buffer> {
  const item = await itemOfCase(deps, by, caseId, itemId);
  if (!item.blobRef) throw new AppError("not_found", { detail: "No file is kept for this item." });
  const { default: sharp } = await import("sharp");
  return sharp(await deps.blobs.get(item.blobRef))
    .resize(96, 96, { fit: "inside" })
    .greyscale()
    .blur(8)
    .resize(320, 320, { fit: "inside" })
    .jpeg({ quality: 60 })
    .toBuffer();
}

const startOfDayUtc = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/**
 * Records that a person looked at material (click-to-reveal): an audit event (chain of custody)
 * and one more on their exposure counter for the day. Returns the day's count.
 */
export async function recordReveal(
  deps: Deps,
  by: Principal,
  caseId: string,
  itemId: string,
): Promise<number> {
  authorize(by, "cases:reveal");
  if (by.kind !== "user") throw new AppError("forbidden", { detail: "Only people reveal material." });
  const item = await itemOfCase(deps, by, caseId, itemId);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await store.recordExposure(tx, by.userId, item.id, now);
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "item.revealed",
      subject: { type: "item", id: item.id },
      data: { caseId },
    });
  });
  return store.exposuresSince(deps.db, by.userId, startOfDayUtc(now));
}

export async function exposureToday(deps: Deps, by: Principal): Promise<number> {
  if (by.kind !== "user") return 0;
  return store.exposuresSince(deps.db, by.userId, startOfDayUtc(deps.clock.now()));
}

export { ITEM_STATUSES };

/** A case and its items for another module's job (no principal: the caller checked access). */
export async function caseWithItems(
  deps: Deps,
  organisationId: string,
  caseId: string,
  db: Executor = deps.db,
) {
  const c = await store.findCase(db, organisationId, caseId);
  if (!c) return undefined;
  return { case: c, items: await store.itemsOfCase(db, c.id) };
}

/**
 * Moves items along the chain on behalf of the system (a notice was sent, a party answered),
 * one audit event per item that changed. Items in `keep` states are left alone.
 */
export async function advanceItems(
  tx: Tx,
  clock: Deps["clock"],
  organisationId: string,
  itemIds: string[],
  status: store.ItemStatus,
  reason: string,
  data: Record<string, unknown> = {},
  keep: store.ItemStatus[] = ["removed", "escalated", "not_actionable", "closed"],
): Promise<number> {
  let changed = 0;
  for (const id of itemIds) {
    const item = await store.findItem(tx, organisationId, id);
    if (!item || item.status === status || keep.includes(item.status)) continue;
    await store.updateItemStatus(tx, item.id, status, clock.now());
    await audit.record(tx, clock, audit.systemActor, {
      organisationId,
      action: "item.status_changed",
      subject: { type: "item", id: item.id },
      reason,
      data: { from: item.status, to: status, ...data },
    });
    changed++;
  }
  return changed;
}

// --- Monitoring (issue 7): verified removal, re-appearance, re-upload fast track ---------------

/**
 * The verified removal of an item, on behalf of the monitoring module: the first check that saw
 * it gone. Sets `removed_at` and the status `removed` (once; a later check changes nothing) and
 * writes `item.removal_verified`. What a party claims never comes here.
 */
export async function recordVerifiedRemoval(
  tx: Tx,
  clock: Deps["clock"],
  organisationId: string,
  itemId: string,
  check: { id: string; at: Date; reason: string },
): Promise<boolean> {
  const from = await store.setRemoval(tx, itemId, check.at, check.id);
  if (from === undefined) return false;
  await audit.record(tx, clock, audit.systemActor, {
    organisationId,
    action: "item.removal_verified",
    subject: { type: "item", id: itemId },
    reason: "the first monitoring check that saw it gone",
    data: { checkId: check.id, checkedAt: check.at.toISOString(), why: check.reason, from, to: "removed" },
  });
  return true;
}

/**
 * An item seen online again after its verified removal: the removal is cleared (it stays in the
 * checks and in this event), the status becomes `still_online`, and `item.reappeared` is written.
 */
export async function recordReappearance(
  tx: Tx,
  clock: Deps["clock"],
  organisationId: string,
  itemId: string,
  check: { id: string; at: Date; verdict: string },
): Promise<boolean> {
  const was = await store.clearRemoval(tx, itemId, check.at);
  if (!was) return false;
  await audit.record(tx, clock, audit.systemActor, {
    organisationId,
    action: "item.reappeared",
    subject: { type: "item", id: itemId },
    reason: "a monitoring check found it online again after its verified removal",
    data: {
      checkId: check.id,
      checkedAt: check.at.toISOString(),
      verdict: check.verdict,
      removedAt: was.removedAt.toISOString(),
      removalCheckId: was.checkId,
      from: "removed",
      to: "still_online",
    },
  });
  return true;
}

/** The cases of items (another module's job: the caller checked access). */
export function casesOfItems(deps: Pick<Deps, "db">, organisationId: string, itemIds: string[]) {
  return store.casesOfItems(deps.db, organisationId, itemIds);
}

/** Other file items of an organisation with the same bytes (SHA-256). */
export function fileItemsWithSha256(
  deps: Pick<Deps, "db">,
  organisationId: string,
  sha256: string,
  exceptItemId: string,
) {
  return store.fileItemsWithSha256(deps.db, organisationId, sha256, exceptItemId);
}

/**
 * A re-upload of known material: the item is linked into each earlier case, marked fast-tracked,
 * and every open case holding it is raised to urgent with the reason `re_upload` (first in the
 * queue). One transaction; an event per link and per raised case.
 */
export async function fastTrackReupload(
  deps: Pick<Deps, "db" | "clock">,
  organisationId: string,
  itemId: string,
  earlierCaseIds: string[],
  evidence: Record<string, unknown>,
): Promise<{ linked: string[]; raised: string[]; fastTracked: boolean }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const linked: string[] = [];
    for (const earlierId of earlierCaseIds) {
      const earlier = await store.findCase(tx, organisationId, earlierId);
      if (!earlier || !(await store.linkItem(tx, earlier.id, itemId, now))) continue;
      linked.push(earlier.id);
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId,
        action: "case.item_linked_by_match",
        subject: { type: "case", id: earlier.id },
        reason: "re-upload: the media matches material of this case",
        data: { itemId, ...evidence },
      });
    }
    const fastTracked = await store.setFastTracked(tx, itemId, now);
    const raised: string[] = [];
    const earlier = new Set(earlierCaseIds);
    for (const c of await store.casesOfItems(tx, organisationId, [itemId])) {
      if (c.status === "closed" || earlier.has(c.caseId)) continue;
      const current = (await store.findCase(tx, organisationId, c.caseId, true)) as store.Case;
      if (current.priority === "urgent" && current.urgentReasons.includes("re_upload")) continue;
      const reasons = [...new Set([...current.urgentReasons, "re_upload"])];
      await store.updateCase(tx, current.id, { priority: "urgent", urgentReasons: reasons }, now);
      raised.push(current.id);
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId,
        action: "case.fast_tracked",
        subject: { type: "case", id: current.id },
        reason: "re-upload of known material",
        data: {
          itemId,
          earlierCaseIds,
          priority: { from: current.priority, to: "urgent" },
          urgentReasons: reasons,
          ...evidence,
        },
      });
    }
    return { linked, raised, fastTracked };
  });
}

/** An item of an organisation, for another module's service (the caller checked the permission). */
export function itemForSystem(db: Executor, organisationId: string, itemId: string) {
  return store.findItem(db, organisationId, itemId);
}
