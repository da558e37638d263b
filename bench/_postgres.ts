// A throwaway PostgreSQL database for one benchmark run: on BENCH_DATABASE_URL or
// TEST_DATABASE_URL, else on the local test server that scripts/test-postgres.sh starts.
// Undefined when there is no server; `drop()` removes the database again.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function scratchPostgres(tag: string): Promise<ScratchDatabase | undefined> {
  let server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!server) {
    const r = spawnSync("bash", [join(ROOT, "scripts/test-postgres.sh")], { encoding: "utf8" });
    server = r.status === 0 ? r.stdout.trim() : undefined;
  }
  if (!server) return undefined;
  const name = `vg_bench_${tag}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
