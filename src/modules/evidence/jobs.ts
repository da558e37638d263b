// Evidence's background jobs: one capture per URL item, queued by `captureUrl`.
import type { JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { captureJob } from "./capture-job.ts";
import { runCapture } from "./service.ts";

export { captureJob } from "./capture-job.ts";

export function registerEvidenceJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(captureJob, async ({ captureId }) => runCapture(deps, captureId));
}
