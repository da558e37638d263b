// A real `vangrail serve` process on a free port with a fresh data folder, for browser tests
// and anything that must see the whole program as an operator starts it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(ROOT, "bin", "vangrail.mjs");

export interface TestServer {
  url: string;
  kill(signal: NodeJS.Signals): void;
  exited(): Promise<void>;
  setupCode: string | null;
  dataDir: string;
  output(): string;
  close(): Promise<void>;
}

export async function startTestServer(
  opts: { env?: Record<string, string>; args?: string[]; timeoutMs?: number } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "vg-server-"));
  const setupCode = "E2E-SETUP-CODE-42";
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, "serve", "--build-web-if-missing", ...(opts.args ?? [])],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "test",
        PORT: "0",
        HOST: "127.0.0.1",
        VANGRAIL_DATA_DIR: dataDir,
        VANGRAIL_SETUP_CODE: setupCode,
        LOG_LEVEL: "info",
        DATABASE_URL: "",
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Nobody gets a handle to a server that did not start: stop it here, or its pipes keep
      // the test process alive for ever after the failure.
      child.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));
      child.kill("SIGKILL");
      reject(new Error(`server did not start:\n${out}`));
    }, opts.timeoutMs ?? 60_000);
    const check = () => {
      const m = /"port":(\d+),"startupMs"/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    setupCode: opts.env?.VANGRAIL_SETUP_CODE ?? setupCode,
    dataDir,
    output: () => out,
    kill: (signal) => child.kill(signal),
    exited: () =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((r) => child.once("exit", () => r())),
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
