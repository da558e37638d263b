// Enforcement requests: the Awb clock as a pure function (clocks per second), the clock job over
// N requests whose terms all lapse at once on PGlite (each: lapse, notice of default drafted and
// stored as a blob, audit events), and printing a dossier to PDF in Chromium (cold and warm).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import type { Deps } from "../src/modules/deps.ts";
import { clock, decisionTermEnd, loadPenaltyTable } from "../src/modules/escalation/awb.ts";
import { dossierHtml, PdfPrinter } from "../src/modules/escalation/dossier.ts";
import { runClock } from "../src/modules/escalation/enforcement.ts";
import { createOrganisation } from "../src/modules/identity/service.ts";
import { createBlobStore } from "../src/platform/blobstore/index.ts";
import { ManualClock } from "../src/platform/clock.ts";
import { loadConfig } from "../src/platform/config.ts";
import { openDatabase } from "../src/platform/db.ts";
import { migrate } from "../src/platform/migrate.ts";

const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "enforcement", ...o }));

// 1. The pure clock.
{
  const table = loadPenaltyTable();
  const received = new Date("2026-01-05T09:00:00Z");
  const input = {
    termApplies: true,
    receivedAt: received,
    termEndsAt: decisionTermEnd(received, 8),
    decidedAt: null,
    withdrawnAt: null,
    defaultReceivedAt: new Date("2026-03-04T10:00:00Z"),
  };
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) clock(table, input, new Date(Date.UTC(2026, 2, 1 + (i % 90), 12)));
  const ms = performance.now() - t0;
  emit({
    measure: "awb_clock",
    n,
    perSecond: Math.round((n / ms) * 1000),
    usPerClock: Number(((ms * 1000) / n).toFixed(1)),
  });
}

// 2. The clock job on PGlite.
{
  const dataDir = mkdtempSync(join(tmpdir(), "vg-bench-enf-"));
  const config = loadConfig({ NODE_ENV: "test", VANGRAIL_DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const handle = await openDatabase({});
  await migrate(handle.pool);
  const masterKey = Buffer.alloc(32, 7);
  const mclock = new ManualClock("2026-01-05T09:00:00Z");
  const deps: Deps = {
    db: handle.db,
    clock: mclock,
    config,
    logger: pino({ level: "silent" }),
    masterKey,
    queue: undefined,
    blobs: createBlobStore(config, masterKey),
  };
  const org = await createOrganisation(deps, { name: "Bench hotline", kind: "hotline" });
  await handle.db
    .insertInto("enforcement_settings")
    .values({
      organisation_id: org.id,
      postal_address: "Postbus 1\n1000 AA Amsterdam",
      updated_at: mclock.now(),
    })
    .execute();
  const n = Number(process.env.BENCH_REQUESTS ?? 300);
  const now = mclock.now();
  const termEndsAt = decisionTermEnd(now, 8);
  await handle.db
    .insertInto("enforcement_requests")
    .values(
      Array.from({ length: n }, (_, i) => ({
        organisation_id: org.id,
        regulator: "acm",
        party_id: null,
        step: `bench-${i}`,
        item_set_sha256: "0".repeat(64),
        status: "received" as const,
        decision_requested: "Handhaven.",
        facts: "Feiten.",
        term_applies: true,
        term_weeks: 8,
        created_at: now,
        filed_at: now,
        received_at: now,
        term_ends_at: termEndsAt,
        updated_at: now,
      })),
    )
    .execute();
  mclock.set(new Date(termEndsAt.getTime() + 3_600_000));
  let t0 = performance.now();
  const first = await runClock(deps, n);
  const lapseMs = performance.now() - t0;
  t0 = performance.now();
  const again = await runClock(deps, n);
  const idleMs = performance.now() - t0;
  emit({
    measure: "clock_job_pglite",
    requests: n,
    lapsed: first.lapsed,
    drafted: first.drafted,
    msTotal: Math.round(lapseMs),
    msPerRequest: Number((lapseMs / n).toFixed(2)),
    secondRunMs: Math.round(idleMs),
    secondRunLapsed: again.lapsed,
  });
  await handle.close();
  rmSync(dataDir, { recursive: true, force: true });
}

// 3. Printing a dossier.
{
  const printer = new PdfPrinter(process.env.CAPTURE_BROWSER_PATH ?? "/usr/bin/chromium");
  const html = dossierHtml({
    reference: "VGE-BENCH00001",
    language: "nl",
    requestKind: "handhavingsverzoek",
    date: "2026-03-01",
    regulatorName: "Autoriteit Consument & Markt (ACM)",
    legalBasis: [{ ref: "DSA art. 53", text: "Klacht." }],
    awbTerm: true,
    applicant: { name: "Meldpunt", address: "Postbus 1\n1000 AA Amsterdam", email: null },
    party: { name: "Fotodeel B.V.", country: "NL" },
    decisionRequested: "Handhaven.",
    facts: "Feiten.\n\nMeer feiten.",
    cases: [
      {
        caseId: "c",
        caseReference: "VG-000001",
        category: "ncii",
        items: Array.from({ length: 50 }, (_, i) => ({
          id: String(i),
          url: `https://fotodeel.example/p/${i}`,
          status: "notice_sent",
        })),
      },
    ],
    chronology: Array.from({ length: 300 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      action: "notice.notice_sent",
      label: "Melding verzonden",
      subject: `VGN-${i}`,
      detail: "recipient: abuse@fotodeel.example",
    })),
    checks: 0,
    bundles: [],
    signedBy: "Supervisor",
    signedAt: "2026-03-01",
  });
  let t0 = performance.now();
  const cold = await printer.print(html, "VGE-BENCH00001");
  const coldMs = performance.now() - t0;
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    await printer.print(html, "VGE-BENCH00001");
    warm.push(performance.now() - t0);
  }
  await printer.close();
  warm.sort((a, b) => a - b);
  emit({
    measure: "dossier_pdf",
    urls: 50,
    chronologyRows: 300,
    htmlBytes: Buffer.byteLength(html),
    pdfBytes: cold.length,
    coldMs: Math.round(coldMs),
    warmMedianMs: Math.round(warm[2] ?? 0),
  });
}
