// Time to compute all figures (per party, category, month and the trends) and the trusted
// flagger's yearly report over a large history, generated in SQL with generate_series so the
// setup takes a minute, not an hour. PostgreSQL: 1 M items and 3 M events (0.5 M notices, 1 M
// notice items, 0.5 M responses, 1 M monitoring checks) over 0.5 M cases and 50 parties.
// PGlite: a tenth of that (BENCH_PGLITE_ITEMS), since it runs in one WASM thread in this process.
// Target (issue 8): < 10 s for all figures and the yearly report on PostgreSQL.
// PostgreSQL: BENCH_DATABASE_URL, or TEST_DATABASE_URL's server, or scripts/test-postgres.sh's.
// BENCH_ITEMS changes the PostgreSQL size (items; every other table scales with it).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pino from "pino";
import type { Deps } from "../src/modules/deps.ts";
import * as reporting from "../src/modules/reporting/service.ts";
import { createBlobStore } from "../src/platform/blobstore/index.ts";
import { ManualClock } from "../src/platform/clock.ts";
import { loadConfig } from "../src/platform/config.ts";
import { type DatabaseHandle, openDatabase } from "../src/platform/db.ts";
import { migrate } from "../src/platform/migrate.ts";
import { scratchPostgres } from "./_postgres.ts";

const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "reporting", ...o }));

const PARTIES = 50;
const CATEGORIES = [
  "ncii",
  "sextortion",
  "deepfake",
  "nudify_service",
  "csam",
  "grooming",
  "sexual_harassment",
  "doxing",
  "exposure_list",
];

/** The history, in SQL: two items per case, one notice per case covering both. */
function generation(org: string, items: number): string[] {
  const cases = Math.floor(items / 2);
  const cats = `array[${CATEGORIES.map((c) => `'${c}'`).join(",")}]`;
  // Case g opens g minutes after the start of 2025 (0.5 M cases span the year); its notice goes
  // out 30 minutes later (1 in 100 is never sent); the deadline is 24 h after that.
  const created = (g: string) => `(timestamptz '2025-01-01 00:00:00+00' + (${g}) * interval '1 minute')`;
  const sent = (g: string) => `(${created(g)} + interval '30 minutes')`;
  const party = (g: string) => `md5('party' || (1 + (${g}) % ${PARTIES}))::uuid`;
  return [
    `insert into parties (id, organisation_id, name, kind, country, created_at, updated_at)
     select md5('party' || g)::uuid, '${org}', 'Bench party ' || g, 'platform', 'NL', now(), now()
       from generate_series(1, ${PARTIES}) g`,
    `insert into cases (id, organisation_id, category, taxonomy_version, priority, urgent_reasons, status, source, created_at, updated_at)
     select md5('case' || g)::uuid, '${org}', (${cats})[1 + g % 9], '2026-11-1', 'normal', '{}', 'in_progress', 'staff',
            ${created("g")}, ${created("g")}
       from generate_series(1, ${cases}) g`,
    // Item g belongs to case (g + 1) / 2. 7 in 10 are verified removed, spread over up to 12
    // days after the notice; 1 in 50 was removed before the notice went out.
    `insert into items (id, organisation_id, kind, value, normalized, host, status, created_at, updated_at, removed_at)
     select md5('item' || g)::uuid, '${org}', 'url', 'https://bench.example/' || g, 'https://bench.example/' || g,
            'bench.example', 'notice_sent', ${created("(g + 1) / 2")}, ${created("(g + 1) / 2")},
            case when g % 50 = 0 then ${created("(g + 1) / 2")} + interval '10 minutes'
                 when g % 10 < 7 then ${sent("(g + 1) / 2")} + ((g::bigint * 7919) % 1000000) * interval '1 second' end
       from generate_series(1, ${items}) g`,
    `insert into case_items (case_id, item_id, added_at)
     select md5('case' || ((g + 1) / 2))::uuid, md5('item' || g)::uuid, ${created("(g + 1) / 2")}
       from generate_series(1, ${items}) g`,
    `insert into notices (id, organisation_id, party_id, step, category, language, status, response_token_hash,
                          response_token_sealed, subject, body_text, body_html, attachment_kind, attachment,
                          deadline_at, created_at, sent_at, acknowledged_at, answered_at)
     select md5('notice' || g)::uuid, '${org}', ${party("g")}, 'platform', (${cats})[1 + g % 9], 'en', 'sent',
            md5('token' || g) || md5('hash' || g), 'sealed', 'Notice', 'Notice', '<p>Notice</p>', 'vangrail', '{}',
            ${sent("g")} + interval '24 hours', ${created("g")},
            case when g % 100 <> 0 then ${sent("g")} end,
            case when g % 100 <> 0 and g % 5 < 4 then ${sent("g")} + ((g * 37) % 7200) * interval '1 second' end,
            case when g % 100 <> 0 and g % 3 < 2 then ${sent("g")} + ((g * 53) % 86400) * interval '1 second' end
       from generate_series(1, ${cases}) g`,
    `insert into notice_items (notice_id, item_id, party_id, step, deadline_at, outcome, outcome_at)
     select md5('notice' || ((g + 1) / 2))::uuid, md5('item' || g)::uuid, ${party("(g + 1) / 2")}, 'platform',
            ${sent("(g + 1) / 2")} + interval '24 hours',
            case g % 4 when 0 then 'removed' when 1 then 'refused' end,
            case when g % 4 < 2 then ${sent("(g + 1) / 2")} + interval '2 hours' end
       from generate_series(1, ${items}) g`,
    `insert into notice_responses (notice_id, kind, item_ids, via, received_at)
     select md5('notice' || g)::uuid, 'acknowledged', '{}', 'api', ${sent("g")} + interval '1 hour'
       from generate_series(1, ${cases}) g`,
    `insert into item_checks (organisation_id, item_id, checked_at, verdict, reason, fetcher, record_sha256)
     select '${org}', md5('item' || g)::uuid, ${sent("(g + 1) / 2")} + interval '1 hour',
            case when g % 10 < 7 then 'removed' else 'online' end, 'bench', 'bench',
            md5('check' || g) || md5('record' || g)
       from generate_series(1, ${items}) g`,
    "analyze",
  ];
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, Math.round(performance.now() - t0)];
}

async function run(backend: "postgres" | "pglite", handle: DatabaseHandle, items: number) {
  await migrate(handle.pool);
  const org = (
    await handle.db
      .insertInto("organisations")
      .values({ name: "Bench Meldpunt", kind: "hotline", trusted_flagger: true })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  const t0 = performance.now();
  const steps: Record<string, number> = {};
  for (const statement of generation(org, items)) {
    const s0 = performance.now();
    await sql.raw(statement).execute(handle.db);
    const table = /insert into (\w+)/.exec(statement)?.[1] ?? statement;
    steps[table] = Math.round(performance.now() - s0);
  }
  const counts = (
    await sql<Record<string, number>>`
      select (select count(*) from items)::int as items, (select count(*) from notices)::int as notices,
             (select count(*) from notice_items)::int as notice_items,
             (select count(*) from notice_responses)::int as responses,
             (select count(*) from item_checks)::int as checks,
             (select count(*) from notice_items ni join notices n on n.id = ni.notice_id
               where n.sent_at is not null)::int as noticed`.execute(handle.db)
  ).rows[0] as Record<string, number>;
  const events =
    (counts.notices ?? 0) + (counts.notice_items ?? 0) + (counts.responses ?? 0) + (counts.checks ?? 0);
  emit({ backend, step: "setup", ...counts, events, setupMs: Math.round(performance.now() - t0), steps });

  const dataDir = mkdtempSync(join(tmpdir(), "vg-bench-reporting-"));
  const config = loadConfig({ NODE_ENV: "test", VANGRAIL_DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const masterKey = randomBytes(32);
  const deps: Deps = {
    db: handle.db,
    clock: new ManualClock("2026-03-01T00:00:00Z"),
    config,
    logger: pino({ level: "silent" }),
    masterKey,
    queue: undefined,
    blobs: createBlobStore(config, masterKey),
  };
  try {
    for (const round of ["cold", "warm"]) {
      const [figures, figuresMs] = await time(() => reporting.computeFigures(deps, org, {}));
      const [yearly, yearlyMs] = await time(() => reporting.buildTrustedFlaggerReport(deps, org, 2025));
      const [, filteredMs] = await time(() =>
        reporting.computeFigures(deps, org, {
          from: new Date("2025-04-01T00:00:00Z"),
          to: new Date("2025-07-01T00:00:00Z"),
          partyId: figures.parties[0]?.partyId,
        }),
      );
      const [registration, registrationMs] = await time(() =>
        reporting.buildRegistrationExport(
          deps,
          org,
          new Date("2025-01-01T00:00:00Z"),
          new Date("2026-01-01T00:00:00Z"),
        ),
      );
      const sum = (xs: { notices: number }[]) => xs.reduce((s, x) => s + x.notices, 0);
      // What was computed is checked, so a fast wrong answer does not pass for a result.
      const ok =
        figures.total.items === counts.noticed &&
        figures.parties.length === PARTIES &&
        sum(yearly.report.byProvider) === yearly.total &&
        sum(yearly.report.byType) === yearly.total &&
        sum(yearly.report.byAction) === yearly.total &&
        registration.rows.reduce((s, r) => s + r.cases, 0) === Math.floor(items / 2);
      emit({
        backend,
        round,
        items: counts.items,
        events,
        figuresMs,
        yearlyReportMs: yearlyMs,
        allFiguresAndYearlyMs: figuresMs + yearlyMs,
        filteredFiguresMs: filteredMs,
        registrationExportMs: registrationMs,
        notices: figures.total.notices,
        removalMedianHours: Math.round(((figures.total.removalMedianSeconds ?? 0) / 3600) * 10) / 10,
        yearlyNotices: yearly.total,
        consistent: ok,
        targetMs: backend === "postgres" ? 10_000 : undefined,
      });
      if (!ok) process.exitCode = 1;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const scratch = await scratchPostgres("reporting");
if (!scratch) throw new Error("bench/reporting needs PostgreSQL (set BENCH_DATABASE_URL)");
{
  const handle = await openDatabase({ databaseUrl: scratch.url, poolMax: 4 });
  try {
    await run("postgres", handle, Number(process.env.BENCH_ITEMS ?? 1_000_000));
  } finally {
    await handle.close();
    await scratch.drop();
  }
}
if (process.env.BENCH_SKIP_PGLITE !== "1") {
  const handle = await openDatabase({});
  try {
    await run("pglite", handle, Number(process.env.BENCH_PGLITE_ITEMS ?? 100_000));
  } finally {
    await handle.close();
  }
}
