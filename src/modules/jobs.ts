// Every module's jobs in one registry: `serve` and `worker` refuse to start if one lacks a handler.
import { JobRegistry } from "../platform/queue.ts";
import { registerAttributionJobs } from "./attribution/jobs.ts";
import { registerAuditJobs } from "./audit/jobs.ts";
import type { Deps } from "./deps.ts";
import { registerEnforcementJobs } from "./escalation/enforcement-jobs.ts";
import { registerLadderJobs } from "./escalation/ladder-jobs.ts";
import { registerEvidenceJobs } from "./evidence/jobs.ts";
import { registerHashingJobs } from "./hashing/jobs.ts";
import { registerIdentityJobs } from "./identity/jobs.ts";
import { registerIntakeJobs } from "./intake/jobs.ts";
import { registerMonitoringJobs } from "./monitoring/jobs.ts";
import { registerNoticeJobs } from "./notices/jobs.ts";

export function buildJobRegistry(deps: Deps): JobRegistry {
  const registry = new JobRegistry();
  registerIdentityJobs(registry, deps);
  registerAuditJobs(registry, deps);
  registerIntakeJobs(registry, deps);
  registerEvidenceJobs(registry, deps);
  registerHashingJobs(registry, deps);
  registerNoticeJobs(registry, deps);
  registerAttributionJobs(registry, deps);
  registerLadderJobs(registry, deps);
  registerEnforcementJobs(registry, deps);
  registerMonitoringJobs(registry, deps);
  return registry;
}
