// Identity's background jobs.
import { z } from "zod";
import { defineJob, type JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { purgeExpiredSessions } from "./service.ts";

export const purgeSessionsJob = defineJob({
  name: "identity.purge-sessions",
  schema: z.object({}),
  cron: "*/15 * * * *",
  retryLimit: 2,
});

export function registerIdentityJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(purgeSessionsJob, async () => ({ deleted: await purgeExpiredSessions(deps) }));
}
