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
