// Organisation kinds, roles, permissions and API token scopes: who may do what.

export const organisationKinds = ["hotline", "regulator", "police", "platform", "helpdesk"] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const roles = [
  "admin",
  "analyst",
  "supervisor",
  "regulator_officer",
  "platform_agent",
  "auditor",
] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  "org:read",
  "users:read",
  "users:manage",
  "tokens:manage",
  "audit:read",
  "audit:verify",
  "cases:read",
  "cases:triage",
  "cases:reveal",
  "cases:contact",
  "cases:import",
  "reports:submit",
  "evidence:read",
  "evidence:capture",
  "evidence:export",
  "banks:read",
  "banks:manage",
  "match",
  "parties:read",
  "parties:manage",
  "attribution:run",
  "notices:read",
  "notices:send",
  "notices:respond",
  "monitoring:read",
  "monitoring:run",
  "escalation:read",
  "escalation:approve",
  "enforcement:read",
  "enforcement:manage",
  "enforcement:respond",
  "reporting:read",
  "reporting:manage",
] as const;
export type Permission = (typeof permissions)[number];

/** Permissions a machine token may carry. A token never holds more than its creator could. */
export const tokenScopes = [
  "org:read",
  "users:read",
  "audit:read",
  "reports:submit",
  "cases:import",
  "banks:read",
  "banks:manage",
  "match",
  "parties:read",
  "notices:read",
  "notices:respond",
] as const satisfies readonly Permission[];
export type TokenScope = (typeof tokenScopes)[number];

const caseWork: Permission[] = [
  "cases:read",
  "cases:triage",
  "cases:reveal",
  "cases:contact",
  "cases:import",
];

const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: [
    "org:read",
    "users:read",
    "users:manage",
    "tokens:manage",
    "audit:read",
    "audit:verify",
    ...caseWork,
    "reports:submit",
  ],
  supervisor: ["org:read", "users:read", "audit:read", "audit:verify", ...caseWork],
  analyst: ["org:read", "users:read", ...caseWork],
  regulator_officer: ["org:read", "users:read"],
  platform_agent: ["org:read"],
  auditor: ["org:read", "users:read", "audit:read", "audit:verify", "cases:read"],
};

/** Which roles make sense in which kind of organisation. */
const rolesByKind: Record<OrganisationKind, readonly Role[]> = {
  hotline: ["admin", "supervisor", "analyst", "auditor"],
  helpdesk: ["admin", "supervisor", "analyst", "auditor"],
  regulator: ["admin", "regulator_officer", "auditor"],
  police: ["admin", "regulator_officer", "auditor"],
  platform: ["admin", "platform_agent"],
};

/** Evidence (issue 4): hotline staff view, capture and export evidence; each act is audited. */
const evidenceGrants: Partial<Record<Role, readonly Permission[]>> = {
  admin: ["evidence:read", "evidence:capture", "evidence:export"],
  supervisor: ["evidence:read", "evidence:capture", "evidence:export"],
  analyst: ["evidence:read", "evidence:capture", "evidence:export"],
};

/** Hash banks (issue 5): hotline staff keep banks; `match` queries them (platforms too). */
const bankGrants: Partial<Record<Role, readonly Permission[]>> = {
  admin: ["banks:read", "banks:manage", "match"],
  supervisor: ["banks:read", "banks:manage", "match"],
  analyst: ["banks:read", "banks:manage", "match"],
  auditor: ["banks:read"],
  platform_agent: ["match"],
};

/**
 * Parties, attribution and notices (issue 6): admins keep the party registry; analysts attribute
 * and send notices; a platform's own agents read and answer the notices addressed to it.
 */
const noticeGrants: Partial<Record<Role, readonly Permission[]>> = {
  admin: ["parties:read", "parties:manage", "attribution:run", "notices:read", "notices:send"],
  supervisor: ["parties:read", "parties:manage", "attribution:run", "notices:read", "notices:send"],
  analyst: ["parties:read", "attribution:run", "notices:read", "notices:send"],
  auditor: ["parties:read", "notices:read"],
  platform_agent: ["notices:read", "notices:respond"],
};

/**
 * Monitoring, escalation and enforcement requests (issue 7). Hotline staff watch items and
 * follow the ladder; steps towards a regulator or the police need `escalation:approve`
 * (supervisors and admins). A regulator's or the police's officers read and answer only the
 * enforcement requests addressed to their own organisation (`enforcement:respond`).
 */
const escalationGrants: Partial<Record<Role, readonly Permission[]>> = {
  admin: [
    "monitoring:read",
    "monitoring:run",
    "escalation:read",
    "escalation:approve",
    "enforcement:read",
    "enforcement:manage",
    "enforcement:respond",
  ],
  supervisor: [
    "monitoring:read",
    "monitoring:run",
    "escalation:read",
    "escalation:approve",
    "enforcement:read",
    "enforcement:manage",
  ],
  analyst: ["monitoring:read", "monitoring:run", "escalation:read", "enforcement:read", "enforcement:manage"],
  auditor: ["monitoring:read", "escalation:read", "enforcement:read"],
  regulator_officer: ["enforcement:read", "enforcement:respond"],
};

/**
 * Figures and reports (issue 8): hotline staff and auditors read the figures and exports; only
 * an admin publishes the transparency page and sets the independence statement.
 */
const reportingGrants: Partial<Record<Role, readonly Permission[]>> = {
  admin: ["reporting:read", "reporting:manage"],
  supervisor: ["reporting:read"],
  analyst: ["reporting:read"],
  auditor: ["reporting:read"],
};

export const permissionsOf = (role: Role): readonly Permission[] => [
  ...rolePermissions[role],
  ...(evidenceGrants[role] ?? []),
  ...(bankGrants[role] ?? []),
  ...(noticeGrants[role] ?? []),
  ...(escalationGrants[role] ?? []),
  ...(reportingGrants[role] ?? []),
];
export const roleFitsKind = (role: Role, kind: OrganisationKind): boolean => rolesByKind[kind].includes(role);
export const rolesFor = (kind: OrganisationKind): readonly Role[] => rolesByKind[kind];

/** Staff of hotlines, regulators and the police handle sensitive cases: MFA is not optional. */
export const mfaRequired = (kind: OrganisationKind): boolean =>
  kind === "hotline" || kind === "regulator" || kind === "police";
