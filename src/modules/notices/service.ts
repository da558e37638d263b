// Notices: from attributed items to a legally complete notice per party and step, delivered
// through the outbox, answered by the party through a link or the API, watched against its
// deadline. Every state change writes an audit event in its transaction.
//
// Exactly one message per step: a notice covers an item once per (party, step) (a unique key),
// and its message is an outbox row written in the same transaction. A worker claims rows with a
// lease; if it dies before sending, the lease runs out and another worker sends the message.
// If it dies after the SMTP server accepted the message but before recording that, the message
// goes again with the same Message-ID, which receivers use to drop the duplicate.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { openWithAny, seal } from "../../platform/crypto.ts";
import type { Tx } from "../../platform/db.ts";
import { AppError, type FieldError } from "../../platform/errors.ts";
import * as registry from "../attribution/parties.ts";
import * as attribution from "../attribution/service.ts";
import * as audit from "../audit/service.ts";
import * as cases from "../cases/service.ts";
import { category as categoryOf } from "../cases/taxonomy.ts";
import type { Deps } from "../deps.ts";
import * as evidence from "../evidence/service.ts";
import { actorOf, authorize, type Principal } from "../identity/principal.ts";
import * as monitoring from "../monitoring/service.ts";
import { composeNotice, type Language, withholdsNotifier } from "./compose.ts";
import { deliverJob } from "./jobspecs.ts";
import { composeReceipt, composeReminder } from "./messages.ts";
import { deadlineHours, loadPolicy, reminderDueAt } from "./policy.ts";
import * as store from "./store.ts";
import { domainOfAddress } from "./text.ts";
import { createTransport, type Transport } from "./transport.ts";

// --- Environment ----------------------------------------------------------------------------

export interface NoticeEnv {
  transport: Transport;
}

const envs = new WeakMap<Deps, NoticeEnv>();

export function noticeEnv(deps: Deps): NoticeEnv {
  let env = envs.get(deps);
  if (!env) {
    env = { transport: createTransport(deps.config) };
    envs.set(deps, env);
  }
  return env;
}

/** Replaces the transport (tests, the simulation). */
export function setNoticeEnv(deps: Deps, env: NoticeEnv): void {
  envs.get(deps)?.transport.close();
  envs.set(deps, env);
}

export function closeNoticeEnv(deps: Deps): void {
  envs.get(deps)?.transport.close();
  envs.delete(deps);
}

// --- Tokens and links -------------------------------------------------------------------------

/** Where the response link goes in stored bodies; replaced by the real link when sending. */
export const LINK_TOKEN = "{{vangrail-response-token}}";
const TOKEN_CONTEXT = "notice-response-token";

const tokenHash = (token: string): string => createHash("sha256").update(token).digest("hex");

export const noticeReference = (noticeId: string): string =>
  `VGN-${noticeId.replace(/-/g, "").slice(0, 10).toUpperCase()}`;

const responseUrl = (deps: Deps, token: string) => `${deps.config.publicUrl}/respond/${token}`;
const responseApi = (deps: Deps, token: string) =>
  `${deps.config.publicUrl}/api/v1/public/notices/${token}/responses`;

function keys(deps: Deps): Buffer[] {
  return [deps.masterKey, ...deps.config.evidence.previousMasterKeys];
}

function tokenOf(deps: Deps, n: store.Notice): string {
  return openWithAny(keys(deps), n.responseTokenSealed, TOKEN_CONTEXT);
}

const fill = (s: string, token: string): string => s.split(LINK_TOKEN).join(token);

// --- Creating notices -------------------------------------------------------------------------

export interface CreateOptions {
  language?: Language | undefined;
  csamClassification?: "baseline" | "A1" | "A2" | "B1" | "B2" | undefined;
  /** Only these items of the case; default: every URL item that is not done. */
  itemIds?: string[] | undefined;
  /** Which attribution roles to notice, in order of preference; default platform, then host. */
  roles?: ("platform" | "hosting" | "registrar" | "registry")[] | undefined;
  /** Step name recorded on the notice; default the role. */
  step?: string | undefined;
}

export interface CreateResult {
  created: {
    noticeId: string;
    reference: string;
    partyId: string;
    partyName: string;
    step: string;
    itemIds: string[];
    delivery: "queued" | "manual";
  }[];
  /** Why an item got no notice: a stable `code` (translated by the web app), its `params`, and the English `reason`. */
  skipped: {
    itemId: string;
    url: string;
    code: SkipCode;
    params: Record<string, string>;
    reason: string;
  }[];
}

export type SkipCode =
  | "not_attributed"
  | "no_registered_party"
  | "attribution_failed"
  | "no_party_found"
  | "party_archived"
  | "no_channel"
  | "already_noticed";

const DONE: cases.ItemStatus[] = ["removed", "not_actionable", "closed"];

export async function createNoticesForCase(
  deps: Deps,
  by: Principal,
  caseId: string,
  opts: CreateOptions = {},
): Promise<CreateResult> {
  authorize(by, "notices:send");
  const c = await cases.caseWithItems(deps, by.organisationId, caseId);
  if (!c) throw new AppError("not_found");
  if (c.case.category === "csam" && !opts.csamClassification)
    throw new AppError("validation_failed", {
      errors: [
        {
          path: "csamClassification",
          pointer: "/csamClassification",
          message:
            "Notices about child sexual abuse material carry the X-ARF classification (baseline, A1, A2, B1, B2).",
        },
      ],
    });
  let items = c.items.filter((i) => i.kind === "url" && !DONE.includes(i.status));
  if (opts.itemIds) {
    const wanted = new Set(opts.itemIds);
    items = items.filter((i) => wanted.has(i.id));
    if (items.length !== wanted.size)
      throw new AppError("not_found", { detail: "An item is not part of this case." });
  }
  return createNotices(deps, actorOf(by), by.organisationId, c.case.category, items, { ...opts, caseId });
}

/** Creates the notices for `items` (all of one category); the system calls this directly. */
export async function createNotices(
  deps: Deps,
  actor: audit.Actor,
  organisationId: string,
  category: string,
  items: { id: string; value: string }[],
  opts: CreateOptions & { caseId?: string } = {},
): Promise<CreateResult> {
  if (!categoryOf(category))
    throw new AppError("validation_failed", { detail: `Unknown category ${category}.` });
  const roles = opts.roles ?? ["platform", "hosting"];
  const result: CreateResult = { created: [], skipped: [] };
  const skip = (
    item: { id: string; value: string },
    code: SkipCode,
    reason: string,
    params: Record<string, string> = {},
  ) => result.skipped.push({ itemId: item.id, url: item.value, code, params, reason });
  const attributions = await attribution.currentAttributions(
    deps.db,
    organisationId,
    items.map((i) => i.id),
  );
  const byItem = new Map<string, attribution.Attribution[]>();
  for (const a of attributions) byItem.set(a.itemId, [...(byItem.get(a.itemId) ?? []), a]);

  // Which party, at which step, for each item.
  const groups = new Map<string, { partyId: string; step: string; items: { id: string; value: string }[] }>();
  for (const item of items) {
    const mine = byItem.get(item.id) ?? [];
    let target: { partyId: string; step: string } | undefined;
    for (const role of roles) {
      const a = mine.find((x) => x.role === role && x.partyId);
      if (a?.partyId) {
        target = { partyId: a.partyId, step: opts.step ?? role };
        break;
      }
    }
    if (!target) {
      const found = mine.find((x) => roles.includes(x.role as (typeof roles)[number]) && x.abuseEmail);
      const failed = mine.find((x) => x.error)?.error;
      if (mine.length === 0) skip(item, "not_attributed", "not attributed yet");
      else if (found)
        skip(
          item,
          "no_registered_party",
          `no registered party for ${found.name ?? found.abuseEmail} (abuse contact ${found.abuseEmail}); add it to the party registry`,
          { name: found.name ?? found.abuseEmail ?? "", abuseEmail: found.abuseEmail ?? "" },
        );
      else if (failed) skip(item, "attribution_failed", failed, { error: failed });
      else skip(item, "no_party_found", "no party found for this item");
      continue;
    }
    const key = `${target.partyId}|${target.step}`;
    const g = groups.get(key) ?? { ...target, items: [] };
    g.items.push(item);
    groups.set(key, g);
  }
  if (groups.size === 0) return result;

  const parties = await store.partiesById(
    deps.db,
    organisationId,
    [...groups.values()].map((g) => g.partyId),
  );
  const notifier = await store.notifierOf(deps.db, organisationId);
  if (!notifier) throw new AppError("not_found");
  const captured = new Map(
    (
      await evidence.latestCapturedOfItems(
        deps,
        organisationId,
        items.map((i) => i.id),
      )
    ).map((c) => [c.itemId, c]),
  );
  const addressOf = new Map(
    attributions.filter((a) => a.address).map((a) => [a.itemId, a.address as string]),
  );
  const policy = loadPolicy(deps.config.notices.policyFile);
  const mailFrom = deps.config.notices.mail.from;
  const mailDomain = domainOfAddress(mailFrom);
  const now = deps.clock.now();

  await deps.db.transaction().execute(async (tx) => {
    for (const g of groups.values()) {
      const party = parties.get(g.partyId);
      if (!party) {
        for (const i of g.items) skip(i, "party_archived", "the party is archived");
        continue;
      }
      const channels = await registry.deliveryChannels(tx, party.id);
      if (channels.length === 0) {
        for (const i of g.items)
          skip(i, "no_channel", `${party.name} has no notice channel`, { party: party.name });
        continue;
      }
      const done = await store.alreadyNoticed(
        tx,
        party.id,
        g.step,
        g.items.map((i) => i.id),
      );
      for (const i of g.items)
        if (done.has(i.id))
          skip(i, "already_noticed", `already noticed to ${party.name} (${g.step})`, {
            party: party.name,
            step: g.step,
          });
      const fresh = g.items.filter((i) => !done.has(i.id));
      for (let at = 0; at < fresh.length; at += party.maxUrlsPerNotice) {
        const chunk = fresh.slice(at, at + party.maxUrlsPerNotice);
        const id = randomUUID();
        const token = randomBytes(32).toString("base64url");
        const language: Language = opts.language ?? (party.languages.includes("nl") ? "nl" : "en");
        const deadline = new Date(
          now.getTime() + deadlineHours(policy, category, party.responseHours) * 3_600_000,
        );
        const composed = composeNotice({
          noticeId: id,
          reference: noticeReference(id),
          language,
          category,
          step: g.step,
          notifier: {
            name: notifier.name,
            email: notifier.noticeEmail ?? mailFrom,
            trustedFlagger: notifier.trustedFlagger,
            trustedFlaggerArea: notifier.trustedFlaggerArea,
          },
          senderAddress: mailFrom,
          party: { name: party.name },
          items: chunk.map((i) => ({
            id: i.id,
            url: i.value,
            capturedAt: captured.get(i.id)?.capturedAt.toISOString(),
            evidenceSha256: captured.get(i.id)?.manifestSha256,
            address: addressOf.get(i.id),
          })),
          createdAt: now,
          deadline,
          responseUrl: responseUrl(deps, LINK_TOKEN),
          apiUrl: responseApi(deps, LINK_TOKEN),
          csamClassification: opts.csamClassification,
        });
        await store.insertNotice(tx, id, {
          organisationId,
          partyId: party.id,
          step: g.step,
          category,
          language,
          responseTokenHash: tokenHash(token),
          responseTokenSealed: seal(deps.masterKey, token, TOKEN_CONTEXT),
          subject: composed.subject,
          bodyText: composed.text,
          bodyHtml: composed.html,
          attachmentKind: composed.attachmentKind,
          attachment: composed.attachment,
          deadlineAt: deadline,
          createdBy: actor.id,
          createdAt: now,
        });
        await store.insertNoticeItems(
          tx,
          chunk.map((i) => ({
            noticeId: id,
            itemId: i.id,
            partyId: party.id,
            step: g.step,
            deadlineAt: deadline,
          })),
        );
        await monitoring.startMonitoring(tx, deps, organisationId, chunk);
        const channel = channels[0] as registry.PartyChannel;
        const manual = channel.kind === "webform";
        await store.insertOutbox(tx, {
          organisationId,
          noticeId: id,
          purpose: "notice",
          channel,
          messageId: `${id}.${channel.id.slice(0, 8)}@${mailDomain}`,
          status: manual ? "manual" : "pending",
          at: now,
        });
        await audit.record(tx, deps.clock, actor, {
          organisationId,
          action: "notice.created",
          subject: { type: "notice", id },
          data: {
            reference: noticeReference(id),
            partyId: party.id,
            party: party.name,
            step: g.step,
            category,
            itemIds: chunk.map((i) => i.id),
            deadline: deadline.toISOString(),
            channel: channel.kind,
            caseId: opts.caseId ?? null,
          },
        });
        result.created.push({
          noticeId: id,
          reference: noticeReference(id),
          partyId: party.id,
          partyName: party.name,
          step: g.step,
          itemIds: chunk.map((i) => i.id),
          delivery: manual ? "manual" : "queued",
        });
      }
    }
    if (result.created.some((c) => c.delivery === "queued"))
      await deps.queue?.send(deliverJob, {}, { tx, singletonKey: "deliver" });
  });
  return result;
}

// --- Delivery ---------------------------------------------------------------------------------

const LEASE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 6;
const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 3 * 60 * 60_000];

export interface DeliverResult {
  sent: number;
  retried: number;
  failed: number;
}

export interface DeliverOptions {
  limit?: number;
  /** Test hook: what happens after a row is claimed and before it is sent. */
  afterClaim?: (row: store.OutboxRow) => Promise<void> | void;
}

/** Sends every due outbox message (one batch of `limit`). */
export async function deliverDue(deps: Deps, opts: DeliverOptions = {}): Promise<DeliverResult> {
  const out: DeliverResult = { sent: 0, retried: 0, failed: 0 };
  const now = deps.clock.now();
  const rows = await store.claimDue(deps.db, now, new Date(now.getTime() + LEASE_MS), opts.limit ?? 25);
  for (const row of rows) {
    await opts.afterClaim?.(row);
    const r = await deliverOne(deps, row);
    out[r]++;
  }
  return out;
}

/** Sends until nothing is due (the job's loop). */
export async function deliverAll(deps: Deps, max = 10_000): Promise<DeliverResult> {
  const total: DeliverResult = { sent: 0, retried: 0, failed: 0 };
  for (let n = 0; n < max; ) {
    const r = await deliverDue(deps, { limit: 50 });
    const k = r.sent + r.retried + r.failed;
    if (k === 0) break;
    n += k;
    total.sent += r.sent;
    total.retried += r.retried;
    total.failed += r.failed;
  }
  return total;
}

async function deliverOne(deps: Deps, row: store.OutboxRow): Promise<"sent" | "retried" | "failed"> {
  const notice = row.noticeId ? await store.findNotice(deps.db, row.noticeId) : undefined;
  const channel = row.channelId ? await store.channelById(deps.db, row.channelId) : undefined;
  if (!notice || !channel) {
    await store.outboxFailed(deps.db, row.id, "the notice or its channel no longer exists");
    return "failed";
  }
  const now = deps.clock.now();
  const token = tokenOf(deps, notice);
  let result: Awaited<ReturnType<Transport["sendMail"]>>;
  const transport = noticeEnv(deps).transport;
  const message = await messageFor(deps, row, notice, token);
  if (channel.kind === "email") {
    const notifier = await store.notifierOf(deps.db, notice.organisationId);
    result = await transport.sendMail({
      messageId: `<${row.messageId}>`,
      from: deps.config.notices.mail.from,
      to: channel.address,
      replyTo: withholdsNotifier(notice.category) ? undefined : (notifier?.noticeEmail ?? undefined),
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: {
        "X-Vangrail-Notice": noticeReference(notice.id),
        "X-Vangrail-Purpose": row.purpose,
        "Auto-Submitted": "auto-generated",
      },
      attachments: message.files.map((f) => ({ ...f, contentType: "application/json" })),
      date: now,
    });
  } else if (channel.kind === "webhook") {
    const secret = await registry.webhookSecret(deps, channel.id);
    const body = Buffer.from(
      JSON.stringify({
        event: row.purpose,
        deliveryId: row.messageId,
        reference: noticeReference(notice.id),
        sentAt: now.toISOString(),
        subject: message.subject,
        text: message.text,
        notice: JSON.parse(fill(JSON.stringify(notice.attachment), token)),
      }),
    );
    result = await transport.postWebhook(channel.address, secret, body, row.messageId, now);
  } else {
    // A web form is filled in by a person; the analyst records it (markSentManually).
    await deps.db
      .updateTable("outbox")
      .set({ status: "manual", lease_until: null })
      .where("id", "=", row.id)
      .execute();
    return "retried";
  }

  if (result.ok) {
    const sent = result;
    await deps.db.transaction().execute(async (tx) => {
      await store.outboxSent(tx, row.id, now, sent.sha256);
      await registry.markChannelHealthy(tx, channel.id);
      const items = await store.itemsOfNotice(tx, notice.id);
      if (row.purpose === "notice") {
        if (notice.status === "queued" || notice.status === "failed")
          await store.updateNotice(tx, notice.id, { status: "sent", sent_at: now });
        await cases.advanceItems(
          tx,
          deps.clock,
          notice.organisationId,
          items.map((i) => i.itemId),
          "notice_sent",
          `notice ${noticeReference(notice.id)} sent`,
          { noticeId: notice.id },
        );
      }
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: notice.organisationId,
        action: `notice.${row.purpose}_sent`,
        subject: { type: "notice", id: notice.id },
        data: {
          channel: channel.kind,
          recipient: channel.address,
          messageId: row.messageId,
          sha256: sent.sha256,
          attempt: row.attempts,
          detail: sent.detail,
        },
      });
    });
    return "sent";
  }

  const failure = result;
  if (!failure.permanent && row.attempts < MAX_ATTEMPTS) {
    const next = new Date(now.getTime() + (BACKOFF_MS[row.attempts - 1] ?? BACKOFF_MS.at(-1) ?? 60_000));
    await deps.db.transaction().execute(async (tx) => {
      await store.outboxRetry(tx, row.id, next, failure.error);
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: notice.organisationId,
        action: "notice.delivery_retry",
        subject: { type: "notice", id: notice.id },
        data: {
          channel: channel.kind,
          recipient: channel.address,
          attempt: row.attempts,
          error: failure.error,
          next: next.toISOString(),
        },
      });
    });
    return "retried";
  }
  await failChannel(deps, row, notice, channel, failure.error);
  return "failed";
}

/** A channel refused (or a bounce came back): mark it, then try the party's next channel. */
async function failChannel(
  deps: Deps,
  row: store.OutboxRow,
  notice: store.Notice,
  channel: store.Channel,
  error: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await store.outboxFailed(tx, row.id, error);
    await registry.markChannelFailed(tx, channel.id, error, now);
    await audit.record(tx, deps.clock, audit.systemActor, {
      organisationId: notice.organisationId,
      action: "notice.delivery_failed",
      subject: { type: "notice", id: notice.id },
      data: {
        channel: channel.kind,
        recipient: channel.address,
        messageId: row.messageId,
        error,
        purpose: row.purpose,
      },
    });
    const tried = new Set(
      (await store.outboxOfNotice(tx, notice.id))
        .filter((o) => o.purpose === row.purpose)
        .map((o) => o.recipient),
    );
    const next = (await registry.deliveryChannels(tx, notice.partyId)).find(
      (c) => c.id !== channel.id && !tried.has(c.address),
    );
    if (next) {
      await store.insertOutbox(tx, {
        organisationId: notice.organisationId,
        noticeId: notice.id,
        purpose: row.purpose,
        channel: next,
        messageId: `${row.messageId.split("@")[0]?.split(".")[0]}.${next.id.slice(0, 8)}@${row.messageId.split("@")[1]}`,
        status: next.kind === "webform" ? "manual" : "pending",
        at: now,
      });
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: notice.organisationId,
        action: "notice.fallback_channel",
        subject: { type: "notice", id: notice.id },
        data: { from: channel.kind, to: next.kind, recipient: next.address },
      });
    } else if (row.purpose === "notice" && notice.status === "queued") {
      await store.updateNotice(tx, notice.id, { status: "failed" });
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: notice.organisationId,
        action: "notice.undeliverable",
        subject: { type: "notice", id: notice.id },
        reason: "every channel of the party failed",
        data: { partyId: notice.partyId },
      });
    }
  });
}

/** A bounce that arrived later (a DSN): the message did not reach its recipient after all. */
export async function recordBounce(deps: Deps, messageId: string, diagnostic: string): Promise<boolean> {
  const id = messageId.replace(/^<|>$/g, "");
  const row = await store.outboxByMessageId(deps.db, id);
  if (row?.status !== "sent" || !row.noticeId || !row.channelId) return false;
  const notice = await store.findNotice(deps.db, row.noticeId);
  const channel = await store.channelById(deps.db, row.channelId);
  if (!notice || !channel) return false;
  await failChannel(deps, row, notice, channel, `bounce: ${diagnostic.slice(0, 1000)}`);
  return true;
}

async function messageFor(deps: Deps, row: store.OutboxRow, notice: store.Notice, token: string) {
  const fileName = notice.attachmentKind === "xarf" ? "xarf" : "notice";
  const files =
    notice.attachmentKind === "xarf"
      ? ((notice.attachment.reports as unknown[]) ?? []).map((r, i) => ({
          filename: `${fileName}-${noticeReference(notice.id)}-${i + 1}.json`,
          content: fill(JSON.stringify(r, null, 2), token),
        }))
      : [
          {
            filename: `${fileName}-${noticeReference(notice.id)}.json`,
            content: fill(JSON.stringify(notice.attachment, null, 2), token),
          },
        ];
  const original = {
    subject: notice.subject,
    text: fill(notice.bodyText, token),
    html: fill(notice.bodyHtml, token),
    files,
  };
  if (row.purpose === "notice") return original;
  const items = await store.itemsOfNotice(deps.db, notice.id);
  if (row.purpose === "reminder")
    return {
      ...composeReminder({
        language: notice.language,
        reference: noticeReference(notice.id),
        original,
        sentAt: notice.sentAt ?? notice.createdAt,
        deadline: notice.deadlineAt,
        now: deps.clock.now(),
        openUrls: items.filter((i) => !i.outcome).map((i) => i.url),
        responseUrl: responseUrl(deps, token),
      }),
      files,
    };
  const responses = await store.responsesOf(deps.db, [notice.id]);
  const last = responses.at(-1);
  return {
    ...composeReceipt({
      language: notice.language,
      reference: noticeReference(notice.id),
      kind: last?.kind ?? "acknowledged",
      receivedAt: last ? new Date(last.received_at) : deps.clock.now(),
      responseId: last?.id ?? "",
      urls: items
        .filter((i) => !last || last.item_ids.length === 0 || last.item_ids.includes(i.itemId))
        .map((i) => i.url),
      responseUrl: responseUrl(deps, token),
    }),
    files: [],
  };
}

/** A notice whose channel is a web form: the analyst filled it in by hand. */
export async function markSentManually(
  deps: Deps,
  by: Principal,
  noticeId: string,
  reason: string,
): Promise<void> {
  authorize(by, "notices:send");
  const notice = await store.findNotice(deps.db, noticeId);
  if (!notice || notice.organisationId !== by.organisationId) throw new AppError("not_found");
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const rows = await tx
      .updateTable("outbox")
      .set({ status: "sent", sent_at: now })
      .where("notice_id", "=", noticeId)
      .where("status", "=", "manual")
      .returning(["id", "recipient"])
      .execute();
    if (rows.length === 0)
      throw new AppError("conflict", { detail: "This notice has no message waiting to be sent by hand." });
    if (notice.status === "queued") await store.updateNotice(tx, noticeId, { status: "sent", sent_at: now });
    const items = await store.itemsOfNotice(tx, noticeId);
    await cases.advanceItems(
      tx,
      deps.clock,
      notice.organisationId,
      items.map((i) => i.itemId),
      "notice_sent",
      `notice ${noticeReference(noticeId)} sent by hand`,
    );
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "notice.notice_sent",
      subject: { type: "notice", id: noticeId },
      reason,
      data: { channel: "webform", recipient: rows[0]?.recipient ?? null, manual: true },
    });
  });
}

// --- Responses --------------------------------------------------------------------------------

export type ResponseKind = store.NewResponse["kind"];

export interface ResponseInput {
  kind: ResponseKind;
  itemIds?: string[] | undefined;
  restriction?: string | undefined;
  groundKind?: "legal" | "contractual" | undefined;
  ground?: string | undefined;
  facts?: string | undefined;
  automated?: boolean | undefined;
  countries?: string[] | undefined;
  responsible?: string | undefined;
  message?: string | undefined;
}

const OUTCOMES = new Set(["removed", "disabled", "geo_restricted", "refused", "not_responsible"]);

function checkResponse(input: ResponseInput): void {
  const errors: FieldError[] = [];
  const need = (field: keyof ResponseInput, detail: string) => {
    const v = input[field];
    if (
      v === undefined ||
      v === null ||
      (typeof v === "string" && v.trim() === "") ||
      (Array.isArray(v) && v.length === 0)
    )
      errors.push({ path: field, pointer: `/${field}`, message: detail });
  };
  if (input.kind === "refused") {
    need("restriction", "Say what you did instead (for example: no action, or a label).");
    need("groundKind", "Say whether the refusal rests on law or on your terms (art. 17(3)(d)–(e)).");
    need("ground", "Name the legal or contractual ground relied on.");
    need("facts", "Describe the facts and circumstances relied on (art. 17(3)(b)).");
    if (input.automated === undefined)
      errors.push({
        path: "automated",
        pointer: "/automated",
        message: "Say whether automated means were used (art. 17(3)(c)).",
      });
  }
  if (input.kind === "geo_restricted") need("countries", "List the countries where access is restricted.");
  if (input.kind === "not_responsible")
    need("responsible", "Say who is responsible for this content, if you know.");
  if (input.kind === "question") need("message", "Write your question.");
  if (errors.length) throw new AppError("validation_failed", { errors });
}

export interface ResponseReceipt {
  responseId: string;
  reference: string;
  kind: ResponseKind;
  receivedAt: string;
  itemIds: string[];
}

async function respond(
  deps: Deps,
  notice: store.Notice,
  input: ResponseInput,
  via: "page" | "api",
  actor: audit.Actor,
): Promise<ResponseReceipt> {
  checkResponse(input);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const locked = (await store.findNotice(tx, notice.id, true)) as store.Notice;
    const items = await store.itemsOfNotice(tx, notice.id);
    const known = new Set(items.map((i) => i.itemId));
    const chosen = input.itemIds?.length
      ? input.itemIds
      : OUTCOMES.has(input.kind)
        ? items.map((i) => i.itemId)
        : [];
    for (const [i, id] of chosen.entries())
      if (!known.has(id))
        throw new AppError("validation_failed", {
          errors: [
            {
              path: `itemIds.${i}`,
              pointer: `/itemIds/${i}`,
              message: "This item is not part of the notice.",
            },
          ],
        });
    const responseId = await store.insertResponse(tx, {
      noticeId: notice.id,
      kind: input.kind,
      itemIds: chosen,
      restriction: input.restriction,
      groundKind: input.groundKind,
      ground: input.ground,
      facts: input.facts,
      automated: input.automated,
      countries: input.countries?.map((c) => c.toUpperCase()),
      responsible: input.responsible,
      message: input.message,
      via,
      receivedAt: now,
    });
    if (input.kind === "removed" || input.kind === "disabled")
      await monitoring.checkSoon(
        tx,
        deps,
        notice.organisationId,
        items.filter((i) => chosen.includes(i.itemId)).map((i) => ({ id: i.itemId, value: i.url })),
      );
    if (OUTCOMES.has(input.kind))
      await store.setItemOutcome(
        tx,
        notice.id,
        chosen,
        input.kind as store.NoticeItem["outcome"] & string,
        now,
      );
    const set: Parameters<typeof store.updateNotice>[2] = {};
    if (!locked.acknowledgedAt) set.acknowledged_at = now;
    if (OUTCOMES.has(input.kind)) {
      if (!locked.answeredAt) set.answered_at = now;
      set.status = "answered";
    } else if (locked.status === "sent" || locked.status === "queued") set.status = "acknowledged";
    if (Object.keys(set).length) await store.updateNotice(tx, notice.id, set);
    await audit.record(tx, deps.clock, actor, {
      organisationId: notice.organisationId,
      action: "notice.response_received",
      subject: { type: "notice", id: notice.id },
      data: {
        kind: input.kind,
        itemIds: chosen,
        via,
        responseId,
        ...(input.kind === "refused" ? { groundKind: input.groundKind, automated: input.automated } : {}),
        ...(input.countries ? { countries: input.countries } : {}),
      },
    });
    // The art. 16(4)-style receipt back to the party, on the channel that reached it.
    const channelId = await store.lastGoodChannel(tx, notice.id);
    const channel = channelId ? await store.channelById(tx, channelId) : undefined;
    if (channel && channel.kind !== "webform")
      await store.insertOutbox(tx, {
        organisationId: notice.organisationId,
        noticeId: notice.id,
        purpose: "receipt",
        channel,
        messageId: `receipt-${responseId}@${domainOfAddress(deps.config.notices.mail.from)}`,
        status: "pending",
        at: now,
      });
    await deps.queue?.send(deliverJob, {}, { tx, singletonKey: "deliver" });
    return {
      responseId,
      reference: noticeReference(notice.id),
      kind: input.kind,
      receivedAt: now.toISOString(),
      itemIds: chosen,
    };
  });
}

/** A response through the link in the notice (no account). */
export async function respondWithToken(deps: Deps, token: string, input: ResponseInput, via: "page" | "api") {
  const notice = await noticeByToken(deps, token);
  return respond(deps, notice, input, via, { type: "public", id: null, organisationId: null });
}

/** A response from the party's own Vangrail account (a platform agent or its API token). */
export async function respondAsParty(deps: Deps, by: Principal, noticeId: string, input: ResponseInput) {
  authorize(by, "notices:respond");
  const notice = await noticeOfPartyOrganisation(deps, by, noticeId);
  return respond(deps, notice, input, "api", actorOf(by));
}

async function noticeByToken(deps: Deps, token: string): Promise<store.Notice> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new AppError("not_found");
  const notice = await store.findNoticeByTokenHash(deps.db, tokenHash(token));
  if (!notice) throw new AppError("not_found");
  return notice;
}

async function noticeOfPartyOrganisation(deps: Deps, by: Principal, noticeId: string): Promise<store.Notice> {
  const notice = await store.findNotice(deps.db, noticeId);
  if (!notice || notice.status === "queued") throw new AppError("not_found");
  const party = (await store.partiesById(deps.db, notice.organisationId, [notice.partyId])).get(
    notice.partyId,
  );
  if (!party || party.partyOrganisationId !== by.organisationId) throw new AppError("not_found");
  return notice;
}

// --- Deadlines and reminders ------------------------------------------------------------------

/** Marks overdue items and queues due reminders; run by a cron job. */
export async function checkDeadlines(deps: Deps): Promise<{ overdue: number; reminders: number }> {
  const now = deps.clock.now();
  const policy = loadPolicy(deps.config.notices.policyFile);
  const mailDomain = domainOfAddress(deps.config.notices.mail.from);
  let overdue = 0;
  let reminders = 0;
  await deps.db.transaction().execute(async (tx) => {
    for (const n of await store.markOverdue(tx, now)) {
      overdue += n.itemIds.length;
      const notice = await store.findNotice(tx, n.noticeId);
      if (!notice) continue;
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: notice.organisationId,
        action: "notice.overdue",
        subject: { type: "notice", id: n.noticeId },
        data: { itemIds: n.itemIds, deadline: notice.deadlineAt.toISOString() },
      });
    }
  });
  for (const n of await store.openNotices(deps.db, 1000)) {
    const deadline = new Date(n.deadline_at);
    const sentAt = n.sent_at ? new Date(n.sent_at) : undefined;
    for (const r of policy.reminders) {
      const due = reminderDueAt(r, deadline);
      if (due > now || !sentAt || sentAt >= due) continue;
      const messageId = `reminder-${r.id}-${n.id}@${mailDomain}`;
      if (await store.outboxExists(deps.db, messageId)) continue;
      const channelId = await store.lastGoodChannel(deps.db, n.id);
      const channel = channelId ? await store.channelById(deps.db, channelId) : undefined;
      if (!channel) continue;
      await deps.db.transaction().execute(async (tx: Tx) => {
        const id = await store.insertOutbox(tx, {
          organisationId: n.organisation_id,
          noticeId: n.id,
          purpose: "reminder",
          channel,
          messageId,
          status: channel.kind === "webform" ? "manual" : "pending",
          at: now,
        });
        if (!id) return;
        reminders++;
        await audit.record(tx, deps.clock, audit.systemActor, {
          organisationId: n.organisation_id,
          action: "notice.reminder_queued",
          subject: { type: "notice", id: n.id },
          data: { reminder: r.id, recipient: channel.address },
        });
      });
    }
  }
  return { overdue, reminders };
}

// --- Views ------------------------------------------------------------------------------------

/** The notices about a case's items, with their items, deliveries and responses. */
export async function noticesOfCase(deps: Deps, by: Principal, caseId: string) {
  authorize(by, "notices:read");
  const c = await cases.caseWithItems(deps, by.organisationId, caseId);
  if (!c) throw new AppError("not_found");
  const rows = await store.noticesOfItems(
    deps.db,
    by.organisationId,
    c.items.map((i) => i.id),
  );
  const ids = [...new Set(rows.map((r) => r.id))];
  const responses = await store.responsesOf(deps.db, ids);
  const out = [];
  for (const id of ids) {
    const mine = rows.filter((r) => r.id === id);
    const first = mine[0] as (typeof mine)[number];
    out.push({
      id,
      reference: noticeReference(id),
      step: first.step,
      status: first.status,
      category: first.category,
      language: first.language,
      subject: first.subject,
      party: { id: first.party_id, name: first.party_name },
      deadlineAt: new Date(first.deadline_at).toISOString(),
      createdAt: new Date(first.created_at).toISOString(),
      sentAt: first.sent_at ? new Date(first.sent_at).toISOString() : null,
      acknowledgedAt: first.acknowledged_at ? new Date(first.acknowledged_at).toISOString() : null,
      answeredAt: first.answered_at ? new Date(first.answered_at).toISOString() : null,
      items: mine.map((r) => ({
        itemId: r.item_id,
        outcome: r.outcome,
        outcomeAt: r.outcome_at ? new Date(r.outcome_at).toISOString() : null,
        overdueAt: r.overdue_at ? new Date(r.overdue_at).toISOString() : null,
      })),
      deliveries: (await store.outboxOfNotice(deps.db, id)).map((o) => ({
        purpose: o.purpose,
        channel: o.channel_kind,
        recipient: o.recipient,
        status: o.status,
        attempts: Number(o.attempts),
        sentAt: o.sent_at ? new Date(o.sent_at).toISOString() : null,
        error: o.last_error,
      })),
      responses: responses.filter((r) => r.notice_id === id).map(presentResponse),
    });
  }
  return out;
}

type ResponseRow = Awaited<ReturnType<typeof store.responsesOf>>[number];

export const presentResponse = (r: ResponseRow) => ({
  id: r.id,
  kind: r.kind,
  itemIds: r.item_ids,
  restriction: r.restriction,
  groundKind: r.ground_kind,
  ground: r.ground,
  facts: r.facts,
  automated: r.automated,
  countries: r.countries,
  responsible: r.responsible,
  message: r.message,
  via: r.via,
  receivedAt: new Date(r.received_at).toISOString(),
});

/** The notice as sent (the link shown as a placeholder: staff do not hold the party's token). */
export async function getNotice(deps: Deps, by: Principal, id: string) {
  authorize(by, "notices:read");
  const notice =
    by.organisationKind === "platform"
      ? await noticeOfPartyOrganisation(deps, by, id)
      : await store.findNotice(deps.db, id);
  if (!notice || (by.organisationKind !== "platform" && notice.organisationId !== by.organisationId))
    throw new AppError("not_found");
  const shown = by.organisationKind === "platform" ? tokenOf(deps, notice) : "[response-link]";
  return {
    id: notice.id,
    reference: noticeReference(notice.id),
    status: notice.status,
    step: notice.step,
    category: notice.category,
    subject: notice.subject,
    text: fill(notice.bodyText, shown),
    attachmentKind: notice.attachmentKind,
    attachment: JSON.parse(fill(JSON.stringify(notice.attachment), shown)) as Record<string, unknown>,
    deadlineAt: notice.deadlineAt.toISOString(),
    sentAt: notice.sentAt?.toISOString() ?? null,
    items: (await store.itemsOfNotice(deps.db, notice.id)).map((i) => ({
      itemId: i.itemId,
      url: i.url,
      outcome: i.outcome,
      outcomeAt: i.outcomeAt?.toISOString() ?? null,
      overdueAt: i.overdueAt?.toISOString() ?? null,
    })),
    responses: (await store.responsesOf(deps.db, [notice.id])).map(presentResponse),
  };
}

/** What the party sees behind its link: the notice, the URLs and what it said so far. */
export async function publicNotice(deps: Deps, token: string) {
  const notice = await noticeByToken(deps, token);
  const party = (await store.partiesById(deps.db, notice.organisationId, [notice.partyId])).get(
    notice.partyId,
  );
  const notifier = await store.notifierOf(deps.db, notice.organisationId);
  const withheld = withholdsNotifier(notice.category);
  const c = categoryOf(notice.category);
  return {
    reference: noticeReference(notice.id),
    language: notice.language,
    party: party?.name ?? "",
    category: { id: notice.category, label: c?.label ?? { nl: notice.category, en: notice.category } },
    notifier: withheld
      ? null
      : {
          name: notifier?.name ?? "",
          email: notifier?.noticeEmail ?? null,
          trustedFlagger: notifier?.trustedFlagger ?? false,
        },
    subject: notice.subject,
    text: fill(notice.bodyText, token),
    deadlineAt: notice.deadlineAt.toISOString(),
    sentAt: notice.sentAt?.toISOString() ?? null,
    acknowledgedAt: notice.acknowledgedAt?.toISOString() ?? null,
    items: (await store.itemsOfNotice(deps.db, notice.id)).map((i) => ({
      id: i.itemId,
      url: i.url,
      outcome: i.outcome,
      outcomeAt: i.outcomeAt?.toISOString() ?? null,
    })),
    responses: (await store.responsesOf(deps.db, [notice.id])).map((r) => ({
      id: r.id,
      kind: r.kind,
      itemIds: r.item_ids,
      receivedAt: new Date(r.received_at).toISOString(),
    })),
  };
}

/** A platform's own notices (its agents and API tokens). */
export async function noticesForParty(deps: Deps, by: Principal) {
  authorize(by, "notices:read");
  if (by.organisationKind !== "platform") throw new AppError("forbidden");
  const rows = await store.noticesForPartyOrganisation(deps.db, by.organisationId, 500);
  return rows.map((r) => ({
    id: r.id,
    reference: noticeReference(r.id),
    status: r.status,
    category: r.category,
    subject: r.subject,
    deadlineAt: new Date(r.deadline_at).toISOString(),
    sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
  }));
}
