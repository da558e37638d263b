// The capture job's declaration, apart from its handler (jobs.ts), so the service can queue it
// without an import cycle.
import { z } from "zod";
import { defineJob } from "../../platform/queue.ts";

export const captureJob = defineJob({
  name: "evidence.capture",
  schema: z.object({ captureId: z.uuid() }),
  retryLimit: 3,
  retryDelaySeconds: 60,
  expireInSeconds: 10 * 60,
});
