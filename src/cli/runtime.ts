// The composition root: configuration, logger, master key, database (migrated), queue and the
// deps object that services receive. Every subcommand and the test harness boot through here.
import pino, { type Logger } from "pino";
import type { Deps } from "../modules/deps.ts";
import { buildJobRegistry } from "../modules/jobs.ts";
import { createBlobStore } from "../platform/blobstore/index.ts";
import { type Clock, systemClock } from "../platform/clock.ts";
import { type Config, loadConfig } from "../platform/config.ts";
import { loadMasterKey } from "../platform/crypto.ts";
import { type DatabaseHandle, openDatabase } from "../platform/db.ts";
import { migrate } from "../platform/migrate.ts";
import { createQueue, type Queue } from "../platform/queue.ts";

export interface Runtime {
  config: Config;
  logger: Logger;
  deps: Deps;
  handle: DatabaseHandle;
  queue: Queue | undefined;
  close(): Promise<void>;
}

export interface BootOptions {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
  /** Start pg-boss (serve, worker); tools that only read or write rows leave it off. */
  queue?: boolean;
  /** PGlite in memory instead of the data folder (tests). */
  memory?: boolean;
}

/** Servers log JSON to stdout; command-line tools log to stderr so their output stays clean. */
export function createLogger(config: Config, to: "stdout" | "stderr" = "stdout"): Logger {
  return pino(
    { level: config.logLevel, redact: ["*.password", "*.token", "*.secret", "*.setupCode", "*.masterKey"] },
    pino.destination(to === "stdout" ? 1 : 2),
  );
}

export async function boot(opts: BootOptions = {}): Promise<Runtime> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger(config, opts.queue ? "stdout" : "stderr");
  const masterKey = loadMasterKey(config.masterKey, config.dataDir);
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: opts.memory ? undefined : config.dataDir,
    poolMax: config.databasePoolMax,
  });
  try {
    const m = await migrate(handle.pool);
    if (m.applied.length > 0) logger.info({ applied: m.applied }, "database migrated");
    const deps: Deps = {
      db: handle.db,
      clock: opts.clock ?? systemClock,
      config,
      logger,
      masterKey,
      queue: undefined,
      blobs: createBlobStore(config, masterKey),
    };
    if (opts.queue) {
      const registry = buildJobRegistry(deps);
      registry.assertComplete();
      deps.queue = await createQueue(handle, { registry, logger });
    }
    return {
      config,
      logger,
      deps,
      handle,
      queue: deps.queue,
      async close() {
        await deps.queue?.stop();
        await handle.close();
      },
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}
