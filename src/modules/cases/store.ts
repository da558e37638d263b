// SQL of cases, items, notes and exposures. Items are unique per organisation by their
// normalised key: reporting a known URL again links the existing item to the new case.
import { sql } from "kysely";
import type { ItemStatus } from "../../../migrations/schema.ts";
import type { Executor } from "../../platform/db.ts";

export type { ItemStatus };
export type CaseStatus = "new" | "triage" | "in_progress" | "waiting" | "closed";
export type Priority = "urgent" | "high" | "normal" | "low";
export type CaseSource = "public" | "partner" | "import" | "staff";
export type ItemKind = "url" | "file" | "account" | "domain";

export interface Case {
  id: string;
  organisationId: string;
  number: number;
  category: string;
  taxonomyVersion: string;
  priority: Priority;
  urgentReasons: string[];
  status: CaseStatus;
  source: CaseSource;
  assigneeId: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface Item {
  id: string;
  organisationId: string;
  kind: ItemKind;
  value: string;
  normalized: string;
  host: string | null;
  platform: string | null;
  status: ItemStatus;
  sha256: string | null;
  md5: string | null;
  blobRef: string | null;
  mediaType: string | null;
  sizeBytes: number | null;
  width: number | null;
  height: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Note {
  id: string;
  caseId: string;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: Date;
}

const caseCols = [
  "id",
  "organisation_id",
  "number",
  "category",
  "taxonomy_version",
  "priority",
  "urgent_reasons",
  "status",
  "source",
  "assignee_id",
  "created_at",
  "updated_at",
  "closed_at",
] as const;

type CaseRow = {
  id: string;
  organisation_id: string;
  number: number;
  category: string;
  taxonomy_version: string;
  priority: Priority;
  urgent_reasons: string[];
  status: CaseStatus;
  source: CaseSource;
  assignee_id: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
};

const toCase = (r: CaseRow): Case => ({
  id: r.id,
  organisationId: r.organisation_id,
  number: Number(r.number),
  category: r.category,
  taxonomyVersion: r.taxonomy_version,
  priority: r.priority,
  urgentReasons: r.urgent_reasons,
  status: r.status,
  source: r.source,
  assigneeId: r.assignee_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  closedAt: r.closed_at,
});

const itemCols = [
  "id",
  "organisation_id",
  "kind",
  "value",
  "normalized",
  "host",
  "platform",
  "status",
  "sha256",
  "md5",
  "blob_ref",
  "media_type",
  "size_bytes",
  "width",
  "height",
  "created_at",
  "updated_at",
] as const;

type ItemRow = {
  id: string;
  organisation_id: string;
  kind: ItemKind;
  value: string;
  normalized: string;
  host: string | null;
  platform: string | null;
  status: ItemStatus;
  sha256: string | null;
  md5: string | null;
  blob_ref: string | null;
  media_type: string | null;
  size_bytes: number | null;
  width: number | null;
  height: number | null;
  created_at: Date;
  updated_at: Date;
};

const toItem = (r: ItemRow): Item => ({
  id: r.id,
  organisationId: r.organisation_id,
  kind: r.kind,
  value: r.value,
  normalized: r.normalized,
  host: r.host,
  platform: r.platform,
  status: r.status,
  sha256: r.sha256,
  md5: r.md5,
  blobRef: r.blob_ref,
  mediaType: r.media_type,
  sizeBytes: r.size_bytes,
  width: r.width,
  height: r.height,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertCase(
  db: Executor,
  c: Omit<Case, "id" | "number" | "closedAt" | "updatedAt" | "assigneeId">,
): Promise<Case> {
  const r = await db
    .insertInto("cases")
    .values({
      organisation_id: c.organisationId,
      category: c.category,
      taxonomy_version: c.taxonomyVersion,
      priority: c.priority,
      urgent_reasons: c.urgentReasons,
      status: c.status,
      source: c.source,
      created_at: c.createdAt,
      updated_at: c.createdAt,
    })
    .returning(caseCols)
    .executeTakeFirstOrThrow();
  return toCase(r);
}

export async function findCase(db: Executor, organisationId: string, id: string, forUpdate = false) {
  let q = db
    .selectFrom("cases")
    .select(caseCols)
    .where("id", "=", id)
    .where("organisation_id", "=", organisationId);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r && toCase(r);
}

export async function findCaseByNumber(db: Executor, organisationId: string, number: number) {
  const r = await db
    .selectFrom("cases")
    .select(caseCols)
    .where("number", "=", number)
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return r && toCase(r);
}

export async function updateCase(
  db: Executor,
  id: string,
  patch: Partial<
    Pick<Case, "category" | "priority" | "status" | "assigneeId" | "closedAt" | "urgentReasons">
  >,
  now: Date,
): Promise<void> {
  await db
    .updateTable("cases")
    .set({
      ...(patch.category !== undefined && { category: patch.category }),
      ...(patch.priority !== undefined && { priority: patch.priority }),
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.assigneeId !== undefined && { assignee_id: patch.assigneeId }),
      ...(patch.closedAt !== undefined && { closed_at: patch.closedAt }),
      ...(patch.urgentReasons !== undefined && { urgent_reasons: patch.urgentReasons }),
      updated_at: now,
    })
    .where("id", "=", id)
    .execute();
}

export interface NewItem {
  organisationId: string;
  kind: ItemKind;
  value: string;
  normalized: string;
  host?: string | null;
  platform?: string | null;
  sha256?: string | null;
  md5?: string | null;
  blobRef?: string | null;
  mediaType?: string | null;
  sizeBytes?: number | null;
  width?: number | null;
  height?: number | null;
}

/** Inserts an item or finds the existing one with the same key; says which. */
export async function upsertItem(
  db: Executor,
  i: NewItem,
  now: Date,
): Promise<{ item: Item; created: boolean }> {
  const r = await db
    .insertInto("items")
    .values({
      organisation_id: i.organisationId,
      kind: i.kind,
      value: i.value,
      normalized: i.normalized,
      host: i.host ?? null,
      platform: i.platform ?? null,
      status: "reported",
      sha256: i.sha256 ?? null,
      md5: i.md5 ?? null,
      blob_ref: i.blobRef ?? null,
      media_type: i.mediaType ?? null,
      size_bytes: i.sizeBytes ?? null,
      width: i.width ?? null,
      height: i.height ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(["organisation_id", "kind", "normalized"]).doUpdateSet((eb) => ({
        // Keep what is known; fill a missing blob (a later report may carry the file).
        blob_ref: sql<string | null>`coalesce(${eb.ref("items.blob_ref")}, ${eb.ref("excluded.blob_ref")})`,
        platform: sql<string | null>`coalesce(${eb.ref("items.platform")}, ${eb.ref("excluded.platform")})`,
      })),
    )
    .returning([...itemCols, sql<boolean>`(xmax = 0)`.as("inserted")])
    .executeTakeFirstOrThrow();
  return { item: toItem(r as ItemRow), created: Boolean((r as { inserted: boolean }).inserted) };
}

export async function linkItem(db: Executor, caseId: string, itemId: string, now: Date): Promise<boolean> {
  const r = await db
    .insertInto("case_items")
    .values({ case_id: caseId, item_id: itemId, added_at: now })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function itemsOfCase(db: Executor, caseId: string): Promise<Item[]> {
  const rows = await db
    .selectFrom("items")
    .innerJoin("case_items", "case_items.item_id", "items.id")
    .select(itemCols.map((c) => `items.${c}` as const))
    .where("case_items.case_id", "=", caseId)
    .orderBy("case_items.added_at")
    .orderBy("items.created_at")
    .execute();
  return rows.map((r) => toItem(r as ItemRow));
}

export async function findItem(db: Executor, organisationId: string, id: string): Promise<Item | undefined> {
  const r = await db
    .selectFrom("items")
    .select(itemCols)
    .where("id", "=", id)
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return r && toItem(r as ItemRow);
}

export async function caseHasItem(db: Executor, caseId: string, itemId: string): Promise<boolean> {
  const r = await db
    .selectFrom("case_items")
    .select("item_id")
    .where("case_id", "=", caseId)
    .where("item_id", "=", itemId)
    .executeTakeFirst();
  return r !== undefined;
}

export async function updateItemStatus(
  db: Executor,
  id: string,
  status: ItemStatus,
  now: Date,
): Promise<void> {
  await db.updateTable("items").set({ status, updated_at: now }).where("id", "=", id).execute();
}

/** Other cases that share any of these items: "links between cases that share a URL". */
export async function linkedCases(
  db: Executor,
  caseId: string,
  itemIds: string[],
): Promise<{ itemId: string; caseId: string; number: number; status: CaseStatus }[]> {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("case_items")
    .innerJoin("cases", "cases.id", "case_items.case_id")
    .select(["case_items.item_id", "cases.id", "cases.number", "cases.status"])
    .where("case_items.item_id", "in", itemIds)
    .where("case_items.case_id", "!=", caseId)
    .orderBy("cases.number")
    .execute();
  return rows.map((r) => ({ itemId: r.item_id, caseId: r.id, number: Number(r.number), status: r.status }));
}

export interface QueueFilter {
  organisationId: string;
  statuses: CaseStatus[];
  category?: string | undefined;
  priority?: Priority | undefined;
  assignee?: string | "none" | undefined;
  number?: number | undefined;
  host?: string | undefined;
  sort: "priority" | "oldest" | "newest" | "updated";
  limit: number;
  offset: number;
}

export interface QueueRow extends Case {
  itemCount: number;
  assigneeName: string | null;
}

const priorityRank = sql<number>`case cases.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end`;
/** Within a priority, re-uploads of known material first (the re-upload watch fast-tracks them). */
const reUploadFirst = sql<number>`case when 're_upload' = any(cases.urgent_reasons) then 0 else 1 end`;

export async function queue(db: Executor, f: QueueFilter): Promise<{ rows: QueueRow[]; total: number }> {
  let q = db
    .selectFrom("cases")
    .leftJoin("users", "users.id", "cases.assignee_id")
    .where("cases.organisation_id", "=", f.organisationId)
    .where("cases.status", "in", f.statuses);
  if (f.category) q = q.where("cases.category", "=", f.category);
  if (f.priority) q = q.where("cases.priority", "=", f.priority);
  if (f.assignee === "none") q = q.where("cases.assignee_id", "is", null);
  else if (f.assignee) q = q.where("cases.assignee_id", "=", f.assignee);
  if (f.number !== undefined) q = q.where("cases.number", "=", f.number);
  if (f.host) {
    const host = f.host;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("case_items")
          .innerJoin("items", "items.id", "case_items.item_id")
          .select("items.id")
          .whereRef("case_items.case_id", "=", "cases.id")
          .where("items.host", "=", host),
      ),
    );
  }
  const total = await q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  let ordered = q
    .select(caseCols.map((c) => `cases.${c}` as const))
    .select("users.display_name as assignee_name")
    .select((eb) =>
      eb
        .selectFrom("case_items")
        .select((e2) => e2.fn.countAll<number>().as("n"))
        .whereRef("case_items.case_id", "=", "cases.id")
        .as("item_count"),
    );
  ordered =
    f.sort === "priority"
      ? ordered.orderBy(priorityRank).orderBy(reUploadFirst).orderBy("cases.created_at", "asc")
      : f.sort === "oldest"
        ? ordered.orderBy("cases.created_at", "asc")
        : f.sort === "newest"
          ? ordered.orderBy("cases.created_at", "desc")
          : ordered.orderBy("cases.updated_at", "desc");
  const rows = await ordered.orderBy("cases.number").limit(f.limit).offset(f.offset).execute();
  return {
    total: Number(total.n),
    rows: rows.map((r) => ({
      ...toCase(r as unknown as CaseRow),
      itemCount: Number((r as { item_count: number }).item_count ?? 0),
      assigneeName: (r as { assignee_name: string | null }).assignee_name,
    })),
  };
}

export async function counts(db: Executor, organisationId: string) {
  const rows = await db
    .selectFrom("cases")
    .select(["status", "priority", (eb) => eb.fn.countAll<number>().as("n")])
    .where("organisation_id", "=", organisationId)
    .groupBy(["status", "priority"])
    .execute();
  return rows.map((r) => ({ status: r.status, priority: r.priority, n: Number(r.n) }));
}

export async function insertNote(
  db: Executor,
  n: { caseId: string; authorId: string; body: string; now: Date },
) {
  const r = await db
    .insertInto("case_notes")
    .values({ case_id: n.caseId, author_id: n.authorId, body: n.body, created_at: n.now })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function notesOfCase(db: Executor, caseId: string): Promise<Note[]> {
  const rows = await db
    .selectFrom("case_notes")
    .innerJoin("users", "users.id", "case_notes.author_id")
    .select([
      "case_notes.id",
      "case_notes.case_id",
      "case_notes.author_id",
      "users.display_name",
      "case_notes.body",
      "case_notes.created_at",
    ])
    .where("case_notes.case_id", "=", caseId)
    .orderBy("case_notes.created_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    authorId: r.author_id,
    authorName: r.display_name,
    body: r.body,
    createdAt: r.created_at,
  }));
}

export async function recordExposure(db: Executor, userId: string, itemId: string, at: Date): Promise<void> {
  await db.insertInto("exposures").values({ user_id: userId, item_id: itemId, at }).execute();
}

export async function revealedSince(
  db: Executor,
  userId: string,
  itemId: string,
  since: Date,
): Promise<boolean> {
  const r = await db
    .selectFrom("exposures")
    .select("id")
    .where("user_id", "=", userId)
    .where("item_id", "=", itemId)
    .where("at", ">=", since)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

export async function exposuresSince(db: Executor, userId: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom("exposures")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("at", ">=", since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// --- Monitoring (0008): verified removal, re-appearance, fast track -----------------------------

/** Sets the verified removal unless one is recorded; returns the status it had, or undefined. */
export async function setRemoval(
  db: Executor,
  itemId: string,
  at: Date,
  checkId: string,
): Promise<ItemStatus | undefined> {
  const before = await db
    .selectFrom("items")
    .select(["status", "removed_at"])
    .where("id", "=", itemId)
    .forUpdate()
    .executeTakeFirst();
  if (!before || before.removed_at) return undefined;
  await db
    .updateTable("items")
    .set({ removed_at: at, removal_check_id: checkId, status: "removed", updated_at: at })
    .where("id", "=", itemId)
    .execute();
  return before.status;
}

/** Clears a verified removal (the item was seen again); returns what it was, or undefined. */
export async function clearRemoval(
  db: Executor,
  itemId: string,
  at: Date,
): Promise<{ removedAt: Date; checkId: string | null } | undefined> {
  const before = await db
    .selectFrom("items")
    .select(["removed_at", "removal_check_id"])
    .where("id", "=", itemId)
    .forUpdate()
    .executeTakeFirst();
  if (!before?.removed_at) return undefined;
  await db
    .updateTable("items")
    .set({ removed_at: null, removal_check_id: null, status: "still_online", updated_at: at })
    .where("id", "=", itemId)
    .execute();
  return { removedAt: new Date(before.removed_at), checkId: before.removal_check_id };
}

/** Marks an item fast-tracked (the first time only); true when it was not yet. */
export async function setFastTracked(db: Executor, itemId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("items")
    .set({ fast_tracked_at: at })
    .where("id", "=", itemId)
    .where("fast_tracked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0) > 0;
}

/** The cases each item belongs to. */
export async function casesOfItems(
  db: Executor,
  organisationId: string,
  itemIds: string[],
): Promise<{ itemId: string; caseId: string; status: CaseStatus }[]> {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("case_items")
    .innerJoin("cases", "cases.id", "case_items.case_id")
    .select(["case_items.item_id", "cases.id", "cases.status"])
    .where("case_items.item_id", "in", itemIds)
    .where("cases.organisation_id", "=", organisationId)
    .execute();
  return rows.map((r) => ({ itemId: r.item_id, caseId: r.id, status: r.status }));
}

/** Other file items of the organisation with these bytes (SHA-256). */
export async function fileItemsWithSha256(
  db: Executor,
  organisationId: string,
  sha256: string,
  exceptItemId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("items")
    .select("id")
    .where("organisation_id", "=", organisationId)
    .where("sha256", "=", sha256)
    .where("id", "!=", exceptItemId)
    .limit(50)
    .execute();
  return rows.map((r) => r.id);
}
