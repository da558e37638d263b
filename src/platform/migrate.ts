// Forward-only migrations from numbered plain-SQL files (migrations/NNNN_name.sql). Runs under
// a PostgreSQL advisory lock, so several processes starting at once apply each file once; a
// file changed after it was applied stops the run, because landed migrations are never edited.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type PoolLike, withConnection } from "./db.ts";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

// An arbitrary constant shared by every Vangrail process: the key of the migration lock.
const LOCK_KEY = 7_270_412_001;

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

export function readMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  const seen = new Set<number>();
  return files.map((name) => {
    const m = /^(\d{4})_[a-z0-9_]+\.sql$/.exec(name);
    if (!m?.[1]) throw new MigrationError(`migration file name ${name} does not match NNNN_name.sql`);
    const version = Number(m[1]);
    if (seen.has(version)) throw new MigrationError(`two migration files have number ${m[1]}`);
    seen.add(version);
    const sql = readFileSync(`${dir}/${name}`, "utf8");
    return { version, name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
  });
}

export interface MigrateResult {
  applied: string[];
  current: number;
}

/** Applies every pending migration, each in its own transaction. */
export async function migrate(
  pool: PoolLike,
  files: MigrationFile[] = readMigrations(),
): Promise<MigrateResult> {
  return withConnection(pool, async (c) => {
    await c.query("select pg_advisory_lock($1)", [LOCK_KEY]);
    try {
      await c.query(
        `create table if not exists schema_migrations (
           version integer primary key,
           name text not null,
           checksum text not null,
           applied_at timestamptz not null default now()
         )`,
      );
      const { rows } = await c.query(
        "select version, name, checksum from schema_migrations order by version",
        [
          // a parameter keeps this on the extended protocol, which returns typed rows
        ],
      );
      const done = new Map(rows.map((r) => [Number(r.version), r as { name: string; checksum: string }]));
      for (const f of files) {
        const prior = done.get(f.version);
        if (prior && prior.checksum !== f.checksum) {
          throw new MigrationError(
            `migration ${f.name} was changed after it was applied (applied as ${prior.name}); ` +
              "migrations are forward-only: add a new file instead",
          );
        }
      }
      const applied: string[] = [];
      for (const f of files) {
        if (done.has(f.version)) continue;
        await c.query("begin");
        try {
          await c.query(f.sql);
          await c.query("insert into schema_migrations (version, name, checksum) values ($1, $2, $3)", [
            f.version,
            f.name,
            f.checksum,
          ]);
          await c.query("commit");
        } catch (e) {
          await c.query("rollback");
          throw new MigrationError(`migration ${f.name} failed: ${(e as Error).message}`);
        }
        applied.push(f.name);
      }
      const current = Math.max(0, ...files.map((f) => f.version));
      return { applied, current };
    } finally {
      await c.query("select pg_advisory_unlock($1)", [LOCK_KEY]);
    }
  });
}
