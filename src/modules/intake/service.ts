// Intake: reports from the public (no account) and from partners (API token), the receipt a
// reporter follows the case with, help routes chosen from the answers, and bulk import.
// A report is accepted only once it is committed: case, items, report, contact, capture and
// attribution jobs and audit event are written in one statement (so one transaction) before the 201 leaves.
import { randomUUID } from "node:crypto";
import { open, openWithAny, safeEqual, seal, sha256Hex } from "../../platform/crypto.ts";
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import * as attribution from "../attribution/service.ts";
import * as audit from "../audit/service.ts";
import * as cases from "../cases/service.ts";
import { mustNotStoreMedia } from "../cases/taxonomy.ts";
import { InvalidUrlError, parseReportedUrl } from "../cases/urls.ts";
import type { Deps } from "../deps.ts";
import * as hashing from "../hashing/service.ts";
import { actorOf, authorize, type Principal } from "../identity/principal.ts";
import * as monitoring from "../monitoring/service.ts";
import { currentConsent, findConsent } from "./consent.ts";
import { type Answers, type HelpRoute, helpRoutes } from "./help.ts";
import { captureReportedJob } from "./jobs.ts";
import { canonicalCode, newReceipt, newSecret } from "./receipts.ts";
import type { PartnerReport, PublicReport } from "./schemas.ts";
import * as store from "./store.ts";
import { type ProcessedUpload, processUpload } from "./uploads.ts";

export interface Upload {
  bytes: Buffer;
}

export interface Receipt {
  receipt: string;
  secret: string;
  urgent: boolean;
  helpRoutes: HelpRoute[];
  caseId: string;
  /** Item ids of the uploaded files, by the SHA-256 of their bytes. */
  fileItems?: Map<string, string>;
}

const descriptionContext = (reportId: string) => `report:${reportId}:description`;
/** The current master key first, then earlier ones still listed during a rotation. */
const keysOf = (deps: Deps): Buffer[] => [deps.masterKey, ...deps.config.evidence.previousMasterKeys];
const contactContext = (reportId: string) => `report:${reportId}:contact`;

/** The items of a report, with a pointer to the field of each invalid one. */
function itemsOf(r: PublicReport | PartnerReport): cases.NewItemInput[] {
  const out: cases.NewItemInput[] = [];
  const errors: { path: string; pointer: string; message: string }[] = [];
  const seen = new Set<string>();
  r.urls.forEach((u, i) => {
    try {
      const key = cases.itemKey("url", u);
      if (seen.has(key.key)) return;
      seen.add(key.key);
      // As typed, less any user:password@ part (never needed to find content, never stored).
      out.push({ kind: "url", value: stripCredentials(u.trim()), platform: r.platform ?? null, key });
    } catch (e) {
      errors.push({
        path: `urls.${i}`,
        pointer: `/urls/${i}`,
        message: e instanceof InvalidUrlError ? e.message : "Not a valid link.",
      });
    }
  });
  for (const a of r.accounts) {
    out.push({ kind: "account", value: a.handle, platform: a.platform ?? r.platform ?? null });
  }
  if (errors.length > 0) throw new AppError("validation_failed", { errors: errors.slice(0, 50) });
  return out;
}

function stripCredentials(u: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(u) ? parseReportedUrl(u).toString() : u;
}

function requireSomething(r: PublicReport | PartnerReport, files: number): void {
  if (r.urls.length === 0 && r.accounts.length === 0 && files === 0 && r.description.length === 0) {
    throw new AppError("validation_failed", {
      errors: [
        {
          path: "urls",
          pointer: "/urls",
          message: "Give at least one link, account, screenshot or description.",
        },
      ],
    });
  }
}

// Organisations are never changed or deleted, so the intake organisation, once found, is
// remembered per database and configured id instead of being read for every report.
const intakeOrganisations = new WeakMap<Deps["db"], Map<string, string>>();

async function intakeOrganisation(deps: Deps): Promise<string> {
  const configured = deps.config.intakeOrganisationId;
  let known = intakeOrganisations.get(deps.db);
  const hit = known?.get(configured ?? "");
  if (hit) return hit;
  const id = await store.intakeOrganisation(deps.db, configured);
  if (!id) throw new AppError("intake_not_configured");
  if (!known) {
    known = new Map();
    intakeOrganisations.set(deps.db, known);
  }
  known.set(configured ?? "", id);
  return id;
}

interface Accepted {
  organisationId: string;
  report: PublicReport | PartnerReport;
  /** The report's links and accounts (`itemsOf`). */
  items: cases.NewItemInput[];
  files: ProcessedUpload[];
  channel: "public" | "partner";
  actor: audit.Actor;
  partner?: { tokenId: string; reference: string | undefined };
  consent: { version: string; sha256: string };
}

/**
 * Writes case, items, report, contact, capture job and audit event in one statement (one
 * transaction, one round trip); returns the receipt once it has committed.
 */
async function accept(deps: Deps, a: Accepted): Promise<Receipt> {
  const r = a.report;
  const answers: Answers = r.answers;
  const u = cases.urgency({
    category: r.category,
    minorInvolved: answers.minorInvolved || ["under_13", "13_15", "16_17"].includes(r.ageBand),
    ongoingSextortion: answers.ongoingThreat,
    selfHarm: answers.selfHarm,
    immediateDanger: answers.immediateDanger,
  });
  const items = [...a.items];
  for (const f of a.files) {
    items.push({
      kind: "file",
      value: `screenshot-${f.sha256.slice(0, 12)}`,
      file: {
        sha256: f.sha256,
        md5: f.md5,
        blobRef: f.blobRef,
        mediaType: f.mediaType,
        sizeBytes: f.sizeBytes,
        width: f.width,
        height: f.height,
      },
    });
  }
  const draft = cases.draftCase({
    organisationId: a.organisationId,
    category: r.category,
    source: a.channel,
    priority: u.priority,
    urgentReasons: u.reasons,
    items,
  });
  const receipt = newReceipt();
  const secret = newSecret();
  const reportId = randomUUID();
  const caseId = randomUUID();
  const now = deps.clock.now();
  const contact = r.contact;
  const wantsContact = Boolean(contact && (contact.email || contact.phone));
  const accepted = await store.acceptReport(deps.db, {
    caseId,
    organisationId: a.organisationId,
    category: r.category,
    taxonomyVersion: draft.taxonomyVersion,
    priority: u.priority,
    urgentReasons: u.reasons,
    source: a.channel,
    now,
    items: draft.items,
    report: {
      id: reportId,
      channel: a.channel,
      receipt,
      secretHash: sha256Hex(secret),
      partnerTokenId: a.partner?.tokenId ?? null,
      partnerReference: a.partner?.reference ?? null,
      reporterRole: r.reporterRole,
      ageBand: r.ageBand,
      answers: { ...answers },
      descriptionSealed: seal(deps.masterKey, r.description, descriptionContext(reportId)),
      language: r.language,
      consentVersion: a.consent.version,
      consentSha256: a.consent.sha256,
    },
    contactSealed: wantsContact
      ? seal(deps.masterKey, JSON.stringify(contact), contactContext(reportId))
      : null,
    // Without a queue (command-line tools) there are no workers to capture: no job.
    captureJob: deps.queue ? captureReportedJob.name : null,
    attributeJob: deps.queue ? attribution.autoAttributionJob : null,
    event: audit.eventWithCount(
      deps.clock,
      a.actor,
      {
        organisationId: a.organisationId,
        action: "report.received",
        subject: { type: "case", id: caseId },
        data: {
          reportId,
          channel: a.channel,
          category: r.category,
          priority: u.priority,
          urgentReasons: u.reasons,
          items: draft.items.length,
          files: a.files.length,
          filesKept: a.files.filter((f) => f.blobRef !== null).length,
          consentVersion: a.consent.version,
          contact: wantsContact,
        },
      },
      "linkedItems",
    ),
  });
  return {
    receipt,
    secret,
    urgent: u.priority === "urgent",
    helpRoutes: helpRoutes(answers, r.category, r.ageBand),
    caseId,
    fileItems: new Map(
      accepted.filter((i) => i.kind === "file").map((i) => [i.sha256 as string, i.id] as const),
    ),
  };
}

async function processFiles(deps: Deps, category: string, uploads: Upload[]): Promise<ProcessedUpload[]> {
  if (uploads.length > limits.filesPerReport) {
    throw new AppError("validation_failed", {
      errors: [
        {
          path: "files",
          pointer: "/files",
          message: `At most ${limits.filesPerReport} screenshots per report.`,
        },
      ],
    });
  }
  const keep = !mustNotStoreMedia(category);
  const out: ProcessedUpload[] = [];
  for (const [i, u] of uploads.entries())
    out.push(await processUpload(u.bytes, i, { keep, blobs: deps.blobs }));
  return out;
}

/** A report from the public form. The honeypot field must be empty. */
export async function submitPublicReport(
  deps: Deps,
  report: PublicReport,
  uploads: Upload[] = [],
): Promise<Receipt> {
  if (report.website && report.website.length > 0) {
    throw new AppError("report_rejected");
  }
  const consent = findConsent(report.consent.version);
  if (!consent) {
    throw new AppError("validation_failed", {
      errors: [
        {
          path: "consent.version",
          pointer: "/consent/version",
          message: `Use consent version ${currentConsent.version}.`,
        },
      ],
    });
  }
  requireSomething(report, uploads.length);
  const items = itemsOf(report); // links are checked before any file work
  const organisationId = await intakeOrganisation(deps);
  const files = await processFiles(deps, report.category, uploads);
  const out = await accept(deps, {
    organisationId,
    report,
    items,
    files,
    channel: "public",
    actor: { type: "public", id: null, organisationId },
    consent: { version: consent.version, sha256: consent.sha256 },
  });
  // After the commit (the report is safe whatever happens here): known material is recognised.
  for (const [i, u] of uploads.entries()) {
    const itemId = out.fileItems?.get(files[i]?.sha256 ?? "");
    if (itemId) await recogniseUpload(deps, organisationId, out.caseId, itemId, u.bytes);
  }
  return out;
}

/**
 * The re-upload watch for an uploaded image (monitoring module): when it matches a hash bank or
 * an earlier item's media, the item is linked into the earlier case(s) and fast-tracked. Failures
 * are logged, never lost reports: the report is already committed.
 */
async function recogniseUpload(
  deps: Deps,
  organisationId: string,
  caseId: string,
  itemId: string,
  bytes: Buffer,
) {
  try {
    await monitoring.watchUpload(deps, { organisationId, caseId, itemId, bytes });
  } catch (e) {
    deps.logger.warn({ err: e, itemId }, "hash check of an upload failed");
  }
}

async function verifiedReport(deps: Deps, receiptInput: string, secretInput: string) {
  const receipt = canonicalCode(receiptInput);
  countStatusCheck(receipt, deps.clock.now().getTime());
  const report = await store.findByReceipt(deps.db, receipt);
  const given = sha256Hex(canonicalCode(secretInput));
  if (!report?.secretHash || !safeEqual(given, report.secretHash)) throw new AppError("not_found");
  return report;
}

/**
 * Hashes made on the victim's own device, for their report: stored in the victim-submitted
 * bank so platforms can block re-uploads. Returns a withdrawal secret, shown once.
 */
export async function submitDeviceHashes(
  deps: Deps,
  receipt: string,
  secret: string,
  hashes: hashing.DeviceHash[],
) {
  const report = await verifiedReport(deps, receipt, secret);
  return hashing.submitDeviceHashes(
    deps,
    { organisationId: report.organisationId, reportId: report.id, caseId: report.caseId },
    hashes,
  );
}

/** The victim takes back every hash they submitted for their report: the entries are deleted. */
export async function withdrawDeviceHashes(deps: Deps, receipt: string, secret: string) {
  const report = await verifiedReport(deps, receipt, secret);
  return hashing.withdraw(deps, { reportId: report.id });
}

/**
 * The victim takes back one submission with the withdrawal secret shown when it was sent, even
 * without the report's codes. The secret is 192 random bits: an unknown one deletes nothing.
 */
export async function withdrawDeviceHashSubmission(deps: Deps, withdrawalSecret: string) {
  return hashing.withdraw(deps, { secret: withdrawalSecret.trim() });
}

/**
 * A report from a partner's system. The same Idempotency-Key (per partner organisation) gives
 * the same answer and one report; reusing it for a different body is a conflict.
 */
export async function submitPartnerReport(
  deps: Deps,
  by: Principal,
  report: PartnerReport,
  idempotencyKey: string,
): Promise<{ status: 200 | 201; body: Omit<Receipt, "caseId"> }> {
  authorize(by, "reports:submit");
  if (by.kind !== "token") throw new AppError("forbidden", { detail: "The partner API is for API tokens." });
  requireSomething(report, 0);
  const items = itemsOf(report);
  const requestSha256 = sha256Hex(JSON.stringify(report));
  const prior = await store.findIdempotencyKey(deps.db, by.organisationId, idempotencyKey);
  const unseal = (sealed: string) =>
    openWithAny(keysOf(deps), sealed, `idempotency:${by.organisationId}:${idempotencyKey}`);
  if (prior) return replay(prior, requestSha256, unseal);
  if (
    !(await store.claimIdempotencyKey(
      deps.db,
      by.organisationId,
      idempotencyKey,
      requestSha256,
      deps.clock.now(),
    ))
  ) {
    const again = await store.findIdempotencyKey(deps.db, by.organisationId, idempotencyKey);
    if (again) return replay(again, requestSha256, unseal);
  }
  try {
    const organisationId = await intakeOrganisation(deps);
    const r = await accept(deps, {
      organisationId,
      report,
      items,
      files: [],
      channel: "partner",
      actor: actorOf(by),
      partner: { tokenId: by.tokenId, reference: report.partnerReference },
      consent: {
        version: `partner:${report.consent.version}`,
        sha256: sha256Hex(`partner:${report.consent.version}`),
      },
    });
    const { caseId: _c, fileItems: _f, ...body } = r;
    // The secret is stored sealed: a retry gets it back, a reader of the table does not.
    await store.storeIdempotentResponse(deps.db, by.organisationId, idempotencyKey, {
      ...body,
      secret: seal(deps.masterKey, body.secret, `idempotency:${by.organisationId}:${idempotencyKey}`),
    });
    return { status: 201, body };
  } catch (e) {
    await store.releaseIdempotencyKey(deps.db, by.organisationId, idempotencyKey);
    throw e;
  }
}

function replay(
  prior: { requestSha256: string; response: Record<string, unknown> },
  requestSha256: string,
  unseal: (sealed: string) => string,
) {
  if (prior.requestSha256 !== requestSha256) {
    throw new AppError("conflict", { detail: "This Idempotency-Key was used for a different report." });
  }
  if (!("receipt" in prior.response)) {
    throw new AppError("conflict", {
      detail: "A report with this Idempotency-Key is still being processed; retry shortly.",
    });
  }
  const body = { ...prior.response, secret: unseal(String(prior.response.secret)) };
  return { status: 200 as const, body: body as unknown as Omit<Receipt, "caseId"> };
}

// Status checks per receipt are limited in memory, on top of the per-address rate limit, so a
// receipt's secret cannot be guessed from many addresses.
const statusChecks = new Map<string, { n: number; since: number }>();
const STATUS_WINDOW_MS = 15 * 60_000;
const STATUS_MAX = 30;

function countStatusCheck(receipt: string, now: number): void {
  const e = statusChecks.get(receipt);
  if (!e || now - e.since > STATUS_WINDOW_MS) {
    if (statusChecks.size > 100_000) statusChecks.clear();
    statusChecks.set(receipt, { n: 1, since: now });
    return;
  }
  e.n++;
  if (e.n > STATUS_MAX) throw new AppError("rate_limited");
}

export type PublicStatus = "received" | "in_review" | "in_progress" | "closed";

const publicStatusOf: Record<string, PublicStatus> = {
  new: "received",
  triage: "in_review",
  in_progress: "in_progress",
  waiting: "in_progress",
  closed: "closed",
};

/** What the reporter sees. An unknown receipt and a wrong secret get the same not_found. */
export async function reportStatus(deps: Deps, receiptInput: string, secretInput: string) {
  const report = await verifiedReport(deps, receiptInput, secretInput);
  const receipt = report.receipt as string;
  const s = await store.statusOfCase(deps.db, report.caseId);
  return {
    receipt,
    receivedAt: report.createdAt.toISOString(),
    status: publicStatusOf[s.status] ?? "received",
    updatedAt: new Date(s.updated_at).toISOString(),
    items: Number(s.items ?? 0),
    removed: Number(s.removed ?? 0),
  };
}

/** The reports behind a case, for the case page (description unsealed, contact only flagged). */
export async function reportsForCase(deps: Deps, caseId: string) {
  const rows = await store.reportsOfCase(deps.db, caseId);
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    reporterRole: r.reporterRole,
    ageBand: r.ageBand,
    answers: r.answers,
    description: openWithAny(keysOf(deps), r.descriptionSealed, descriptionContext(r.id)),
    language: r.language,
    consentVersion: r.consentVersion,
    partnerReference: r.partnerReference,
    hasContact: r.hasContact,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** A reporter's contact details: only with permission, and every view is an audit event. */
export async function viewContact(deps: Deps, by: Principal, reportId: string, reason: string) {
  authorize(by, "cases:contact");
  if (by.kind !== "user") throw new AppError("forbidden");
  const report = await store.findReport(deps.db, by.organisationId, reportId);
  if (!report) throw new AppError("not_found");
  const sealed = await store.contactOf(deps.db, report.id);
  if (!sealed) throw new AppError("not_found", { detail: "The reporter left no contact details." });
  await deps.db.transaction().execute((tx) =>
    audit.record(tx, deps.clock, actorOf(by), {
      action: "report.contact_viewed",
      subject: { type: "case", id: report.caseId },
      reason,
      data: { reportId: report.id },
    }),
  );
  return JSON.parse(openWithAny(keysOf(deps), sealed, contactContext(report.id))) as Record<string, string>;
}

/**
 * After a master-key change (`vangrail keys rotate`): re-seals every report description,
 * contact record and stored partner answer under the current key.
 */
export async function resealIntakeSecrets(
  deps: Deps,
): Promise<{ checked: number; resealed: number; failed: string[] }> {
  const keys = keysOf(deps);
  let checked = 0;
  let resealed = 0;
  const failed: string[] = [];
  for (const row of await store.sealedValues(deps.db)) {
    checked++;
    try {
      open(deps.masterKey, row.sealed, row.context);
      continue;
    } catch {
      // sealed under an earlier key
    }
    try {
      const plain = openWithAny(keys, row.sealed, row.context);
      await store.updateSealed(deps.db, row, seal(deps.masterKey, plain, row.context));
      resealed++;
    } catch {
      failed.push(`${row.table}:${row.id}`);
    }
  }
  return { checked, resealed, failed };
}
