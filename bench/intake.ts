// Sustained public reports per second and latency, from this process (autocannon) against a
// `vangrail serve` process on loopback, on PostgreSQL and on PGlite. Every 201 must be a row,
// and after the run every report must have its items, its audit event and its capture job, and
// the audit chain must verify.
// Target (issue 3): >= 500 reports/s with p99 < 100 ms on PostgreSQL on a 2-core machine.
// PostgreSQL: BENCH_DATABASE_URL, or TEST_DATABASE_URL's server, or scripts/test-postgres.sh's.
// The server runs with the default configuration (DATABASE_POOL_MAX and all) except for rate
// limits and workers; set DATABASE_POOL_MAX in the environment to try another pool size.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { sql } from "kysely";
import pg from "pg";
import * as audit from "../src/modules/audit/service.ts";
import { type DatabaseHandle, openDatabase } from "../src/platform/db.ts";
import { CLI, ROOT } from "../test/support/server.ts";

const DURATION = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "intake", ...o }));

async function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, "serve"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      // info: the start-up line carries the port; request logs are consumed like production's.
      LOG_LEVEL: "info",
      WORKERS_IN_SERVE: "false",
      RATE_LIMIT_MAX: "1000000",
      REPORT_RATE_LIMIT_PER_MINUTE: "1000000",
      VANGRAIL_SETUP_CODE: "BENCH-SETUP-CODE",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  let found = false;
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      if (found) return;
      out += d;
      const m = /"port":(\d+),"startupMs"/.exec(out);
      if (m) {
        found = true;
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (c) => reject(new Error(`serve exited ${c}: ${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const setup = await fetch(`${url}/api/v1/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      setupCode: "BENCH-SETUP-CODE",
      organisation: { name: "Bench Meldpunt", kind: "hotline" },
      admin: { displayName: "Bench", email: "bench@bench.example", password: "bench-password-123" },
    }),
  });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${await setup.text()}`);
  return {
    url,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

const body = JSON.stringify({
  category: "ncii",
  urls: ["https://bench.example/img/[<id>]", "https://forum.example/t/[<id>]"],
  description: "Benchmark report: synthetic text only.",
  reporterRole: "bystander",
  ageBand: "25_plus",
  consent: { given: true, version: "2026-11-1" },
  language: "nl",
});

/**
 * What a 201 promises, checked after the run: every report has items, its audit event and its
 * capture job (in the job outbox: the bench runs no workers), and the audit chain holds.
 */
async function integrity(handle: DatabaseHandle) {
  const { rows } = await sql<{ reports: number; no_items: number; no_event: number; no_job: number }>`
    select count(*)::int as reports,
      count(*) filter (where not exists (
        select 1 from case_items ci where ci.case_id = r.case_id))::int as no_items,
      count(*) filter (where not exists (
        select 1 from audit_events e
        where e.action = 'report.received' and e.subject_id = r.case_id::text))::int as no_event,
      count(*) filter (where not exists (
        select 1 from job_outbox o where o.singleton_key = 'capture:' || r.case_id::text))::int as no_job
    from reports r`.execute(handle.db);
  const c = rows[0] as { reports: number; no_items: number; no_event: number; no_job: number };
  const chain = await audit.verify(handle.db);
  return {
    reportsWithoutItems: c.no_items,
    reportsWithoutAuditEvent: c.no_event,
    reportsWithoutCaptureJob: c.no_job,
    auditChainOk: chain.ok,
    auditEvents: chain.checked,
  };
}

async function run(
  name: string,
  env: Record<string, string>,
  countRows: () => Promise<number>,
  check: () => Promise<Record<string, unknown>>,
) {
  const server = await serve(env);
  try {
    // Warm-up: JIT, connection pools, caches.
    await autocannon({
      url: `${server.url}/api/v1/public/reports`,
      method: "POST",
      connections: 8,
      amount: 300,
      idReplacement: true,
      headers: { "content-type": "application/json" },
      body,
    });
    const before = await countRows();
    const r = await autocannon({
      url: `${server.url}/api/v1/public/reports`,
      method: "POST",
      connections: CONNECTIONS,
      duration: DURATION,
      idReplacement: true,
      headers: { "content-type": "application/json" },
      body,
    });
    const after = await countRows();
    const created = r["2xx"];
    // Requests still in flight at the deadline: let them commit before checking.
    await new Promise((res) => setTimeout(res, 500));
    const checked = await check();
    emit({
      database: name,
      connections: CONNECTIONS,
      seconds: DURATION,
      reportsPerSecond: Math.round(created / DURATION),
      p50Ms: r.latency.p50,
      p90Ms: r.latency.p90,
      p99Ms: r.latency.p99,
      maxMs: r.latency.max,
      accepted201: created,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      rowsAdded: after - before,
      // Requests still in flight at the deadline commit too: every 201 must be a row.
      noneLost: after - before >= created,
      ...checked,
    });
  } finally {
    await server.stop();
  }
}

// PostgreSQL
let pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!pgUrl) {
  const r = spawnSync("bash", [join(ROOT, "scripts/test-postgres.sh")], { encoding: "utf8" });
  pgUrl = r.status === 0 ? r.stdout.trim() : undefined;
}
if (pgUrl) {
  const name = `vg_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const dbUrl = new URL(pgUrl);
  dbUrl.pathname = `/${name}`;
  const counter = new pg.Client({ connectionString: dbUrl.toString() });
  const dataDir = mkdtempSync(join(tmpdir(), "vg-bench-pg-"));
  try {
    await run(
      "postgres",
      { DATABASE_URL: dbUrl.toString(), VANGRAIL_DATA_DIR: dataDir },
      async () => {
        if (!counter.database || (counter as unknown as { _connected?: boolean })._connected !== true) {
          await counter.connect().catch(() => undefined);
        }
        const r = await counter.query("select count(*)::int as n from reports");
        return r.rows[0].n as number;
      },
      async () => {
        const handle = await openDatabase({ databaseUrl: dbUrl.toString(), poolMax: 1 });
        try {
          return await integrity(handle);
        } finally {
          await handle.close();
        }
      },
    );
  } finally {
    await counter.end().catch(() => undefined);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
} else {
  emit({ database: "postgres", skipped: "no PostgreSQL server (set BENCH_DATABASE_URL)" });
}

// PGlite: rows are counted after the server stopped (one process per data folder).
{
  const dataDir = mkdtempSync(join(tmpdir(), "vg-bench-pglite-"));
  let counted = 0;
  const count = async () => counted;
  try {
    const server = await serve({ DATABASE_URL: "", VANGRAIL_DATA_DIR: dataDir });
    await autocannon({
      url: `${server.url}/api/v1/public/reports`,
      method: "POST",
      connections: 8,
      amount: 300,
      idReplacement: true,
      headers: { "content-type": "application/json" },
      body,
    });
    const r = await autocannon({
      url: `${server.url}/api/v1/public/reports`,
      method: "POST",
      connections: CONNECTIONS,
      duration: DURATION,
      idReplacement: true,
      headers: { "content-type": "application/json" },
      body,
    });
    await server.stop();
    const handle = await openDatabase({ dataDir });
    const rows = await handle.db
      .selectFrom("reports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const checked = await integrity(handle);
    await handle.close();
    counted = Number(rows.n) - 300;
    emit({
      database: "pglite",
      connections: CONNECTIONS,
      seconds: DURATION,
      reportsPerSecond: Math.round(r["2xx"] / DURATION),
      p50Ms: r.latency.p50,
      p90Ms: r.latency.p90,
      p99Ms: r.latency.p99,
      maxMs: r.latency.max,
      accepted201: r["2xx"],
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      rowsAdded: await count(),
      noneLost: (await count()) >= r["2xx"],
      ...checked,
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
