// Identity: first-run setup, organisations, users, password + TOTP login, server-side
// sessions, and scoped API tokens. Every state change writes an audit event in its transaction.
import { sql } from "kysely";
import { open, randomToken, safeEqual, seal, sha256Hex } from "../../platform/crypto.ts";
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import * as audit from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { burnPasswordCheck, checkPasswordPolicy, hashPassword, verifyPassword } from "./passwords.ts";
import { actorOf, assertSameOrganisation, authorize, type Principal } from "./principal.ts";
import {
  mfaRequired,
  type OrganisationKind,
  type Permission,
  permissionsOf,
  type Role,
  roleFitsKind,
  type TokenScope,
  tokenScopes,
} from "./roles.ts";
import * as store from "./store.ts";
import { matchTotp, newTotpSecret, otpauthUri, qrDataUrl } from "./totp.ts";

export type { ApiToken, Organisation, Session, User } from "./store.ts";

/** Where a session stands: MFA still to verify or enrol, or complete. */
export type Stage = "mfa_verify" | "mfa_enrol" | "complete";

export interface SessionContext {
  session: store.Session;
  user: store.User;
  organisation: store.Organisation;
  stage: Stage;
}

const SETUP_LOCK = 7_270_412_003;
// A session that has passed the password but not the second factor lives this long.
const PARTIAL_SESSION_MS = 10 * 60_000;
const TOUCH_EVERY_MS = 60_000;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** The lockout is keyed by the address typed, so unknown addresses lock exactly like known ones. */
const throttleKey = (email: string): string => sha256Hex(`login:${normaliseEmail(email)}`);
/** Wrong second-factor codes count apart: a correct password must not reset them. */
const mfaThrottleKey = (userId: string): string => sha256Hex(`mfa:${userId}`);

/** A user as listed: whether the address is locked out just now. */
export type UserView = store.User & { locked: boolean };

const mfaSecretContext = (userId: string) => `user:${userId}:totp`;

// ---------------------------------------------------------------------------------------------
// Setup and administration

export async function setupNeeded(deps: Pick<Deps, "db">): Promise<boolean> {
  return (await store.countUsers(deps.db)) === 0;
}

export interface NewAccount {
  organisation: { name: string; kind: OrganisationKind };
  admin: { displayName: string; email: string; password: string };
}

/**
 * Creates the first organisation and its admin. Refused once any user exists, and serialised
 * by a lock so that two first-run submissions cannot both succeed.
 */
export async function setup(
  deps: Deps,
  input: NewAccount & { setupCode: string },
  expectedCode: string | undefined,
): Promise<{ organisationId: string; userId: string }> {
  if (!expectedCode || !safeEqual(input.setupCode, expectedCode)) throw new AppError("invalid_setup_code");
  return createFirstAccount(deps, input, "setup.completed");
}

/** `vangrail admin init`: the same as the first-run page, from the operator's shell. */
export function initFirstAccount(deps: Deps, input: NewAccount) {
  return createFirstAccount(deps, input, "setup.completed_cli");
}

async function createFirstAccount(deps: Deps, input: NewAccount, action: string) {
  const email = normaliseEmail(input.admin.email);
  checkPasswordPolicy(input.admin.password, email);
  const passwordHash = await hashPassword(input.admin.password);
  return deps.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${SETUP_LOCK})`.execute(tx);
    if ((await store.countUsers(tx)) > 0) throw new AppError("setup_done");
    const org = await store.insertOrganisation(tx, input.organisation);
    const user = await store.insertUser(tx, {
      organisationId: org.id,
      email,
      displayName: input.admin.displayName,
      role: "admin",
      passwordHash,
      now: deps.clock.now(),
    });
    const actor = { type: "system" as const, id: null, organisationId: org.id };
    await audit.record(tx, deps.clock, actor, {
      action: "organisation.created",
      subject: { type: "organisation", id: org.id },
      data: { name: org.name, kind: org.kind },
    });
    await audit.record(tx, deps.clock, actor, {
      action: "user.created",
      subject: { type: "user", id: user.id },
      data: { role: user.role },
    });
    await audit.record(tx, deps.clock, actor, { action, subject: { type: "organisation", id: org.id } });
    return { organisationId: org.id, userId: user.id };
  });
}

/** Creates an organisation (operator tools and demo data; acting as the system). */
export async function createOrganisation(deps: Deps, o: { name: string; kind: OrganisationKind }) {
  return deps.db.transaction().execute(async (tx) => {
    const org = await store.insertOrganisation(tx, o);
    await audit.record(
      tx,
      deps.clock,
      { type: "system", id: null, organisationId: org.id },
      { action: "organisation.created", subject: { type: "organisation", id: org.id }, data: { ...o } },
    );
    return org;
  });
}

export interface NewUser {
  organisationId: string;
  displayName: string;
  email: string;
  role: Role;
  password: string;
}

/** Adds a user. `by` is the acting principal, or undefined for operator tools. */
export async function createUser(deps: Deps, by: Principal | undefined, input: NewUser): Promise<store.User> {
  if (by) {
    authorize(by, "users:manage");
    assertSameOrganisation(by, input.organisationId);
  }
  const org = await store.findOrganisation(deps.db, input.organisationId);
  if (!org) throw new AppError("not_found");
  if (!roleFitsKind(input.role, org.kind)) {
    throw new AppError("validation_failed", {
      errors: [{ path: "role", message: `A ${org.kind} organisation has no role ${input.role}.` }],
    });
  }
  const email = normaliseEmail(input.email);
  checkPasswordPolicy(input.password, email);
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction().execute(async (tx) => {
    if (await store.findUserByEmail(tx, email)) throw new AppError("email_taken");
    const user = await store.insertUser(tx, {
      organisationId: org.id,
      email,
      displayName: input.displayName,
      role: input.role,
      passwordHash,
      now: deps.clock.now(),
    });
    await audit.record(tx, deps.clock, by ? actorOf(by) : audit.systemActor, {
      organisationId: org.id,
      action: "user.created",
      subject: { type: "user", id: user.id },
      data: { role: user.role },
    });
    return user;
  });
}

/** Sets a new password (operator tools: demo reset, `vangrail admin` commands); ends sessions. */
export async function setPassword(
  deps: Deps,
  userId: string,
  password: string,
  reason: string,
): Promise<void> {
  const user = await store.findUser(deps.db, userId);
  if (!user) throw new AppError("not_found");
  checkPasswordPolicy(password, user.email);
  const passwordHash = await hashPassword(password);
  await deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now();
    await store.updateUser(tx, userId, { passwordHash }, now);
    await store.clearThrottle(tx, throttleKey(user.email));
    await store.deleteSessionsOfUser(tx, userId);
    await audit.record(tx, deps.clock, audit.systemActor, {
      organisationId: user.organisationId,
      action: "user.password_set",
      subject: { type: "user", id: userId },
      reason,
    });
  });
}

/** Clears a lockout and, when asked, the second factor, so the user enrols again. */
export async function resetUserAccess(
  deps: Deps,
  email: string,
  opts: { mfa: boolean; reason: string },
): Promise<store.User> {
  const user = await store.findUserByEmail(deps.db, normaliseEmail(email));
  if (!user) throw new AppError("not_found", { detail: `No user with e-mail ${email}.` });
  await deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now();
    await store.clearThrottle(tx, throttleKey(user.email));
    await store.clearThrottle(tx, mfaThrottleKey(user.id));
    if (opts.mfa)
      await store.updateUser(tx, user.id, { mfaEnabled: false, mfaSecret: null, mfaLastStep: null }, now);
    if (opts.mfa) await store.deleteSessionsOfUser(tx, user.id);
    await audit.record(tx, deps.clock, audit.systemActor, {
      organisationId: user.organisationId,
      action: opts.mfa ? "user.mfa_reset" : "user.unlocked",
      subject: { type: "user", id: user.id },
      reason: opts.reason,
    });
  });
  return user;
}

/** An organisation by id, for operator tools (no principal). */
export async function findOrganisationById(deps: Pick<Deps, "db">, id: string): Promise<store.Organisation> {
  const org = await store.findOrganisation(deps.db, id);
  if (!org) throw new AppError("not_found");
  return org;
}

export async function findUserById(deps: Pick<Deps, "db">, id: string) {
  return store.findUser(deps.db, id);
}

export async function findUserByEmail(deps: Pick<Deps, "db">, email: string) {
  return store.findUserByEmail(deps.db, normaliseEmail(email));
}

async function withLocks(deps: Deps, users: store.User[]): Promise<UserView[]> {
  const keysOf = (u: store.User) => [throttleKey(u.email), mfaThrottleKey(u.id)];
  const t = await store.throttles(deps.db, users.flatMap(keysOf));
  const now = deps.clock.now();
  return users.map((u) => ({
    ...u,
    locked: keysOf(u).some((k) => {
      const until = t.get(k)?.lockedUntil;
      return until != null && until > now;
    }),
  }));
}

export async function listUsers(deps: Deps, by: Principal): Promise<UserView[]> {
  authorize(by, "users:read");
  return withLocks(deps, await store.listUsers(deps.db, by.organisationId));
}

export async function getUser(deps: Deps, by: Principal, id: string): Promise<UserView> {
  authorize(by, "users:read");
  const user = await store.findUser(deps.db, id);
  assertSameOrganisation(by, user?.organisationId);
  return (await withLocks(deps, [user as store.User]))[0] as UserView;
}

export async function getOrganisation(deps: Deps, by: Principal, id: string): Promise<store.Organisation> {
  authorize(by, "org:read");
  assertSameOrganisation(by, id);
  const org = await store.findOrganisation(deps.db, id);
  if (!org) throw new AppError("not_found");
  return org;
}

// ---------------------------------------------------------------------------------------------
// Login, sessions and the second factor

const stageOf = (user: store.User, org: store.Organisation, session: { mfaPassed: boolean }): Stage => {
  if (session.mfaPassed) return "complete";
  if (user.mfaEnabled) return "mfa_verify";
  return mfaRequired(org.kind) ? "mfa_enrol" : "complete";
};

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface IssuedSession {
  /** The cookie value. Only its hash is stored. */
  token: string;
  stage: Stage;
  expiresAt: Date;
}

async function issueSession(
  deps: Deps,
  tx: Parameters<typeof store.insertSession>[0],
  user: store.User,
  mfaPassed: boolean,
  client: ClientInfo,
): Promise<{ token: string; session: store.Session }> {
  const now = deps.clock.now();
  const token = randomToken(32);
  const session: store.Session = {
    id: sha256Hex(token),
    userId: user.id,
    csrfToken: randomToken(24),
    mfaPassed,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + deps.config.session.maxHours * 3_600_000),
  };
  await store.insertSession(tx, {
    ...session,
    ip: client.ip,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
  });
  return { token, session };
}

/**
 * Counts a failed password or code against the address; after too many the address is locked
 * for a while, whether or not it has an account. Returns true when this failure locked it.
 */
async function countFailure(
  deps: Deps,
  key: string,
  user: store.User | undefined,
  what: "password" | "mfa_code",
): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now();
    const failures = await store.bumpThrottle(tx, key, now);
    const lock = failures >= deps.config.login.maxFailures;
    const actor = { type: "public" as const, id: null, organisationId: user?.organisationId ?? null };
    const subject = user ? { type: "user", id: user.id } : { type: "login_key", id: key.slice(0, 16) };
    if (user) {
      await audit.record(tx, deps.clock, actor, {
        action: "auth.login_failed",
        subject,
        data: { factor: what },
      });
    }
    if (lock) {
      await store.lockThrottle(
        tx,
        key,
        new Date(now.getTime() + deps.config.login.lockoutMinutes * 60_000),
        now,
      );
      if (user) await store.deleteSessionsOfUser(tx, user.id);
      await audit.record(tx, deps.clock, actor, {
        action: "user.locked",
        subject,
        reason: `${deps.config.login.maxFailures} failed attempts`,
      });
    }
    return lock;
  });
}

async function isLocked(deps: Deps, key: string): Promise<boolean> {
  const t = await store.findThrottle(deps.db, key);
  return t?.lockedUntil != null && t.lockedUntil > deps.clock.now();
}

/** Checks e-mail and password and opens a session at the stage the user's MFA calls for. */
export async function login(
  deps: Deps,
  input: { email: string; password: string },
  client: ClientInfo,
): Promise<IssuedSession> {
  const email = normaliseEmail(input.email);
  if (await isLocked(deps, throttleKey(email))) throw new AppError("too_many_attempts");
  const user = await store.findUserByEmail(deps.db, email);
  // The same Argon2id work whatever the account's state, so timing tells nothing either.
  const passwordOk = user
    ? await verifyPassword(user.passwordHash, input.password)
    : await burnPasswordCheck(input.password).then(() => false);
  const valid = passwordOk && !user?.disabledAt;
  if (!user || !valid) {
    const locked = await countFailure(deps, throttleKey(email), user, "password");
    throw new AppError(locked ? "too_many_attempts" : "invalid_credentials");
  }
  const org = (await store.findOrganisation(deps.db, user.organisationId)) as store.Organisation;
  const mfaPassed = !user.mfaEnabled && !mfaRequired(org.kind);
  return deps.db.transaction().execute(async (tx) => {
    await store.clearThrottle(tx, throttleKey(email));
    const { token, session } = await issueSession(deps, tx, user, mfaPassed, client);
    await audit.record(
      tx,
      deps.clock,
      { type: "user", id: user.id, organisationId: user.organisationId },
      { action: "auth.login", subject: { type: "user", id: user.id }, data: { factor: "password" } },
    );
    return { token, stage: stageOf(user, org, session), expiresAt: session.expiresAt };
  });
}

/** The session behind a cookie token, or null when unknown, expired or idle too long. */
export async function resolveSession(deps: Deps, token: string): Promise<SessionContext | null> {
  if (!token || token.length > 128) return null;
  const session = await store.findSession(deps.db, sha256Hex(token));
  if (!session) return null;
  const now = deps.clock.now();
  const idleLimit = deps.config.session.idleMinutes * 60_000;
  const partialExpired =
    !session.mfaPassed && now.getTime() - session.createdAt.getTime() > PARTIAL_SESSION_MS;
  if (
    session.expiresAt <= now ||
    now.getTime() - session.lastSeenAt.getTime() > idleLimit ||
    partialExpired
  ) {
    await store.deleteSession(deps.db, session.id);
    return null;
  }
  const user = await store.findUser(deps.db, session.userId);
  if (!user || user.disabledAt) return null;
  const organisation = (await store.findOrganisation(deps.db, user.organisationId)) as store.Organisation;
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await store.touchSession(deps.db, session.id, now);
  }
  return { session, user, organisation, stage: stageOf(user, organisation, session) };
}

export function principalOf(ctx: SessionContext): Principal {
  return {
    kind: "user",
    userId: ctx.user.id,
    organisationId: ctx.organisation.id,
    organisationKind: ctx.organisation.kind,
    role: ctx.user.role,
    permissions: new Set<Permission>(permissionsOf(ctx.user.role)),
    sessionId: ctx.session.id,
  };
}

/** Replaces a session by a fresh one with the second factor passed (no session fixation). */
async function completeSession(deps: Deps, ctx: SessionContext, client: ClientInfo, action: string) {
  return deps.db.transaction().execute(async (tx) => {
    await store.deleteSession(tx, ctx.session.id);
    const { token, session } = await issueSession(deps, tx, ctx.user, true, client);
    await audit.record(
      tx,
      deps.clock,
      { type: "user", id: ctx.user.id, organisationId: ctx.organisation.id },
      { action, subject: { type: "user", id: ctx.user.id } },
    );
    return { token, stage: "complete" as Stage, expiresAt: session.expiresAt };
  });
}

/** Opens a sealed TOTP secret with the current master key or, during a rotation, an earlier one. */
function openMfaSecret(deps: Deps, userId: string, sealed: string): string {
  for (const key of [deps.masterKey, ...(deps.config.evidence?.previousMasterKeys ?? [])]) {
    try {
      return open(key, sealed, mfaSecretContext(userId));
    } catch {
      // not sealed under this key: try the next
    }
  }
  throw new AppError("internal", {
    detail: "A TOTP secret cannot be opened with any configured master key.",
  });
}

/**
 * After a master-key change (`vangrail keys rotate`): seals every TOTP secret under the current
 * key. Secrets that no configured key opens are reported, not changed.
 */
export async function resealMfaSecrets(
  deps: Deps,
): Promise<{ checked: number; resealed: number; failed: string[] }> {
  let resealed = 0;
  const failed: string[] = [];
  const users = await store.usersWithMfaSecret(deps.db);
  for (const u of users) {
    try {
      open(deps.masterKey, u.sealed, mfaSecretContext(u.id));
      continue;
    } catch {
      // sealed under an earlier key
    }
    let secret: string;
    try {
      secret = openMfaSecret(deps, u.id, u.sealed);
    } catch {
      failed.push(u.id);
      continue;
    }
    await deps.db.transaction().execute(async (tx) => {
      await store.updateUser(
        tx,
        u.id,
        { mfaSecret: seal(deps.masterKey, secret, mfaSecretContext(u.id)) },
        deps.clock.now(),
      );
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: u.organisationId,
        action: "user.mfa_secret_resealed",
        subject: { type: "user", id: u.id },
        reason: "master key rotation",
      });
    });
    resealed++;
  }
  return { checked: users.length, resealed, failed };
}

/** Checks a TOTP code and claims its time step, so the same code never works twice. */
async function acceptCode(deps: Deps, ctx: SessionContext, code: string): Promise<void> {
  const user = (await store.findUser(deps.db, ctx.user.id)) as store.User;
  const key = mfaThrottleKey(user.id);
  if (await isLocked(deps, key)) throw new AppError("too_many_attempts");
  if (!user.mfaSecret) throw new AppError("mfa_enrolment_required");
  const secret = openMfaSecret(deps, user.id, user.mfaSecret);
  const step = matchTotp(secret, code, deps.clock.now());
  if (step === null || !(await store.claimMfaStep(deps.db, user.id, step, deps.clock.now()))) {
    const locked = await countFailure(deps, key, user, "mfa_code");
    throw new AppError(locked ? "too_many_attempts" : "invalid_mfa_code");
  }
  await store.clearThrottle(deps.db, key);
}

/** Second step of login: a TOTP code for a user who has MFA. */
export async function verifyMfa(deps: Deps, ctx: SessionContext, code: string, client: ClientInfo) {
  if (ctx.stage !== "mfa_verify") throw new AppError("conflict", { detail: "No code is expected now." });
  await acceptCode(deps, ctx, code);
  return completeSession(deps, ctx, client, "auth.mfa_verified");
}

/** Starts (or restarts) enrolment: a new secret, shown once as a QR code and as text. */
export async function startMfaEnrolment(deps: Deps, ctx: SessionContext) {
  if (ctx.user.mfaEnabled) throw new AppError("mfa_already_enabled");
  const secret = newTotpSecret();
  await deps.db.transaction().execute(async (tx) => {
    await store.updateUser(
      tx,
      ctx.user.id,
      { mfaSecret: seal(deps.masterKey, secret, mfaSecretContext(ctx.user.id)), mfaLastStep: null },
      deps.clock.now(),
    );
    await audit.record(
      tx,
      deps.clock,
      { type: "user", id: ctx.user.id, organisationId: ctx.organisation.id },
      { action: "user.mfa_enrolment_started", subject: { type: "user", id: ctx.user.id } },
    );
  });
  const uri = otpauthUri(secret, ctx.user.email);
  return { secret, otpauthUri: uri, qrDataUrl: await qrDataUrl(uri) };
}

/** Finishes enrolment with a first valid code; from then on the user needs a code to log in. */
export async function confirmMfaEnrolment(deps: Deps, ctx: SessionContext, code: string, client: ClientInfo) {
  if (ctx.user.mfaEnabled) throw new AppError("mfa_already_enabled");
  await acceptCode(deps, ctx, code);
  await deps.db.transaction().execute(async (tx) => {
    await store.updateUser(tx, ctx.user.id, { mfaEnabled: true }, deps.clock.now());
    await audit.record(
      tx,
      deps.clock,
      { type: "user", id: ctx.user.id, organisationId: ctx.organisation.id },
      { action: "user.mfa_enabled", subject: { type: "user", id: ctx.user.id } },
    );
  });
  return completeSession(deps, ctx, client, "auth.mfa_verified");
}

export async function logout(deps: Deps, ctx: SessionContext): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    await store.deleteSession(tx, ctx.session.id);
    await audit.record(
      tx,
      deps.clock,
      { type: "user", id: ctx.user.id, organisationId: ctx.organisation.id },
      { action: "auth.logout", subject: { type: "user", id: ctx.user.id } },
    );
  });
}

/** Deletes sessions past their expiry or idle limit (a scheduled job). */
export async function purgeExpiredSessions(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const idleBefore = new Date(now.getTime() - deps.config.session.idleMinutes * 60_000);
  return store.deleteExpiredSessions(deps.db, now, idleBefore);
}

// ---------------------------------------------------------------------------------------------
// API tokens

const TOKEN_PREFIX = "vgt_";
const DEFAULT_TOKEN_DAYS = 90;

export async function createToken(
  deps: Deps,
  by: Principal,
  input: { name: string; scopes: TokenScope[]; expiresInDays?: number | undefined },
): Promise<{ token: string; item: store.ApiToken }> {
  authorize(by, "tokens:manage");
  const scopes = [...new Set(input.scopes)];
  const beyond = scopes.filter((s) => !tokenScopes.includes(s) || !by.permissions.has(s));
  if (beyond.length > 0) {
    throw new AppError("forbidden", { detail: `You cannot grant these scopes: ${beyond.join(", ")}.` });
  }
  const days = Math.min(input.expiresInDays ?? DEFAULT_TOKEN_DAYS, limits.tokenMaxDays);
  const token = TOKEN_PREFIX + randomToken(32);
  const now = deps.clock.now();
  const item = await deps.db.transaction().execute(async (tx) => {
    const t = await store.insertToken(tx, {
      organisationId: by.organisationId,
      name: input.name,
      tokenHash: sha256Hex(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      scopes,
      createdBy: by.kind === "user" ? by.userId : null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + days * 86_400_000),
    });
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "token.created",
      subject: { type: "api_token", id: t.id },
      data: { scopes, name: input.name },
    });
    return t;
  });
  return { token, item };
}

export async function listTokens(deps: Deps, by: Principal): Promise<store.ApiToken[]> {
  authorize(by, "tokens:manage");
  return store.listTokens(deps.db, by.organisationId);
}

export async function revokeToken(deps: Deps, by: Principal, id: string): Promise<void> {
  authorize(by, "tokens:manage");
  await deps.db.transaction().execute(async (tx) => {
    const t = await store.findToken(tx, by.organisationId, id);
    if (!t) throw new AppError("not_found");
    if (t.revokedAt) return;
    await store.revokeToken(tx, id, deps.clock.now());
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "token.revoked",
      subject: { type: "api_token", id },
    });
  });
}

/** The principal behind a bearer token, or null when unknown, revoked or expired. */
export async function resolveToken(deps: Deps, bearer: string): Promise<Principal | null> {
  if (!bearer.startsWith(TOKEN_PREFIX) || bearer.length > 128) return null;
  const t = await store.findTokenByHash(deps.db, sha256Hex(bearer));
  const now = deps.clock.now();
  if (!t || t.revokedAt || (t.expiresAt && t.expiresAt <= now)) return null;
  const org = await store.findOrganisation(deps.db, t.organisationId);
  if (!org) return null;
  if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await store.touchToken(deps.db, t.id, now);
  }
  return {
    kind: "token",
    tokenId: t.id,
    organisationId: t.organisationId,
    organisationKind: org.kind,
    permissions: new Set(
      t.scopes.filter((s): s is TokenScope => (tokenScopes as readonly string[]).includes(s)),
    ),
  };
}
