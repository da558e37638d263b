// SQL of intake: reports (written with their case in one statement), reporters' sealed contact
// data, idempotency keys, and the status a reporter may see.
import { CompiledQuery } from "kysely";
import { type Executor, prepared } from "../../platform/db.ts";
import type { EventWithCount } from "../audit/service.ts";
import type { ItemDraft } from "../cases/service.ts";

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

/** What `acceptReport` writes: a new case with its items, the report, and around them. */
export interface AcceptInput {
  caseId: string;
  organisationId: string;
  category: string;
  taxonomyVersion: string;
  priority: string;
  urgentReasons: string[];
  source: "public" | "partner";
  now: Date;
  items: ItemDraft[];
  report: Omit<ReportRow, "caseId" | "organisationId" | "consentGivenAt" | "createdAt">;
  /** The reporter's contact details, sealed; none when they want no contact. */
  contactSealed: string | null;
  /** The job that captures the report's new URLs, written to the job outbox; none without queue. */
  captureJob: string | null;
  /** The job that attributes the report's new URLs (same outbox, same transaction); none without queue. */
  attributeJob: string | null;
  /** The report's audit event; its count is how many items were already known. */
  event: EventWithCount;
}

/** The items as `acceptReport` found them: new (`created`) or already known (linked). */
export interface AcceptedItem {
  id: string;
  kind: string;
  sha256: string | null;
  created: boolean;
}

// One statement, one round trip, one transaction (autocommit): the case; its items, inserted or,
// when the organisation knows them, linked (in key order, so two reports of the same URLs never
// deadlock); the report; the sealed contact; the capture and attribution jobs for the new URLs
// (job_outbox, up to 200 URLs); and the audit event, whose `linkedItems` is counted here. The event is chained when
// the statement commits (migration 0007). Prepared: PostgreSQL plans it once per connection.
const ACCEPT = prepared(
  "intake_accept",
  `with
  input as (
    select * from jsonb_to_recordset($9::jsonb) as x(
      ord int, kind text, value text, normalized text, host text, platform text, sha256 text,
      md5 text, blob_ref text, media_type text, size_bytes int, width int, height int)
  ),
  new_case as (
    insert into cases (id, organisation_id, category, taxonomy_version, priority, urgent_reasons,
      status, source, created_at, updated_at)
    values ($1::uuid, $2::uuid, $3::text, $4::text, $5::text,
      array(select jsonb_array_elements_text($6::jsonb)), 'new', $7::text, $8::timestamptz,
      $8::timestamptz)
  ),
  item as (
    insert into items (organisation_id, kind, value, normalized, host, platform, status, sha256,
      md5, blob_ref, media_type, size_bytes, width, height, created_at, updated_at)
    select $2::uuid, kind, value, normalized, host, platform, 'reported', sha256, md5, blob_ref,
      media_type, size_bytes, width, height, $8::timestamptz, $8::timestamptz
    from input order by kind, normalized
    on conflict (organisation_id, kind, normalized) do update set
      -- Keep what is known; fill a missing blob (a later report may carry the file).
      blob_ref = coalesce(items.blob_ref, excluded.blob_ref),
      platform = coalesce(items.platform, excluded.platform)
    returning id, kind, normalized, sha256, (xmax = 0) as created
  ),
  link as (
    insert into case_items (case_id, item_id, added_at)
    select $1::uuid, id, $8::timestamptz from item
  ),
  report as (
    insert into reports (id, case_id, organisation_id, channel, receipt, secret_hash,
      partner_token_id, partner_reference, reporter_role, age_band, answers, description_sealed,
      language, consent_version, consent_sha256, consent_given_at, created_at)
    values ($10::uuid, $1::uuid, $2::uuid, $11::text, $12::text, $13::text, $14::uuid, $15::text,
      $16::text, $17::text, $18::jsonb, $19::text, $20::text, $21::text, $22::text,
      $8::timestamptz, $8::timestamptz)
  ),
  contact as (
    insert into reporter_contacts (report_id, sealed, created_at)
    select $10::uuid, $23::text, $8::timestamptz where $23::text is not null
  ),
  -- The report's new URLs: captured as evidence, and attributed (who must act), one job each.
  fresh as (
    select item.id, item.normalized, input.ord from item join input using (kind, normalized)
    where item.created and item.kind = 'url' order by input.ord limit 200
  ),
  jobs as (
    insert into job_outbox (name, data, singleton_key, created_at)
    select j.name, j.data, j.key, $8::timestamptz
    from (
      select
        jsonb_agg(jsonb_build_object('id', f.id, 'url', f.normalized) order by f.ord) as capture,
        jsonb_agg(f.id order by f.ord) as ids
      from fresh f
      having count(*) > 0
    ) agg
    cross join lateral (values
      ($24::text,
        jsonb_build_object('organisationId', $2::uuid, 'caseId', $1::uuid, 'category', $3::text,
          'items', agg.capture),
        'capture:' || $1::uuid::text),
      ($38::text,
        jsonb_build_object('organisationId', $2::uuid, 'itemIds', agg.ids),
        'attribute:' || $1::uuid::text)
    ) as j(name, data, key)
    where j.name is not null
  ),
  known as (select count(*) filter (where not created) as n from item),
  event as (
    insert into audit_pending (id, occurred_at, actor_type, actor_id, organisation_id, action,
      subject_type, subject_id, reason, data, body)
    select $25::uuid, $26::timestamptz, $27::text, $28::text, $29::uuid, $30::text, $31::text,
      $32::text, $33::text, jsonb_set($34::jsonb, array[$35::text], to_jsonb(known.n)),
      $36::text || known.n::text || $37::text
    from known
  )
  select id, kind, sha256, created from item`,
);

/**
 * Writes a report with its new case in one statement (see ACCEPT): all of it or, on any error,
 * none of it. Returns the case's items.
 */
export async function acceptReport(db: Executor, a: AcceptInput): Promise<AcceptedItem[]> {
  const r = a.report;
  const e = a.event;
  const items = a.items.map((i, ord) => ({
    ord,
    kind: i.kind,
    value: i.value,
    normalized: i.normalized,
    host: i.host,
    platform: i.platform,
    sha256: i.sha256,
    md5: i.md5,
    blob_ref: i.blobRef,
    media_type: i.mediaType,
    size_bytes: i.sizeBytes,
    width: i.width,
    height: i.height,
  }));
  const { rows } = await db.executeQuery<AcceptedItem>(
    CompiledQuery.raw(ACCEPT, [
      a.caseId,
      a.organisationId,
      a.category,
      a.taxonomyVersion,
      a.priority,
      JSON.stringify(a.urgentReasons),
      a.source,
      a.now.toISOString(),
      JSON.stringify(items),
      r.id,
      r.channel,
      r.receipt,
      r.secretHash,
      r.partnerTokenId,
      r.partnerReference,
      r.reporterRole,
      r.ageBand,
      JSON.stringify(r.answers),
      r.descriptionSealed,
      r.language,
      r.consentVersion,
      r.consentSha256,
      a.contactSealed,
      a.captureJob,
      e.id,
      e.occurredAt,
      e.actorType,
      e.actorId,
      e.organisationId,
      e.action,
      e.subjectType,
      e.subjectId,
      e.reason,
      JSON.stringify(e.data),
      e.countKey,
      e.bodyHead,
      e.bodyTail,
      a.attributeJob,
    ]),
  );
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    sha256: row.sha256,
    created: Boolean(row.created),
  }));
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
