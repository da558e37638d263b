// Intake and the workbench on every backend: public reports with links and screenshots, help
// routes, receipts and the status page, partner reports with Idempotency-Key, de-duplicated
// items, triage, reveal with an exposure count, hostile input, bulk import.
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import * as audit from "../src/modules/audit/service.ts";
import { shapes } from "../src/modules/hashing/synthetic.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import { makeOrganisation, startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";

const consent = { given: true, version: currentConsent.version };

const report = (over: Record<string, unknown> = {}) => ({
  category: "ncii",
  urls: ["https://images.example/a/1", "https://forum.example/t/2?utm_source=x"],
  description: "Iemand heeft foto's van mij online gezet.",
  reporterRole: "depicted",
  ageBand: "18_24",
  consent,
  ...over,
});

function multipart(json: unknown, files: { name: string; type: string; bytes: Buffer }[]) {
  const boundary = `----vg${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="report"\r\n\r\n${JSON.stringify(json)}\r\n`,
    ),
  ];
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`,
      ),
      f.bytes,
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
  } catch {
    return [];
  }
}

for (const backend of backends) {
  describe(`intake and workbench on ${backend.name}`, () => {
    let t: TestApp;
    let hotlineId: string;
    before(async () => {
      t = await startApp(backend, { REPORT_RATE_LIMIT_PER_MINUTE: "100000" });
      hotlineId = (await makeOrganisation(t.deps, "hotline", "Meldpunt")).id;
      t.deps.config.intakeOrganisationId = hotlineId;
    });
    after(() => t.close());

    const file = (body: unknown) =>
      t.app.inject({ method: "POST", url: "/api/v1/public/reports", payload: body as object });

    test("a public report gets a receipt, help routes, and is stored whole with its links", async () => {
      const res = await file(report());
      assert.equal(res.statusCode, 201, res.body);
      const out = res.json();
      assert.match(out.receipt, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      assert.match(out.secret, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
      assert.ok(out.helpRoutes.some((h: { id: string }) => h.id === "helpline"));
      assert.equal(res.headers["set-cookie"], undefined, "no cookies for reporters");
      const row = await t.deps.db
        .selectFrom("reports")
        .selectAll()
        .where("receipt", "=", out.receipt)
        .executeTakeFirstOrThrow();
      assert.equal(row.organisation_id, hotlineId);
      assert.ok(!row.description_sealed.includes("foto"), "description is sealed at rest");
      assert.equal(row.consent_version, currentConsent.version);
      const items = await t.deps.db
        .selectFrom("case_items")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select(["items.normalized", "items.kind"])
        .where("case_items.case_id", "=", row.case_id)
        .execute();
      assert.deepEqual(items.map((i) => i.normalized).sort(), [
        "https://forum.example/t/2",
        "https://images.example/a/1",
      ]);
      const status = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports/status",
        payload: { receipt: out.receipt.toLowerCase(), secret: out.secret },
      });
      assert.equal(status.statusCode, 200, status.body);
      assert.equal(status.json().status, "received");
      assert.equal(status.json().items, 2);
    });

    test("a wrong secret gets the same 404 as an unknown receipt", async () => {
      const out = (await file(report())).json();
      const wrong = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports/status",
        payload: { receipt: out.receipt, secret: "AAAA-BBBB-CCCC-DDDD" },
      });
      const unknown = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports/status",
        payload: { receipt: "ZZZZ-ZZZZ-ZZZZ", secret: out.secret },
      });
      assert.equal(wrong.statusCode, 404);
      assert.equal(unknown.statusCode, 404);
      assert.deepEqual(
        { ...(wrong.json() as object), instance: undefined },
        { ...(unknown.json() as object), instance: undefined },
      );
    });

    test("answers route to help at once and make the case urgent", async () => {
      const res = await file(
        report({
          category: "sextortion",
          ageBand: "13_15",
          answers: { selfHarm: true, ongoingThreat: true },
        }),
      );
      const out = res.json();
      const ids = out.helpRoutes.map((h: { id: string }) => h.id);
      assert.equal(out.urgent, true);
      assert.deepEqual(ids.slice(0, 2), ["suicide_prevention", "sextortion_advice"]);
      assert.ok(ids.includes("kindertelefoon"));
      const c = await t.deps.db
        .selectFrom("reports")
        .innerJoin("cases", "cases.id", "reports.case_id")
        .select(["cases.priority", "cases.urgent_reasons"])
        .where("reports.receipt", "=", out.receipt)
        .executeTakeFirstOrThrow();
      assert.equal(c.priority, "urgent");
      assert.deepEqual(c.urgent_reasons.sort(), ["minor", "ongoing_sextortion", "self_harm"]);
    });

    test("screenshots are checked, re-encoded without metadata and stored encrypted", async () => {
      const png = await shapes(7, 640, 480);
      const jpegWithExif = await sharp(png)
        .jpeg()
        .withMetadata({ exif: { IFD0: { Copyright: "secret-location-marker" } } })
        .toBuffer();
      const { payload, headers } = multipart(report({ urls: ["https://x.example/p"] }), [
        { name: "shot.jpg", type: "image/jpeg", bytes: jpegWithExif },
      ]);
      const res = await t.app.inject({ method: "POST", url: "/api/v1/public/reports", payload, headers });
      assert.equal(res.statusCode, 201, res.body);
      const item = await t.deps.db
        .selectFrom("reports")
        .innerJoin("case_items", "case_items.case_id", "reports.case_id")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select(["items.blob_ref", "items.sha256", "items.width"])
        .where("reports.receipt", "=", res.json().receipt)
        .where("items.kind", "=", "file")
        .executeTakeFirstOrThrow();
      assert.ok(item.blob_ref);
      assert.equal(item.width, 640);
      const stored = await t.deps.blobs.get(item.blob_ref);
      assert.ok(!stored.includes(Buffer.from("secret-location-marker")), "metadata survived");
      assert.equal((await sharp(stored).metadata()).format, "png");
      for (const f of filesUnder(join(t.deps.config.dataDir, "blobs"))) {
        assert.ok(
          !statSync(f).isFile() ||
            !(await import("node:fs")).readFileSync(f).includes(stored.subarray(0, 64)),
        );
      }
    });

    test("child abuse material: an upload is hashed and discarded, never stored", async () => {
      const before = filesUnder(join(t.deps.config.dataDir, "blobs")).length;
      const img = await shapes(11, 320, 240);
      const { payload, headers } = multipart(report({ category: "csam", urls: ["https://bad.example/x"] }), [
        { name: "x.png", type: "image/png", bytes: img },
      ]);
      const res = await t.app.inject({ method: "POST", url: "/api/v1/public/reports", payload, headers });
      assert.equal(res.statusCode, 201, res.body);
      const item = await t.deps.db
        .selectFrom("reports")
        .innerJoin("case_items", "case_items.case_id", "reports.case_id")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select(["items.blob_ref", "items.sha256", "items.md5"])
        .where("reports.receipt", "=", res.json().receipt)
        .where("items.kind", "=", "file")
        .executeTakeFirstOrThrow();
      assert.equal(item.blob_ref, null);
      assert.match(item.sha256 ?? "", /^[0-9a-f]{64}$/);
      assert.equal(filesUnder(join(t.deps.config.dataDir, "blobs")).length, before, "a blob was written");
    });

    test("an image bomb and a file that is not an image are refused with a clear message", async () => {
      const bomb = await sharp({ create: { width: 12_000, height: 12_000, channels: 3, background: "#fff" } })
        .png({ compressionLevel: 9 })
        .toBuffer();
      assert.ok(bomb.length < 5 * 1024 * 1024);
      for (const [bytes, pattern] of [
        [bomb, /too many pixels/],
        [Buffer.from("%PDF-1.4 not an image at all"), /not an image/],
      ] as const) {
        const { payload, headers } = multipart(report(), [{ name: "f.png", type: "image/png", bytes }]);
        const res = await t.app.inject({ method: "POST", url: "/api/v1/public/reports", payload, headers });
        assert.equal(res.statusCode, 422, res.body);
        assert.match(res.json().detail, pattern);
        assert.equal(res.json().errors[0].pointer, "/files/0");
      }
    });

    test("too many links, a bad link, a missing consent: 422 pointing at the field", async () => {
      const many = await file(
        report({ urls: Array.from({ length: 10_000 }, (_, i) => `https://e.example/${i}`) }),
      );
      assert.equal(many.statusCode, 422);
      assert.equal(many.json().errors[0].pointer, "/urls");
      const bad = await file(report({ urls: ["https://ok.example/", "javascript:alert(1)"] }));
      assert.equal(bad.statusCode, 422);
      assert.equal(bad.json().errors[0].pointer, "/urls/1");
      const noConsent = await file({
        ...report(),
        consent: { given: false, version: currentConsent.version },
      });
      assert.equal(noConsent.statusCode, 422);
      assert.equal(noConsent.json().errors[0].pointer, "/consent/given");
      const honeypot = await file(report({ website: "http://spam.example" }));
      assert.equal(honeypot.statusCode, 422);
      assert.equal(honeypot.json().code, "report_rejected");
    });

    test("invalid Unicode, control characters and very long lines are handled", async () => {
      const text = `a\uD800b\u0000c ${"x".repeat(5000)} <script>alert(1)</script>`;
      const res = await file(report({ description: text, urls: ["https://u.example/1"] }));
      assert.equal(res.statusCode, 201, res.body);
      const tooLong = await file(report({ description: "y".repeat(20_000) }));
      assert.equal(tooLong.statusCode, 422);
      assert.equal(tooLong.json().errors[0].pointer, "/description");
    });

    test("the same URL in two reports is one item linked to both cases; the workbench shows the link", async () => {
      const url = `https://dup.example/p/${Date.now()}`;
      const a = (await file(report({ urls: [url] }))).json();
      const b = (
        await file(
          report({
            urls: [`${url.replace("https://dup.example", "HTTPS://DUP.Example:443")}#frag`],
          }),
        )
      ).json();
      const rows = await t.deps.db.selectFrom("items").select("id").where("normalized", "=", url).execute();
      assert.equal(rows.length, 1);
      const caseOf = async (receipt: string) =>
        (
          await t.deps.db
            .selectFrom("reports")
            .select("case_id")
            .where("receipt", "=", receipt)
            .executeTakeFirstOrThrow()
        ).case_id;
      const [ca, cb] = [await caseOf(a.receipt), await caseOf(b.receipt)];
      // The second report's event counts the known item; the chain holds with the count in it.
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select(["subject_id", "data"])
        .where("action", "=", "report.received")
        .where("subject_id", "in", [ca, cb])
        .execute();
      const dataOf = (caseId: string) =>
        events.find((e) => e.subject_id === caseId)?.data as { items: number; linkedItems: number };
      assert.deepEqual([dataOf(ca).items, dataOf(ca).linkedItems], [1, 0]);
      assert.deepEqual([dataOf(cb).items, dataOf(cb).linkedItems], [1, 1]);
      assert.equal((await audit.verify(t.deps.db)).ok, true);
      const analyst = await staffOf(t, hotlineId);
      const page = (await analyst.request("GET", `/api/v1/cases/${ca}`)).json();
      const item = page.items.find((i: { normalized: string }) => i.normalized === url);
      assert.ok(item, JSON.stringify(page.items));
      assert.equal(item.linkedCases.length >= 1, true);
    });

    test("triage: queue with urgent first, classify, assign, status with reason; the reporter sees it", async () => {
      const out = (await file(report({ urls: ["https://triage.example/1"] }))).json();
      const urgent = (
        await file(report({ urls: ["https://triage.example/2"], answers: { immediateDanger: true } }))
      ).json();
      void urgent;
      const analyst = await staffOf(t, hotlineId);
      const q = (await analyst.request("GET", "/api/v1/cases?limit=200")).json();
      assert.equal(q.items[0].priority, "urgent");
      assert.ok(q.counts.length > 0);
      const caseId = (
        await t.deps.db
          .selectFrom("reports")
          .select("case_id")
          .where("receipt", "=", out.receipt)
          .executeTakeFirstOrThrow()
      ).case_id;
      const me = (await analyst.request("GET", "/api/v1/auth/session")).json().user.id;
      const noReason = await analyst.request("PATCH", `/api/v1/cases/${caseId}`, { status: "in_progress" });
      assert.equal(noReason.statusCode, 422);
      const changed = await analyst.request("PATCH", `/api/v1/cases/${caseId}`, {
        category: "deepfake",
        assigneeId: me,
        status: "in_progress",
        reason: "Beoordeeld: deepfake",
      });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json().category, "deepfake");
      assert.equal(changed.json().assigneeName, "Test analyst", "the answer names the assignee");
      const note = await analyst.request("POST", `/api/v1/cases/${caseId}/notes`, {
        body: "<b>inert</b> note",
      });
      assert.equal(note.statusCode, 201);
      const page = (await analyst.request("GET", `/api/v1/cases/${caseId}`)).json();
      assert.equal(page.assignee.id, me);
      assert.equal(page.notes[0].body, "<b>inert</b> note");
      const actions = page.timeline.map((e: { action: string }) => e.action);
      assert.ok(
        actions.includes("report.received") &&
          actions.includes("case.status_changed") &&
          actions.includes("case.assigned"),
      );
      assert.equal(page.extras.reports[0].description, "Iemand heeft foto's van mij online gezet.");
      const status = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports/status",
        payload: { receipt: out.receipt, secret: out.secret },
      });
      assert.equal(status.json().status, "in_progress");
      const mine = (await analyst.request("GET", "/api/v1/cases?assignee=me")).json();
      assert.ok(mine.items.some((c: { id: string }) => c.id === caseId));
    });

    test("revealing material is audited and counted per analyst per day", async () => {
      const png = await shapes(21, 200, 150);
      const { payload, headers } = multipart(report({ urls: [] }), [
        { name: "s.png", type: "image/png", bytes: png },
      ]);
      const out = (
        await t.app.inject({ method: "POST", url: "/api/v1/public/reports", payload, headers })
      ).json();
      const row = await t.deps.db
        .selectFrom("reports")
        .innerJoin("case_items", "case_items.case_id", "reports.case_id")
        .select(["reports.case_id", "case_items.item_id"])
        .where("reports.receipt", "=", out.receipt)
        .executeTakeFirstOrThrow();
      const analyst = await staffOf(t, hotlineId);
      const first = await analyst.request("POST", `/api/v1/cases/${row.case_id}/items/${row.item_id}/reveal`);
      assert.equal(first.statusCode, 200, first.body);
      const second = await analyst.request(
        "POST",
        `/api/v1/cases/${row.case_id}/items/${row.item_id}/reveal`,
      );
      assert.equal(second.json().exposuresToday, first.json().exposuresToday + 1);
      const file = await analyst.request("GET", `/api/v1/cases/${row.case_id}/items/${row.item_id}/file`);
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers["content-type"], "image/png");
    });

    test("another organisation cannot see the cases (404), nor read contact details", async () => {
      const out = (
        await file(report({ contact: { email: "reporter@test.example" }, urls: ["https://c.example/1"] }))
      ).json();
      const caseId = await t.deps.db
        .selectFrom("reports")
        .select(["case_id", "id"])
        .where("receipt", "=", out.receipt)
        .executeTakeFirstOrThrow();
      const other = await userAgent(t, "hotline", "analyst");
      assert.equal((await other.agent.request("GET", `/api/v1/cases/${caseId.case_id}`)).statusCode, 404);
      assert.equal(
        (await other.agent.request("POST", `/api/v1/reports/${caseId.id}/contact`, { reason: "x" }))
          .statusCode,
        404,
      );
      const analyst = await staffOf(t, hotlineId);
      const contact = await analyst.request("POST", `/api/v1/reports/${caseId.id}/contact`, {
        reason: "terugbellen",
      });
      assert.equal(contact.statusCode, 200, contact.body);
      assert.equal(contact.json().email, "reporter@test.example");
      const sealed = await t.deps.db
        .selectFrom("reporter_contacts")
        .select("sealed")
        .where("report_id", "=", caseId.id)
        .executeTakeFirstOrThrow();
      assert.ok(!sealed.sealed.includes("reporter@"));
    });

    test("partner reports: one report per Idempotency-Key; a different body with the same key is a conflict", async () => {
      const partner = await userAgent(t, "helpdesk", "admin");
      const tok = (
        await partner.agent.request("POST", "/api/v1/tokens", { name: "intake", scopes: ["reports:submit"] })
      ).json().token;
      const body = {
        ...report({ urls: ["https://partner.example/1"] }),
        consent: { given: true, version: "partner-2026" },
      };
      const send = (b: unknown, key: string) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/reports",
          headers: { authorization: `Bearer ${tok}`, "idempotency-key": key },
          payload: b as object,
        });
      const key = `k-${Date.now()}`;
      const [one, two] = await Promise.all([send(body, key), send(body, key)]);
      const codes = [one.statusCode, two.statusCode].sort();
      assert.ok(codes[0] === 200 || codes[0] === 201, `${one.body} ${two.body}`);
      const third = await send(body, key);
      assert.equal(third.statusCode, 200);
      const receipts = new Set(
        [one, two, third].filter((r) => r.statusCode < 300).map((r) => r.json().receipt),
      );
      assert.equal(receipts.size, 1);
      const n = await t.deps.db
        .selectFrom("reports")
        .select("id")
        .where("partner_token_id", "is not", null)
        .where("receipt", "in", [...receipts])
        .execute();
      assert.equal(n.length, 1);
      const stored = await t.deps.db
        .selectFrom("idempotency_keys")
        .select("response")
        .where("key", "=", key)
        .executeTakeFirstOrThrow();
      assert.ok(
        !JSON.stringify(stored.response).includes(third.json().secret),
        "the secret is stored in the clear",
      );
      const conflict = await send({ ...body, description: "anders" }, key);
      assert.equal(conflict.statusCode, 409);
      const noKey = await t.app.inject({
        method: "POST",
        url: "/api/v1/reports",
        headers: { authorization: `Bearer ${tok}` },
        payload: body,
      });
      assert.equal(noKey.statusCode, 422);
    });

    test("device hashes: tied to a receipt, stored in the victim bank, withdrawn on request", async () => {
      const out = (await file(report({ urls: ["https://device.example/1"] }))).json();
      const { hashImage } = await import("../src/modules/hashing/image.ts");
      const h = await hashImage(await shapes(31, 640, 480));
      const wrong = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/device-hashes",
        payload: {
          receipt: out.receipt,
          secret: "AAAA-AAAA-AAAA-AAAA",
          hashes: [{ pdq: h.hash, quality: h.quality }],
        },
      });
      assert.equal(wrong.statusCode, 404);
      const ok = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/device-hashes",
        payload: { receipt: out.receipt, secret: out.secret, hashes: [{ pdq: h.hash, quality: h.quality }] },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().accepted, 1);
      // A later upload of the same picture is recognised and linked to the first case.
      const img = await shapes(31, 640, 480);
      const { payload, headers } = multipart(report({ urls: [] }), [
        { name: "again.png", type: "image/png", bytes: img },
      ]);
      const again = await t.app.inject({ method: "POST", url: "/api/v1/public/reports", payload, headers });
      assert.equal(again.statusCode, 201, again.body);
      const firstCase = (
        await t.deps.db
          .selectFrom("reports")
          .select("case_id")
          .where("receipt", "=", out.receipt)
          .executeTakeFirstOrThrow()
      ).case_id;
      const linked = await t.deps.db
        .selectFrom("case_items")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select("items.kind")
        .where("case_items.case_id", "=", firstCase)
        .execute();
      assert.ok(
        linked.some((i) => i.kind === "file"),
        "the re-upload was not linked to the first case",
      );
      // A second submission, taken back with its own withdrawal secret only.
      const other = await hashImage(await shapes(32, 640, 480));
      const second = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/device-hashes",
        payload: {
          receipt: out.receipt,
          secret: out.secret,
          hashes: [{ pdq: other.hash, quality: other.quality }],
        },
      });
      assert.equal(second.statusCode, 200, second.body);
      const bySecret = (withdrawalSecret: string) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/public/device-hashes/withdraw",
          payload: { withdrawalSecret },
        });
      assert.equal((await bySecret("x".repeat(32))).json().deleted, 0, "an unknown secret deletes nothing");
      const one = await bySecret(second.json().withdrawalSecret);
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.json().deleted, 1);
      const both = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/device-hashes/withdraw",
        payload: { receipt: out.receipt, secret: out.secret, withdrawalSecret: "x".repeat(32) },
      });
      assert.equal(both.statusCode, 422, "either the codes or the withdrawal secret, not both");
      const withdraw = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/device-hashes/withdraw",
        payload: { receipt: out.receipt, secret: out.secret },
      });
      assert.equal(withdraw.statusCode, 200, withdraw.body);
      assert.equal(withdraw.json().deleted, 1, "the first submission; the second was already withdrawn");
    });

    test("the form without JavaScript: plain HTML in, receipt out, errors shown escaped", async () => {
      const form = await t.app.inject({ method: "GET", url: "/report-basic?lang=en" });
      assert.equal(form.statusCode, 200);
      assert.match(String(form.headers["content-type"]), /^text\/html/);
      assert.ok(!form.body.includes("<script"), "the page needs no script");
      const body = new URLSearchParams({
        lang: "en",
        category: "ncii",
        urls: "https://nojs.example/1\nhttps://nojs.example/2",
        description: "<script>alert(1)</script>",
        reporterRole: "depicted",
        ageBand: "18_24",
        selfHarm: "1",
        consent: currentConsent.version,
      }).toString();
      const sent = await t.app.inject({
        method: "POST",
        url: "/report-basic",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: body,
      });
      assert.equal(sent.statusCode, 201, sent.body);
      assert.match(sent.body, /113/);
      const receipt = /<dt>Code<\/dt><dd><strong>([0-9A-Z-]+)<\/strong>/.exec(sent.body)?.[1];
      assert.ok(receipt);
      assert.ok(
        await t.deps.db.selectFrom("reports").select("id").where("receipt", "=", receipt).executeTakeFirst(),
      );
      const bad = await t.app.inject({
        method: "POST",
        url: "/report-basic",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({
          lang: "nl",
          category: "ncii",
          urls: 'javascript:alert(1)\n"><img src=x>',
          reporterRole: "depicted",
          consent: currentConsent.version,
        }).toString(),
      });
      assert.equal(bad.statusCode, 422);
      assert.ok(!bad.body.includes('"><img src=x>'), "a value came back unescaped");
      assert.match(bad.body, /role="alert"/);
      // The API itself still refuses form bodies: only this page parses them.
      const api = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: body,
      });
      assert.equal(api.statusCode, 415);
    });

    test("links keep no credentials; a key rotation keeps every report readable", async () => {
      const out = (
        await file(
          report({ urls: ["https://user:hunter2@creds.example/x"], contact: { email: "r@test.example" } }),
        )
      ).json();
      const row = await t.deps.db
        .selectFrom("reports")
        .innerJoin("case_items", "case_items.case_id", "reports.case_id")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select(["items.value", "reports.case_id", "reports.id"])
        .where("reports.receipt", "=", out.receipt)
        .executeTakeFirstOrThrow();
      assert.ok(!row.value.includes("hunter2"), row.value);
      const analyst = await staffOf(t, hotlineId);
      const oldKey = t.deps.masterKey;
      try {
        t.deps.masterKey = (await import("node:crypto")).randomBytes(32);
        t.deps.config.evidence.previousMasterKeys = [oldKey];
        const page = (await analyst.request("GET", `/api/v1/cases/${row.case_id}`)).json();
        assert.equal(page.extras.reports[0].description, "Iemand heeft foto's van mij online gezet.");
        const { resealIntakeSecrets } = await import("../src/modules/intake/service.ts");
        const r = await resealIntakeSecrets(t.deps);
        assert.deepEqual(r.failed, []);
        assert.ok(r.resealed >= 2);
        t.deps.config.evidence.previousMasterKeys = [];
        const after = (await analyst.request("GET", `/api/v1/cases/${row.case_id}`)).json();
        assert.equal(after.extras.reports[0].description, "Iemand heeft foto's van mij online gezet.");
        const contact = await analyst.request("POST", `/api/v1/reports/${row.id}/contact`, {
          reason: "check",
        });
        assert.equal(contact.json().email, "r@test.example");
      } finally {
        t.deps.config.evidence.previousMasterKeys = [];
      }
    });

    test("bulk import gives a result per row", async () => {
      const analyst = await staffOf(t, hotlineId);
      const csv =
        'url,category,platform\nhttps://imp.example/1,ncii,Forum\n"https://imp.example/2?a=1,2",ncii,\nnot a url,ncii,\nhttps://imp.example/3,unknown_cat,\n';
      const res = await analyst.request("POST", "/api/v1/cases/import", { csv });
      assert.equal(res.statusCode, 200, res.body);
      const out = res.json();
      assert.equal(out.imported, 2);
      assert.equal(out.failed, 2);
      assert.deepEqual(
        out.results.map((r: { line: number; ok: boolean }) => [r.line, r.ok]),
        [
          [2, true],
          [3, true],
          [4, false],
          [5, false],
        ],
      );
    });
  });
}

const staff = new Map<string, Awaited<ReturnType<typeof userAgent>>["agent"]>();
async function staffOf(t: TestApp, organisationId: string) {
  const key = `${organisationId}`;
  const have = staff.get(key);
  if (have) return have;
  const { makeUser, login } = await import("./support/app.ts");
  const user = await makeUser(t.deps, organisationId, "analyst");
  const agent = await login(t, user.email);
  staff.set(key, agent);
  return agent;
}
