// Attribution and notices at volume: 10,000 reported URLs on the simulation's fictional parties
// (four platforms recognised by domain pattern, one host found through DNS → IP → RDAP) are
// attributed, put into notices (one per party and 20 URLs), and every notice is delivered by
// SMTP to a local server. RDAP answers come from a local RDAP server; its answers are cached
// after the first lookups, as in steady operation. Runs on PostgreSQL (BENCH_DATABASE_URL,
// TEST_DATABASE_URL or scripts/test-postgres.sh) and on PGlite.
// Target (issue 6): 10,000 items attributed and noticed in under 5 minutes on 2 cores.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { buildAttributionEnv, setAttributionEnv } from "../src/modules/attribution/env.ts";
import { attributeItems } from "../src/modules/attribution/service.ts";
import * as audit from "../src/modules/audit/service.ts";
import { createCaseInTx } from "../src/modules/cases/service.ts";
import { preparePeers, registerSimParty } from "../src/modules/demo/simulation/run.ts";
import { simParties } from "../src/modules/demo/simulation/world.ts";
import type { Deps } from "../src/modules/deps.ts";
import * as identity from "../src/modules/identity/service.ts";
import * as notices from "../src/modules/notices/service.ts";
import { createTransport } from "../src/modules/notices/transport.ts";
import { createBlobStore } from "../src/platform/blobstore/index.ts";
import { ManualClock } from "../src/platform/clock.ts";
import { loadConfig } from "../src/platform/config.ts";
import { openDatabase } from "../src/platform/db.ts";
import { migrate } from "../src/platform/migrate.ts";
import { scratchPostgres } from "./_postgres.ts";

process.env.VANGRAIL_TEST_MODE = "1";
process.env.NODE_ENV = "test";
const ITEMS = Number(process.env.BENCH_NOTICE_ITEMS ?? 10_000);
const PER_CASE = 100;
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "notices", ...o }));

async function run(database: "postgres" | "pglite", databaseUrl: string | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), `vg-bench-notices-${database}-`));
  const peers = await preparePeers(dataDir);
  peers.smtp.refuse.clear(); // every party reachable: this measures throughput, not bounces
  const config = loadConfig({
    NODE_ENV: "test",
    VANGRAIL_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...peers.env,
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
    setAttributionEnv(
      deps,
      buildAttributionEnv(deps, {
        bootstrapDir: peers.env.RDAP_BOOTSTRAP_DIR,
        resolver: async (host) => peers.resolve(host),
        fetcher: { allowLoopback: true },
        loopbackHosts: true,
      }),
    );
    notices.setNoticeEnv(deps, { transport: createTransport(config, { fetcher: { allowLoopback: true } }) });
    const org = await identity.createOrganisation(deps, { name: "Bench hotline", kind: "hotline" });
    for (const p of simParties) await registerSimParty(deps, org.id, p);

    // Setup (not timed): cases of 100 URLs spread over the parties' domains.
    const domains = simParties.flatMap((p) => p.domains);
    const cases: { caseId: string; items: { id: string; value: string }[] }[] = [];
    for (let c = 0; c * PER_CASE < ITEMS; c++) {
      const made = await deps.db.transaction().execute((tx) =>
        createCaseInTx(tx, deps, audit.systemActor, {
          organisationId: org.id,
          category: "ncii",
          source: "import",
          priority: "normal",
          urgentReasons: [],
          items: Array.from({ length: Math.min(PER_CASE, ITEMS - c * PER_CASE) }, (_, i) => ({
            kind: "url" as const,
            value: `http://${domains[(c * PER_CASE + i) % domains.length]}/p/${c}-${i}`,
          })),
        }),
      );
      cases.push({ caseId: made.case.id, items: made.items.map((i) => ({ id: i.id, value: i.value })) });
    }
    // Warm the RDAP cache with one case, as in steady operation.
    await attributeItems(
      deps,
      org.id,
      (cases[0]?.items ?? []).map((i) => i.id),
    );

    const mem0 = process.memoryUsage().rss;
    const t0 = performance.now();
    for (let at = 0; at < cases.length; at += 5) {
      const batch = cases.slice(at, at + 5);
      await attributeItems(
        deps,
        org.id,
        batch.flatMap((c) => c.items.map((i) => i.id)),
      );
    }
    const tAttributed = performance.now();
    let created = 0;
    for (const c of cases)
      created += (
        await notices.createNotices(deps, audit.systemActor, org.id, "ncii", c.items, { caseId: c.caseId })
      ).created.length;
    const tCreated = performance.now();
    const delivered = await notices.deliverAll(deps, 1_000_000);
    const tDelivered = performance.now();
    const until = Date.now() + 20_000;
    while (peers.smtp.inbox.length < delivered.sent && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    const total = (tDelivered - t0) / 1000;
    emit({
      database,
      items: ITEMS,
      notices: created,
      delivered: delivered.sent,
      received_by_smtp_peer: peers.smtp.inbox.length,
      attribute_s: +((tAttributed - t0) / 1000).toFixed(1),
      compose_s: +((tCreated - tAttributed) / 1000).toFixed(1),
      deliver_s: +((tDelivered - tCreated) / 1000).toFixed(1),
      total_s: +total.toFixed(1),
      items_per_min: Math.round((ITEMS / total) * 60),
      notices_delivered_per_min: Math.round((delivered.sent / ((tDelivered - tCreated) / 1000)) * 60),
      rss_mib_delta: Math.round((process.memoryUsage().rss - mem0) / 2 ** 20),
      target_s: 300,
      met: total < 300,
    });
    notices.closeNoticeEnv(deps);
  } finally {
    await handle.close();
    await peers.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const scratch = await scratchPostgres("notices");
if (scratch) {
  try {
    await run("postgres", scratch.url);
  } finally {
    await scratch.drop();
  }
} else emit({ database: "postgres", skipped: "no PostgreSQL server (set BENCH_DATABASE_URL)" });

await run("pglite", undefined);
