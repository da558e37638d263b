// Kysely table types, kept beside the SQL migrations they describe. Column names are the
// database's (snake_case); stores map them to domain types.
import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  kind: "hotline" | "regulator" | "police" | "platform" | "helpdesk";
  created_at: CreatedAt;
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
  evidence_signing_keys: EvidenceSigningKeysTable;
  evidence_captures: EvidenceCapturesTable;
  evidence_artefacts: EvidenceArtefactsTable;
  schema_migrations: SchemaMigrationsTable;
}
