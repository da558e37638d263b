// SQL of identity: organisations, users, sessions and API tokens. Returns domain types.
import type { Executor } from "../../platform/db.ts";
import type { OrganisationKind, Role } from "./roles.ts";

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  createdAt: Date;
}

export interface User {
  id: string;
  organisationId: string;
  email: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  mfaSecret: string | null;
  mfaEnabled: boolean;
  mfaLastStep: number | null;
  disabledAt: Date | null;
  createdAt: Date;
}

export interface Throttle {
  failures: number;
  lockedUntil: Date | null;
}

export interface Session {
  id: string;
  userId: string;
  csrfToken: string;
  mfaPassed: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface ApiToken {
  id: string;
  organisationId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const orgCols = ["id", "name", "kind", "created_at"] as const;
const toOrg = (r: { id: string; name: string; kind: OrganisationKind; created_at: Date }): Organisation => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  createdAt: r.created_at,
});

export async function insertOrganisation(db: Executor, o: { name: string; kind: OrganisationKind }) {
  return toOrg(await db.insertInto("organisations").values(o).returning(orgCols).executeTakeFirstOrThrow());
}

export async function findOrganisation(db: Executor, id: string): Promise<Organisation | undefined> {
  const r = await db.selectFrom("organisations").select(orgCols).where("id", "=", id).executeTakeFirst();
  return r && toOrg(r);
}

export async function countUsers(db: Executor): Promise<number> {
  const r = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const userCols = [
  "id",
  "organisation_id",
  "email",
  "display_name",
  "role",
  "password_hash",
  "mfa_secret",
  "mfa_enabled",
  "mfa_last_step",
  "disabled_at",
  "created_at",
] as const;

type UserRow = {
  id: string;
  organisation_id: string;
  email: string;
  display_name: string;
  role: Role;
  password_hash: string;
  mfa_secret: string | null;
  mfa_enabled: boolean;
  mfa_last_step: number | null;
  disabled_at: Date | null;
  created_at: Date;
};

const toUser = (r: UserRow): User => ({
  id: r.id,
  organisationId: r.organisation_id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  passwordHash: r.password_hash,
  mfaSecret: r.mfa_secret,
  mfaEnabled: r.mfa_enabled,
  mfaLastStep: r.mfa_last_step === null ? null : Number(r.mfa_last_step),
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
});

export async function insertUser(
  db: Executor,
  u: {
    organisationId: string;
    email: string;
    displayName: string;
    role: Role;
    passwordHash: string;
    now: Date;
  },
): Promise<User> {
  const r = await db
    .insertInto("users")
    .values({
      organisation_id: u.organisationId,
      email: u.email,
      display_name: u.displayName,
      role: u.role,
      password_hash: u.passwordHash,
      created_at: u.now,
      updated_at: u.now,
    })
    .returning(userCols)
    .executeTakeFirstOrThrow();
  return toUser(r);
}

export async function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  const r = await db.selectFrom("users").select(userCols).where("email", "=", email).executeTakeFirst();
  return r && toUser(r);
}

export async function findUser(db: Executor, id: string, forUpdate = false): Promise<User | undefined> {
  let q = db.selectFrom("users").select(userCols).where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r && toUser(r);
}

export async function listUsers(db: Executor, organisationId: string): Promise<User[]> {
  const rows = await db
    .selectFrom("users")
    .select(userCols)
    .where("organisation_id", "=", organisationId)
    .orderBy("display_name")
    .execute();
  return rows.map(toUser);
}

export async function updateUser(
  db: Executor,
  id: string,
  patch: Partial<{
    passwordHash: string;
    mfaSecret: string | null;
    mfaEnabled: boolean;
    mfaLastStep: number | null;
    disabledAt: Date | null;
  }>,
  now: Date,
): Promise<void> {
  await db
    .updateTable("users")
    .set({
      ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
      ...(patch.mfaSecret !== undefined && { mfa_secret: patch.mfaSecret }),
      ...(patch.mfaEnabled !== undefined && { mfa_enabled: patch.mfaEnabled }),
      ...(patch.mfaLastStep !== undefined && { mfa_last_step: patch.mfaLastStep }),
      ...(patch.disabledAt !== undefined && { disabled_at: patch.disabledAt }),
      updated_at: now,
    })
    .where("id", "=", id)
    .execute();
}

export async function usersWithMfaSecret(
  db: Executor,
): Promise<{ id: string; organisationId: string; sealed: string }[]> {
  const rows = await db
    .selectFrom("users")
    .select(["id", "organisation_id", "mfa_secret"])
    .where("mfa_secret", "is not", null)
    .execute();
  return rows.map((r) => ({ id: r.id, organisationId: r.organisation_id, sealed: r.mfa_secret as string }));
}

/** Accepts a TOTP step only if it is newer than the last accepted one: atomic against replays. */
export async function claimMfaStep(db: Executor, id: string, step: number, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("users")
    .set({ mfa_last_step: step, updated_at: now })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("mfa_last_step", "is", null), eb("mfa_last_step", "<", step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function findThrottle(db: Executor, key: string): Promise<Throttle | undefined> {
  const r = await db
    .selectFrom("login_throttle")
    .select(["failures", "locked_until"])
    .where("key", "=", key)
    .executeTakeFirst();
  return r && { failures: r.failures, lockedUntil: r.locked_until };
}

/** Counts one failure; returns the count after it (row locked for the update). */
export async function bumpThrottle(db: Executor, key: string, now: Date): Promise<number> {
  const r = await db
    .insertInto("login_throttle")
    .values({ key, failures: 1, locked_until: null, updated_at: now })
    .onConflict((oc) =>
      oc
        .column("key")
        .doUpdateSet((eb) => ({ failures: eb("login_throttle.failures", "+", 1), updated_at: now })),
    )
    .returning("failures")
    .executeTakeFirstOrThrow();
  return r.failures;
}

export async function lockThrottle(db: Executor, key: string, until: Date, now: Date): Promise<void> {
  await db
    .updateTable("login_throttle")
    .set({ failures: 0, locked_until: until, updated_at: now })
    .where("key", "=", key)
    .execute();
}

export async function clearThrottle(db: Executor, key: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("key", "=", key).execute();
}

/** Throttle state of many keys at once (for user lists). */
export async function throttles(db: Executor, keys: string[]): Promise<Map<string, Throttle>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom("login_throttle")
    .select(["key", "failures", "locked_until"])
    .where("key", "in", keys)
    .execute();
  return new Map(rows.map((r) => [r.key, { failures: r.failures, lockedUntil: r.locked_until }]));
}

const sessionCols = [
  "id",
  "user_id",
  "csrf_token",
  "mfa_passed",
  "created_at",
  "last_seen_at",
  "expires_at",
] as const;

export async function insertSession(
  db: Executor,
  s: Session & { ip: string | null; userAgent: string | null },
): Promise<void> {
  await db
    .insertInto("sessions")
    .values({
      id: s.id,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      mfa_passed: s.mfaPassed,
      created_at: s.createdAt,
      last_seen_at: s.lastSeenAt,
      expires_at: s.expiresAt,
      ip: s.ip,
      user_agent: s.userAgent,
    })
    .execute();
}

export async function findSession(db: Executor, id: string): Promise<Session | undefined> {
  const r = await db.selectFrom("sessions").select(sessionCols).where("id", "=", id).executeTakeFirst();
  return (
    r && {
      id: r.id,
      userId: r.user_id,
      csrfToken: r.csrf_token,
      mfaPassed: r.mfa_passed,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      expiresAt: r.expires_at,
    }
  );
}

export async function touchSession(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable("sessions").set({ last_seen_at: at }).where("id", "=", id).execute();
}

export async function deleteSession(db: Executor, id: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", id).execute();
}

export async function deleteSessionsOfUser(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

export async function deleteExpiredSessions(db: Executor, now: Date, idleBefore: Date): Promise<number> {
  const r = await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<", idleBefore)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

const tokenCols = [
  "id",
  "organisation_id",
  "name",
  "prefix",
  "scopes",
  "created_by",
  "created_at",
  "expires_at",
  "last_used_at",
  "revoked_at",
] as const;

type TokenRow = {
  id: string;
  organisation_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  organisationId: r.organisation_id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export async function insertToken(
  db: Executor,
  t: Omit<ApiToken, "id" | "lastUsedAt" | "revokedAt"> & { tokenHash: string },
): Promise<ApiToken> {
  const r = await db
    .insertInto("api_tokens")
    .values({
      organisation_id: t.organisationId,
      name: t.name,
      token_hash: t.tokenHash,
      prefix: t.prefix,
      scopes: t.scopes,
      created_by: t.createdBy,
      created_at: t.createdAt,
      expires_at: t.expiresAt,
    })
    .returning(tokenCols)
    .executeTakeFirstOrThrow();
  return toToken(r);
}

export async function findTokenByHash(db: Executor, hash: string): Promise<ApiToken | undefined> {
  const r = await db
    .selectFrom("api_tokens")
    .select(tokenCols)
    .where("token_hash", "=", hash)
    .executeTakeFirst();
  return r && toToken(r);
}

export async function findToken(
  db: Executor,
  organisationId: string,
  id: string,
): Promise<ApiToken | undefined> {
  const r = await db
    .selectFrom("api_tokens")
    .select(tokenCols)
    .where("id", "=", id)
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return r && toToken(r);
}

export async function listTokens(db: Executor, organisationId: string): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom("api_tokens")
    .select(tokenCols)
    .where("organisation_id", "=", organisationId)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map(toToken);
}

export async function revokeToken(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable("api_tokens").set({ revoked_at: at }).where("id", "=", id).execute();
}

export async function touchToken(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
}
