// The jobs of enforcement requests, apart from their handlers so the service can send them.
import { z } from "zod";
import { defineJob } from "../../platform/queue.ts";

/** Marks lapsed terms, drafts notices of default and updates penalties (art. 4:13–4:17 Awb). */
export const clockJob = defineJob({
  name: "enforcement.clock",
  schema: z.object({}),
  cron: "*/15 * * * *",
  retryLimit: 2,
});

/** Renders pending dossiers (HTML → PDF in Chromium, plus the evidence bundles). */
export const dossierJob = defineJob({
  name: "enforcement.dossiers",
  schema: z.object({}),
  cron: "* * * * *",
  retryLimit: 2,
  expireInSeconds: 30 * 60,
});

/** Announces filed requests by e-mail where an address stands for the regulator. */
export const emailJob = defineJob({
  name: "enforcement.emails",
  schema: z.object({}),
  cron: "*/5 * * * *",
  retryLimit: 3,
});
