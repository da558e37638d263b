// Start-up time and memory of `vangrail serve` on the embedded defaults: a cold first start
// (empty data folder: migrations and queue schema) and a warm start, memory after 10 s idle,
// and request latency of /healthz and of an authenticated API call.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CLI, ROOT } from "../test/support/server.ts";

const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "startup", ...o }));

async function start(dataDir: string) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, "serve"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      VANGRAIL_DATA_DIR: dataDir,
      VANGRAIL_SETUP_CODE: "BENCH-SETUP-CODE",
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = /"port":(\d+),"startupMs":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (c) => reject(new Error(`exited ${c}: ${out}`)));
  });
  const ms = performance.now() - t0;
  return { child, port, ms };
}

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : null;
};

async function latency(url: string, n: number, init?: RequestInit) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(url, init);
    await res.arrayBuffer();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => Math.round((times[Math.floor(p * (times.length - 1))] ?? 0) * 100) / 100;
  return {
    n,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    perSecond: Math.round(n / (times.reduce((a, b) => a + b, 0) / 1000)),
  };
}

const dataDir = mkdtempSync(join(tmpdir(), "vg-bench-"));
try {
  const cold = await start(dataDir);
  emit({ case: "cold start (empty data folder), spawn to listening", ms: Math.round(cold.ms) });
  const stopped = new Promise((r) => cold.child.once("exit", r));
  cold.child.kill("SIGTERM");
  await stopped;

  const warm = await start(dataDir);
  emit({ case: "warm start, spawn to listening", ms: Math.round(warm.ms) });
  await new Promise((r) => setTimeout(r, 10_000));
  emit({ case: "memory after 10 s idle", rssMiB: rssMiB(warm.child.pid as number) });

  const base = `http://127.0.0.1:${warm.port}`;
  emit({ case: "GET /healthz sequential", ...(await latency(`${base}/healthz`, 500)) });
  // An authenticated call: set up a platform organisation (no MFA), log in, read the organisation.
  await fetch(`${base}/api/v1/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      setupCode: "BENCH-SETUP-CODE",
      organisation: { name: "Bench Platform", kind: "platform" },
      admin: { displayName: "Bench", email: "bench@bench.example", password: "bench-password-123" },
    }),
  });
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@bench.example", password: "bench-password-123" }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  emit({
    case: "GET /api/v1/organisations/current with a session, sequential",
    ...(await latency(`${base}/api/v1/organisations/current`, 500, { headers: { cookie } })),
  });
  emit({ case: "memory after the requests", rssMiB: rssMiB(warm.child.pid as number) });
  warm.child.kill("SIGTERM");
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
