// Test databases: PGlite in memory always; a fresh PostgreSQL database per suite when
// TEST_DATABASE_URL is set (CI always sets it). Each suite gets its own, so suites never share data.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type DatabaseHandle, openDatabase } from "../../src/platform/db.ts";

export interface TestBackend {
  name: "pglite" | "postgres";
  /** Opens an empty database; `url` is set for PostgreSQL (for child processes). */
  create(): Promise<{ handle: DatabaseHandle; url: string | undefined; drop(): Promise<void> }>;
}

const serverUrl = process.env.TEST_DATABASE_URL;

/** Creates an empty PostgreSQL database and returns its URL and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `vg_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const backends: TestBackend[] = [
  {
    name: "pglite",
    async create() {
      const handle = await openDatabase({});
      return { handle, url: undefined, drop: async () => undefined };
    },
  },
  ...(serverUrl
    ? [
        {
          name: "postgres" as const,
          async create() {
            const db = await createPostgresDatabase();
            const handle = await openDatabase({ databaseUrl: db.url, poolMax: 5 });
            return { handle, url: db.url, drop: db.drop };
          },
        },
      ]
    : []),
];
