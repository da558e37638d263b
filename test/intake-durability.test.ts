// Intake as an operator runs it: a 201 means the report is on disk even if the process is
// killed right after answering; `vangrail import` reports per row; closed cases lose their
// screenshots after the retention period; reported URLs are handed to evidence capture.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import pino from "pino";
import { attributeItemsJob } from "../src/modules/attribution/attribute-job.ts";
import { shapes } from "../src/modules/hashing/synthetic.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import { captureReportedJob, deleteExpiredUploads, registerIntakeJobs } from "../src/modules/intake/jobs.ts";
import { createBlobStore } from "../src/platform/blobstore/index.ts";
import { loadConfig } from "../src/platform/config.ts";
import { loadMasterKey } from "../src/platform/crypto.ts";
import { openDatabase } from "../src/platform/db.ts";
import { createQueue, JobRegistry } from "../src/platform/queue.ts";
import { login, makeOrganisation, makeUser, startApp } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { CLI, ROOT, startTestServer } from "./support/server.ts";

const consent = { given: true, version: currentConsent.version };

function form(json: unknown, png: Buffer) {
  const fd = new FormData();
  fd.append("report", JSON.stringify(json));
  fd.append("files", new Blob([new Uint8Array(png)], { type: "image/png" }), "shot.png");
  return fd;
}

describe("a 201 is durable", () => {
  test("a report accepted with 201 is in the database with its file after the server is killed", async () => {
    const server = await startTestServer();
    try {
      const setup = await fetch(`${server.url}/api/v1/setup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          setupCode: server.setupCode,
          organisation: { name: "Meldpunt", kind: "hotline" },
          admin: { displayName: "Beheer", email: "admin@durable.example", password: "durable-password-1" },
        }),
      });
      assert.equal(setup.status, 201);
      const png = await shapes(3, 300, 200);
      const res = await fetch(`${server.url}/api/v1/public/reports`, {
        method: "POST",
        body: form(
          {
            category: "ncii",
            urls: ["https://durable.example/1"],
            description: "test",
            reporterRole: "depicted",
            ageBand: "25_plus",
            consent,
          },
          png,
        ),
      });
      assert.equal(res.status, 201);
      const { receipt } = (await res.json()) as { receipt: string };
      server.kill("SIGKILL");
      await server.exited();
      const handle = await openDatabase({ dataDir: server.dataDir });
      try {
        const row = await handle.db
          .selectFrom("reports")
          .innerJoin("case_items", "case_items.case_id", "reports.case_id")
          .innerJoin("items", "items.id", "case_items.item_id")
          .select(["items.kind", "items.blob_ref"])
          .where("reports.receipt", "=", receipt)
          .execute();
        assert.equal(row.length, 2);
        const file = row.find((r) => r.kind === "file");
        assert.ok(file?.blob_ref);
        const config = loadConfig({ VANGRAIL_DATA_DIR: server.dataDir });
        const blobs = createBlobStore(config, loadMasterKey(undefined, server.dataDir));
        assert.ok((await blobs.get(file.blob_ref)).length > 0);
      } finally {
        await handle.close();
      }
    } finally {
      await server.close();
    }
  });
});

for (const backend of backends) {
  describe(`intake jobs on ${backend.name}`, () => {
    test("screenshots of cases closed longer than the retention period are deleted; hashes stay", async () => {
      const t = await startApp(backend, {
        REPORT_RATE_LIMIT_PER_MINUTE: "100000",
        UPLOAD_RETENTION_DAYS: "30",
      });
      try {
        const org = await makeOrganisation(t.deps, "hotline");
        t.deps.config.intakeOrganisationId = org.id;
        const png = await shapes(5, 200, 100);
        const res = await t.app.inject({
          method: "POST",
          url: "/api/v1/public/reports",
          payload: form(
            {
              category: "ncii",
              urls: [],
              description: "x",
              reporterRole: "depicted",
              ageBand: "25_plus",
              consent,
              contact: { email: "keep-until-retention@test.example" },
            },
            png,
          ),
        });
        assert.equal(res.statusCode, 201, res.body);
        const item = await t.deps.db
          .selectFrom("reports")
          .innerJoin("case_items", "case_items.case_id", "reports.case_id")
          .innerJoin("items", "items.id", "case_items.item_id")
          .select(["reports.case_id", "items.id", "items.blob_ref", "items.sha256"])
          .where("reports.receipt", "=", res.json().receipt)
          .executeTakeFirstOrThrow();
        assert.equal(await deleteExpiredUploads(t.deps), 0, "an open case keeps its files");
        const analyst = await login(t, (await makeUser(t.deps, org.id, "analyst")).email);
        const close = await analyst.request("PATCH", `/api/v1/cases/${item.case_id}`, {
          status: "closed",
          reason: "afgehandeld",
        });
        assert.equal(close.statusCode, 200, close.body);
        t.clock.advance(29 * 86_400_000);
        assert.equal(await deleteExpiredUploads(t.deps), 0, "kept within the retention period");
        t.clock.advance(2 * 86_400_000);
        assert.equal(await deleteExpiredUploads(t.deps), 1);
        const after = await t.deps.db
          .selectFrom("items")
          .select(["blob_ref", "sha256"])
          .where("id", "=", item.id)
          .executeTakeFirstOrThrow();
        assert.equal(after.blob_ref, null);
        assert.equal(after.sha256, item.sha256);
        assert.equal(await t.deps.blobs.has(item.blob_ref as string), false);
        const { deleteExpiredContacts } = await import("../src/modules/intake/jobs.ts");
        assert.equal(await deleteExpiredContacts(t.deps), 1, "contact details outlived the retention period");
        const left = await t.deps.db.selectFrom("reporter_contacts").select("report_id").execute();
        assert.equal(left.length, 0);
      } finally {
        await t.close();
      }
    });

    test("a report's capture and attribution jobs are written with it and moved into the queue once", async () => {
      const t = await startApp(backend, { REPORT_RATE_LIMIT_PER_MINUTE: "100000" });
      const registry = new JobRegistry();
      registerIntakeJobs(registry, t.deps);
      registry.declare(attributeItemsJob);
      const queue = await createQueue(t.handle, {
        registry,
        logger: pino({ level: "silent" }),
        supervise: false,
      });
      t.deps.queue = queue;
      try {
        const org = await makeOrganisation(t.deps, "hotline");
        t.deps.config.intakeOrganisationId = org.id;
        const post = (urls: string[]) =>
          t.app.inject({
            method: "POST",
            url: "/api/v1/public/reports",
            payload: {
              category: "ncii",
              urls,
              description: "x",
              reporterRole: "bystander",
              ageBand: "25_plus",
              consent,
            },
          });
        const first = await post(["https://outbox.example/b", "HTTPS://outbox.example/a?utm_source=x"]);
        assert.equal(first.statusCode, 201, first.body);
        // Only the new URL of a second report is captured; a report with none writes no job.
        assert.equal((await post(["https://outbox.example/a", "https://outbox.example/c"])).statusCode, 201);
        assert.equal((await post(["https://outbox.example/c"])).statusCode, 201);
        const waiting = await t.deps.db.selectFrom("job_outbox").select("name").orderBy("id").execute();
        assert.deepEqual(
          waiting.map((r) => r.name),
          [captureReportedJob.name, attributeItemsJob.name, captureReportedJob.name, attributeItemsJob.name],
        );
        assert.equal(await queue.relayOutbox(), 4);
        assert.equal(await queue.relayOutbox(), 0, "moved once");
        assert.equal((await t.deps.db.selectFrom("job_outbox").select("id").execute()).length, 0);
        const jobs = await queue.boss.findJobs(captureReportedJob.name, {});
        const payloads = jobs.map((j) => captureReportedJob.schema.parse(j.data));
        const caseOf = async (receipt: string) =>
          (
            await t.deps.db
              .selectFrom("reports")
              .select("case_id")
              .where("receipt", "=", receipt)
              .executeTakeFirstOrThrow()
          ).case_id;
        const firstCase = await caseOf(first.json().receipt);
        const job = jobs.find((j) => (j.data as { caseId: string }).caseId === firstCase);
        assert.equal(job?.singletonKey, `capture:${firstCase}`);
        assert.deepEqual(
          payloads.map((p) => p.items.map((i) => i.url)).sort(),
          [["https://outbox.example/b", "https://outbox.example/a"], ["https://outbox.example/c"]].sort(),
        );
        assert.ok(payloads.every((p) => p.organisationId === org.id && p.category === "ncii"));
        // Attribution gets the same new items, one job per report, keyed by the case.
        const attributions = await queue.boss.findJobs(attributeItemsJob.name, {});
        const forFirst = attributions.find((j) => j.singletonKey === `attribute:${firstCase}`);
        assert.ok(forFirst);
        const parsed = attributeItemsJob.schema.parse(forFirst.data);
        assert.equal(parsed.organisationId, org.id);
        assert.equal(parsed.itemIds.length, 2);
        assert.deepEqual(
          attributions.map((j) => attributeItemsJob.schema.parse(j.data).itemIds.length).sort(),
          [1, 2],
        );
      } finally {
        await queue.stop();
        await t.close();
      }
    });

    test("reported URLs are handed to evidence capture", async () => {
      const t = await startApp(backend);
      try {
        const org = await makeOrganisation(t.deps, "hotline");
        const registry = new JobRegistry();
        registerIntakeJobs(registry, t.deps);
        const handler = registry.handler(captureReportedJob.name);
        assert.ok(handler);
        const caseId = "00000000-0000-4000-8000-000000000001";
        await handler(
          {
            organisationId: org.id,
            caseId,
            category: "ncii",
            items: [{ id: "00000000-0000-4000-8000-000000000002", url: "https://capture.example/a" }],
          },
          { jobId: "j", retryCount: 0, signal: new AbortController().signal },
        );
        const rows = await t.deps.db
          .selectFrom("evidence_captures" as never)
          .select(["url" as never])
          .execute();
        assert.ok((rows as { url: string }[]).some((r) => r.url === "https://capture.example/a"));
      } finally {
        await t.close();
      }
    });
  });
}

test("vangrail import: a progress line, a summary and exit 1 when a row failed", async () => {
  // The CLI needs its own data folder with a user in it: create them through the CLI itself.
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dataDir = mkdtempSync(join(tmpdir(), "vg-import-"));
  const run = (args: string[], input?: string) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        env: { ...process.env, VANGRAIL_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn" },
      });
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        out += d;
      });
      if (input !== undefined) child.stdin.end(input);
      child.on("exit", (code) => resolve({ code: code ?? 1, out }));
    });
  try {
    const init = await run(
      [
        "admin",
        "init",
        "--org-name",
        "Meldpunt",
        "--org-kind",
        "hotline",
        "--name",
        "Beheer",
        "--email",
        "imp@test.example",
        "--password-stdin",
      ],
      "import-password-123\n",
    );
    assert.equal(init.code, 0, init.out);
    const csv = join(dataDir, "rows.csv");
    writeFileSync(
      csv,
      "url,category\nhttps://imp.example/1,ncii\nhttps://imp.example/2,deepfake\nnot-a-url,ncii\n",
    );
    const r = await run(["import", csv, "--as", "imp@test.example", "--report", join(dataDir, "out.json")]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /\] 3\/3/);
    assert.match(r.out, /imported 2 of 3 rows; 1 failed/);
    assert.match(r.out, /line 4:/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
