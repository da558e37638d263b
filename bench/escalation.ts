// The escalation engine at volume: N noticed URLs (default 5,000) spread over 10 platforms and
// 5 hosts. Timed: the tick that puts them all on their ladder; the tick two days later that
// sends every one its escalated reminder (one notice per party and 50 URLs, through the notices
// module); and an idle tick with every item on a ladder and nothing due (the cost of the
// five-minute cron). Checked after: one reminder per item, one transition per move. Runs on
// PostgreSQL (BENCH_DATABASE_URL, TEST_DATABASE_URL or scripts/test-postgres.sh) and PGlite.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import * as registry from "../src/modules/attribution/parties.ts";
import * as audit from "../src/modules/audit/service.ts";
import { createCaseInTx } from "../src/modules/cases/service.ts";
import type { Deps } from "../src/modules/deps.ts";
import { escalationTick } from "../src/modules/escalation/ladder.ts";
import * as identity from "../src/modules/identity/service.ts";
import * as notices from "../src/modules/notices/service.ts";
import { createBlobStore } from "../src/platform/blobstore/index.ts";
import { ManualClock } from "../src/platform/clock.ts";
import { loadConfig } from "../src/platform/config.ts";
import { openDatabase } from "../src/platform/db.ts";
import { migrate } from "../src/platform/migrate.ts";
import { scratchPostgres } from "./_postgres.ts";

process.env.NODE_ENV = "test";
const ITEMS = Number(process.env.BENCH_ESCALATION_ITEMS ?? 5_000);
const PER_CASE = 100;
const HOUR = 3_600_000;
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "escalation", ...o }));

async function run(database: "postgres" | "pglite", databaseUrl: string | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), `vg-bench-escalation-${database}-`));
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
    const masterKey = Buffer.alloc(32, 9);
    const deps: Deps = {
      db: handle.db,
      clock,
      config,
      logger: pino({ level: "silent" }),
      masterKey,
      queue: undefined,
      blobs: createBlobStore(config, masterKey),
    };
    const org = await identity.createOrganisation(deps, { name: "Bench hotline", kind: "hotline" });
    const operator = registry.operatorFor(org.id);
    const party = async (name: string, kind: "platform" | "hosting") => {
      const p = await registry.createParty(deps, operator, { name, kind, country: "DE", languages: ["en"] });
      await registry.addChannel(deps, operator, p.id, { kind: "email", address: `abuse@${name}.example` });
      return p.id;
    };
    const platforms = await Promise.all(
      Array.from({ length: 10 }, (_, i) => party(`platform-${i}`, "platform")),
    );
    const hosts = await Promise.all(Array.from({ length: 5 }, (_, i) => party(`host-${i}`, "hosting")));

    // Setup (not timed): cases of 100 URLs, attributed, each case noticed to its platform.
    const t0 = performance.now();
    for (let c = 0; c * PER_CASE < ITEMS; c++) {
      const made = await deps.db.transaction().execute((tx) =>
        createCaseInTx(tx, deps, audit.systemActor, {
          organisationId: org.id,
          category: "ncii",
          source: "staff",
          priority: "normal",
          urgentReasons: [],
          items: Array.from({ length: Math.min(PER_CASE, ITEMS - c * PER_CASE) }, (_, i) => ({
            kind: "url" as const,
            value: `https://site-${c % 10}.example/c${c}/i${i}`,
          })),
        }),
      );
      const now = clock.now();
      await deps.db
        .insertInto("attributions")
        .values(
          made.items.flatMap((item) => [
            {
              item_id: item.id,
              organisation_id: org.id,
              role: "platform" as const,
              party_id: platforms[c % 10] as string,
              source: "registry",
              resolved_at: now,
              expires_at: new Date(now.getTime() + 365 * 24 * HOUR),
            },
            {
              item_id: item.id,
              organisation_id: org.id,
              role: "hosting" as const,
              party_id: hosts[c % 5] as string,
              source: "registry",
              resolved_at: now,
              expires_at: new Date(now.getTime() + 365 * 24 * HOUR),
            },
          ]),
        )
        .execute();
      await notices.createNotices(
        deps,
        audit.systemActor,
        org.id,
        "ncii",
        made.items.map((i) => ({ id: i.id, value: i.value })),
        { roles: ["platform"] },
      );
    }
    emit({ database, phase: "setup", items: ITEMS, seconds: +((performance.now() - t0) / 1000).toFixed(1) });

    const timed = async (
      phase: string,
      expect: (r: Awaited<ReturnType<typeof escalationTick>>) => number,
    ) => {
      const s = performance.now();
      const r = await escalationTick(deps);
      const ms = performance.now() - s;
      const n = expect(r);
      emit({
        database,
        phase,
        items: n,
        ms: Math.round(ms),
        perSecond: n > 0 ? Math.round((n / ms) * 1000) : null,
      });
      return r;
    };
    const entered = await timed("enter", (r) => r.entered);
    if (entered.entered !== ITEMS) throw new Error(`entered ${entered.entered} of ${ITEMS}`);
    await timed("idle tick (nothing due)", () => 0);
    clock.advance(48 * HOUR);
    const moved = await timed("escalated reminder", (r) => r.noticed);
    if (moved.noticed !== ITEMS) throw new Error(`moved ${moved.noticed} of ${ITEMS}`);

    const reminders = await deps.db
      .selectFrom("notice_items")
      .select(({ fn }) => [fn.countAll<number>().as("n"), fn.count<number>("item_id").distinct().as("items")])
      .where("step", "=", "platform_reminder")
      .executeTakeFirstOrThrow();
    const notices2 = await deps.db
      .selectFrom("notices")
      .select(({ fn }) => fn.countAll<number>().as("n"))
      .where("step", "=", "platform_reminder")
      .executeTakeFirstOrThrow();
    const transitions = await deps.db
      .selectFrom("escalation_transitions")
      .select(({ fn }) => fn.countAll<number>().as("n"))
      .where("to_step", "=", "platform_reminder")
      .executeTakeFirstOrThrow();
    emit({
      database,
      check: "one reminder per item",
      reminders: Number(reminders.n),
      distinctItems: Number(reminders.items),
      reminderNotices: Number(notices2.n),
      transitions: Number(transitions.n),
      ok:
        Number(reminders.n) === ITEMS && Number(reminders.items) === ITEMS && Number(transitions.n) === ITEMS,
    });
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const pgdb = await scratchPostgres("escalation").catch(() => undefined);
if (pgdb) {
  try {
    await run("postgres", pgdb.url);
  } finally {
    await pgdb.drop();
  }
} else emit({ database: "postgres", skipped: "no PostgreSQL server" });
await run("pglite", undefined);
