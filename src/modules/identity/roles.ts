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
  "evidence:read",
  "evidence:capture",
  "evidence:export",
] as const;
export type Permission = (typeof permissions)[number];

/** Permissions a machine token may carry. A token never holds more than its creator could. */
export const tokenScopes = ["org:read", "users:read", "audit:read"] as const satisfies readonly Permission[];
export type TokenScope = (typeof tokenScopes)[number];

const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: ["org:read", "users:read", "users:manage", "tokens:manage", "audit:read", "audit:verify"],
  supervisor: ["org:read", "users:read", "audit:read", "audit:verify"],
  analyst: ["org:read", "users:read"],
  regulator_officer: ["org:read", "users:read"],
  platform_agent: ["org:read"],
  auditor: ["org:read", "users:read", "audit:read", "audit:verify"],
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

export const permissionsOf = (role: Role): readonly Permission[] => [
  ...rolePermissions[role],
  ...(evidenceGrants[role] ?? []),
];
export const roleFitsKind = (role: Role, kind: OrganisationKind): boolean => rolesByKind[kind].includes(role);
export const rolesFor = (kind: OrganisationKind): readonly Role[] => rolesByKind[kind];

/** Staff of hotlines, regulators and the police handle sensitive cases: MFA is not optional. */
export const mfaRequired = (kind: OrganisationKind): boolean =>
  kind === "hotline" || kind === "regulator" || kind === "police";
