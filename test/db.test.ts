// The database adapters on every backend: statements marked `prepared` give the same results as
// plain ones, again and again, inside and outside transactions, and survive an error.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CompiledQuery } from "kysely";
import { prepared } from "../src/platform/db.ts";
import { backends } from "./support/db.ts";

const TEXT = prepared(
  "test_db_prepared",
  "select $1::int + 1 as n, $2::text as s, $3::timestamptz as at, $4::jsonb as j, $5::bigint as big",
);
const PLAIN = `${TEXT} -- not prepared`;

for (const backend of backends) {
  describe(`database adapter on ${backend.name}`, () => {
    test("a prepared statement returns what the plain one does, in and out of transactions", async () => {
      const { handle, drop } = await backend.create();
      try {
        const at = new Date("2026-05-01T12:00:00.000Z");
        const values = (i: number) => [i, `s${i}`, at, JSON.stringify({ i }), 2 ** 40 + i];
        for (let i = 0; i < 8; i++) {
          const a = await handle.db.executeQuery(CompiledQuery.raw(TEXT, values(i)));
          const b = await handle.db.executeQuery(CompiledQuery.raw(PLAIN, values(i)));
          assert.deepEqual(a.rows, b.rows);
          assert.deepEqual(a.rows[0], { n: i + 1, s: `s${i}`, at, j: { i }, big: 2 ** 40 + i });
        }
        const [inTx, names] = await handle.db
          .transaction()
          .execute(async (tx) => [
            await tx.executeQuery(CompiledQuery.raw(TEXT, values(100))),
            await tx.executeQuery(CompiledQuery.raw("select name from pg_prepared_statements", [])),
          ]);
        assert.equal((inTx.rows[0] as { n: number }).n, 101);
        assert.ok(
          names.rows.some((r) => (r as { name: string }).name === "test_db_prepared"),
          "run as a named statement",
        );
        await assert.rejects(
          handle.db.executeQuery(CompiledQuery.raw(TEXT, ["not a number", "", at, "{}", 1])),
        );
        const after = await handle.db.executeQuery(CompiledQuery.raw(TEXT, values(7)));
        assert.equal((after.rows[0] as { n: number }).n, 8);
      } finally {
        await handle.close();
        await drop();
      }
    });
  });
}
