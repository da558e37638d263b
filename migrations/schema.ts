// Kysely table types, kept beside the SQL migrations they describe. Column names are the
// database's (snake_case); stores map them to domain types.
import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A nullable timestamp added by a later migration: optional on insert. */
type LaterTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A nullable reference added by a later migration: optional on insert. */
type LaterRef = ColumnType<string | null, string | null | undefined, string | null>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  kind: "hotline" | "regulator" | "police" | "platform" | "helpdesk";
  created_at: CreatedAt;
  notice_email: string | null;
  trusted_flagger: Generated<boolean>;
  trusted_flagger_area: string | null;
  /** 0009: regulator and police steps of the escalation ladder need no analyst's approval. */
  escalation_auto_approve: Generated<boolean>;
}

export interface UsersTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  display_name: string;
  role: "admin" | "analyst" | "supervisor" | "regulator_officer" | "platform_agent" | "auditor";
  password_hash: string;
  mfa_secret: string | null;
  mfa_enabled: Generated<boolean>;
  mfa_last_step: number | null;
  disabled_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  locked_until: Timestamp | null;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  mfa_passed: boolean;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string[];
  created_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  occurred_at: Timestamp;
  actor_type: "user" | "token" | "system" | "public";
  actor_id: string | null;
  organisation_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  reason: string | null;
  data: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
  hash_version: Generated<number>;
}

/** Events written but not yet chained: moved into audit_events when their transaction commits (0007). */
export interface AuditPendingTable {
  id: string;
  occurred_at: Timestamp;
  actor_type: "user" | "token" | "system" | "public";
  actor_id: string | null;
  organisation_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  reason: string | null;
  data: ColumnType<Record<string, unknown>, string, never>;
  body: string;
}

/** Jobs waiting to be moved into pg-boss by the workers (0007). */
export interface JobOutboxTable {
  id: Generated<number>;
  name: string;
  data: ColumnType<unknown, string, never>;
  singleton_key: string | null;
  created_at: Timestamp;
}

export interface CasesTable {
  id: Generated<string>;
  organisation_id: string;
  number: Generated<number>;
  category: string;
  taxonomy_version: string;
  priority: "urgent" | "high" | "normal" | "low";
  urgent_reasons: string[];
  status: "new" | "triage" | "in_progress" | "waiting" | "closed";
  source: "public" | "partner" | "import" | "staff";
  assignee_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
}

export type ItemStatus =
  | "reported"
  | "triaged"
  | "evidence_captured"
  | "attributed"
  | "notice_sent"
  | "removed"
  | "still_online"
  | "escalated"
  | "not_actionable"
  | "closed";

export interface ItemsTable {
  id: Generated<string>;
  organisation_id: string;
  kind: "url" | "file" | "account" | "domain";
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
  created_at: Timestamp;
  updated_at: Timestamp;
  /** 0008: the first monitoring check that saw the item gone. */
  removed_at: LaterTimestamp;
  removal_check_id: LaterRef;
  /** 0008: a re-upload of known material, put first in the queue. */
  fast_tracked_at: LaterTimestamp;
}

export interface CaseItemsTable {
  case_id: string;
  item_id: string;
  added_at: Timestamp;
}

export interface CaseNotesTable {
  id: Generated<string>;
  case_id: string;
  author_id: string;
  body: string;
  created_at: Timestamp;
}

export interface ReportsTable {
  id: Generated<string>;
  case_id: string;
  organisation_id: string;
  channel: "public" | "partner" | "import";
  receipt: string | null;
  secret_hash: string | null;
  partner_token_id: string | null;
  partner_reference: string | null;
  reporter_role: "depicted" | "parent" | "bystander" | "professional";
  age_band: "under_13" | "13_15" | "16_17" | "18_24" | "25_plus" | "unknown";
  answers: ColumnType<Record<string, unknown>, string, string>;
  description_sealed: string;
  language: "nl" | "en";
  consent_version: string;
  consent_sha256: string;
  consent_given_at: Timestamp;
  created_at: Timestamp;
}

export interface ReporterContactsTable {
  report_id: string;
  sealed: string;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  organisation_id: string;
  key: string;
  request_sha256: string;
  response: ColumnType<Record<string, unknown>, string, never>;
  created_at: Timestamp;
}

export interface ExposuresTable {
  id: Generated<number>;
  user_id: string;
  item_id: string;
  at: Timestamp;
}

export interface HashBanksTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  kind: "victim_submitted" | "hotline_confirmed" | "partner_list";
  description: string | null;
  shared: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface HashEntriesTable {
  id: Generated<string>;
  no: ColumnType<number, never, never>;
  bank_id: string;
  signal_type: "pdq" | "md5" | "sha256";
  value: string;
  quality: number | null;
  pipeline: string | null;
  enabled: Generated<boolean>;
  expires_at: Timestamp | null;
  created_by_type: "user" | "token" | "system" | "public";
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  case_id: string | null;
  report_id: string | null;
  source: string | null;
  note: string | null;
  withdrawal_hash: string | null;
}

export interface HashEntryChangesTable {
  seq: ColumnType<number, never, never>;
  entry_no: number;
  changed_at: Timestamp;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, Date | string | undefined, never>;
}

// evidence (0003)
export interface EvidenceSigningKeysTable {
  id: Generated<string>;
  organisation_id: string;
  algorithm: Generated<"Ed25519">;
  public_key_pem: string;
  fingerprint: string;
  sealed_private_key: string;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface EvidenceCapturesTable {
  id: Generated<string>;
  organisation_id: string;
  case_id: string | null;
  item_id: string | null;
  url: string;
  category: string | null;
  retention: "keep" | "hash_only";
  status: "pending" | "captured" | "failed";
  error_code: string | null;
  error_detail: string | null;
  requested_by_type: string;
  requested_by_id: string | null;
  requested_at: Timestamp;
  captured_at: Timestamp | null;
  final_url: string | null;
  manifest: string | null;
  manifest_sha256: string | null;
  signature: string | null;
  signing_key_id: string | null;
  timestamp_token: string | null;
  timestamp_gen_time: Timestamp | null;
}

export interface EvidenceArtefactsTable {
  capture_id: string;
  name: string;
  sha256: string;
  size: number;
  media_type: string;
  kept: boolean;
  source_url: string | null;
  pdq: string | null;
}

export interface Database {
  organisations: OrganisationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
  audit_pending: AuditPendingTable;
  job_outbox: JobOutboxTable;
  evidence_signing_keys: EvidenceSigningKeysTable;
  evidence_captures: EvidenceCapturesTable;
  evidence_artefacts: EvidenceArtefactsTable;
  cases: CasesTable;
  items: ItemsTable;
  case_items: CaseItemsTable;
  case_notes: CaseNotesTable;
  reports: ReportsTable;
  reporter_contacts: ReporterContactsTable;
  idempotency_keys: IdempotencyKeysTable;
  exposures: ExposuresTable;
  hash_banks: HashBanksTable;
  hash_entries: HashEntriesTable;
  hash_entry_changes: HashEntryChangesTable;
  schema_migrations: SchemaMigrationsTable;
  parties: PartiesTable;
  party_matchers: PartyMatchersTable;
  party_channels: PartyChannelsTable;
  rdap_cache: RdapCacheTable;
  attributions: AttributionsTable;
  notices: NoticesTable;
  notice_items: NoticeItemsTable;
  outbox: OutboxTable;
  notice_responses: NoticeResponsesTable;
  monitor_schedule: MonitorScheduleTable;
  item_checks: ItemChecksTable;
  escalation_approvals: EscalationApprovalsTable;
  escalation_items: EscalationItemsTable;
  escalation_transitions: EscalationTransitionsTable;
}

// 0006: parties, attribution, notices, outbox, responses.

export type PartyKind = "platform" | "hosting" | "registrar" | "registry" | "payment" | "other";

export interface PartiesTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  kind: PartyKind;
  country: string | null;
  dsa_contact: string | null;
  legal_representative: string | null;
  very_large: Generated<boolean>;
  dsc: string | null;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  response_hours: number | null;
  max_urls_per_notice: ColumnType<number, number | undefined, number>;
  party_organisation_id: string | null;
  notes: string | null;
  archived_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  // 0012: registered by attribution from an RDAP answer, and its review.
  auto_source: "rdap" | null;
  auto_source_url: string | null;
  auto_raw_sha256: string | null;
  reviewed_at: LaterTimestamp;
}

export type PartyMatcherKind = "domain" | "asn" | "registrar_iana_id" | "tld" | "abuse_email";

export interface PartyMatchersTable {
  id: Generated<string>;
  organisation_id: string;
  party_id: string;
  kind: PartyMatcherKind;
  value: string;
  created_at: Timestamp;
}

export type ChannelKind = "email" | "webhook" | "webform";

export interface PartyChannelsTable {
  id: Generated<string>;
  party_id: string;
  kind: ChannelKind;
  address: string;
  priority: ColumnType<number, number | undefined, number>;
  secret_sealed: string | null;
  failing_since: Timestamp | null;
  failures: Generated<number>;
  last_failure: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RdapCacheTable {
  key: string;
  url: string | null;
  status: number | null;
  raw_sha256: string | null;
  answer: ColumnType<unknown, string | null, string | null>;
  error: string | null;
  fetched_at: Timestamp;
  expires_at: Timestamp;
}

export type AttributionRole = "platform" | "hosting" | "registrar" | "registry";

export interface AttributionsTable {
  id: Generated<string>;
  item_id: string;
  organisation_id: string;
  role: AttributionRole;
  party_id: string | null;
  name: string | null;
  abuse_email: string | null;
  country: string | null;
  asn: number | null;
  network: string | null;
  address: string | null;
  source: string;
  source_url: string | null;
  raw_sha256: string | null;
  error: string | null;
  resolved_at: Timestamp;
  expires_at: Timestamp;
  superseded_at: Timestamp | null;
}

export type NoticeStatus = "queued" | "sent" | "failed" | "acknowledged" | "answered" | "closed";

export interface NoticesTable {
  id: Generated<string>;
  organisation_id: string;
  party_id: string;
  step: string;
  category: string;
  language: "nl" | "en";
  status: NoticeStatus;
  response_token_hash: string;
  response_token_sealed: string;
  subject: string;
  body_text: string;
  body_html: string;
  attachment_kind: "xarf" | "vangrail";
  attachment: ColumnType<Record<string, unknown>, string, string>;
  deadline_at: Timestamp;
  created_by: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  answered_at: Timestamp | null;
  closed_at: Timestamp | null;
}

export type ItemOutcome = "removed" | "disabled" | "geo_restricted" | "refused" | "not_responsible";

export interface NoticeItemsTable {
  notice_id: string;
  item_id: string;
  party_id: string;
  step: string;
  deadline_at: Timestamp;
  outcome: ItemOutcome | null;
  outcome_at: Timestamp | null;
  overdue_at: Timestamp | null;
  reminded_at: Timestamp | null;
  claim_contradicted_at: LaterTimestamp;
  contradicting_check_id: LaterRef;
}

export interface OutboxTable {
  id: Generated<string>;
  organisation_id: string;
  notice_id: string | null;
  purpose: "notice" | "receipt" | "reminder";
  channel_id: string | null;
  channel_kind: ChannelKind | null;
  recipient: string | null;
  message_id: string;
  status: "pending" | "sending" | "sent" | "failed" | "manual";
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  lease_until: Timestamp | null;
  sent_at: Timestamp | null;
  last_error: string | null;
  delivered_sha256: string | null;
  created_at: Timestamp;
}

export type ResponseKind =
  | "acknowledged"
  | "removed"
  | "disabled"
  | "geo_restricted"
  | "refused"
  | "not_responsible"
  | "question";

export interface NoticeResponsesTable {
  id: Generated<string>;
  notice_id: string;
  kind: ResponseKind;
  item_ids: ColumnType<string[], string[] | undefined, string[]>;
  restriction: string | null;
  ground_kind: "legal" | "contractual" | null;
  ground: string | null;
  facts: string | null;
  automated: boolean | null;
  countries: string[] | null;
  responsible: string | null;
  message: string | null;
  via: "page" | "api";
  received_at: Timestamp;
}

// 0008: monitoring.

export interface MonitorScheduleTable {
  item_id: string;
  organisation_id: string;
  host: string;
  started_at: Timestamp;
  next_check_at: Timestamp;
  checks: Generated<number>;
  consecutive_errors: Generated<number>;
  lease_until: Timestamp | null;
  ended_at: Timestamp | null;
  end_reason: "removed" | "closed" | "expired" | "not_checkable" | null;
  /** Checks owed although the schedule ended (check now; confirmations after a removal). */
  extra_checks: Generated<number>;
}

export type CheckVerdict = "removed" | "online" | "changed" | "error";

export interface ItemChecksTable {
  id: Generated<string>;
  organisation_id: string;
  item_id: string;
  checked_at: Timestamp;
  verdict: CheckVerdict;
  reason: string;
  http_status: number | null;
  final_url: string | null;
  content_sha256: string | null;
  content_bytes: ColumnType<string | null, number | string | null, number | string | null>;
  pdq_distance: number | null;
  duration_ms: number | null;
  error: string | null;
  fetcher: string;
  record_sha256: string;
}

// 0009: the escalation ladder.

export type RegulatorCode = "acm" | "ap" | "cvdm" | "atkm" | "police" | "ec";

export type EscalationApprovalStatus = "pending" | "approved" | "rejected" | "withdrawn";

export interface EscalationApprovalsTable {
  id: Generated<string>;
  organisation_id: string;
  step: string;
  regulator: RegulatorCode;
  party_id: string | null;
  category: string;
  item_ids: string[];
  case_ids: ColumnType<string[], string[] | undefined, string[]>;
  status: EscalationApprovalStatus;
  auto: Generated<boolean>;
  requested_at: Timestamp;
  decided_at: Timestamp | null;
  decided_by: string | null;
  note: string | null;
  filed_at: Timestamp | null;
  request_id: string | null;
}

export type EscalationState =
  | "waiting"
  | "held"
  | "awaiting_approval"
  | "ready"
  | "filed"
  | "rejected"
  | "stuck"
  | "resolved"
  | "ended";

export interface EscalationItemsTable {
  item_id: string;
  organisation_id: string;
  category: string;
  jurisdiction: string | null;
  ladder: string;
  step: string;
  state: EscalationState;
  party_id: string | null;
  notice_id: string | null;
  approval_id: string | null;
  deadline_at: Timestamp | null;
  next_at: Timestamp | null;
  stuck_reason: string | null;
  lease_until: Timestamp | null;
  entered_at: Timestamp;
  updated_at: Timestamp;
}

export interface EscalationTransitionsTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  organisation_id: string;
  item_id: string;
  from_step: string | null;
  to_step: string;
  state: EscalationState;
  from_party_id: string | null;
  party_id: string | null;
  notice_id: string | null;
  approval_id: string | null;
  request_id: string | null;
  reason: string;
  at: Timestamp;
}

// 0010: enforcement requests, the Awb clock, regulator contacts (src/modules/escalation/).
// `Database` is extended here by declaration merging, so this block stays apart from the rest.

export interface EnforcementSettingsTable {
  organisation_id: string;
  applicant_name: string | null;
  postal_address: string;
  email: string | null;
  consultation_months: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

export interface RegulatorContactsTable {
  organisation_id: string;
  regulator: string;
  regulator_organisation_id: string | null;
  email: string | null;
  updated_at: Timestamp;
}

export type EnforcementStatus = "draft" | "approved" | "filed" | "received" | "decided" | "withdrawn";
export type DecisionOutcome = "granted" | "partly_granted" | "refused" | "inadmissible" | "other";

export interface EnforcementRequestsTable {
  id: Generated<string>;
  organisation_id: string;
  regulator: string;
  party_id: string | null;
  step: string;
  item_set_sha256: string;
  status: EnforcementStatus;
  language: ColumnType<"nl" | "en", "nl" | "en" | undefined, "nl" | "en">;
  decision_requested: string;
  facts: string;
  created_by: string | null;
  created_at: Timestamp;
  approved_by: LaterRef;
  approved_by_name: LaterRef;
  approved_at: LaterTimestamp;
  regulator_organisation_id: LaterRef;
  regulator_email: LaterRef;
  filed_at: LaterTimestamp;
  email_sent_at: LaterTimestamp;
  email_error: LaterRef;
  received_at: LaterTimestamp;
  receipt_by: ColumnType<"regulator" | "applicant" | null, "regulator" | "applicant" | null | undefined>;
  term_applies: boolean;
  term_weeks: ColumnType<number | null, number | null | undefined, number | null>;
  term_ends_at: LaterTimestamp;
  lapsed_at: LaterTimestamp;
  penalty_days: ColumnType<number, number | undefined, number>;
  penalty_cents: ColumnType<number, number | undefined, number>;
  decided_at: LaterTimestamp;
  decision_outcome: ColumnType<DecisionOutcome | null, DecisionOutcome | null | undefined>;
  decision_text: LaterRef;
  withdrawn_at: LaterTimestamp;
  withdrawn_reason: LaterRef;
  dossier_status: ColumnType<
    "pending" | "ready" | "failed" | null,
    "pending" | "ready" | "failed" | null | undefined
  >;
  dossier_error: LaterRef;
  updated_at: Timestamp;
}

export interface EnforcementRequestCasesTable {
  request_id: string;
  case_id: string;
}

export interface EnforcementRequestItemsTable {
  request_id: string;
  item_id: string;
}

export interface EnforcementExtensionsTable {
  id: Generated<string>;
  request_id: string;
  previous_term_ends_at: Timestamp;
  term_ends_at: Timestamp;
  reason: string | null;
  recorded_by_organisation_id: string;
  recorded_at: Timestamp;
}

export interface EnforcementDefaultNoticesTable {
  request_id: string;
  drafted_at: Timestamp;
  body_text: string;
  sent_at: LaterTimestamp;
  received_at: LaterTimestamp;
}

export interface EnforcementUpdatesTable {
  id: Generated<string>;
  request_id: string;
  organisation_id: string;
  author_id: string | null;
  kind: "status" | "decision" | "note";
  message: string;
  created_at: Timestamp;
}

export type EnforcementDocumentKind =
  | "dossier_pdf"
  | "dossier_html"
  | "evidence_bundle"
  | "default_notice"
  | "decision"
  | "document";

export interface EnforcementDocumentsTable {
  id: Generated<string>;
  request_id: string;
  organisation_id: string;
  kind: EnforcementDocumentKind;
  file_name: string;
  media_type: string;
  sha256: string;
  size_bytes: ColumnType<string, number | string, never>;
  update_id: LaterRef;
  created_by: LaterRef;
  created_at: Timestamp;
}

export interface Database {
  enforcement_settings: EnforcementSettingsTable;
  regulator_contacts: RegulatorContactsTable;
  enforcement_requests: EnforcementRequestsTable;
  enforcement_request_cases: EnforcementRequestCasesTable;
  enforcement_request_items: EnforcementRequestItemsTable;
  enforcement_extensions: EnforcementExtensionsTable;
  enforcement_default_notices: EnforcementDefaultNoticesTable;
  enforcement_updates: EnforcementUpdatesTable;
  enforcement_documents: EnforcementDocumentsTable;
}

// 0011: reporting.

export interface ReportingSettingsTable {
  organisation_id: string;
  transparency_published_at: Timestamp | null;
  independence_statement: string | null;
  updated_at: Timestamp;
}

/** Merged into `Database` above (declaration merging keeps this block separate). */
export interface Database {
  reporting_settings: ReportingSettingsTable;
}
