// Shapes of the /api/v1 responses the web front end reads.

export type Stage = "mfa_verify" | "mfa_enrol" | "complete";

export const ORGANISATION_KINDS = ["hotline", "regulator", "police", "platform", "helpdesk"] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export const ROLES = [
  "admin",
  "analyst",
  "supervisor",
  "regulator_officer",
  "platform_agent",
  "auditor",
] as const;
export type Role = (typeof ROLES)[number];

/** The scopes a person may give an API token from the web UI. */
export const TOKEN_SCOPES = ["org:read", "audit:read", "users:read"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface SessionUser {
  id: string;
  displayName: string;
  email: string;
  role: string;
  mfaEnabled: boolean;
}

export interface SessionOrganisation {
  id: string;
  name: string;
  kind: string;
}

export interface Session {
  stage: Stage;
  csrfToken: string;
  user: SessionUser;
  organisation: SessionOrganisation;
  permissions: string[];
}

export interface SetupStatus {
  needed: boolean;
}

export interface LoginResult {
  stage: Stage;
}

export interface MfaEnrolment {
  secret: string;
  otpauthUri: string;
  qrDataUrl: string;
}

export interface User {
  id: string;
  displayName: string;
  email: string;
  role: string;
  mfaEnabled: boolean;
  locked: boolean;
  createdAt: string;
}

export interface ApiTokenItem {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiToken {
  token: string;
  item: ApiTokenItem;
}

export interface AuditEvent {
  seq: number | string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBroken?: { seq: number | string; id: string; reason: string } | null;
}

export interface ListResponse<T> {
  items: T[];
}

// ---------- cases (workbench) ----------

export const CASE_STATUSES = ["new", "triage", "in_progress", "waiting", "closed"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const PRIORITIES = ["urgent", "high", "normal", "low"] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ITEM_STATUSES = [
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
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const ITEM_KINDS = ["url", "file", "account", "domain"] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface CaseSummary {
  id: string;
  reference: string;
  category: string;
  taxonomyVersion: string;
  priority: Priority;
  urgentReasons: string[];
  status: CaseStatus;
  source: string;
  assigneeId: string | null;
  assigneeName: string | null;
  itemCount: number | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface QueueResponse {
  items: CaseSummary[];
  total: number;
  counts: { status: string; priority: string; n: number }[];
}

export interface CaseItem {
  id: string;
  kind: ItemKind;
  value: string;
  normalized: string;
  host: string | null;
  platform: string | null;
  status: ItemStatus;
  sha256: string | null;
  md5: string | null;
  hasFile: boolean;
  mediaType: string | null;
  sizeBytes: number | null;
  width: number | null;
  height: number | null;
  createdAt: string;
  linkedCases: { id: string; reference: string; status: string }[];
}

export interface CaseNote {
  id: string;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: string;
}

export interface CaseEvent {
  seq: number;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

export interface CaseReport {
  id: string;
  channel: string;
  reporterRole: string;
  ageBand: string;
  answers: Record<string, boolean>;
  description: string;
  language: string;
  consentVersion: string;
  partnerReference: string | null;
  hasContact: boolean;
  createdAt: string;
}

export interface CaseDetail {
  case: CaseSummary;
  assignee: { id: string; displayName: string } | null;
  items: CaseItem[];
  notes: CaseNote[];
  timeline: CaseEvent[];
  extras: { reports?: CaseReport[] } & Record<string, unknown>;
}

export interface ContactDetails {
  name?: string;
  email?: string;
  phone?: string;
  preferred?: string;
}

export interface TaxonomyCategory {
  id: string;
  label: { nl: string; en: string };
  description: { nl: string; en: string };
}

export interface Taxonomy {
  version: string;
  categories: TaxonomyCategory[];
}
