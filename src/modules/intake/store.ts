// SQL of intake: reports, reporters' sealed contact data, idempotency keys, and the status a
// reporter may see.
import type { Executor } from "../../platform/db.ts";

export interface ReportRow {
  id: string;
  caseId: string;
  organisationId: string;
  channel: "public" | "partner" | "import";
  receipt: string | null;
  secretHash: string | null;
  partnerTokenId: string | null;
  partnerReference: string | null;
  reporterRole: "depicted" | "parent" | "bystander" | "professional";
  ageBand: "under_13" | "13_15" | "16_17" | "18_24" | "25_plus" | "unknown";
  answers: Record<string, unknown>;
  descriptionSealed: string;
  language: "nl" | "en";
  consentVersion: string;
  consentSha256: string;
  consentGivenAt: Date;
  createdAt: Date;
}

export async function insertReport(db: Executor, r: ReportRow): Promise<void> {
  await db
    .insertInto("reports")
    .values({
      id: r.id,
      case_id: r.caseId,
      organisation_id: r.organisationId,
      channel: r.channel,
      receipt: r.receipt,
      secret_hash: r.secretHash,
      partner_token_id: r.partnerTokenId,
      partner_reference: r.partnerReference,
      reporter_role: r.reporterRole,
      age_band: r.ageBand,
      answers: JSON.stringify(r.answers),
      description_sealed: r.descriptionSealed,
      language: r.language,
      consent_version: r.consentVersion,
      consent_sha256: r.consentSha256,
      consent_given_at: r.consentGivenAt,
      created_at: r.createdAt,
    })
    .execute();
}

export async function insertContact(
  db: Executor,
  reportId: string,
  sealed: string,
  now: Date,
): Promise<void> {
  await db.insertInto("reporter_contacts").values({ report_id: reportId, sealed, created_at: now }).execute();
}

const cols = [
  "id",
  "case_id",
  "organisation_id",
  "channel",
  "receipt",
  "secret_hash",
  "partner_token_id",
  "partner_reference",
  "reporter_role",
  "age_band",
  "answers",
  "description_sealed",
  "language",
  "consent_version",
  "consent_sha256",
  "consent_given_at",
  "created_at",
] as const;

// biome-ignore lint/suspicious/noExplicitAny: a row of the reports table as Kysely returns it
const toReport = (r: any): ReportRow => ({
  id: r.id,
  caseId: r.case_id,
  organisationId: r.organisation_id,
  channel: r.channel,
  receipt: r.receipt,
  secretHash: r.secret_hash,
  partnerTokenId: r.partner_token_id,
  partnerReference: r.partner_reference,
  reporterRole: r.reporter_role,
  ageBand: r.age_band,
  answers: typeof r.answers === "string" ? JSON.parse(r.answers) : r.answers,
  descriptionSealed: r.description_sealed,
  language: r.language,
  consentVersion: r.consent_version,
  consentSha256: r.consent_sha256,
  consentGivenAt: r.consent_given_at,
  createdAt: r.created_at,
});

export async function findByReceipt(db: Executor, receipt: string): Promise<ReportRow | undefined> {
  const r = await db.selectFrom("reports").select(cols).where("receipt", "=", receipt).executeTakeFirst();
  return r && toReport(r);
}

export async function reportsOfCase(
  db: Executor,
  caseId: string,
): Promise<(ReportRow & { hasContact: boolean })[]> {
  const rows = await db
    .selectFrom("reports")
    .leftJoin("reporter_contacts", "reporter_contacts.report_id", "reports.id")
    .select(cols.map((c) => `reports.${c}` as const))
    .select("reporter_contacts.report_id as contact_id")
    .where("reports.case_id", "=", caseId)
    .orderBy("reports.created_at")
    .execute();
  return rows.map((r) => ({ ...toReport(r), hasContact: r.contact_id !== null }));
}

export async function findReport(
  db: Executor,
  organisationId: string,
  id: string,
): Promise<ReportRow | undefined> {
  const r = await db
    .selectFrom("reports")
    .select(cols)
    .where("id", "=", id)
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return r && toReport(r);
}

export async function contactOf(db: Executor, reportId: string): Promise<string | undefined> {
  const r = await db
    .selectFrom("reporter_contacts")
    .select("sealed")
    .where("report_id", "=", reportId)
    .executeTakeFirst();
  return r?.sealed;
}

/** What a reporter may see of their case: its stage and how many items were removed. */
export async function statusOfCase(db: Executor, caseId: string) {
  return db
    .selectFrom("cases")
    .select((eb) => [
      "cases.status",
      "cases.updated_at",
      eb
        .selectFrom("case_items")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("case_items.case_id", "=", "cases.id")
        .as("items"),
      eb
        .selectFrom("case_items")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("case_items.case_id", "=", "cases.id")
        .where("items.status", "=", "removed")
        .as("removed"),
    ])
    .where("cases.id", "=", caseId)
    .executeTakeFirstOrThrow();
}

/** Claims an idempotency key; false when it exists (waits for a concurrent claimant to finish). */
export async function claimIdempotencyKey(
  db: Executor,
  organisationId: string,
  key: string,
  requestSha256: string,
  now: Date,
): Promise<boolean> {
  const r = await db
    .insertInto("idempotency_keys")
    .values({
      organisation_id: organisationId,
      key,
      request_sha256: requestSha256,
      response: "{}",
      created_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning("key")
    .executeTakeFirst();
  return r !== undefined;
}

export async function storeIdempotentResponse(
  db: Executor,
  organisationId: string,
  key: string,
  response: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable("idempotency_keys")
    .set({ response: JSON.stringify(response) } as never)
    .where("organisation_id", "=", organisationId)
    .where("key", "=", key)
    .execute();
}

/** Frees a key whose report failed, so the partner can retry with it. */
export async function releaseIdempotencyKey(
  db: Executor,
  organisationId: string,
  key: string,
): Promise<void> {
  await db
    .deleteFrom("idempotency_keys")
    .where("organisation_id", "=", organisationId)
    .where("key", "=", key)
    .execute();
}

export async function findIdempotencyKey(db: Executor, organisationId: string, key: string) {
  const r = await db
    .selectFrom("idempotency_keys")
    .select(["request_sha256", "response"])
    .where("organisation_id", "=", organisationId)
    .where("key", "=", key)
    .executeTakeFirst();
  return (
    r && {
      requestSha256: r.request_sha256,
      response: (typeof r.response === "string" ? JSON.parse(r.response) : r.response) as Record<
        string,
        unknown
      >,
    }
  );
}

export async function intakeOrganisation(
  db: Executor,
  configured: string | undefined,
): Promise<string | undefined> {
  let q = db.selectFrom("organisations").select("id").where("kind", "=", "hotline");
  if (configured) q = q.where("id", "=", configured);
  const r = await q.orderBy("created_at").limit(1).executeTakeFirst();
  return r?.id;
}

/** File items with a stored blob whose cases are all closed since before `before`. */
export async function expiredUploads(db: Executor, before: Date, limit: number) {
  const rows = await db
    .selectFrom("items")
    .select(["items.id", "items.organisation_id", "items.blob_ref"])
    .where("items.kind", "=", "file")
    .where("items.blob_ref", "is not", null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("case_items")
            .innerJoin("cases", "cases.id", "case_items.case_id")
            .select("cases.id")
            .whereRef("case_items.item_id", "=", "items.id")
            .where((e2) => e2.or([e2("cases.closed_at", "is", null), e2("cases.closed_at", ">", before)])),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, organisationId: r.organisation_id, blobRef: r.blob_ref as string }));
}

export async function forgetBlob(db: Executor, itemId: string): Promise<void> {
  await db.updateTable("items").set({ blob_ref: null }).where("id", "=", itemId).execute();
}

export async function blobInUse(db: Executor, blobRef: string): Promise<boolean> {
  const r = await db
    .selectFrom("items")
    .select("id")
    .where("blob_ref", "=", blobRef)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

export interface SealedValue {
  table: "reports" | "reporter_contacts" | "idempotency_keys";
  id: string;
  sealed: string;
  context: string;
}

/** Every value intake sealed with the master key, with the context it was sealed under. */
export async function sealedValues(db: Executor): Promise<SealedValue[]> {
  const reports = await db.selectFrom("reports").select(["id", "description_sealed"]).execute();
  const contacts = await db.selectFrom("reporter_contacts").select(["report_id", "sealed"]).execute();
  return [
    ...reports.map((r) => ({
      table: "reports" as const,
      id: r.id,
      sealed: r.description_sealed,
      context: `report:${r.id}:description`,
    })),
    ...contacts.map((c) => ({
      table: "reporter_contacts" as const,
      id: c.report_id,
      sealed: c.sealed,
      context: `report:${c.report_id}:contact`,
    })),
  ];
}

export async function updateSealed(db: Executor, v: SealedValue, sealed: string): Promise<void> {
  if (v.table === "reports")
    await db.updateTable("reports").set({ description_sealed: sealed }).where("id", "=", v.id).execute();
  else if (v.table === "reporter_contacts")
    await db.updateTable("reporter_contacts").set({ sealed }).where("report_id", "=", v.id).execute();
}

/** Contact records of reports whose case was closed before `before`: deleted by retention. */
export async function expiredContacts(db: Executor, before: Date, limit: number) {
  return db
    .selectFrom("reporter_contacts")
    .innerJoin("reports", "reports.id", "reporter_contacts.report_id")
    .innerJoin("cases", "cases.id", "reports.case_id")
    .select(["reports.id as reportId", "reports.organisation_id as organisationId", "cases.id as caseId"])
    .where("cases.closed_at", "is not", null)
    .where("cases.closed_at", "<=", before)
    .limit(limit)
    .execute();
}

export async function deleteContact(db: Executor, reportId: string): Promise<void> {
  await db.deleteFrom("reporter_contacts").where("report_id", "=", reportId).execute();
}

/** Idempotency keys are kept for a day: a partner's retry comes within minutes. */
export async function purgeIdempotencyKeys(db: Executor, before: Date): Promise<number> {
  const r = await db.deleteFrom("idempotency_keys").where("created_at", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
