// Handlers of the notices module's jobs.
import type { JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { deadlinesJob, deliverJob } from "./jobspecs.ts";
import { checkDeadlines, deliverAll } from "./service.ts";

export function registerNoticeJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(deliverJob, async () => ({ ...(await deliverAll(deps)) }));
  registry.handle(deadlinesJob, async () => ({ ...(await checkDeadlines(deps)) }));
}
