// Evidence's background jobs: one capture per URL item, queued by `captureUrl`.
import type { JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { watchCapture } from "../monitoring/service.ts";
import { captureJob } from "./capture-job.ts";
import { runCapture } from "./service.ts";

export { captureJob } from "./capture-job.ts";

export function registerEvidenceJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(captureJob, async ({ captureId }) => {
    const r = await runCapture(deps, captureId);
    // The re-upload watch (monitoring module) on the captured images; a failure there is logged
    // and never fails the capture, which is done.
    if ("status" in r && r.status === "captured")
      await watchCapture(deps, captureId).catch((err) =>
        deps.logger.warn({ err, captureId }, "re-upload watch of a capture failed"),
      );
    return r;
  });
}
