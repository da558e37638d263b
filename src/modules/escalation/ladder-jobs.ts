// The escalation ladder's job: one tick of the engine, every five minutes and after a decision.
import type { JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { escalationTick, tickJob } from "./ladder.ts";

export function registerLadderJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(tickJob, async () => ({ ...(await escalationTick(deps)) }));
}
