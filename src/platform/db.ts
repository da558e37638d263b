// The database: PostgreSQL through Kysely, either embedded (PGlite, one WASM backend in this
// process, files in the data folder) or a PostgreSQL server (DATABASE_URL). Both are reached
// through the same pool-shaped interface, so Kysely, the migration runner and pg-boss run the
// same SQL on both.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite, parse, protocol } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, type Transaction } from "kysely";
import pg from "pg";
import type { Database } from "../../migrations/schema.ts";
import { acquireDirLock, type DirLock } from "./dirlock.ts";

export type { Database };
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** A query runner: the database itself or an open transaction. */
export type Executor = Db | Tx;

export interface QueryResultLike {
  rows: Record<string, unknown>[];
  rowCount: number | null;
  command: string;
}

/** One connection held exclusively until released. */
export interface PoolClientLike {
  /** Parameterless text may hold several statements (simple protocol). */
  query(text: string, values?: readonly unknown[]): Promise<QueryResultLike>;
  release(destroy?: boolean): void;
}

export interface PoolLike {
  connect(): Promise<PoolClientLike>;
  end(): Promise<void>;
}

export interface DatabaseHandle {
  readonly kind: "pglite" | "postgres";
  readonly db: Db;
  readonly pool: PoolLike;
  /** For PostgreSQL: the connection string, so pg-boss can hold its own LISTEN connection. */
  readonly connectionString: string | undefined;
  close(): Promise<void>;
}

// int8 (counts, sequence numbers) as JS numbers on both backends; values stay far below 2^53.
const INT8 = 20;
const NUMERIC = 1700;

/** A FIFO mutex: PGlite has one session, so one caller at a time may hold it. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

/** Statement texts run as named prepared statements, with their names. */
const preparedNames = new Map<string, string>();

/**
 * Marks a constant statement text as prepared: each connection (PostgreSQL) or the embedded
 * database (PGlite, where parsing and planning cost the most) parses and plans it once, then only
 * binds and runs it. For the few hot statements (the public report); it returns the text, to run
 * as usual with values (e.g. `db.executeQuery(CompiledQuery.raw(text, values))`).
 */
export function prepared(name: string, text: string): string {
  const known = preparedNames.get(text);
  if (known !== undefined && known !== name) throw new Error(`statement prepared twice: ${known}, ${name}`);
  preparedNames.set(text, name);
  return text;
}

const commandOf = (text: string): string => /^\s*([a-z]+)/i.exec(text)?.[1]?.toUpperCase() ?? "";

const concatBytes = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/**
 * Runs a statement marked `prepared` on PGlite through the extended protocol as a named
 * statement: parsed and described the first time, then bound and executed. Values are
 * serialised by parameter type exactly as `PGlite.query` does.
 */
async function runPreparedOnPglite(
  instance: PGlite,
  described: Map<string, number[]>,
  name: string,
  text: string,
  values: readonly unknown[],
): Promise<QueryResultLike> {
  const wire = protocol.serialize;
  let types = described.get(name);
  if (!types) {
    const { messages } = await instance.execProtocol(
      concatBytes(wire.parse({ name, text }), wire.describe({ type: "S", name }), wire.sync()),
    );
    types = parse.parseDescribeStatementResults(messages);
    described.set(name, types);
  }
  const paramTypes = types;
  const serialised = values.map((v, i) => {
    if (v === null || v === undefined) return null;
    const serialise = instance.serializers[paramTypes[i] as number];
    return serialise ? serialise(v) : String(v);
  });
  const { messages } = await instance.execProtocol(
    concatBytes(
      wire.bind({ statement: name, values: serialised }),
      wire.describe({ type: "P" }),
      wire.execute({}),
      wire.sync(),
    ),
  );
  const r = parse.parseResults(messages, instance.parsers)[0];
  return {
    rows: (r?.rows ?? []) as Record<string, unknown>[],
    rowCount: r?.affectedRows ?? null,
    command: commandOf(text),
  };
}

/** Makes a PGlite instance look like a pg Pool with exactly one connection. */
export function pglitePool(instance: PGlite): PoolLike {
  const mutex = new Mutex();
  // Prepared statements of the one session, with their parameter types.
  const described = new Map<string, number[]>();
  let ended = false;
  return {
    async connect() {
      if (ended) throw new Error("database is closed");
      const unlock = await mutex.lock();
      let released = false;
      return {
        async query(text, values) {
          if (released) throw new Error("connection already released");
          const preparedName = values ? preparedNames.get(text) : undefined;
          if (values && preparedName !== undefined)
            return runPreparedOnPglite(instance, described, preparedName, text, values);
          if (values && values.length > 0) {
            const r = await instance.query<Record<string, unknown>>(text, values as unknown[]);
            return { rows: r.rows, rowCount: r.affectedRows ?? null, command: commandOf(text) };
          }
          const results = await instance.exec(text);
          const last = results.at(-1);
          return {
            rows: results.flatMap((r) => r.rows as Record<string, unknown>[]),
            rowCount: last?.affectedRows ?? null,
            command: commandOf(text),
          };
        },
        release(destroy) {
          if (released) return;
          released = true;
          // A connection returned mid-transaction (a crash between BEGIN and COMMIT) must not
          // leak its open transaction to the next holder.
          if (destroy || instance.isInTransaction?.()) {
            instance.exec("ROLLBACK").then(unlock, unlock);
          } else {
            unlock();
          }
        },
      };
    },
    async end() {
      ended = true;
      const unlock = await mutex.lock();
      unlock();
    },
  };
}

/** A pg client that sends the texts marked with `prepared` as named statements. */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; this passes them through
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string" && Array.isArray(values)) {
      const name = preparedNames.get(config);
      if (name !== undefined) return super.query({ name, text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}

function postgresPool(connectionString: string, max: number): pg.Pool {
  const parsers: Record<number, (v: string) => unknown> = { [INT8]: Number, [NUMERIC]: Number };
  return new pg.Pool({
    Client: PreparingClient,
    connectionString,
    max,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        parsers[oid] ?? pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
}

export interface OpenOptions {
  /** PostgreSQL connection string; when absent PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite folder; `undefined` with no databaseUrl means in memory (tests). */
  dataDir?: string | undefined;
  poolMax?: number;
}

/** Opens the database named by the options. PGlite takes a lock on its folder: one process only. */
export async function openDatabase(opts: OpenOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) {
    const pool = postgresPool(opts.databaseUrl, opts.poolMax ?? 10);
    pool.on("error", () => {
      // An idle client lost its server; the pool replaces it. Queries report their own errors.
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      kind: "postgres",
      db,
      pool: pool as unknown as PoolLike,
      connectionString: opts.databaseUrl,
      close: () => db.destroy(),
    };
  }
  let lock: DirLock | undefined;
  let instance: PGlite;
  const parsers = { [INT8]: Number, [NUMERIC]: Number };
  if (opts.dataDir) {
    const dir = join(opts.dataDir, "pglite");
    mkdirSync(dir, { recursive: true });
    lock = acquireDirLock(opts.dataDir, "database");
    try {
      instance = await PGlite.create(dir, { parsers });
    } catch (e) {
      lock.release();
      throw e;
    }
  } else {
    instance = await PGlite.create({ parsers });
  }
  const pool = pglitePool(instance);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  return {
    kind: "pglite",
    db,
    pool,
    connectionString: undefined,
    async close() {
      await db.destroy();
      await instance.close();
      lock?.release();
    },
  };
}

/** Runs `fn` on one connection held for its whole duration. */
export async function withConnection<T>(pool: PoolLike, fn: (c: PoolClientLike) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    return await fn(client);
  } catch (e) {
    broken = true;
    throw e;
  } finally {
    client.release(broken);
  }
}
