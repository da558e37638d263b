// The monitoring module's jobs, apart from their handlers so the service can send them.
import { z } from "zod";
import { defineJob } from "../../platform/queue.ts";

/** Runs every due check; every minute, and sent at once for a "check now" or a claimed removal. */
export const checkNowJob = defineJob({
  name: "monitoring.check",
  schema: z.object({}),
  cron: "* * * * *",
  retryLimit: 2,
  expireInSeconds: 10 * 60,
});
