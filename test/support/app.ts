// An in-process Vangrail for integration tests: a real database (PGlite or PostgreSQL), the
// real Fastify app, a manual clock, and factories for organisations and users.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import pino from "pino";
import { buildApp } from "../../src/http/app.ts";
import type { Deps } from "../../src/modules/deps.ts";
import type { OrganisationKind, Role } from "../../src/modules/identity/roles.ts";
import * as identity from "../../src/modules/identity/service.ts";
import { totpCode } from "../../src/modules/identity/totp.ts";
import { createBlobStore } from "../../src/platform/blobstore/index.ts";
import { ManualClock } from "../../src/platform/clock.ts";
import { loadConfig } from "../../src/platform/config.ts";
import type { DatabaseHandle } from "../../src/platform/db.ts";
import { migrate } from "../../src/platform/migrate.ts";
import type { TestBackend } from "./db.ts";

export const SETUP_CODE = "TEST-SETUP-CODE-0001";

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  clock: ManualClock;
  handle: DatabaseHandle;
  url: string | undefined;
  close(): Promise<void>;
}

export async function startApp(
  backend: TestBackend,
  env: Record<string, string> = {},
  opts: { loginRateLimit?: number; webDir?: string } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "vg-test-"));
  const config = loadConfig({
    NODE_ENV: "test",
    VANGRAIL_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    RATE_LIMIT_MAX: "100000",
    ...env,
  });
  const { handle, url, drop } = await backend.create();
  await migrate(handle.pool);
  // Real time of day, so TOTP codes computed by the tests agree; tests move it forward.
  const clock = new ManualClock(new Date());
  const masterKey = randomBytes(32);
  const deps: Deps = {
    db: handle.db,
    clock,
    config,
    logger: pino({ level: "silent" }),
    masterKey,
    queue: undefined,
    blobs: createBlobStore(config, masterKey),
  };
  const app = await buildApp({
    deps,
    logger: false,
    setupCode: () => SETUP_CODE,
    ready: async () => ({ database: true, queue: true }),
    loginRateLimit: opts.loginRateLimit ?? 10_000,
    webDir: opts.webDir,
  });
  await app.ready();
  return {
    app,
    deps,
    clock,
    handle,
    url,
    async close() {
      await app.close();
      await handle.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
export const uniqueEmail = (prefix = "user") => `${prefix}-${Date.now().toString(36)}-${++seq}@test.example`;
export const PASSWORD = "correct horse battery staple";

export async function makeOrganisation(deps: Deps, kind: OrganisationKind = "hotline", name?: string) {
  return identity.createOrganisation(deps, { name: name ?? `Test ${kind} ${++seq}`, kind });
}

export async function makeUser(deps: Deps, organisationId: string, role: Role = "admin") {
  return identity.createUser(deps, undefined, {
    organisationId,
    displayName: `Test ${role}`,
    email: uniqueEmail(role),
    role,
    password: PASSWORD,
  });
}

/** A logged-in browser-like client: cookie jar and CSRF token. */
export interface Agent {
  cookie: string;
  csrf: string;
  secret: string | undefined;
  request(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

export function cookieFrom(res: LightMyRequestResponse): string | undefined {
  const set = res.cookies.find((c) => c.name === "__Host-vangrail");
  return set ? `${set.name}=${set.value}` : undefined;
}

function agentFor(t: TestApp, cookie: string, csrf: string, secret?: string): Agent {
  return {
    cookie,
    csrf,
    secret,
    request(method, url, body, headers = {}) {
      return t.app.inject({
        method: method as "GET",
        url,
        headers: { cookie, "x-csrf-token": csrf, ...headers },
        ...(body !== undefined && { payload: body as object }),
      });
    },
  };
}

/** Logs a user in through the API, enrolling TOTP when the organisation requires it. */
export async function login(t: TestApp, email: string, password = PASSWORD): Promise<Agent> {
  const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  let cookie = cookieFrom(res) as string;
  const stage = res.json().stage as identity.Stage;
  let secret: string | undefined;
  const session = async () =>
    (await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie } })).json() as {
      csrfToken: string;
    };
  if (stage === "mfa_enrol") {
    const csrf = (await session()).csrfToken;
    const enrol = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/mfa/enrol",
      headers: { cookie, "x-csrf-token": csrf },
      payload: {},
    });
    secret = enrol.json().secret as string;
    const confirm = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/mfa/enrol/confirm",
      headers: { cookie, "x-csrf-token": csrf },
      payload: { code: totpCode(secret, t.clock.now()) },
    });
    if (confirm.statusCode !== 200) throw new Error(`enrol failed: ${confirm.body}`);
    cookie = cookieFrom(confirm) as string;
  } else if (stage === "mfa_verify") {
    throw new Error("user already has MFA: use loginWithCode");
  }
  return agentFor(t, cookie, (await session()).csrfToken, secret);
}

/** Creates a user in a new organisation of `kind` and logs them in. */
export async function userAgent(t: TestApp, kind: OrganisationKind = "hotline", role: Role = "admin") {
  const org = await makeOrganisation(t.deps, kind);
  const user = await makeUser(t.deps, org.id, role);
  return { org, user, agent: await login(t, user.email) };
}
