// SQL for notices, the items they cover, the outbox and the parties' responses. The party and
// attribution tables are read here only for what a notice needs (a channel, a name, the current
// attribution); the registry itself is kept by the attribution module.
import type {
  AttributionRole,
  ChannelKind,
  ItemOutcome,
  NoticeStatus,
  ResponseKind,
} from "../../../migrations/schema.ts";
import type { Executor } from "../../platform/db.ts";

export interface Notice {
  id: string;
  organisationId: string;
  partyId: string;
  step: string;
  category: string;
  language: "nl" | "en";
  status: NoticeStatus;
  responseTokenSealed: string;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  attachmentKind: "xarf" | "vangrail";
  attachment: Record<string, unknown>;
  deadlineAt: Date;
  createdBy: string | null;
  createdAt: Date;
  sentAt: Date | null;
  acknowledgedAt: Date | null;
  answeredAt: Date | null;
  closedAt: Date | null;
}

const noticeCols = [
  "id",
  "organisation_id",
  "party_id",
  "step",
  "category",
  "language",
  "status",
  "response_token_sealed",
  "subject",
  "body_text",
  "body_html",
  "attachment_kind",
  "attachment",
  "deadline_at",
  "created_by",
  "created_at",
  "sent_at",
  "acknowledged_at",
  "answered_at",
  "closed_at",
] as const;

const d = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

// biome-ignore lint/suspicious/noExplicitAny: a row of the columns above
function toNotice(r: any): Notice {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    partyId: r.party_id,
    step: r.step,
    category: r.category,
    language: r.language,
    status: r.status,
    responseTokenSealed: r.response_token_sealed,
    subject: r.subject,
    bodyText: r.body_text,
    bodyHtml: r.body_html,
    attachmentKind: r.attachment_kind,
    attachment: typeof r.attachment === "string" ? JSON.parse(r.attachment) : r.attachment,
    deadlineAt: new Date(r.deadline_at),
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    sentAt: d(r.sent_at),
    acknowledgedAt: d(r.acknowledged_at),
    answeredAt: d(r.answered_at),
    closedAt: d(r.closed_at),
  };
}

export interface NewNotice {
  organisationId: string;
  partyId: string;
  step: string;
  category: string;
  language: "nl" | "en";
  responseTokenHash: string;
  responseTokenSealed: string;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  attachmentKind: "xarf" | "vangrail";
  attachment: Record<string, unknown>;
  deadlineAt: Date;
  createdBy: string | null;
  createdAt: Date;
}

export async function insertNotice(db: Executor, id: string, n: NewNotice): Promise<void> {
  await db
    .insertInto("notices")
    .values({
      id,
      organisation_id: n.organisationId,
      party_id: n.partyId,
      step: n.step,
      category: n.category,
      language: n.language,
      status: "queued",
      response_token_hash: n.responseTokenHash,
      response_token_sealed: n.responseTokenSealed,
      subject: n.subject,
      body_text: n.bodyText,
      body_html: n.bodyHtml,
      attachment_kind: n.attachmentKind,
      attachment: JSON.stringify(n.attachment),
      deadline_at: n.deadlineAt,
      created_by: n.createdBy,
      created_at: n.createdAt,
    })
    .execute();
}

export async function findNotice(db: Executor, id: string, forUpdate = false): Promise<Notice | undefined> {
  let q = db.selectFrom("notices").select(noticeCols).where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r && toNotice(r);
}

export async function findNoticeByTokenHash(db: Executor, hash: string, forUpdate = false) {
  let q = db.selectFrom("notices").select(noticeCols).where("response_token_hash", "=", hash);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r && toNotice(r);
}

export async function noticesOfItems(db: Executor, organisationId: string, itemIds: string[]) {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("notices")
    .innerJoin("notice_items", "notice_items.notice_id", "notices.id")
    .innerJoin("parties", "parties.id", "notices.party_id")
    .select([
      "notices.id",
      "notices.step",
      "notices.status",
      "notices.category",
      "notices.language",
      "notices.subject",
      "notices.deadline_at",
      "notices.created_at",
      "notices.sent_at",
      "notices.acknowledged_at",
      "notices.answered_at",
      "parties.id as party_id",
      "parties.name as party_name",
      "notice_items.item_id",
      "notice_items.outcome",
      "notice_items.outcome_at",
      "notice_items.overdue_at",
      "notice_items.deadline_at as item_deadline_at",
    ])
    .where("notices.organisation_id", "=", organisationId)
    .where("notice_items.item_id", "in", itemIds)
    .orderBy("notices.created_at")
    .execute();
  return rows;
}

export async function updateNotice(
  db: Executor,
  id: string,
  set: Partial<{
    status: NoticeStatus;
    sent_at: Date;
    acknowledged_at: Date;
    answered_at: Date;
    closed_at: Date;
  }>,
): Promise<void> {
  await db.updateTable("notices").set(set).where("id", "=", id).execute();
}

export interface NoticeItem {
  noticeId: string;
  itemId: string;
  partyId: string;
  step: string;
  deadlineAt: Date;
  outcome: ItemOutcome | null;
  outcomeAt: Date | null;
  overdueAt: Date | null;
  url: string;
}

export async function insertNoticeItems(
  db: Executor,
  rows: { noticeId: string; itemId: string; partyId: string; step: string; deadlineAt: Date }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto("notice_items")
    .values(
      rows.map((r) => ({
        notice_id: r.noticeId,
        item_id: r.itemId,
        party_id: r.partyId,
        step: r.step,
        deadline_at: r.deadlineAt,
      })),
    )
    .execute();
}

export async function itemsOfNotice(db: Executor, noticeId: string): Promise<NoticeItem[]> {
  const rows = await db
    .selectFrom("notice_items")
    .innerJoin("items", "items.id", "notice_items.item_id")
    .select([
      "notice_items.notice_id",
      "notice_items.item_id",
      "notice_items.party_id",
      "notice_items.step",
      "notice_items.deadline_at",
      "notice_items.outcome",
      "notice_items.outcome_at",
      "notice_items.overdue_at",
      "items.value",
    ])
    .where("notice_items.notice_id", "=", noticeId)
    .orderBy("items.value")
    .execute();
  return rows.map((r) => ({
    noticeId: r.notice_id,
    itemId: r.item_id,
    partyId: r.party_id,
    step: r.step,
    deadlineAt: new Date(r.deadline_at),
    outcome: r.outcome,
    outcomeAt: d(r.outcome_at),
    overdueAt: d(r.overdue_at),
    url: r.value,
  }));
}

/** Which of `itemIds` already had a notice to `partyId` at `step`. */
export async function alreadyNoticed(db: Executor, partyId: string, step: string, itemIds: string[]) {
  if (itemIds.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom("notice_items")
    .select("item_id")
    .where("party_id", "=", partyId)
    .where("step", "=", step)
    .where("item_id", "in", itemIds)
    .execute();
  return new Set(rows.map((r) => r.item_id));
}

export async function setItemOutcome(
  db: Executor,
  noticeId: string,
  itemIds: string[],
  outcome: ItemOutcome,
  at: Date,
): Promise<void> {
  if (itemIds.length === 0) return;
  await db
    .updateTable("notice_items")
    .set({ outcome, outcome_at: at })
    .where("notice_id", "=", noticeId)
    .where("item_id", "in", itemIds)
    .execute();
}

/** Marks items past their deadline without an outcome; returns the notices they belong to. */
export async function markOverdue(
  db: Executor,
  now: Date,
): Promise<{ noticeId: string; itemIds: string[] }[]> {
  const rows = await db
    .updateTable("notice_items")
    .set({ overdue_at: now })
    .where("outcome", "is", null)
    .where("overdue_at", "is", null)
    .where("deadline_at", "<=", now)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom("notices")
          .select("notices.id")
          .whereRef("notices.id", "=", "notice_items.notice_id")
          .where("notices.status", "in", ["sent", "acknowledged", "answered"]),
      ),
    )
    .returning(["notice_id", "item_id"])
    .execute();
  const by = new Map<string, string[]>();
  for (const r of rows) by.set(r.notice_id, [...(by.get(r.notice_id) ?? []), r.item_id]);
  return [...by].map(([noticeId, itemIds]) => ({ noticeId, itemIds }));
}

/** Sent notices with items still awaiting an outcome (candidates for reminders). */
export async function openNotices(db: Executor, limit: number) {
  return db
    .selectFrom("notices")
    .select(["id", "organisation_id", "deadline_at", "sent_at"])
    .where("status", "in", ["sent", "acknowledged", "answered"])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom("notice_items")
          .select("notice_items.item_id")
          .whereRef("notice_items.notice_id", "=", "notices.id")
          .where("notice_items.outcome", "is", null),
      ),
    )
    .orderBy("deadline_at")
    .limit(limit)
    .execute();
}

// --- Parties and attributions (read only) ---------------------------------------------------

export interface PartyForNotice {
  id: string;
  organisationId: string;
  name: string;
  kind: string;
  languages: string[];
  responseHours: number | null;
  maxUrlsPerNotice: number;
  partyOrganisationId: string | null;
}

export async function partiesById(db: Executor, organisationId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, PartyForNotice>();
  const rows = await db
    .selectFrom("parties")
    .select([
      "id",
      "organisation_id",
      "name",
      "kind",
      "languages",
      "response_hours",
      "max_urls_per_notice",
      "party_organisation_id",
    ])
    .where("organisation_id", "=", organisationId)
    .where("id", "in", ids)
    .where("archived_at", "is", null)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        organisationId: r.organisation_id,
        name: r.name,
        kind: r.kind,
        languages: r.languages,
        responseHours: r.response_hours,
        maxUrlsPerNotice: r.max_urls_per_notice,
        partyOrganisationId: r.party_organisation_id,
      },
    ]),
  );
}

export interface Channel {
  id: string;
  partyId: string;
  kind: ChannelKind;
  address: string;
  priority: number;
  secretSealed: string | null;
  failingSince: Date | null;
}

export async function channelById(db: Executor, id: string): Promise<Channel | undefined> {
  const r = await db
    .selectFrom("party_channels")
    .select(["id", "party_id", "kind", "address", "priority", "secret_sealed", "failing_since"])
    .where("id", "=", id)
    .executeTakeFirst();
  return (
    r && {
      id: r.id,
      partyId: r.party_id,
      kind: r.kind,
      address: r.address,
      priority: r.priority,
      secretSealed: r.secret_sealed,
      failingSince: d(r.failing_since),
    }
  );
}

// --- Outbox ---------------------------------------------------------------------------------

export interface OutboxRow {
  id: string;
  organisationId: string;
  noticeId: string | null;
  purpose: "notice" | "receipt" | "reminder";
  channelId: string | null;
  channelKind: ChannelKind | null;
  recipient: string | null;
  messageId: string;
  status: "pending" | "sending" | "sent" | "failed" | "manual";
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
}

const outboxCols = [
  "id",
  "organisation_id",
  "notice_id",
  "purpose",
  "channel_id",
  "channel_kind",
  "recipient",
  "message_id",
  "status",
  "attempts",
  "next_attempt_at",
  "created_at",
] as const;

// biome-ignore lint/suspicious/noExplicitAny: a row of the columns above
const toOutbox = (r: any): OutboxRow => ({
  id: r.id,
  organisationId: r.organisation_id,
  noticeId: r.notice_id,
  purpose: r.purpose,
  channelId: r.channel_id,
  channelKind: r.channel_kind,
  recipient: r.recipient,
  messageId: r.message_id,
  status: r.status,
  attempts: Number(r.attempts),
  nextAttemptAt: new Date(r.next_attempt_at),
  createdAt: new Date(r.created_at),
});

export async function insertOutbox(
  db: Executor,
  row: {
    organisationId: string;
    noticeId: string | null;
    purpose: OutboxRow["purpose"];
    channel: Pick<Channel, "id" | "kind" | "address"> | null;
    messageId: string;
    status: "pending" | "manual";
    at: Date;
  },
): Promise<string | undefined> {
  const r = await db
    .insertInto("outbox")
    .values({
      organisation_id: row.organisationId,
      notice_id: row.noticeId,
      purpose: row.purpose,
      channel_id: row.channel?.id ?? null,
      channel_kind: row.channel?.kind ?? null,
      recipient: row.channel?.address ?? null,
      message_id: row.messageId,
      status: row.status,
      next_attempt_at: row.at,
      created_at: row.at,
    })
    .onConflict((oc) => oc.column("message_id").doNothing())
    .returning("id")
    .executeTakeFirst();
  return r?.id;
}

export async function outboxExists(db: Executor, messageId: string): Promise<boolean> {
  return !!(await db
    .selectFrom("outbox")
    .select("id")
    .where("message_id", "=", messageId)
    .executeTakeFirst());
}

/**
 * Claims up to `limit` due messages with a lease: pending ones, and ones whose sender's lease
 * ran out (a worker that died mid-send). Others running at the same time skip locked rows.
 */
export async function claimDue(
  db: Executor,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<OutboxRow[]> {
  const rows = await db
    .updateTable("outbox")
    .set((eb) => ({ status: "sending", lease_until: leaseUntil, attempts: eb("attempts", "+", 1) }))
    .where(
      "id",
      "in",
      db
        .selectFrom("outbox")
        .select("id")
        .where((eb) =>
          eb.or([
            eb.and([eb("status", "=", "pending"), eb("next_attempt_at", "<=", now)]),
            eb.and([eb("status", "=", "sending"), eb("lease_until", "<", now)]),
          ]),
        )
        .orderBy("next_attempt_at")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(outboxCols)
    .execute();
  return rows.map(toOutbox);
}

export async function outboxById(db: Executor, id: string): Promise<OutboxRow | undefined> {
  const r = await db.selectFrom("outbox").select(outboxCols).where("id", "=", id).executeTakeFirst();
  return r && toOutbox(r);
}

export async function outboxByMessageId(db: Executor, messageId: string): Promise<OutboxRow | undefined> {
  const r = await db
    .selectFrom("outbox")
    .select(outboxCols)
    .where("message_id", "=", messageId)
    .executeTakeFirst();
  return r && toOutbox(r);
}

export async function outboxSent(db: Executor, id: string, at: Date, sha256: string): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ status: "sent", sent_at: at, lease_until: null, delivered_sha256: sha256, last_error: null })
    .where("id", "=", id)
    .execute();
}

export async function outboxRetry(db: Executor, id: string, next: Date, error: string): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ status: "pending", next_attempt_at: next, lease_until: null, last_error: error.slice(0, 2000) })
    .where("id", "=", id)
    .execute();
}

export async function outboxFailed(db: Executor, id: string, error: string): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ status: "failed", lease_until: null, last_error: error.slice(0, 2000) })
    .where("id", "=", id)
    .execute();
}

export async function outboxOfNotice(db: Executor, noticeId: string) {
  return db
    .selectFrom("outbox")
    .select([
      "id",
      "purpose",
      "channel_kind",
      "recipient",
      "status",
      "attempts",
      "sent_at",
      "last_error",
      "created_at",
    ])
    .where("notice_id", "=", noticeId)
    .orderBy("created_at")
    .execute();
}

/** The channel that last carried a message of this notice successfully. */
export async function lastGoodChannel(db: Executor, noticeId: string): Promise<string | null> {
  const r = await db
    .selectFrom("outbox")
    .select("channel_id")
    .where("notice_id", "=", noticeId)
    .where("status", "=", "sent")
    .orderBy("sent_at", "desc")
    .executeTakeFirst();
  return r?.channel_id ?? null;
}

// --- Responses ------------------------------------------------------------------------------

export interface NewResponse {
  noticeId: string;
  kind: ResponseKind;
  itemIds: string[];
  restriction?: string | undefined;
  groundKind?: "legal" | "contractual" | undefined;
  ground?: string | undefined;
  facts?: string | undefined;
  automated?: boolean | undefined;
  countries?: string[] | undefined;
  responsible?: string | undefined;
  message?: string | undefined;
  via: "page" | "api";
  receivedAt: Date;
}

export async function insertResponse(db: Executor, r: NewResponse): Promise<string> {
  const row = await db
    .insertInto("notice_responses")
    .values({
      notice_id: r.noticeId,
      kind: r.kind,
      item_ids: r.itemIds,
      restriction: r.restriction ?? null,
      ground_kind: r.groundKind ?? null,
      ground: r.ground ?? null,
      facts: r.facts ?? null,
      automated: r.automated ?? null,
      countries: r.countries ?? null,
      responsible: r.responsible ?? null,
      message: r.message ?? null,
      via: r.via,
      received_at: r.receivedAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function responsesOf(db: Executor, noticeIds: string[]) {
  if (noticeIds.length === 0) return [];
  return db
    .selectFrom("notice_responses")
    .selectAll()
    .where("notice_id", "in", noticeIds)
    .orderBy("received_at")
    .execute();
}

export async function noticesForPartyOrganisation(db: Executor, partyOrganisationId: string, limit: number) {
  return db
    .selectFrom("notices")
    .innerJoin("parties", "parties.id", "notices.party_id")
    .select([
      "notices.id",
      "notices.status",
      "notices.subject",
      "notices.deadline_at",
      "notices.sent_at",
      "notices.category",
    ])
    .where("parties.party_organisation_id", "=", partyOrganisationId)
    .where("notices.status", "!=", "queued")
    .orderBy("notices.created_at", "desc")
    .limit(limit)
    .execute();
}

export interface Notifier {
  name: string;
  noticeEmail: string | null;
  trustedFlagger: boolean;
  trustedFlaggerArea: string | null;
}

/** The sending organisation as a notice names it (DSA art. 16(2)(c), art. 22). */
export async function notifierOf(db: Executor, organisationId: string): Promise<Notifier | undefined> {
  const r = await db
    .selectFrom("organisations")
    .select(["name", "notice_email", "trusted_flagger", "trusted_flagger_area"])
    .where("id", "=", organisationId)
    .executeTakeFirst();
  return (
    r && {
      name: r.name,
      noticeEmail: r.notice_email,
      trustedFlagger: r.trusted_flagger,
      trustedFlaggerArea: r.trusted_flagger_area,
    }
  );
}
