// Intake's background work: asking the evidence module to capture every newly reported URL,
// and deleting screenshots once a case has been closed for the retention period (the hashes stay).
import { z } from "zod";
import { defineJob, type JobRegistry } from "../../platform/queue.ts";
import * as audit from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { captureUrl } from "../evidence/service.ts";
import * as store from "./store.ts";

export const captureReportedJob = defineJob({
  name: "intake.capture-reported",
  schema: z.object({
    organisationId: z.uuid(),
    caseId: z.uuid(),
    category: z.string(),
    items: z.array(z.object({ id: z.uuid(), url: z.string() })).max(200),
  }),
  retryLimit: 5,
});

export const uploadRetentionJob = defineJob({
  name: "intake.upload-retention",
  schema: z.object({}),
  cron: "41 * * * *",
  retryLimit: 2,
});

export function registerIntakeJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(captureReportedJob, async (p) => {
    // Each capture is its own job in the evidence module; this only fans out.
    for (const item of p.items) {
      await captureUrl(deps, {
        url: item.url,
        organisationId: p.organisationId,
        category: p.category,
        caseId: p.caseId,
        itemId: item.id,
      });
    }
    return { requested: p.items.length };
  });

  registry.handle(uploadRetentionJob, async () => ({
    deleted: await deleteExpiredUploads(deps),
    contacts: await deleteExpiredContacts(deps),
    idempotencyKeys: await store.purgeIdempotencyKeys(
      deps.db,
      new Date(deps.clock.now().getTime() - 86_400_000),
    ),
  }));
}

/** Deletes reporters' contact details once their case has been closed for the retention period. */
export async function deleteExpiredContacts(deps: Deps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - deps.config.intake.uploadRetentionDays * 86_400_000);
  const rows = await store.expiredContacts(deps.db, before, 500);
  for (const r of rows) {
    await deps.db.transaction().execute(async (tx) => {
      await store.deleteContact(tx, r.reportId);
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: r.organisationId,
        action: "report.contact_deleted",
        subject: { type: "case", id: r.caseId },
        reason: "retention: case closed",
        data: { reportId: r.reportId },
      });
    });
  }
  return rows.length;
}

/**
 * Deletes the stored screenshots of items whose every case has been closed for longer than
 * UPLOAD_RETENTION_DAYS. The item keeps its hashes, so re-uploads are still recognised.
 */
export async function deleteExpiredUploads(deps: Deps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - deps.config.intake.uploadRetentionDays * 86_400_000);
  let deleted = 0;
  for (const item of await store.expiredUploads(deps.db, before, 500)) {
    await deps.db.transaction().execute(async (tx) => {
      await store.forgetBlob(tx, item.id);
      await audit.record(tx, deps.clock, audit.systemActor, {
        organisationId: item.organisationId,
        action: "item.file_deleted",
        subject: { type: "item", id: item.id },
        reason: "retention: case closed",
        data: { blob: item.blobRef },
      });
    });
    // After the commit: a blob still named by another item stays.
    if (!(await store.blobInUse(deps.db, item.blobRef))) await deps.blobs.delete(item.blobRef);
    deleted++;
  }
  return deleted;
}
