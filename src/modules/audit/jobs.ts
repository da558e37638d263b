// The audit chain is verified every night, so tampering is noticed even when nobody asks.
import { z } from "zod";
import { defineJob, type JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { verify } from "./service.ts";

export const verifyChainJob = defineJob({
  name: "audit.verify-chain",
  schema: z.object({}),
  cron: "17 3 * * *",
  retryLimit: 1,
  expireInSeconds: 60 * 60,
});

export function registerAuditJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(verifyChainJob, async () => {
    const r = await verify(deps.db);
    if (r.ok) deps.logger.info({ checked: r.checked, head: r.headHash }, "audit chain verified");
    else deps.logger.fatal({ firstBroken: r.firstBroken }, "AUDIT CHAIN BROKEN: the audit log was altered");
    return { ok: r.ok, checked: r.checked };
  });
}
