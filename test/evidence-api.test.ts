// Evidence over the API: who may capture, read and export, another organisation sees nothing,
// and every view, export and transfer is an audit event (the chain of custody).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildEvidenceEnv, setEvidenceEnv } from "../src/modules/evidence/env.ts";
import * as evidence from "../src/modules/evidence/service.ts";
import { verifyBundle } from "../src/modules/evidence/verify.ts";
import { type Agent, startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { type FixtureServer, startFixtureServer } from "./support/fixture-server.ts";

process.env.VANGRAIL_TEST_MODE = "1";

let fx: FixtureServer;
before(async () => {
  fx = await startFixtureServer();
});
after(() => fx.close());

for (const backend of backends) {
  describe(`evidence API on ${backend.name}`, () => {
    let t: TestApp;
    let analyst: Agent;
    let orgId: string;
    let captureId: string;

    before(async () => {
      t = await startApp(backend, { CAPTURE_SCREENSHOTS: "false" });
      setEvidenceEnv(t.deps, buildEvidenceEnv(t.deps, { allowLoopback: true }));
      const a = await userAgent(t, "hotline", "analyst");
      analyst = a.agent;
      orgId = a.org.id;
    });
    after(() => t.close());

    const actions = async () =>
      (
        await t.handle.db
          .selectFrom("audit_events")
          .select("action")
          .where("subject_id", "=", captureId)
          .orderBy("seq")
          .execute()
      ).map((e) => e.action);

    test("an analyst requests a capture; the job captures it", async () => {
      const res = await analyst.request("POST", "/api/v1/evidence/captures", {
        url: `${fx.url}/page.html`,
        category: "ncii",
        reason: "report 12",
      });
      assert.equal(res.statusCode, 202, res.body);
      captureId = res.json().captureId;
      const r = await evidence.runCapture(t.deps, captureId);
      assert.equal("status" in r && r.status, "captured");
      const list = await analyst.request("GET", "/api/v1/evidence/captures");
      assert.equal(list.statusCode, 200);
      assert.ok(list.json().captures.some((c: { id: string }) => c.id === captureId));
    });

    test("viewing the capture and an artefact are recorded", async () => {
      const res = await analyst.request("GET", `/api/v1/evidence/captures/${captureId}`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.capture.status, "captured");
      assert.equal(body.manifest.organisation.id, orgId);
      const page = await analyst.request("GET", `/api/v1/evidence/captures/${captureId}/artefacts/page.html`);
      assert.equal(page.statusCode, 200);
      assert.ok(page.rawPayload.includes(fx.marker));
      assert.equal(page.headers["content-disposition"], "attachment");
      const missing = await analyst.request(
        "GET",
        `/api/v1/evidence/captures/${captureId}/artefacts/nope.png`,
      );
      assert.equal(missing.statusCode, 404);
      assert.deepEqual((await actions()).slice(-2), ["evidence.viewed", "evidence.artefact_viewed"]);
    });

    test("an export with a recipient is a transfer, and the bundle verifies", async () => {
      const res = await analyst.request("POST", `/api/v1/evidence/captures/${captureId}/bundle`, {
        recipient: "Autoriteit Consument & Markt",
        reason: "handhavingsverzoek",
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers["content-type"], "application/zip");
      const report = await verifyBundle(res.rawPayload);
      assert.equal(report.ok, true, JSON.stringify(report.firstFailure));
      assert.equal((await actions()).at(-1), "evidence.transferred");
      const plain = await analyst.request("POST", `/api/v1/evidence/captures/${captureId}/bundle`, {});
      assert.equal(plain.statusCode, 200);
      assert.equal((await actions()).at(-1), "evidence.exported");
    });

    test("the organisation's public signing key is exportable", async () => {
      const res = await analyst.request("GET", "/api/v1/evidence/signing-key");
      assert.equal(res.statusCode, 200);
      assert.match(res.json().publicKeyPem, /BEGIN PUBLIC KEY/);
      assert.match(res.json().fingerprint, /^[0-9a-f]{64}$/);
    });

    test("another organisation gets not found; roles without evidence rights get forbidden", async () => {
      const other = (await userAgent(t, "hotline", "analyst")).agent;
      for (const [method, path] of [
        ["GET", `/api/v1/evidence/captures/${captureId}`],
        ["GET", `/api/v1/evidence/captures/${captureId}/artefacts/page.html`],
        ["POST", `/api/v1/evidence/captures/${captureId}/bundle`],
      ] as const) {
        const res = await other.request(method, path, method === "POST" ? {} : undefined);
        assert.equal(res.statusCode, 404, `${method} ${path}`);
      }
      const listed = await other.request("GET", "/api/v1/evidence/captures");
      assert.deepEqual(listed.json().captures, []);
      const platform = (await userAgent(t, "platform", "platform_agent")).agent;
      assert.equal((await platform.request("GET", "/api/v1/evidence/captures")).statusCode, 403);
      const anonymous = await t.app.inject({ method: "GET", url: `/api/v1/evidence/captures/${captureId}` });
      assert.equal(anonymous.statusCode, 401);
    });

    test("a capture of a private address fails and says why", async () => {
      const res = await analyst.request("POST", "/api/v1/evidence/captures", {
        url: "http://169.254.169.254/latest/",
      });
      assert.equal(res.statusCode, 202);
      const id = res.json().captureId as string;
      const r = await evidence.runCapture(t.deps, id);
      assert.deepEqual(r, { status: "failed", code: "fetch_blocked" });
      const view = await analyst.request("GET", `/api/v1/evidence/captures/${id}`);
      assert.equal(view.json().capture.error.code, "fetch_blocked");
      const bundle = await analyst.request("POST", `/api/v1/evidence/captures/${id}/bundle`, {});
      assert.equal(bundle.statusCode, 409);
    });
  });
}
