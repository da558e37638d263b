// What the workbench sees of cases and items. Material itself is never part of these shapes:
// a file is fetched separately, after an explicit reveal.
import type { AuditEvent } from "../audit/service.ts";
import { caseReference } from "./service.ts";
import type { Case, Item, Note, QueueRow } from "./store.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentCaseSummary = (c: Case | QueueRow) => ({
  id: c.id,
  reference: caseReference(c.number),
  category: c.category,
  taxonomyVersion: c.taxonomyVersion,
  priority: c.priority,
  urgentReasons: c.urgentReasons,
  status: c.status,
  source: c.source,
  assigneeId: c.assigneeId,
  assigneeName: "assigneeName" in c ? c.assigneeName : null,
  itemCount: "itemCount" in c ? c.itemCount : null,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  closedAt: iso(c.closedAt),
});

export const presentItem = (i: Item, linked: { caseId: string; number: number; status: string }[]) => ({
  id: i.id,
  kind: i.kind,
  value: i.value,
  normalized: i.normalized,
  host: i.host,
  platform: i.platform,
  status: i.status,
  sha256: i.sha256,
  md5: i.md5,
  hasFile: i.blobRef !== null,
  mediaType: i.mediaType,
  sizeBytes: i.sizeBytes,
  width: i.width,
  height: i.height,
  createdAt: i.createdAt.toISOString(),
  linkedCases: linked.map((l) => ({ id: l.caseId, reference: caseReference(l.number), status: l.status })),
});

export const presentNote = (n: Note) => ({
  id: n.id,
  authorId: n.authorId,
  authorName: n.authorName,
  body: n.body,
  createdAt: n.createdAt.toISOString(),
});

export const presentEvent = (e: AuditEvent) => ({
  seq: e.seq,
  occurredAt: e.occurredAt,
  actorType: e.actorType,
  actorId: e.actorId,
  action: e.action,
  subjectType: e.subjectType,
  subjectId: e.subjectId,
  reason: e.reason,
  data: (e.data ?? {}) as Record<string, unknown>,
});
