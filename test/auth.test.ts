// Authentication and authorization, on every database backend: every private route refuses
// anonymous callers, organisations cannot see each other's objects, tokens stay in their
// scopes, MFA is enforced, CSRF and lockout hold.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { totpCode } from "../src/modules/identity/totp.ts";
import { minutes } from "../src/platform/clock.ts";
import {
  cookieFrom,
  login,
  makeOrganisation,
  makeUser,
  PASSWORD,
  SETUP_CODE,
  startApp,
  type TestApp,
  uniqueEmail,
  userAgent,
} from "./support/app.ts";
import { backends } from "./support/db.ts";

for (const backend of backends) {
  describe(`auth on ${backend.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startApp(backend);
    });
    after(() => t.close());

    test("first-run setup needs the code, works once, then is refused", async () => {
      const status = await t.app.inject({ method: "GET", url: "/api/v1/setup/status" });
      assert.deepEqual(status.json(), { needed: true });
      const body = {
        setupCode: "WRONG",
        organisation: { name: "Meldpunt Test", kind: "hotline" },
        admin: { displayName: "Eerste Beheerder", email: uniqueEmail("first"), password: PASSWORD },
      };
      const wrong = await t.app.inject({ method: "POST", url: "/api/v1/setup", payload: body });
      assert.equal(wrong.statusCode, 403);
      assert.equal(wrong.json().code, "invalid_setup_code");
      const ok = await t.app.inject({
        method: "POST",
        url: "/api/v1/setup",
        payload: { ...body, setupCode: SETUP_CODE },
      });
      assert.equal(ok.statusCode, 201, ok.body);
      const again = await t.app.inject({
        method: "POST",
        url: "/api/v1/setup",
        payload: { ...body, setupCode: SETUP_CODE, admin: { ...body.admin, email: uniqueEmail("second") } },
      });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, "setup_done");
      assert.deepEqual((await t.app.inject({ method: "GET", url: "/api/v1/setup/status" })).json(), {
        needed: false,
      });
    });

    test("every /api/v1 route needs authentication unless it is explicitly public", async () => {
      const publicRoutes = new Set([
        "GET /api/v1/setup/status",
        "POST /api/v1/setup",
        "POST /api/v1/auth/login",
        "GET /api/v1/taxonomy",
        "GET /api/v1/public/report-form",
        "POST /api/v1/public/reports",
        "POST /api/v1/public/reports/status",
        "POST /api/v1/public/device-hashes",
        "POST /api/v1/public/device-hashes/withdraw",
        "GET /api/v1/public/notices/:token",
        "POST /api/v1/public/notices/:token/responses",
        "GET /api/v1/schemas/notice-v1.json",
        "GET /api/v1/public/transparency",
        "GET /api/v1/public/transparency/:organisationId",
        "GET /api/v1/public/transparency/:organisationId/open-data.json",
        "GET /api/v1/public/transparency/:organisationId/open-data.csv",
      ]);
      const seen: string[] = [];
      for (const r of t.app.routeTable) {
        if (!r.url.startsWith("/api/v1/")) continue;
        const key = `${r.method} ${r.url}`;
        seen.push(key);
        if (r.public) {
          assert.ok(publicRoutes.has(key), `${key} is public but not on the list of public routes`);
          continue;
        }
        const url = r.url.replace(/:(\w+)/g, "00000000-0000-4000-8000-000000000000");
        const res = await t.app.inject({
          method: r.method as "GET",
          url,
          ...(r.method !== "GET" && { payload: {} }),
        });
        assert.equal(res.statusCode, 401, `${key} answered ${res.statusCode} without authentication`);
        assert.match(res.headers["content-type"] as string, /^application\/problem\+json/);
        assert.equal(res.json().code, "unauthenticated");
      }
      assert.ok(seen.length >= 12, `only ${seen.length} routes found`);
    });

    test("a user of organisation A gets 404 for organisation B's objects", async () => {
      const a = await userAgent(t, "hotline");
      const b = await userAgent(t, "regulator");
      const bUser = b.user;
      const bToken = await b.agent.request("POST", "/api/v1/tokens", { name: "b", scopes: ["org:read"] });
      assert.equal(bToken.statusCode, 201, bToken.body);
      const bTokenId = bToken.json().item.id as string;

      for (const [method, url] of [
        ["GET", `/api/v1/organisations/${b.org.id}`],
        ["GET", `/api/v1/users/${bUser.id}`],
        ["DELETE", `/api/v1/tokens/${bTokenId}`],
      ] as const) {
        const res = await a.agent.request(method, url);
        assert.equal(res.statusCode, 404, `${method} ${url} answered ${res.statusCode}`);
        assert.equal(res.json().code, "not_found");
      }
      const own = await a.agent.request("GET", `/api/v1/organisations/${a.org.id}`);
      assert.equal(own.statusCode, 200);
      const users = (await a.agent.request("GET", "/api/v1/users")).json().items as { id: string }[];
      assert.ok(users.every((u) => u.id !== bUser.id));
      // B's token still works: A's DELETE did nothing.
      const tokens = (await b.agent.request("GET", "/api/v1/tokens")).json().items as {
        id: string;
        revokedAt: null;
      }[];
      assert.equal(tokens.find((x) => x.id === bTokenId)?.revokedAt, null);
    });

    test("API tokens reach only their scopes, never people-only routes, and die when revoked", async () => {
      const { agent, org } = await userAgent(t, "platform");
      const created = await agent.request("POST", "/api/v1/tokens", {
        name: "partner",
        scopes: ["org:read"],
      });
      assert.equal(created.statusCode, 201, created.body);
      const token = created.json().token as string;
      assert.match(token, /^vgt_/);
      const bearer = { authorization: `Bearer ${token}` };
      const org1 = await t.app.inject({
        method: "GET",
        url: "/api/v1/organisations/current",
        headers: bearer,
      });
      assert.equal(org1.statusCode, 200);
      assert.equal(org1.json().id, org.id);
      const users = await t.app.inject({ method: "GET", url: "/api/v1/users", headers: bearer });
      assert.equal(users.statusCode, 403);
      assert.equal(users.json().code, "insufficient_scope");
      const tokens = await t.app.inject({ method: "GET", url: "/api/v1/tokens", headers: bearer });
      assert.equal(tokens.statusCode, 403);
      // Only the hash is stored.
      const row = await t.deps.db
        .selectFrom("api_tokens")
        .selectAll()
        .where("id", "=", created.json().item.id)
        .executeTakeFirstOrThrow();
      assert.notEqual(row.token_hash, token);
      assert.ok(!JSON.stringify(row).includes(token));
      // The token is never shown again.
      const list = await agent.request("GET", "/api/v1/tokens");
      assert.ok(!list.body.includes(token));
      // Only machine scopes can be granted: a token never manages users or tokens.
      const tooMuch = await agent.request("POST", "/api/v1/tokens", { name: "x", scopes: ["users:manage"] });
      assert.equal(tooMuch.statusCode, 422);
      assert.equal(tooMuch.json().code, "validation_failed");
      const revoke = await agent.request("DELETE", `/api/v1/tokens/${created.json().item.id}`);
      assert.equal(revoke.statusCode, 204);
      const after = await t.app.inject({
        method: "GET",
        url: "/api/v1/organisations/current",
        headers: bearer,
      });
      assert.equal(after.statusCode, 401);
      const bogus = await t.app.inject({
        method: "GET",
        url: "/api/v1/organisations/current",
        headers: { authorization: "Bearer vgt_not-a-real-token" },
      });
      assert.equal(bogus.statusCode, 401);
    });

    test("an expired token is refused", async () => {
      const { agent } = await userAgent(t, "platform");
      const created = await agent.request("POST", "/api/v1/tokens", {
        name: "short",
        scopes: ["org:read"],
        expiresInDays: 1,
      });
      const bearer = { authorization: `Bearer ${created.json().token}` };
      t.clock.advance(24 * 3_600_000 + 1000);
      const res = await t.app.inject({
        method: "GET",
        url: "/api/v1/organisations/current",
        headers: bearer,
      });
      assert.equal(res.statusCode, 401);
    });

    test("roles limit what a user may do", async () => {
      const org = await makeOrganisation(t.deps, "hotline");
      const analyst = await makeUser(t.deps, org.id, "analyst");
      const agent = await login(t, analyst.email);
      const res = await agent.request("POST", "/api/v1/users", {
        displayName: "X",
        email: uniqueEmail(),
        role: "analyst",
        password: PASSWORD,
      });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().code, "forbidden");
      assert.equal((await agent.request("GET", "/api/v1/audit/events")).statusCode, 403);
    });

    test("hotline staff must enrol TOTP before anything else; a code is accepted only once", async () => {
      const org = await makeOrganisation(t.deps, "hotline");
      const user = await makeUser(t.deps, org.id, "analyst");
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: user.email, password: PASSWORD },
      });
      assert.equal(res.json().stage, "mfa_enrol");
      const cookie = cookieFrom(res) as string;
      const blocked = await t.app.inject({ method: "GET", url: "/api/v1/users", headers: { cookie } });
      assert.equal(blocked.statusCode, 403);
      assert.equal(blocked.json().code, "mfa_enrolment_required");

      // Full enrolment through the helper, then log out and in with a code.
      const agent = await login(t, user.email);
      assert.ok(agent.secret);
      // A POST without any body is fine where nothing needs to be sent.
      assert.equal((await agent.request("POST", "/api/v1/auth/logout")).statusCode, 204);
      assert.equal(
        (await agent.request("GET", "/api/v1/users")).statusCode,
        401,
        "logged-out session still works",
      );

      const again = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: user.email, password: PASSWORD },
      });
      assert.equal(again.json().stage, "mfa_verify");
      const partial = cookieFrom(again) as string;
      const csrf = (
        await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie: partial } })
      ).json().csrfToken;
      // The code that confirmed enrolment was used in this step: it is refused now.
      const reused = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/mfa/verify",
        headers: { cookie: partial, "x-csrf-token": csrf },
        payload: { code: totpCode(agent.secret as string, t.clock.now()) },
      });
      assert.equal(reused.statusCode, 401);
      assert.equal(reused.json().code, "invalid_mfa_code");
      t.clock.advance(30_000);
      const fresh = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/mfa/verify",
        headers: { cookie: partial, "x-csrf-token": csrf },
        payload: { code: totpCode(agent.secret as string, t.clock.now()) },
      });
      assert.equal(fresh.statusCode, 200, fresh.body);
      const full = cookieFrom(fresh) as string;
      assert.notEqual(full, partial, "session id must change when the second factor is passed");
      assert.equal(
        (await t.app.inject({ method: "GET", url: "/api/v1/users", headers: { cookie: partial } }))
          .statusCode,
        401,
      );
      assert.equal(
        (await t.app.inject({ method: "GET", url: "/api/v1/users", headers: { cookie: full } })).statusCode,
        200,
      );
      // The secret is sealed at rest.
      const row = await t.deps.db
        .selectFrom("users")
        .select("mfa_secret")
        .where("id", "=", user.id)
        .executeTakeFirstOrThrow();
      assert.ok(row.mfa_secret && !row.mfa_secret.includes(agent.secret as string));
    });

    test("unsafe requests on a session need the CSRF token and a same-origin Origin", async () => {
      const { agent } = await userAgent(t, "platform");
      const noToken = await t.app.inject({
        method: "POST",
        url: "/api/v1/tokens",
        headers: { cookie: agent.cookie },
        payload: { name: "x", scopes: ["org:read"] },
      });
      assert.equal(noToken.statusCode, 403);
      assert.equal(noToken.json().code, "csrf_failed");
      const crossSite = await agent.request(
        "POST",
        "/api/v1/tokens",
        { name: "x", scopes: ["org:read"] },
        {
          origin: "https://evil.example",
        },
      );
      assert.equal(crossSite.statusCode, 403);
      assert.equal(crossSite.json().code, "csrf_failed");
      const ok = await agent.request("POST", "/api/v1/tokens", { name: "x", scopes: ["org:read"] });
      assert.equal(ok.statusCode, 201);
    });

    test("session cookies are HttpOnly, Secure and SameSite=Strict; sessions end when idle", async () => {
      const org = await makeOrganisation(t.deps, "platform");
      const user = await makeUser(t.deps, org.id, "platform_agent");
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: user.email, password: PASSWORD },
      });
      const c = res.cookies.find((x) => x.name === "__Host-vangrail");
      assert.ok(c);
      assert.equal(c.httpOnly, true);
      assert.equal(c.secure, true);
      assert.equal(c.sameSite, "Strict");
      assert.equal(c.path, "/");
      const cookie = cookieFrom(res) as string;
      assert.equal(
        (await t.app.inject({ method: "GET", url: "/api/v1/organisations/current", headers: { cookie } }))
          .statusCode,
        200,
      );
      t.clock.advance(minutes(t.deps.config.session.idleMinutes + 1));
      assert.equal(
        (await t.app.inject({ method: "GET", url: "/api/v1/organisations/current", headers: { cookie } }))
          .statusCode,
        401,
      );
    });

    test("wrong passwords lock the account; the right one does not open it while locked", async () => {
      const org = await makeOrganisation(t.deps, "platform");
      const user = await makeUser(t.deps, org.id, "platform_agent");
      const attempt = (password: string) =>
        t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email: user.email, password } });
      for (let i = 0; i < t.deps.config.login.maxFailures - 1; i++) {
        const r = await attempt("wrong password!!");
        assert.equal(r.statusCode, 401);
        assert.equal(r.json().code, "invalid_credentials");
      }
      assert.equal((await attempt("wrong password!!")).statusCode, 429);
      const locked = await attempt(PASSWORD);
      assert.equal(locked.statusCode, 429);
      assert.equal(locked.json().code, "too_many_attempts");
      t.clock.advance(minutes(t.deps.config.login.lockoutMinutes + 1));
      assert.equal((await attempt(PASSWORD)).statusCode, 200);
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("subject_id", "=", user.id)
        .execute();
      assert.ok(events.some((e) => e.action === "user.locked"));
      // An address without an account answers exactly the same, lockout included: the answers do
      // not tell which addresses have accounts.
      const nobody = uniqueEmail("nobody");
      const unknown: string[] = [];
      for (let i = 0; i <= t.deps.config.login.maxFailures; i++) {
        const r = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email: nobody, password: PASSWORD },
        });
        unknown.push(`${r.statusCode} ${r.json().code}`);
      }
      const n = t.deps.config.login.maxFailures;
      assert.deepEqual(unknown, [
        ...Array(n - 1).fill("401 invalid_credentials"),
        "429 too_many_attempts",
        "429 too_many_attempts",
      ]);
    });

    test("wrong codes lock the second factor, and a fresh password login does not reset the count", async () => {
      const org = await makeOrganisation(t.deps, "hotline");
      const user = await makeUser(t.deps, org.id, "analyst");
      const enrolled = await login(t, user.email);
      await enrolled.request("POST", "/api/v1/auth/logout");
      const codes: string[] = [];
      for (let i = 0; i < t.deps.config.login.maxFailures; i++) {
        // Log in afresh every time: the password is right, only the codes are guessed.
        const res = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email: user.email, password: PASSWORD },
        });
        assert.equal(res.statusCode, 200);
        const cookie = cookieFrom(res) as string;
        const csrf = (
          await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie } })
        ).json().csrfToken;
        const guess = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/mfa/verify",
          headers: { cookie, "x-csrf-token": csrf },
          payload: { code: "000000" },
        });
        codes.push(guess.json().code);
      }
      assert.equal(codes.at(-1), "too_many_attempts", codes.join());
      const row = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: user.email, password: PASSWORD },
      });
      const cookie = cookieFrom(row) as string;
      const csrf = (
        await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie } })
      ).json().csrfToken;
      t.clock.advance(30_000);
      const right = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/mfa/verify",
        headers: { cookie, "x-csrf-token": csrf },
        payload: { code: totpCode(enrolled.secret as string, t.clock.now()) },
      });
      assert.equal(right.statusCode, 429, "a locked second factor must refuse even the right code");
    });

    test("a master key rotation re-seals TOTP secrets; codes keep working throughout", async () => {
      const org = await makeOrganisation(t.deps, "hotline");
      const user = await makeUser(t.deps, org.id, "analyst");
      const enrolled = await login(t, user.email);
      await enrolled.request("POST", "/api/v1/auth/logout");
      const oldKey = t.deps.masterKey;
      const codeLogin = async () => {
        t.clock.advance(30_000);
        const res = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email: user.email, password: PASSWORD },
        });
        const cookie = cookieFrom(res) as string;
        const csrf = (
          await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie } })
        ).json().csrfToken;
        return t.app.inject({
          method: "POST",
          url: "/api/v1/auth/mfa/verify",
          headers: { cookie, "x-csrf-token": csrf },
          payload: { code: totpCode(enrolled.secret as string, t.clock.now()) },
        });
      };
      try {
        // The operator sets a new key and lists the old one as previous: still works.
        t.deps.masterKey = (await import("node:crypto")).randomBytes(32);
        t.deps.config.evidence.previousMasterKeys = [oldKey];
        assert.equal((await codeLogin()).statusCode, 200);
        const { resealMfaSecrets } = await import("../src/modules/identity/service.ts");
        const r = await resealMfaSecrets(t.deps);
        assert.ok(r.resealed >= 1);
        assert.deepEqual(r.failed, []);
        // The old key is retired: the re-sealed secret opens with the new key alone.
        t.deps.config.evidence.previousMasterKeys = [];
        assert.equal((await codeLogin()).statusCode, 200);
      } finally {
        t.deps.config.evidence.previousMasterKeys = [];
      }
    });

    test("passwords are stored as Argon2id hashes", async () => {
      const org = await makeOrganisation(t.deps, "platform");
      const user = await makeUser(t.deps, org.id, "platform_agent");
      const row = await t.deps.db
        .selectFrom("users")
        .select("password_hash")
        .where("id", "=", user.id)
        .executeTakeFirstOrThrow();
      assert.match(row.password_hash, /^\$argon2id\$/);
    });

    test("a user's role must fit the organisation; e-mail addresses are unique", async () => {
      const { agent } = await userAgent(t, "platform");
      const wrongRole = await agent.request("POST", "/api/v1/users", {
        displayName: "X",
        email: uniqueEmail(),
        role: "analyst",
        password: PASSWORD,
      });
      assert.equal(wrongRole.statusCode, 422);
      const email = uniqueEmail();
      const body = { displayName: "Y", email, role: "platform_agent", password: PASSWORD };
      assert.equal((await agent.request("POST", "/api/v1/users", body)).statusCode, 201);
      const dup = await agent.request("POST", "/api/v1/users", { ...body, email: email.toUpperCase() });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().code, "email_taken");
    });
  });
}
