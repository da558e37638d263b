// SQL of enforcement requests: the requests with their items and cases, extensions, notices of
// default, status updates, documents, the regulator contacts and applicant details of each
// hotline, and the read-only figures coordination needs (including a query over the notices
// tables for the parties' compliance). Returns domain types, never raw rows.
import { sql, type Updateable } from "kysely";
import type {
  DecisionOutcome,
  EnforcementDocumentKind,
  EnforcementRequestsTable,
  EnforcementStatus,
} from "../../../migrations/schema.ts";
import type { Executor, Tx } from "../../platform/db.ts";

export type { DecisionOutcome, EnforcementDocumentKind, EnforcementStatus };

const date = (v: Date | string | null | undefined): Date | null => (v ? new Date(v) : null);

// --- Applicant details and regulator contacts -------------------------------------------------

export interface Settings {
  organisationId: string;
  applicantName: string | null;
  postalAddress: string;
  email: string | null;
  consultationMonths: number;
  updatedAt: Date;
}

export async function settingsOf(db: Executor, organisationId: string): Promise<Settings | undefined> {
  const r = await db
    .selectFrom("enforcement_settings")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return r
    ? {
        organisationId: r.organisation_id,
        applicantName: r.applicant_name,
        postalAddress: r.postal_address,
        email: r.email,
        consultationMonths: Number(r.consultation_months),
        updatedAt: new Date(r.updated_at),
      }
    : undefined;
}

export async function saveSettings(tx: Tx, s: Omit<Settings, "updatedAt">, at: Date): Promise<void> {
  const values = {
    applicant_name: s.applicantName,
    postal_address: s.postalAddress,
    email: s.email,
    consultation_months: s.consultationMonths,
    updated_at: at,
  };
  await tx
    .insertInto("enforcement_settings")
    .values({ organisation_id: s.organisationId, ...values })
    .onConflict((oc) => oc.column("organisation_id").doUpdateSet(values))
    .execute();
}

export interface Contact {
  regulator: string;
  regulatorOrganisationId: string | null;
  regulatorOrganisationName: string | null;
  email: string | null;
  updatedAt: Date;
}

export async function contactsOf(db: Executor, organisationId: string): Promise<Contact[]> {
  const rows = await db
    .selectFrom("regulator_contacts as c")
    .leftJoin("organisations as o", "o.id", "c.regulator_organisation_id")
    .select(["c.regulator", "c.regulator_organisation_id", "o.name", "c.email", "c.updated_at"])
    .where("c.organisation_id", "=", organisationId)
    .orderBy("c.regulator")
    .execute();
  return rows.map((r) => ({
    regulator: r.regulator,
    regulatorOrganisationId: r.regulator_organisation_id,
    regulatorOrganisationName: r.name,
    email: r.email,
    updatedAt: new Date(r.updated_at),
  }));
}

export async function saveContact(
  tx: Tx,
  organisationId: string,
  c: { regulator: string; regulatorOrganisationId: string | null; email: string | null },
  at: Date,
): Promise<void> {
  const values = { regulator_organisation_id: c.regulatorOrganisationId, email: c.email, updated_at: at };
  await tx
    .insertInto("regulator_contacts")
    .values({ organisation_id: organisationId, regulator: c.regulator, ...values })
    .onConflict((oc) => oc.columns(["organisation_id", "regulator"]).doUpdateSet(values))
    .execute();
}

export async function deleteContact(tx: Tx, organisationId: string, regulator: string): Promise<boolean> {
  const r = await tx
    .deleteFrom("regulator_contacts")
    .where("organisation_id", "=", organisationId)
    .where("regulator", "=", regulator)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function organisationKind(db: Executor, id: string): Promise<string | undefined> {
  const r = await db.selectFrom("organisations").select("kind").where("id", "=", id).executeTakeFirst();
  return r?.kind;
}

// --- Requests ---------------------------------------------------------------------------------

export interface Request {
  id: string;
  organisationId: string;
  regulator: string;
  partyId: string | null;
  step: string;
  itemSetSha256: string;
  status: EnforcementStatus;
  language: "nl" | "en";
  decisionRequested: string;
  facts: string;
  createdBy: string | null;
  createdAt: Date;
  approvedBy: string | null;
  approvedByName: string | null;
  approvedAt: Date | null;
  regulatorOrganisationId: string | null;
  regulatorEmail: string | null;
  filedAt: Date | null;
  emailSentAt: Date | null;
  emailError: string | null;
  receivedAt: Date | null;
  receiptBy: "regulator" | "applicant" | null;
  termApplies: boolean;
  termWeeks: number | null;
  termEndsAt: Date | null;
  lapsedAt: Date | null;
  penaltyDays: number;
  penaltyCents: number;
  decidedAt: Date | null;
  decisionOutcome: DecisionOutcome | null;
  decisionText: string | null;
  withdrawnAt: Date | null;
  withdrawnReason: string | null;
  dossierStatus: "pending" | "ready" | "failed" | null;
  dossierError: string | null;
  updatedAt: Date;
}

type Row = {
  [K in keyof EnforcementRequestsTable]: unknown;
};

const toRequest = (r: Row): Request => ({
  id: r.id as string,
  organisationId: r.organisation_id as string,
  regulator: r.regulator as string,
  partyId: r.party_id as string | null,
  step: r.step as string,
  itemSetSha256: r.item_set_sha256 as string,
  status: r.status as EnforcementStatus,
  language: r.language as "nl" | "en",
  decisionRequested: r.decision_requested as string,
  facts: r.facts as string,
  createdBy: r.created_by as string | null,
  createdAt: new Date(r.created_at as Date),
  approvedBy: r.approved_by as string | null,
  approvedByName: r.approved_by_name as string | null,
  approvedAt: date(r.approved_at as Date | null),
  regulatorOrganisationId: r.regulator_organisation_id as string | null,
  regulatorEmail: r.regulator_email as string | null,
  filedAt: date(r.filed_at as Date | null),
  emailSentAt: date(r.email_sent_at as Date | null),
  emailError: r.email_error as string | null,
  receivedAt: date(r.received_at as Date | null),
  receiptBy: r.receipt_by as Request["receiptBy"],
  termApplies: Boolean(r.term_applies),
  termWeeks: r.term_weeks === null ? null : Number(r.term_weeks),
  termEndsAt: date(r.term_ends_at as Date | null),
  lapsedAt: date(r.lapsed_at as Date | null),
  penaltyDays: Number(r.penalty_days),
  penaltyCents: Number(r.penalty_cents),
  decidedAt: date(r.decided_at as Date | null),
  decisionOutcome: r.decision_outcome as DecisionOutcome | null,
  decisionText: r.decision_text as string | null,
  withdrawnAt: date(r.withdrawn_at as Date | null),
  withdrawnReason: r.withdrawn_reason as string | null,
  dossierStatus: r.dossier_status as Request["dossierStatus"],
  dossierError: r.dossier_error as string | null,
  updatedAt: new Date(r.updated_at as Date),
});

export interface NewRequest {
  organisationId: string;
  regulator: string;
  partyId: string | null;
  step: string;
  itemSetSha256: string;
  language: "nl" | "en";
  decisionRequested: string;
  facts: string;
  termApplies: boolean;
  termWeeks: number | null;
  createdBy: string | null;
  at: Date;
}

/** Inserts a draft; undefined when one with the same key exists (the caller reads that one). */
export async function insertRequest(tx: Tx, n: NewRequest): Promise<string | undefined> {
  const r = await sql<{ id: string }>`
    insert into enforcement_requests (
      organisation_id, regulator, party_id, step, item_set_sha256, status, language,
      decision_requested, facts, term_applies, term_weeks, created_by, created_at, updated_at
    ) values (
      ${n.organisationId}, ${n.regulator}, ${n.partyId}, ${n.step}, ${n.itemSetSha256}, 'draft',
      ${n.language}, ${n.decisionRequested}, ${n.facts}, ${n.termApplies}, ${n.termWeeks},
      ${n.createdBy}, ${n.at.toISOString()}, ${n.at.toISOString()}
    )
    on conflict do nothing
    returning id`.execute(tx);
  return r.rows[0]?.id;
}

export async function findByKey(
  db: Executor,
  k: {
    organisationId: string;
    regulator: string;
    partyId: string | null;
    step: string;
    itemSetSha256: string;
  },
): Promise<Request | undefined> {
  let q = db
    .selectFrom("enforcement_requests")
    .selectAll()
    .where("organisation_id", "=", k.organisationId)
    .where("regulator", "=", k.regulator)
    .where("step", "=", k.step)
    .where("item_set_sha256", "=", k.itemSetSha256);
  q = k.partyId === null ? q.where("party_id", "is", null) : q.where("party_id", "=", k.partyId);
  const r = await q.executeTakeFirst();
  return r ? toRequest(r as Row) : undefined;
}

export async function findRequest(db: Executor, id: string, forUpdate = false): Promise<Request | undefined> {
  let q = db.selectFrom("enforcement_requests").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? toRequest(r as Row) : undefined;
}

export type RequestChange = Omit<
  Updateable<EnforcementRequestsTable>,
  "id" | "organisation_id" | "updated_at"
>;

export async function updateRequest(db: Executor, id: string, set: RequestChange, at: Date): Promise<void> {
  await db
    .updateTable("enforcement_requests")
    .set({ ...set, updated_at: at })
    .where("id", "=", id)
    .execute();
}

export async function addLinks(
  tx: Tx,
  requestId: string,
  caseIds: string[],
  itemIds: string[],
): Promise<void> {
  if (caseIds.length > 0)
    await tx
      .insertInto("enforcement_request_cases")
      .values(caseIds.map((case_id) => ({ request_id: requestId, case_id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  if (itemIds.length > 0)
    await tx
      .insertInto("enforcement_request_items")
      .values(itemIds.map((item_id) => ({ request_id: requestId, item_id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
}

export async function linksOf(
  db: Executor,
  requestId: string,
): Promise<{ caseIds: string[]; itemIds: string[] }> {
  const [c, i] = await Promise.all([
    db
      .selectFrom("enforcement_request_cases")
      .select("case_id")
      .where("request_id", "=", requestId)
      .execute(),
    db
      .selectFrom("enforcement_request_items")
      .select("item_id")
      .where("request_id", "=", requestId)
      .execute(),
  ]);
  return { caseIds: c.map((r) => r.case_id).sort(), itemIds: i.map((r) => r.item_id).sort() };
}

export interface ListFilter {
  status?: EnforcementStatus | undefined;
  regulator?: string | undefined;
  partyId?: string | undefined;
  caseId?: string | undefined;
  limit: number;
}

/** The requests of an applicant (a hotline), newest first. */
export async function listForApplicant(
  db: Executor,
  organisationId: string,
  f: ListFilter,
): Promise<Request[]> {
  let q = db
    .selectFrom("enforcement_requests as r")
    .selectAll("r")
    .where("r.organisation_id", "=", organisationId);
  if (f.status) q = q.where("r.status", "=", f.status);
  if (f.regulator) q = q.where("r.regulator", "=", f.regulator);
  if (f.partyId) q = q.where("r.party_id", "=", f.partyId);
  if (f.caseId) {
    const caseId = f.caseId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("enforcement_request_cases as c")
          .select("c.case_id")
          .whereRef("c.request_id", "=", "r.id")
          .where("c.case_id", "=", caseId),
      ),
    );
  }
  const rows = await q.orderBy("r.created_at", "desc").limit(f.limit).execute();
  return rows.map((r) => toRequest(r as Row));
}

/** The requests filed with a regulator's (or the police's) organisation, newest first. */
export async function listForRegulator(
  db: Executor,
  regulatorOrganisationId: string,
  f: { status?: EnforcementStatus | undefined; limit: number },
): Promise<Request[]> {
  let q = db
    .selectFrom("enforcement_requests")
    .selectAll()
    .where("regulator_organisation_id", "=", regulatorOrganisationId)
    .where("filed_at", "is not", null);
  if (f.status) q = q.where("status", "=", f.status);
  const rows = await q.orderBy("filed_at", "desc").limit(f.limit).execute();
  return rows.map((r) => toRequest(r as Row));
}

/** Requests whose clock runs or may owe a penalty (the clock job). */
export async function clockCandidates(db: Executor, limit: number): Promise<Request[]> {
  const rows = await db
    .selectFrom("enforcement_requests")
    .selectAll()
    .where("term_ends_at", "is not", null)
    .where("decided_at", "is", null)
    .where("withdrawn_at", "is", null)
    .orderBy("term_ends_at")
    .limit(limit)
    .execute();
  return rows.map((r) => toRequest(r as Row));
}

export async function pendingDossiers(db: Executor, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("enforcement_requests")
    .select("id")
    .where("dossier_status", "=", "pending")
    .orderBy("updated_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function pendingEmails(db: Executor, limit: number): Promise<Request[]> {
  const rows = await db
    .selectFrom("enforcement_requests")
    .selectAll()
    .where("filed_at", "is not", null)
    .where("regulator_email", "is not", null)
    .where("email_sent_at", "is", null)
    .where("email_error", "is", null)
    .where("withdrawn_at", "is", null)
    .orderBy("filed_at")
    .limit(limit)
    .execute();
  return rows.map((r) => toRequest(r as Row));
}

// --- Extensions, notices of default, updates, documents -----------------------------------------

export interface Extension {
  id: string;
  previousTermEndsAt: Date;
  termEndsAt: Date;
  reason: string | null;
  recordedByOrganisationId: string;
  recordedAt: Date;
}

export async function insertExtension(tx: Tx, requestId: string, e: Omit<Extension, "id">): Promise<string> {
  const r = await tx
    .insertInto("enforcement_extensions")
    .values({
      request_id: requestId,
      previous_term_ends_at: e.previousTermEndsAt,
      term_ends_at: e.termEndsAt,
      reason: e.reason,
      recorded_by_organisation_id: e.recordedByOrganisationId,
      recorded_at: e.recordedAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function extensionsOf(db: Executor, requestId: string): Promise<Extension[]> {
  const rows = await db
    .selectFrom("enforcement_extensions")
    .selectAll()
    .where("request_id", "=", requestId)
    .orderBy("recorded_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    previousTermEndsAt: new Date(r.previous_term_ends_at),
    termEndsAt: new Date(r.term_ends_at),
    reason: r.reason,
    recordedByOrganisationId: r.recorded_by_organisation_id,
    recordedAt: new Date(r.recorded_at),
  }));
}

export interface DefaultNotice {
  draftedAt: Date;
  bodyText: string;
  sentAt: Date | null;
  receivedAt: Date | null;
}

export async function insertDefaultNotice(
  tx: Tx,
  requestId: string,
  bodyText: string,
  at: Date,
): Promise<boolean> {
  const r = await tx
    .insertInto("enforcement_default_notices")
    .values({ request_id: requestId, drafted_at: at, body_text: bodyText })
    .onConflict((oc) => oc.column("request_id").doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function defaultNoticeOf(db: Executor, requestId: string): Promise<DefaultNotice | undefined> {
  const r = await db
    .selectFrom("enforcement_default_notices")
    .selectAll()
    .where("request_id", "=", requestId)
    .executeTakeFirst();
  return r
    ? {
        draftedAt: new Date(r.drafted_at),
        bodyText: r.body_text,
        sentAt: date(r.sent_at),
        receivedAt: date(r.received_at),
      }
    : undefined;
}

export async function updateDefaultNotice(
  tx: Tx,
  requestId: string,
  set: { sent_at?: Date | null; received_at?: Date | null },
): Promise<void> {
  await tx.updateTable("enforcement_default_notices").set(set).where("request_id", "=", requestId).execute();
}

export interface Update {
  id: string;
  organisationId: string;
  authorId: string | null;
  kind: "status" | "decision" | "note";
  message: string;
  createdAt: Date;
}

export async function insertUpdate(tx: Tx, requestId: string, u: Omit<Update, "id">): Promise<string> {
  const r = await tx
    .insertInto("enforcement_updates")
    .values({
      request_id: requestId,
      organisation_id: u.organisationId,
      author_id: u.authorId,
      kind: u.kind,
      message: u.message,
      created_at: u.createdAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updatesOf(db: Executor, requestId: string): Promise<Update[]> {
  const rows = await db
    .selectFrom("enforcement_updates")
    .selectAll()
    .where("request_id", "=", requestId)
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    authorId: r.author_id,
    kind: r.kind,
    message: r.message,
    createdAt: new Date(r.created_at),
  }));
}

export interface Document {
  id: string;
  requestId: string;
  organisationId: string;
  kind: EnforcementDocumentKind;
  fileName: string;
  mediaType: string;
  sha256: string;
  sizeBytes: number;
  createdBy: string | null;
  createdAt: Date;
}

export async function insertDocument(tx: Tx, d: Omit<Document, "id">): Promise<string> {
  const r = await tx
    .insertInto("enforcement_documents")
    .values({
      request_id: d.requestId,
      organisation_id: d.organisationId,
      kind: d.kind,
      file_name: d.fileName,
      media_type: d.mediaType,
      sha256: d.sha256,
      size_bytes: d.sizeBytes,
      created_by: d.createdBy,
      created_at: d.createdAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function documentsOf(db: Executor, requestId: string): Promise<Document[]> {
  const rows = await db
    .selectFrom("enforcement_documents")
    .selectAll()
    .where("request_id", "=", requestId)
    .orderBy("created_at")
    .orderBy("file_name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    organisationId: r.organisation_id,
    kind: r.kind,
    fileName: r.file_name,
    mediaType: r.media_type,
    sha256: r.sha256,
    sizeBytes: Number(r.size_bytes),
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
  }));
}

// --- Coordination (read-only) -----------------------------------------------------------------

export interface OpenByParty {
  partyId: string;
  regulator: string;
  requestId: string;
  status: EnforcementStatus;
  termEndsAt: Date | null;
  lapsedAt: Date | null;
}

/** Open requests (filed, not decided or withdrawn; drafts too) of an applicant that name a party. */
export async function openWithParty(db: Executor, organisationId: string): Promise<OpenByParty[]> {
  const rows = await db
    .selectFrom("enforcement_requests")
    .select(["party_id", "regulator", "id", "status", "term_ends_at", "lapsed_at"])
    .where("organisation_id", "=", organisationId)
    .where("party_id", "is not", null)
    .where("status", "in", ["draft", "approved", "filed", "received"])
    .orderBy("party_id")
    .orderBy("regulator")
    .execute();
  return rows.map((r) => ({
    partyId: r.party_id as string,
    regulator: r.regulator,
    requestId: r.id,
    status: r.status,
    termEndsAt: date(r.term_ends_at),
    lapsedAt: date(r.lapsed_at),
  }));
}

export interface Compliance {
  partyId: string;
  partyName: string;
  items: number;
  removed: number;
  refused: number;
  /** Past the deadline without an outcome. */
  overdue: number;
  /** No outcome yet (overdue or not). */
  unanswered: number;
}

/**
 * Per party, how its noticed items fared (read-only over the notices tables): the base of "the
 * least compliant parties". Only parties with at least `minItems` noticed items.
 */
export async function complianceOfParties(
  db: Executor,
  organisationId: string,
  minItems: number,
): Promise<Compliance[]> {
  const r = await sql<{
    party_id: string;
    name: string;
    items: string;
    removed: string;
    refused: string;
    overdue: string;
    unanswered: string;
  }>`
    select ni.party_id, p.name,
      count(*) as items,
      count(*) filter (where ni.outcome in ('removed', 'disabled', 'geo_restricted')) as removed,
      count(*) filter (where ni.outcome = 'refused') as refused,
      count(*) filter (where ni.outcome is null and ni.overdue_at is not null) as overdue,
      count(*) filter (where ni.outcome is null) as unanswered
    from notice_items ni
    join notices n on n.id = ni.notice_id
    join parties p on p.id = ni.party_id
    where n.organisation_id = ${organisationId}
    group by ni.party_id, p.name
    having count(*) >= ${minItems}`.execute(db);
  return r.rows.map((x) => ({
    partyId: x.party_id,
    partyName: x.name,
    items: Number(x.items),
    removed: Number(x.removed),
    refused: Number(x.refused),
    overdue: Number(x.overdue),
    unanswered: Number(x.unanswered),
  }));
}
