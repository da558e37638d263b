// zod schemas of the cases API.
import { z } from "zod";
import { limits } from "../../platform/limits.ts";
import { categoryIds } from "./taxonomy.ts";

export const priorities = ["urgent", "high", "normal", "low"] as const;
export const caseStatuses = ["new", "triage", "in_progress", "waiting", "closed"] as const;
export const itemStatuses = [
  "reported",
  "triaged",
  "evidence_captured",
  "attributed",
  "notice_sent",
  "removed",
  "still_online",
  "escalated",
  "not_actionable",
  "closed",
] as const;

export const caseSummary = z.object({
  id: z.uuid(),
  reference: z.string(),
  category: z.string(),
  taxonomyVersion: z.string(),
  priority: z.enum(priorities),
  urgentReasons: z.array(z.string()),
  status: z.enum(caseStatuses),
  source: z.string(),
  assigneeId: z.uuid().nullable(),
  assigneeName: z.string().nullable(),
  itemCount: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
});

export const item = z.object({
  id: z.uuid(),
  kind: z.enum(["url", "file", "account", "domain"]),
  value: z.string(),
  normalized: z.string(),
  host: z.string().nullable(),
  platform: z.string().nullable(),
  status: z.enum(itemStatuses),
  sha256: z.string().nullable(),
  md5: z.string().nullable(),
  hasFile: z.boolean(),
  mediaType: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  createdAt: z.string(),
  linkedCases: z.array(z.object({ id: z.uuid(), reference: z.string(), status: z.string() })),
});

export const note = z.object({
  id: z.uuid(),
  authorId: z.uuid(),
  authorName: z.string(),
  body: z.string(),
  createdAt: z.string(),
});

export const event = z.object({
  seq: z.number().int(),
  occurredAt: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export const queueQuery = z.strictObject({
  status: z.enum([...caseStatuses, "open", "all"]).optional(),
  category: z.enum(categoryIds).optional(),
  priority: z.enum(priorities).optional(),
  assignee: z.union([z.literal("me"), z.literal("none"), z.uuid()]).optional(),
  q: z.string().trim().max(limits.urlMax).optional(),
  sort: z.enum(["priority", "oldest", "newest", "updated"]).optional(),
  limit: z.coerce.number().int().min(1).max(limits.pageSizeMax).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const caseChange = z
  .strictObject({
    category: z.enum(categoryIds).optional(),
    priority: z.enum(priorities).optional(),
    status: z.enum(caseStatuses).optional(),
    assigneeId: z.uuid().nullable().optional(),
    reason: z.string().trim().max(limits.reasonMax).optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== "reason"), "Change at least one field.");

export const noteBody = z.strictObject({ body: z.string().trim().min(1).max(limits.noteMax) });

export const newItems = z.strictObject({
  items: z
    .array(
      z.strictObject({
        kind: z.enum(["url", "account", "domain"]),
        value: z.string().trim().min(1).max(limits.urlMax),
        platform: z.string().trim().max(limits.nameMax).optional(),
      }),
    )
    .min(1)
    .max(limits.urlsPerReport),
});

export const itemStatusBody = z.strictObject({
  status: z.enum(itemStatuses),
  reason: z.string().trim().min(1).max(limits.reasonMax),
});

export const caseParams = z.strictObject({ id: z.uuid() });
export const itemParams = z.strictObject({ id: z.uuid(), itemId: z.uuid() });
