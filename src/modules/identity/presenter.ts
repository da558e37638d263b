// What each viewer sees of identity objects: never password hashes, secrets or token hashes.
import type { UserView } from "./service.ts";
import type { ApiToken, Organisation } from "./store.ts";

export const presentOrganisation = (o: Organisation) => ({
  id: o.id,
  name: o.name,
  kind: o.kind,
  createdAt: o.createdAt.toISOString(),
});

export const presentUser = (u: UserView) => ({
  id: u.id,
  displayName: u.displayName,
  email: u.email,
  role: u.role,
  mfaEnabled: u.mfaEnabled,
  locked: u.locked,
  createdAt: u.createdAt.toISOString(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentToken = (t: ApiToken) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes,
  createdAt: t.createdAt.toISOString(),
  expiresAt: iso(t.expiresAt),
  lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt),
});
