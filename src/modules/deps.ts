// The dependencies every service receives explicitly. Tests pass real ones (a real database,
// a manual clock); nothing in a service reaches for a global.
import type { Logger } from "pino";
import type { BlobStore } from "../platform/blobstore/index.ts";
import type { Clock } from "../platform/clock.ts";
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import type { Queue } from "../platform/queue.ts";

export interface Deps {
  db: Db;
  clock: Clock;
  config: Config;
  logger: Logger;
  /** 32-byte key sealing secrets at rest. */
  masterKey: Buffer;
  queue: Queue | undefined;
  /** Encrypted, content-addressed storage for evidence and uploads. */
  blobs: BlobStore;
}
