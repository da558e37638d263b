// Migrations from an empty database, on every backend; safe when two processes start at once.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { openDatabase } from "../src/platform/db.ts";
import { MigrationError, migrate, readMigrations } from "../src/platform/migrate.ts";
import { backends, createPostgresDatabase } from "./support/db.ts";
import { CLI, ROOT } from "./support/server.ts";

const files = readMigrations();

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warn", DATABASE_URL: "", ...env },
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

for (const backend of backends) {
  describe(`migrations on ${backend.name}`, () => {
    test("from empty: every file applied once, in order; a second run applies nothing", async () => {
      const { handle, drop } = await backend.create();
      try {
        const first = await migrate(handle.pool);
        assert.deepEqual(
          first.applied,
          files.map((f) => f.name),
        );
        const rows = await handle.db
          .selectFrom("schema_migrations")
          .select(["version", "checksum"])
          .orderBy("version")
          .execute();
        assert.deepEqual(
          rows.map((r) => r.version),
          files.map((f) => f.version),
        );
        const tables = await sql<{ table_name: string }>`
          select table_name from information_schema.tables where table_schema = 'public'`.execute(handle.db);
        const names = tables.rows.map((r) => r.table_name);
        for (const t of ["organisations", "users", "sessions", "api_tokens", "audit_events"])
          assert.ok(names.includes(t), t);
        assert.deepEqual((await migrate(handle.pool)).applied, []);
      } finally {
        await handle.close();
        await drop();
      }
    });

    test("a landed migration that was edited stops the run", async () => {
      const { handle, drop } = await backend.create();
      try {
        await migrate(handle.pool);
        const edited = files.map((f, i) => (i === 0 ? { ...f, checksum: "0".repeat(64) } : f));
        await assert.rejects(
          migrate(handle.pool, edited),
          (e: Error) => e instanceof MigrationError && /was changed/.test(e.message),
        );
      } finally {
        await handle.close();
        await drop();
      }
    });

    test("a failing migration rolls back whole and names itself", async () => {
      const { handle, drop } = await backend.create();
      try {
        await migrate(handle.pool);
        const bad = [
          ...files,
          {
            version: 9999,
            name: "9999_bad.sql",
            sql: "create table t_ok (x int); select * from nope;",
            checksum: "x",
          },
        ];
        await assert.rejects(migrate(handle.pool, bad), /9999_bad\.sql failed/);
        const exists = await sql<{
          n: number;
        }>`select count(*)::int as n from information_schema.tables where table_name = 't_ok'`.execute(
          handle.db,
        );
        assert.equal(exists.rows[0]?.n, 0);
      } finally {
        await handle.close();
        await drop();
      }
    });
  });
}

if (process.env.TEST_DATABASE_URL) {
  test("two processes migrating one PostgreSQL database at once both succeed; each file is applied once", async () => {
    const db = await createPostgresDatabase();
    try {
      const dataDir = mkdtempSync(join(tmpdir(), "vg-mig-"));
      const env = { DATABASE_URL: db.url, VANGRAIL_DATA_DIR: dataDir };
      const [a, b] = await Promise.all([runCli(["migrate"], env), runCli(["migrate"], env)]);
      assert.equal(a.code, 0, a.out);
      assert.equal(b.code, 0, b.out);
      const handle = await openDatabase({ databaseUrl: db.url });
      const rows = await handle.db.selectFrom("schema_migrations").select("version").execute();
      assert.equal(rows.length, files.length);
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    } finally {
      await db.drop();
    }
  });
}

test("two processes on one embedded data folder: one migrates, the other is refused clearly, nothing breaks", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "vg-mig-"));
  try {
    const env = { VANGRAIL_DATA_DIR: dataDir };
    const results = await Promise.all([runCli(["migrate"], env), runCli(["migrate"], env)]);
    assert.ok(
      results.some((r) => r.code === 0),
      results.map((r) => r.out).join("\n"),
    );
    for (const r of results) {
      if (r.code !== 0) assert.match(r.out, /in use by another Vangrail process/);
    }
    const handle = await openDatabase({ dataDir });
    const rows = await handle.db.selectFrom("schema_migrations").select("version").execute();
    assert.equal(rows.length, files.length);
    await handle.close();
    // The lock is gone with the process: a later start works.
    const later = await runCli(["migrate"], env);
    assert.equal(later.code, 0, later.out);
    assert.match(later.out, /up to date/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
