// zod schemas of the hash-bank and matching API: strict bodies, bounded sizes.
import { z } from "zod";
import { limits } from "../../platform/limits.ts";
import { MAX_RADIUS } from "./service.ts";
import { signalTypes } from "./signals.ts";
import { bankKinds } from "./store.ts";

const hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/, "64 hexadecimal characters");

export const bank = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(bankKinds as [string, ...string[]]),
  description: z.string().nullable(),
  shared: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  entries: z.number().int().optional(),
  enabledEntries: z.number().int().optional(),
});

export const entry = z.object({
  id: z.uuid(),
  bankId: z.uuid(),
  signalType: z.enum(signalTypes),
  value: z.string(),
  quality: z.number().int().nullable(),
  pipeline: z.string().nullable(),
  enabled: z.boolean(),
  expiresAt: z.string().nullable(),
  provenance: z.object({
    createdByType: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    caseId: z.string().nullable(),
    reportId: z.string().nullable(),
    source: z.string().nullable(),
    note: z.string().nullable(),
  }),
  no: z.number().int(),
});

export const newBankBody = z.strictObject({
  name: z.string().trim().min(1).max(limits.nameMax),
  kind: z.enum(bankKinds as [string, ...string[]]),
  description: z.string().max(2000).nullable().optional(),
  shared: z.boolean().optional(),
});

export const bankPatchBody = z.strictObject({
  name: z.string().trim().min(1).max(limits.nameMax).optional(),
  description: z.string().max(2000).nullable().optional(),
  shared: z.boolean().optional(),
});

export const reasonBody = z.strictObject({ reason: z.string().max(limits.reasonMax).optional() }).optional();

export const newEntriesBody = z.strictObject({
  entries: z
    .array(
      z.strictObject({
        signalType: z.string().max(20),
        value: z.string().max(200),
        quality: z.number().int().min(0).max(100).nullable().optional(),
        pipeline: z.string().max(100).nullable().optional(),
        caseId: z.string().max(100).nullable().optional(),
        source: z.string().max(200).nullable().optional(),
        note: z.string().max(2000).nullable().optional(),
        expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
      }),
    )
    .min(1)
    .max(limits.hashMatchBatchMax),
});

export const entryPatchBody = z.strictObject({
  enabled: z.boolean().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  reason: z.string().max(limits.reasonMax).optional(),
});

export const bulkResult = z.object({
  line: z.number().int(),
  ok: z.boolean(),
  id: z.uuid().optional(),
  error: z.string().optional(),
});

export const entriesQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(limits.pageSizeMax).optional(),
});

export const exportQuery = z.strictObject({ format: z.enum(["csv", "jsonl"]).default("csv") });

export const matchBody = z.strictObject({
  hashes: z
    .array(
      z.strictObject({
        pdq: hex64.optional(),
        quality: z.number().int().min(0).max(100).optional(),
        dihedral: z.array(hex64).length(8).optional(),
        md5: z.string().max(64).optional(),
        sha256: z.string().max(128).optional(),
        ref: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(limits.hashMatchBatchMax),
  radius: z.number().int().min(0).max(MAX_RADIUS).optional(),
});

export const matchResponse = z.object({
  radius: z.number().int(),
  results: z.array(
    z.object({
      index: z.number().int(),
      ref: z.string().optional(),
      ok: z.boolean(),
      error: z.string().optional(),
      warning: z.string().optional(),
      matches: z.array(
        z.object({
          bankId: z.uuid(),
          bankName: z.string(),
          bankKind: z.string(),
          entryId: z.uuid(),
          signalType: z.enum(signalTypes),
          distance: z.number().int(),
        }),
      ),
    }),
  ),
});

export const idParams = z.strictObject({ id: z.uuid() });
