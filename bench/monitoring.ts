// Monitoring at volume: items on 100 hosts (loopback addresses 127.0.0.10–109) all due at once
// are re-checked by one worker through the safe fetcher, against a site in its own process that
// answers every request after 100 ms, with the shipped politeness (at most 2 checks at once and
// 250 ms between starts per host). Reports checks per second and what the site saw per host.
// Runs on PostgreSQL (BENCH_DATABASE_URL, TEST_DATABASE_URL or scripts/test-postgres.sh) and on
// PGlite. Target (issue 7): at least 200 re-checks per second on 2 cores.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pino from "pino";
import * as audit from "../src/modules/audit/service.ts";
import { createCaseInTx } from "../src/modules/cases/service.ts";
import type { Deps } from "../src/modules/deps.ts";
import * as identity from "../src/modules/identity/service.ts";
import { buildMonitoringEnv, setMonitoringEnv } from "../src/modules/monitoring/env.ts";
import * as monitoring from "../src/modules/monitoring/service.ts";
import { createBlobStore } from "../src/platform/blobstore/index.ts";
import { ManualClock } from "../src/platform/clock.ts";
import { loadConfig } from "../src/platform/config.ts";
import { openDatabase } from "../src/platform/db.ts";
import { migrate } from "../src/platform/migrate.ts";
import { scratchPostgres } from "./_postgres.ts";

process.env.VANGRAIL_TEST_MODE = "1";
process.env.NODE_ENV = "test";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ITEMS = Number(process.env.BENCH_MONITORING_ITEMS ?? 6000);
const HOSTS = Number(process.env.BENCH_MONITORING_HOSTS ?? 100);
const LATENCY_MS = 100;
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "monitoring", ...o }));
const addresses = Array.from(
  { length: HOSTS },
  (_, i) => `127.0.${Math.floor((10 + i) / 250)}.${(10 + i) % 250}`,
);

async function startSite(): Promise<{ port: number; stop(): Promise<Record<string, unknown>> }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bench/_monitor-site-child.ts"), addresses.join(","), String(LATENCY_MS)],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  const port = Number((await it.next()).value);
  return {
    port,
    async stop() {
      child.stdin.end();
      const stats = (await it.next()).value as string;
      return JSON.parse(stats) as Record<string, unknown>;
    },
  };
}

async function run(database: "postgres" | "pglite", databaseUrl: string | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), `vg-bench-monitoring-${database}-`));
  const site = await startSite();
  const config = loadConfig({
    NODE_ENV: "test",
    VANGRAIL_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const handle = await openDatabase({ databaseUrl, dataDir: databaseUrl ? undefined : dataDir, poolMax: 8 });
  try {
    await migrate(handle.pool);
    const clock = new ManualClock(new Date());
    const masterKey = Buffer.alloc(32, 7);
    const deps: Deps = {
      db: handle.db,
      clock,
      config,
      logger: pino({ level: "silent" }),
      masterKey,
      queue: undefined,
      blobs: createBlobStore(config, masterKey),
    };
    // The shipped policy; only the loopback exception is added for the local site.
    setMonitoringEnv(deps, buildMonitoringEnv(deps, { fetcher: { allowLoopback: true } }));
    const policy = buildMonitoringEnv(deps).policy;
    const org = await identity.createOrganisation(deps, { name: "Bench hotline", kind: "hotline" });

    // Setup (not timed): cases of 100 URLs over the hosts, on the schedule and due now.
    for (let c = 0; c * 100 < ITEMS; c++) {
      await deps.db.transaction().execute(async (tx) => {
        const made = await createCaseInTx(tx, deps, audit.systemActor, {
          organisationId: org.id,
          category: "ncii",
          source: "import",
          priority: "normal",
          urgentReasons: [],
          items: Array.from({ length: Math.min(100, ITEMS - c * 100) }, (_, i) => {
            const n = c * 100 + i;
            return { kind: "url" as const, value: `http://${addresses[n % HOSTS]}:${site.port}/p/${n}` };
          }),
        });
        await monitoring.startMonitoring(tx, deps, org.id, made.items);
      });
    }
    clock.advance(6 * 3_600_000);

    const mem0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const r = await monitoring.runAllDue(deps, { maxMs: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    const seen = await site.stop();
    const checks = Number(
      (
        await deps.db
          .selectFrom("item_checks")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const twice = await deps.db
      .selectFrom("item_checks")
      .select("item_id")
      .groupBy("item_id")
      .having((eb) => eb.fn.countAll(), ">", 1)
      .execute();
    const verified = await audit.verify(deps.db);
    const perSecond = r.checked / seconds;
    emit({
      database,
      items: ITEMS,
      hosts: HOSTS,
      latency_ms: LATENCY_MS,
      politeness: policy.politeness,
      lanes: policy.worker.lanes,
      concurrency: policy.worker.concurrency,
      checked: r.checked,
      online: r.online,
      errors: r.errors,
      rows_written: checks,
      items_checked_twice: twice.length,
      audit_chain_ok: verified.ok,
      site: seen,
      seconds: +seconds.toFixed(2),
      checks_per_s: Math.round(perSecond),
      // The politeness ceiling: hosts × min(concurrency / latency, 1 / spacing).
      polite_ceiling_per_s: Math.round(
        HOSTS *
          Math.min(
            policy.politeness.perHostConcurrency / (LATENCY_MS / 1000),
            policy.politeness.minSpacingMs > 0
              ? 1000 / policy.politeness.minSpacingMs
              : Number.POSITIVE_INFINITY,
          ),
      ),
      per_day: Math.round(perSecond * 86_400),
      rss_mib_delta: Math.round((process.memoryUsage().rss - mem0) / 2 ** 20),
      target_per_s: 200,
      met: perSecond >= 200 && twice.length === 0 && r.checked === ITEMS,
    });
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const scratch = await scratchPostgres("monitoring");
if (scratch) {
  try {
    await run("postgres", scratch.url);
  } finally {
    await scratch.drop();
  }
} else emit({ database: "postgres", skipped: "no PostgreSQL server (set BENCH_DATABASE_URL)" });

await run("pglite", undefined);
