// Handlers of the monitoring module's jobs: the periodic re-check run.
import type { JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { checkNowJob } from "./jobspecs.ts";
import { runAllDue } from "./service.ts";

export { checkNowJob } from "./jobspecs.ts";

export function registerMonitoringJobs(registry: JobRegistry, deps: Deps): void {
  // A run stops claiming after 50 s, so the next minute's job takes over; rows it claimed are
  // finished first, and rows of a worker that died come back when their lease runs out.
  registry.handle(checkNowJob, async (_payload, ctx) => ({
    ...(await runAllDue(deps, { maxMs: 50_000, signal: ctx.signal })),
  }));
}
