// Capture throughput against a loopback fixture site (a page, three linked images, two image
// links to private addresses that the guard refuses):
// - http_captures_per_s: the capture engine alone (fetch, redirects, media, hashing), no browser;
// - pipeline_captures_per_s: the whole job (engine + encrypted blob store + Ed25519-signed
//   manifest + database rows + audit events) on embedded PGlite, no browser, no TSA;
// - screenshots_per_min: full-page screenshots in headless Chromium, every request through the guard.
// Target (issue 4): ≥ 100 HTTP-only captures per second on 2 cores. Bounded in count and time.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pino from "pino";
import type { Deps } from "../src/modules/deps.ts";
import { Screenshotter } from "../src/modules/evidence/browser.ts";
import { captureUrlOnce } from "../src/modules/evidence/capture.ts";
import { buildEvidenceEnv, setEvidenceEnv } from "../src/modules/evidence/env.ts";
import * as evidence from "../src/modules/evidence/service.ts";
import * as identity from "../src/modules/identity/service.ts";
import { systemClock } from "../src/platform/clock.ts";
import { loadConfig } from "../src/platform/config.ts";
import { openDatabase } from "../src/platform/db.ts";
import { Fetcher } from "../src/platform/fetcher/fetcher.ts";
import { migrate } from "../src/platform/migrate.ts";

process.env.VANGRAIL_TEST_MODE = "1";
process.env.NODE_ENV = "test";
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "capture", ...o }));

async function timed(total: number, concurrency: number, maxMs: number, one: () => Promise<void>) {
  let done = 0;
  let started = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (started < total && performance.now() - t0 < maxMs) {
      started++;
      await one();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { done, seconds: (performance.now() - t0) / 1000 };
}

// The site runs in its own process, so its work does not count against the fetcher's.
const site = spawn(process.execPath, [fileURLToPath(new URL("./_fixture-child.ts", import.meta.url))], {
  stdio: ["pipe", "pipe", "inherit"],
});
const [line] = (await once(site.stdout, "data")) as [Buffer];
const fx = { url: line.toString().trim(), close: async () => void site.stdin.end() };
const dataDir = mkdtempSync(join(tmpdir(), "vg-bench-capture-"));
try {
  const fetcher = new Fetcher({ allowLoopback: true, perHostConcurrency: 16, timeoutMs: 10_000 });
  const limits = {
    maxMedia: 20,
    mediaMaxBytes: 10 * 1024 * 1024,
    screenshots: false,
    screenshotTimeoutMs: 10_000,
  };
  const tools = { fetcher, screenshotter: undefined, hashImage: undefined, limits };
  await timed(20, 4, 5000, async () => void (await captureUrlOnce(tools, `${fx.url}/start`, "keep")));
  // A page with three images (4 requests), and the same behind three redirects (7 requests).
  for (const [path, requests] of [
    ["/page.html", 4],
    ["/start", 7],
  ] as const) {
    const http = await timed(
      3000,
      8,
      10_000,
      async () => void (await captureUrlOnce(tools, `${fx.url}${path}`, "keep")),
    );
    emit({
      metric: "http_captures_per_s",
      value: Math.round(http.done / http.seconds),
      captures: http.done,
      path,
      requestsPerCapture: requests,
      target: 100,
    });
  }

  const config = loadConfig({
    NODE_ENV: "test",
    VANGRAIL_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    CAPTURE_SCREENSHOTS: "false",
  });
  const handle = await openDatabase({});
  await migrate(handle.pool);
  const deps = {
    db: handle.db,
    clock: systemClock,
    config,
    logger: pino({ level: "silent" }),
    masterKey: randomBytes(32),
    queue: undefined,
  } as unknown as Deps;
  setEvidenceEnv(deps, buildEvidenceEnv(deps, { allowLoopback: true, perHostConcurrency: 16 }));
  const org = await identity.createOrganisation(deps, { name: "Bench hotline", kind: "hotline" });
  const pipeline = await timed(500, 8, 15_000, async () => {
    const { captureId } = await evidence.captureUrl(deps, { url: `${fx.url}/start`, organisationId: org.id });
    await evidence.runCapture(deps, captureId);
  });
  emit({
    metric: "pipeline_captures_per_s",
    value: Math.round(pipeline.done / pipeline.seconds),
    captures: pipeline.done,
    database: "pglite",
  });
  await handle.close();

  const shooter = new Screenshotter(process.env.CAPTURE_BROWSER_PATH ?? "/usr/bin/chromium", fetcher);
  try {
    const page = await fetcher.fetch(`${fx.url}/page.html`);
    const shot = () =>
      shooter.take({
        url: page.finalUrl,
        html: page.body,
        contentType: "text/html; charset=utf-8",
        maxRequests: 30,
        maxBytesPerRequest: 10 * 1024 * 1024,
        timeoutMs: 15_000,
      });
    const t0 = performance.now();
    await shot();
    emit({
      metric: "first_screenshot_ms",
      value: Math.round(performance.now() - t0),
      note: "includes browser launch",
    });
    const shots = await timed(20, 2, 30_000, async () => void (await shot()));
    emit({
      metric: "screenshots_per_min",
      value: Math.round((shots.done / shots.seconds) * 60),
      screenshots: shots.done,
    });
  } finally {
    await shooter.close();
  }
} finally {
  await fx.close();
  rmSync(dataDir, { recursive: true, force: true });
}
