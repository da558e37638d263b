// The HTTP edge: problem documents for every kind of bad input, security headers, health,
// OpenAPI. Hostile bodies never crash the server and are never echoed unescaped.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";

const pglite = backends[0];
if (!pglite) throw new Error("no backend");

describe("HTTP edge", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp(pglite, { BODY_LIMIT_BYTES: "4096" });
  });
  after(() => t.close());

  const isProblem = (
    res: { headers: Record<string, unknown>; json(): Record<string, unknown> },
    status: number,
    code: string,
  ) => {
    assert.match(String(res.headers["content-type"]), /^application\/problem\+json/);
    const body = res.json();
    assert.equal(body.status, status);
    assert.equal(body.code, code);
    assert.equal(body.type, `https://vangrail.org/problems/${code.replaceAll("_", "-")}`);
    assert.equal(typeof body.title, "string");
    assert.ok(!JSON.stringify(body).includes("    at "), "stack trace in a problem");
  };

  test("an oversized body is 413", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ email: "a@b.example", password: "x".repeat(10_000) }),
    });
    assert.equal(res.statusCode, 413);
    isProblem(res, 413, "payload_too_large");
  });

  test("malformed JSON is 400", async () => {
    for (const payload of ['{"email": "a@b.example", "password": ', "{{{{", "\u0000\u0001", "[1,2"]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        headers: { "content-type": "application/json" },
        payload,
      });
      assert.equal(res.statusCode, 400, payload);
      isProblem(res, 400, "malformed_json");
    }
  });

  test("a body that is not JSON is 415", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "email=a&password=b",
    });
    assert.equal(res.statusCode, 415);
    isProblem(res, 415, "unsupported_media_type");
  });

  test("unknown fields are refused, and hostile names are not echoed unescaped", async () => {
    const hostile = '<script>alert("x")</script>';
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "a@b.example", password: "x", [hostile]: hostile, isAdmin: true },
    });
    assert.equal(res.statusCode, 422);
    isProblem(res, 422, "validation_failed");
    assert.ok(!res.body.includes("<script>"), res.body);
    assert.ok(!res.body.includes(hostile));
    const errors = res.json().errors as { path: string }[];
    assert.ok(errors.length > 0);
  });

  test("wrong types and missing fields name the field", async () => {
    const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email: 12 } });
    assert.equal(res.statusCode, 422);
    const errors = res.json().errors as { path: string; pointer: string }[];
    assert.ok(
      errors.some((e) => e.path === "email" && e.pointer === "/email"),
      JSON.stringify(errors),
    );
  });

  test("hostile strings in valid fields are stored as text and come back as JSON, not markup", async () => {
    const { agent } = await userAgent(t, "platform");
    const name = '"><img src=x onerror=alert(1)>';
    const res = await agent.request("POST", "/api/v1/tokens", { name, scopes: ["org:read"] });
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().item.name, name);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
  });

  test("a path with a malformed id is a problem, not a crash", async () => {
    const { agent } = await userAgent(t, "platform");
    for (const id of ["not-a-uuid", "%00", "1' or '1'='1", "x".repeat(150)]) {
      const res = await agent.request("GET", `/api/v1/users/${encodeURIComponent(id)}`);
      assert.ok([404, 422].includes(res.statusCode), `${id}: ${res.statusCode}`);
      assert.match(String(res.headers["content-type"]), /^application\/problem\+json/);
    }
  });

  test("unknown API paths are 404 problems", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/nope" });
    assert.equal(res.statusCode, 404);
    isProblem(res, 404, "not_found");
  });

  test("security headers: a strict CSP, no framing, no sniffing, no referrer", async () => {
    const res = await t.app.inject({ method: "GET", url: "/healthz" });
    const csp = String(res.headers["content-security-policy"]);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.ok(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"));
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.equal(res.headers["referrer-policy"], "no-referrer");
    assert.ok(res.headers["x-request-id"]);
  });

  test("health, readiness and OpenAPI 3.1", async () => {
    assert.deepEqual((await t.app.inject({ method: "GET", url: "/healthz" })).json(), { status: "ok" });
    const ready = await t.app.inject({ method: "GET", url: "/readyz" });
    assert.equal(ready.statusCode, 200);
    const spec = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    assert.equal(spec.openapi, "3.1.0");
    assert.ok(spec.paths["/api/v1/auth/login"]?.post);
    assert.ok(spec.paths["/api/v1/tokens"]?.post);
    const docs = await t.app.inject({ method: "GET", url: "/api/docs/" });
    assert.equal(docs.statusCode, 200);
  });

  test("API responses are never cached", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/setup/status" });
    assert.equal(res.headers["cache-control"], "no-store");
  });
});

describe("rate limits", () => {
  test("login attempts from one address are limited", async () => {
    const t = await startApp(pglite, {}, { loginRateLimit: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email: `nobody${i}@test.example`, password: "whatever-password" },
        });
        codes.push(res.statusCode);
      }
      assert.deepEqual(codes.slice(0, 3), [401, 401, 401]);
      assert.equal(codes[4], 429);
    } finally {
      await t.close();
    }
  });
});
