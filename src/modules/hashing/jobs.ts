// Hash banks' background jobs: expired entries are deleted every hour.
import { z } from "zod";
import { defineJob, type JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { purgeExpired } from "./service.ts";

export const purgeExpiredEntriesJob = defineJob({
  name: "hashing.purge-expired",
  schema: z.object({}),
  cron: "17 * * * *",
  retryLimit: 2,
});

export function registerHashingJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(purgeExpiredEntriesJob, async () => purgeExpired(deps));
}
