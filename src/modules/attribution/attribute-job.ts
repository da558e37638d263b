// The attribution jobs' declarations, apart from their handlers (jobs.ts), so the service can
// queue them without an import cycle.
import { z } from "zod";
import { defineJob } from "../../platform/queue.ts";

/** Items per job: a batch shares its DNS and RDAP lookups. */
export const ITEMS_PER_JOB = 500;

export const attributeItemsJob = defineJob({
  name: "attribution.attribute-items",
  schema: z.object({
    organisationId: z.uuid(),
    itemIds: z.array(z.uuid()).min(1).max(ITEMS_PER_JOB),
    /** Attribute again even where the current attribution has not expired. */
    force: z.boolean().default(false),
    /** Ask the RDAP servers again instead of using cached answers. */
    refresh: z.boolean().default(false),
    /** How many times this batch was queued again for transient failures. */
    attempt: z.number().int().min(0).max(100).default(0),
  }),
  retryLimit: 3,
  retryDelaySeconds: 60,
  expireInSeconds: 30 * 60,
});

export const purgeRdapCacheJob = defineJob({
  name: "attribution.purge-rdap-cache",
  schema: z.object({}),
  retryLimit: 1,
  cron: "47 4 * * *",
});
