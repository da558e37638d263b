// Attribution's background jobs: a batch of items attributed (queued by the case route, the
// notices module, or itself again for items whose lookups failed for a while), and the nightly
// clean-up of the RDAP cache.
import { AppError } from "../../platform/errors.ts";
import type { JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { attributeItemsJob, purgeRdapCacheJob } from "./attribute-job.ts";
import { attributeItems, purgeRdapCache, queueAttribution } from "./service.ts";

export { attributeItemsJob, purgeRdapCacheJob } from "./attribute-job.ts";

/** Times a batch is queued again for transient failures before they are left as they are. */
const MAX_REQUEUES = 5;
const MAX_DELAY_MS = 24 * 3_600_000;

export function registerAttributionJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(attributeItemsJob, async (p) => {
    const out = await attributeItems(deps, p.organisationId, p.itemIds, {
      force: p.force,
      refresh: p.refresh,
    });
    const unwritten = out.filter((o) => o.code === "not_stored");
    // A write that failed is retried by the queue; the lookups it needs are cached by now.
    if (unwritten.length > 0)
      throw new AppError("service_unavailable", {
        detail: `${unwritten.length} attributions could not be stored; the job is retried.`,
      });
    // Rate limits, timeouts and 5xx clear up: the failed items are asked again once the
    // failures they got have expired, a few times, and the failure rows show meanwhile.
    const retry = out.filter((o) => o.retryAt);
    let requeued = 0;
    if (retry.length > 0 && p.attempt < MAX_REQUEUES && deps.queue) {
      const now = deps.clock.now().getTime();
      const latest = Math.max(...retry.map((o) => (o.retryAt as Date).getTime()));
      const startAfter = new Date(Math.min(Math.max(latest, now + 1000), now + MAX_DELAY_MS));
      await queueAttribution(
        deps,
        p.organisationId,
        retry.map((o) => o.itemId),
        { startAfter, attempt: p.attempt + 1 },
      );
      requeued = retry.length;
    }
    return {
      items: out.length,
      attributed: out.filter((o) => o.ok && !o.skipped).length,
      reachable: out.filter((o) => o.reachable).length,
      skipped: out.filter((o) => o.skipped).length,
      failed: out.filter((o) => !o.ok).length,
      requeued,
    };
  });
  registry.handle(purgeRdapCacheJob, async () => purgeRdapCache(deps));
}
