// The notices module's jobs, apart from their handlers so the service can send them.
import { z } from "zod";
import { defineJob } from "../../platform/queue.ts";

/** Sends every due outbox message; sent with each new notice, and every minute as a net. */
export const deliverJob = defineJob({
  name: "notices.deliver",
  schema: z.object({}),
  cron: "* * * * *",
  retryLimit: 3,
});

/** Marks overdue items and queues reminders. */
export const deadlinesJob = defineJob({
  name: "notices.deadlines",
  schema: z.object({}),
  cron: "*/5 * * * *",
  retryLimit: 2,
});
