// HTTP routes of monitoring: the monitoring state of a case's items, and "check now" for one
// item (the check itself runs in the monitoring job, never in the request).
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import type { Deps } from "../deps.ts";
import * as monitoring from "./service.ts";

const idParams = z.object({ id: z.uuid() });
const iso = z.string();

const check = z.object({
  id: z.uuid(),
  checkedAt: iso,
  verdict: z.enum(["removed", "online", "changed", "error"]),
  reason: z.string(),
  httpStatus: z.number().int().nullable(),
  finalUrl: z.string().nullable(),
  contentSha256: z.string().nullable(),
  contentBytes: z.number().nullable(),
  pdqDistance: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
  recordSha256: z.string(),
});

export const caseMonitoring = z.object({
  caseId: z.uuid(),
  items: z.array(
    z.object({
      itemId: z.uuid(),
      kind: z.string(),
      url: z.string().nullable(),
      status: z.string(),
      schedule: z
        .object({
          startedAt: iso,
          nextCheckAt: iso.nullable(),
          checks: z.number().int(),
          consecutiveErrors: z.number().int(),
          endedAt: iso.nullable(),
          endReason: z.enum(["removed", "closed", "expired", "not_checkable"]).nullable(),
          extraChecks: z.number().int(),
        })
        .nullable(),
      removal: z.object({ at: iso, checkId: z.string().nullable() }).nullable(),
      reappearances: z.array(z.object({ at: iso, checkId: z.uuid(), verdict: z.string(), removedAt: iso })),
      fastTrackedAt: iso.nullable(),
      checkCount: z.number().int(),
      lastChecks: z.array(check),
      claims: z.array(
        z.object({
          noticeId: z.uuid(),
          party: z.string(),
          outcome: z.enum(["removed", "disabled"]),
          claimedAt: iso.nullable(),
          contradictedAt: iso.nullable(),
          contradictingCheckId: z.string().nullable(),
        }),
      ),
    }),
  ),
});

export function monitoringRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["monitoring"];

  r.get(
    "/api/v1/cases/:id/monitoring",
    {
      config: { auth: { permission: "monitoring:read" } },
      schema: {
        tags,
        summary:
          "Per item of a case: the re-check schedule, next check, last checks, verified removal, re-appearances and contradicted claims",
        params: idParams,
        response: { 200: caseMonitoring },
      },
    },
    async (req) => monitoring.monitoringOfCase(deps, principal(req), req.params.id),
  );

  r.post(
    "/api/v1/items/:id/checks",
    {
      config: { auth: { permission: "monitoring:run" } },
      schema: {
        tags,
        summary: "Check an item now (queued for the monitoring worker; also after its schedule ended)",
        params: idParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(1000).optional() }).optional(),
        response: { 202: z.object({ itemId: z.uuid(), nextCheckAt: iso }) },
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await monitoring.requestCheckNow(deps, principal(req), req.params.id, req.body?.reason)),
  );
}
