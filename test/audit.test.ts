// The audit log: append-only in the database itself, hash-chained, and `vangrail audit verify`
// names the first event that was changed or removed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { sql } from "kysely";
import * as audit from "../src/modules/audit/service.ts";
import { ManualClock } from "../src/platform/clock.ts";
import { type DatabaseHandle, openDatabase } from "../src/platform/db.ts";
import { migrate } from "../src/platform/migrate.ts";
import { backends, createPostgresDatabase } from "./support/db.ts";
import { CLI, ROOT } from "./support/server.ts";

const clock = new ManualClock("2026-03-01T10:00:00.000Z");
const actor: audit.Actor = { type: "system", id: null, organisationId: null };

async function writeEvents(handle: DatabaseHandle, n: number) {
  for (let i = 0; i < n; i++) {
    await handle.db.transaction().execute((tx) =>
      audit.record(tx, clock, actor, {
        action: "test.event",
        subject: { type: "thing", id: `t${i}` },
        reason: `number ${i}`,
        data: { i, nested: { b: 2, a: [1, "x"] } },
      }),
    );
    clock.advance(1000);
  }
}

function verifyCli(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "audit", "verify"], {
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

/** Alters the table as an attacker with owner rights would: around the triggers. */
async function tamper(handle: DatabaseHandle, statement: string) {
  await sql.raw("alter table audit_events disable trigger user").execute(handle.db);
  await sql.raw(statement).execute(handle.db);
  await sql.raw("alter table audit_events enable trigger user").execute(handle.db);
}

for (const backend of backends) {
  describe(`audit log on ${backend.name}`, () => {
    test("the database refuses updates, deletes and truncation of events", async () => {
      const { handle, drop } = await backend.create();
      try {
        await migrate(handle.pool);
        await writeEvents(handle, 3);
        await assert.rejects(
          sql`update audit_events set reason = 'x' where seq = 1`.execute(handle.db),
          /append-only/,
        );
        await assert.rejects(sql`delete from audit_events where seq = 2`.execute(handle.db), /append-only/);
        await assert.rejects(sql`truncate audit_events`.execute(handle.db), /append-only/);
        const r = await audit.verify(handle.db);
        assert.equal(r.ok, true);
        assert.equal(r.checked, 3);
      } finally {
        await handle.close();
        await drop();
      }
    });

    test("an event is only written when its transaction commits", async () => {
      const { handle, drop } = await backend.create();
      try {
        await migrate(handle.pool);
        await assert.rejects(
          handle.db.transaction().execute(async (tx) => {
            await audit.record(tx, clock, actor, { action: "test.rolled_back" });
            throw new Error("change failed");
          }),
        );
        const n = await handle.db.selectFrom("audit_events").select("seq").execute();
        assert.equal(n.length, 0);
      } finally {
        await handle.close();
        await drop();
      }
    });

    test("concurrent writers still make one unbroken chain", async () => {
      const { handle, drop } = await backend.create();
      try {
        await migrate(handle.pool);
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            handle.db
              .transaction()
              .execute((tx) => audit.record(tx, clock, actor, { action: `test.concurrent.${i}` })),
          ),
        );
        const r = await audit.verify(handle.db, 7);
        assert.deepEqual([r.ok, r.checked], [true, 20]);
      } finally {
        await handle.close();
        await drop();
      }
    });

    test("events join the chain when their transaction commits, in the order they were written", async () => {
      const { handle, drop } = await backend.create();
      try {
        await migrate(handle.pool);
        await handle.db.transaction().execute(async (tx) => {
          for (const action of ["test.first", "test.second", "test.third"])
            await audit.record(tx, clock, actor, { action, data: { action } });
          const chained = await tx.selectFrom("audit_events").select("seq").execute();
          assert.equal(chained.length, 0, "not chained before the commit");
        });
        const events = await handle.db
          .selectFrom("audit_events")
          .select(["seq", "action"])
          .orderBy("seq")
          .execute();
        assert.deepEqual(
          events.map((e) => [e.seq, e.action]),
          [
            [1, "test.first"],
            [2, "test.second"],
            [3, "test.third"],
          ],
        );
        const pending = await handle.db.selectFrom("audit_pending").select("id").execute();
        assert.equal(pending.length, 0);
        assert.equal((await audit.verify(handle.db)).ok, true);
      } finally {
        await handle.close();
        await drop();
      }
    });

    if (backend.name === "postgres") {
      test("an open transaction that wrote an event does not hold up other writers", async () => {
        const { handle, drop } = await backend.create();
        try {
          await migrate(handle.pool);
          let release!: () => void;
          const held = new Promise<void>((r) => {
            release = r;
          });
          let wrote!: () => void;
          const written = new Promise<void>((r) => {
            wrote = r;
          });
          const slow = handle.db.transaction().execute(async (tx) => {
            await audit.record(tx, clock, actor, { action: "test.slow" });
            wrote();
            await held;
          });
          await written;
          // Before 0007 this waited for the chain lock until `slow` committed.
          const quick = handle.db
            .transaction()
            .execute((tx) => audit.record(tx, clock, actor, { action: "test.quick" }));
          const outcome = await Promise.race([
            quick.then(() => "committed"),
            new Promise((r) => setTimeout(() => r("blocked"), 5000)),
          ]);
          release();
          await slow;
          await quick;
          assert.equal(outcome, "committed");
          const events = await handle.db.selectFrom("audit_events").select("action").orderBy("seq").execute();
          assert.deepEqual(
            events.map((e) => e.action),
            ["test.quick", "test.slow"],
            "chained in commit order",
          );
          assert.equal((await audit.verify(handle.db)).ok, true);
        } finally {
          await handle.close();
          await drop();
        }
      });
    }
  });
}

describe("vangrail audit verify names the first broken event", () => {
  const cases: { name: string; statement: string; seq: number; reason: string }[] = [
    {
      name: "a changed reason",
      statement: "update audit_events set reason = 'rewritten' where seq = 4",
      seq: 4,
      reason: "hash_mismatch",
    },
    {
      name: "changed data",
      statement: `update audit_events set data = '{"i": 99}' where seq = 2`,
      seq: 2,
      reason: "hash_mismatch",
    },
    {
      name: "a deleted event",
      statement: "delete from audit_events where seq = 3",
      seq: 4,
      reason: "sequence_gap",
    },
    {
      name: "a re-hashed event (hash rewritten too)",
      statement: "update audit_events set hash = repeat('a', 64) where seq = 5",
      seq: 5,
      reason: "hash_mismatch",
    },
  ];

  for (const c of cases) {
    test(`embedded database: ${c.name}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "vg-audit-"));
      try {
        let handle = await openDatabase({ dataDir });
        await migrate(handle.pool);
        await writeEvents(handle, 6);
        await handle.close();
        const good = await verifyCli({ VANGRAIL_DATA_DIR: dataDir });
        assert.equal(good.code, 0, good.out);
        assert.match(good.out, /audit chain OK: 6 events/);
        handle = await openDatabase({ dataDir });
        const id = (
          await handle.db
            .selectFrom("audit_events")
            .select("id")
            .where("seq", "=", c.seq)
            .executeTakeFirstOrThrow()
        ).id;
        await tamper(handle, c.statement);
        await handle.close();
        const bad = await verifyCli({ VANGRAIL_DATA_DIR: dataDir });
        assert.equal(bad.code, 1, bad.out);
        assert.match(bad.out, new RegExp(`BROKEN at event #${c.seq} \\(id ${id}\\): ${c.reason}`));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  if (process.env.TEST_DATABASE_URL) {
    test("PostgreSQL: a changed event", async () => {
      const db = await createPostgresDatabase();
      const dataDir = mkdtempSync(join(tmpdir(), "vg-audit-"));
      try {
        const handle = await openDatabase({ databaseUrl: db.url });
        await migrate(handle.pool);
        await writeEvents(handle, 5);
        const env = { DATABASE_URL: db.url, VANGRAIL_DATA_DIR: dataDir };
        assert.equal((await verifyCli(env)).code, 0);
        await tamper(handle, "update audit_events set action = 'test.other' where seq = 3");
        await handle.close();
        const bad = await verifyCli(env);
        assert.equal(bad.code, 1);
        assert.match(bad.out, /BROKEN at event #3 .*hash_mismatch/);
      } finally {
        await db.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
