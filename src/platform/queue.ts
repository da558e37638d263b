// Background jobs on pg-boss, in the same database. Jobs are declared with a zod payload
// schema; every declared job must have a handler when workers start, or start-up fails.
// A job sent with `tx` is written in that transaction: if it rolls back, the job never exists.
// A writer that makes its whole change in one statement writes its job as a `job_outbox` row
// in that statement instead; the workers move those rows into pg-boss.
import { CompiledQuery, sql } from "kysely";
import { PgBoss } from "pg-boss";
import type { Logger } from "pino";
import type { z } from "zod";
import { type DatabaseHandle, type Executor, type PoolLike, type Tx, withConnection } from "./db.ts";

export interface JobSpec<S extends z.ZodType> {
  readonly name: string;
  readonly schema: S;
  /** Attempts after the first; jobs are idempotent, so retrying is always safe. */
  readonly retryLimit?: number;
  readonly retryDelaySeconds?: number;
  readonly expireInSeconds?: number;
  /** A cron expression (UTC): the job is scheduled with an empty payload. */
  readonly cron?: string;
}

export type JobPayload<J> = J extends JobSpec<infer S> ? z.output<S> : never;

/** What a handler may return instead of throwing: expected skips are results. */
export type JobOutcome = undefined | { skipped: string } | Record<string, unknown>;

export interface JobContext {
  jobId: string;
  retryCount: number;
  signal: AbortSignal;
}

export type JobHandler<S extends z.ZodType> = (
  payload: z.output<S>,
  ctx: JobContext,
) => Promise<JobOutcome | undefined>;

// biome-ignore lint/suspicious/noExplicitAny: a registry holds jobs of every payload type
type AnySpec = JobSpec<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyHandler = JobHandler<any>;

export const defineJob = <S extends z.ZodType>(spec: JobSpec<S>): JobSpec<S> => spec;

export class MissingHandlerError extends Error {
  constructor(names: string[]) {
    super(`no handler registered for job(s): ${names.join(", ")}`);
    this.name = "MissingHandlerError";
  }
}

export class JobRegistry {
  readonly #specs = new Map<string, AnySpec>();
  readonly #handlers = new Map<string, AnyHandler>();

  declare(...specs: AnySpec[]): this {
    for (const s of specs) {
      if (this.#specs.has(s.name) && this.#specs.get(s.name) !== s)
        throw new Error(`job ${s.name} declared twice`);
      this.#specs.set(s.name, s);
    }
    return this;
  }

  handle<S extends z.ZodType>(spec: JobSpec<S>, handler: JobHandler<S>): this {
    this.declare(spec);
    this.#handlers.set(spec.name, handler as AnyHandler);
    return this;
  }

  specs(): AnySpec[] {
    return [...this.#specs.values()];
  }

  handler(name: string): AnyHandler | undefined {
    return this.#handlers.get(name);
  }

  /** Fails unless every declared job has a handler. */
  assertComplete(): void {
    const missing = [...this.#specs.keys()].filter((n) => !this.#handlers.has(n));
    if (missing.length > 0) throw new MissingHandlerError(missing);
  }
}

export interface SendOptions {
  /** Write the job in this transaction. */
  tx?: Tx;
  /** At most one queued job with this key. */
  singletonKey?: string;
  startAfter?: Date;
}

export interface Queue {
  send<S extends z.ZodType>(
    spec: JobSpec<S>,
    payload: z.input<S>,
    opts?: SendOptions,
  ): Promise<string | null>;
  /** Starts polling for every registered job and relaying the outbox (the `worker` role). */
  work(opts?: { pollingIntervalSeconds?: number; outboxIntervalMs?: number }): Promise<void>;
  /** Moves waiting `job_outbox` rows into pg-boss now; returns how many. */
  relayOutbox(): Promise<number>;
  ping(): Promise<boolean>;
  stop(): Promise<void>;
  readonly boss: PgBoss;
}

/** pg-boss statements over a Kysely transaction, so a job is written with the business change. */
const txAdapter = (tx: Tx) => ({
  async executeSql(text: string, values?: unknown[]) {
    const r = await tx.executeQuery(CompiledQuery.raw(text, values ?? []));
    return { rows: [...r.rows] as Record<string, unknown>[] };
  },
});

/** pg-boss statements through the PGlite pool, which serialises them with everything else. */
const poolAdapter = (pool: PoolLike) => ({
  async executeSql(text: string, values?: unknown[]) {
    return withConnection(pool, async (c) => {
      try {
        const r = await c.query(text, values ?? []);
        return { rows: r.rows };
      } catch (e) {
        // A failed statement inside pg-boss's own BEGIN…COMMIT block must not leave the single
        // PGlite session in an aborted transaction.
        await c.query("rollback").catch(() => undefined);
        throw e;
      }
    });
  },
});

/**
 * Writes a job as a `job_outbox` row in the caller's transaction. It needs no running queue
 * (a command-line import writes it too); the workers move it into pg-boss, once.
 */
export async function sendThroughOutbox<S extends z.ZodType>(
  db: Executor,
  spec: JobSpec<S>,
  payload: z.input<S>,
  opts: { singletonKey?: string; at: Date },
): Promise<void> {
  const data = spec.schema.parse(payload);
  await sql`insert into job_outbox (name, data, singleton_key, created_at)
    values (${spec.name}, ${JSON.stringify(data)}::jsonb, ${opts.singletonKey ?? null}, ${opts.at.toISOString()}::timestamptz)`.execute(
    db,
  );
}

const OUTBOX_BATCH = 500;

/**
 * Moves up to one batch of `job_outbox` rows of known jobs into pg-boss, in one transaction:
 * the rows are deleted and the jobs inserted together, so a job is neither lost nor doubled.
 * Several workers may relay at once (SKIP LOCKED).
 */
async function relayBatch(handle: DatabaseHandle, boss: PgBoss, names: string[]): Promise<number> {
  return handle.db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ name: string; data: unknown; singleton_key: string | null }>`
      delete from job_outbox where id in (
        select id from job_outbox
        where name in (select jsonb_array_elements_text(${JSON.stringify(names)}::jsonb))
        order by id
        limit ${OUTBOX_BATCH} for update skip locked
      )
      returning name, data, singleton_key`.execute(tx);
    const byName = new Map<string, { data: object; singletonKey?: string }[]>();
    for (const r of rows) {
      const data = (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as object;
      const jobs = byName.get(r.name) ?? [];
      jobs.push(r.singleton_key ? { data, singletonKey: r.singleton_key } : { data });
      byName.set(r.name, jobs);
    }
    for (const [name, jobs] of byName) await boss.insert(name, jobs, { db: txAdapter(tx) });
    return rows.length;
  });
}

export interface QueueOptions {
  registry: JobRegistry;
  logger: Logger;
  /** Run pg-boss maintenance and cron scheduling here (true for serve and worker). */
  supervise?: boolean;
}

export async function createQueue(handle: DatabaseHandle, opts: QueueOptions): Promise<Queue> {
  const { registry, logger } = opts;
  const supervise = opts.supervise ?? true;
  const boss =
    handle.kind === "postgres"
      ? new PgBoss({
          connectionString: handle.connectionString as string,
          max: 4,
          schema: "pgboss",
          supervise,
          schedule: supervise,
          application_name: "vangrail-queue",
        })
      : new PgBoss({
          db: poolAdapter(handle.pool),
          backend: "pglite",
          schema: "pgboss",
          supervise,
          schedule: supervise,
        });
  boss.on("error", (err) => logger.error({ err }, "queue error"));
  await boss.start();
  for (const spec of registry.specs()) {
    await boss.createQueue(spec.name, {
      retryLimit: spec.retryLimit ?? 5,
      retryDelay: spec.retryDelaySeconds ?? 30,
      retryBackoff: true,
      expireInSeconds: spec.expireInSeconds ?? 15 * 60,
    });
    if (spec.cron && supervise) await boss.schedule(spec.name, spec.cron, {}, { tz: "UTC" });
    // Load the queue into pg-boss's cache now. Otherwise the first `send` looks it up on
    // pg-boss's own connection; inside a caller's transaction on PGlite, whose one connection
    // that transaction holds, that lookup would wait forever.
    await boss.findJobs(spec.name, { id: "00000000-0000-4000-8000-000000000000" });
  }

  const names = registry.specs().map((s) => s.name);
  const relayOutbox = async () => {
    let moved = 0;
    for (;;) {
      const n = await relayBatch(handle, boss, names);
      moved += n;
      if (n < OUTBOX_BATCH) return moved;
    }
  };
  let relayTimer: NodeJS.Timeout | undefined;
  let relaying: Promise<unknown> = Promise.resolve();
  let stopped = false;

  let working = false;
  return {
    boss,
    relayOutbox,
    async send(spec, payload, o = {}) {
      const data = spec.schema.parse(payload) as object;
      return boss.send(spec.name, data, {
        ...(o.tx ? { db: txAdapter(o.tx) } : {}),
        ...(o.singletonKey ? { singletonKey: o.singletonKey } : {}),
        ...(o.startAfter ? { startAfter: o.startAfter } : {}),
      });
    },
    async work(w = {}) {
      registry.assertComplete();
      if (working) return;
      working = true;
      const every = w.outboxIntervalMs ?? 1000;
      const tick = () => {
        relaying = relayOutbox()
          .catch((err) => logger.error({ err }, "job outbox relay failed"))
          .finally(() => {
            if (!stopped) relayTimer = setTimeout(tick, every).unref();
          });
      };
      tick();
      for (const spec of registry.specs()) {
        const handler = registry.handler(spec.name) as AnyHandler;
        await boss.work(
          spec.name,
          { batchSize: 1, pollingIntervalSeconds: w.pollingIntervalSeconds ?? 2 },
          async (jobs: { id: string; data: unknown; retryCount: number; signal: AbortSignal }[]) => {
            for (const job of jobs) {
              const parsed = spec.schema.safeParse(job.data);
              if (!parsed.success) {
                // A payload that cannot be parsed will never succeed: fail without retry noise.
                logger.error({ job: spec.name, jobId: job.id }, "job payload is not valid");
                throw new Error(`payload of ${spec.name} is not valid`);
              }
              const out = await handler(parsed.data, {
                jobId: job.id,
                retryCount: job.retryCount,
                signal: job.signal,
              });
              if (out && "skipped" in out)
                logger.debug({ job: spec.name, jobId: job.id, ...out }, "job skipped");
            }
          },
        );
      }
    },
    async ping() {
      try {
        await boss.getQueues();
        return true;
      } catch {
        return false;
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(relayTimer);
      await relaying;
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
