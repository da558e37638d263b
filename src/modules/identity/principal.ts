// The authenticated party of a request or command, and the one authorization check that every
// service calls. Another organisation's object is reported as not found, never as forbidden,
// so its existence is not revealed.

import { AppError } from "../../platform/errors.ts";
import type { Actor } from "../audit/service.ts";
import { type OrganisationKind, type Permission, permissionsOf, type Role } from "./roles.ts";

export type Principal =
  | {
      kind: "user";
      userId: string;
      organisationId: string;
      organisationKind: OrganisationKind;
      role: Role;
      permissions: ReadonlySet<Permission>;
      sessionId: string;
    }
  | {
      kind: "token";
      tokenId: string;
      organisationId: string;
      organisationKind: OrganisationKind;
      permissions: ReadonlySet<Permission>;
    };

/**
 * A user acting outside a web session (the CLI, the demo seed, the simulation): the user's role
 * decides the permissions, as at login. `sessionId` names where the action came from.
 */
export function userPrincipal(
  user: { id: string; organisationId: string; role: Role },
  organisationKind: OrganisationKind,
  sessionId: string,
): Principal {
  return {
    kind: "user",
    userId: user.id,
    organisationId: user.organisationId,
    organisationKind,
    role: user.role,
    permissions: new Set(permissionsOf(user.role)),
    sessionId,
  };
}

export const actorOf = (p: Principal): Actor =>
  p.kind === "user"
    ? { type: "user", id: p.userId, organisationId: p.organisationId }
    : { type: "token", id: p.tokenId, organisationId: p.organisationId };

/** Throws unless the principal holds `permission`. */
export function authorize(p: Principal, permission: Permission): void {
  if (!p.permissions.has(permission))
    throw new AppError(p.kind === "token" ? "insufficient_scope" : "forbidden");
}

/** Throws not_found unless the object belongs to the principal's organisation. */
export function assertSameOrganisation(p: Principal, organisationId: string | undefined): void {
  if (organisationId !== p.organisationId) throw new AppError("not_found");
}
