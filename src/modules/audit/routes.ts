// HTTP routes of the audit log: an organisation's own events, and the chain check.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import { limits } from "../../platform/limits.ts";
import type { Deps } from "../deps.ts";
import { authorize } from "../identity/principal.ts";
import * as audit from "./service.ts";

const event = z.object({
  seq: z.number().int(),
  id: z.uuid(),
  occurredAt: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

export function auditRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/audit/events",
    {
      config: { auth: { permission: "audit:read" } },
      schema: {
        tags: ["audit"],
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(limits.pageSizeMax).default(50),
          before: z.coerce.number().int().min(1).optional(),
        }),
        response: { 200: z.object({ items: z.array(event) }) },
      },
    },
    async (req) => {
      const p = principal(req);
      authorize(p, "audit:read");
      const events = await audit.listForOrganisation(deps.db, p.organisationId, {
        limit: req.query.limit,
        ...(req.query.before !== undefined && { beforeSeq: req.query.before }),
      });
      return {
        items: events.map((e) => ({
          seq: e.seq,
          id: e.id,
          occurredAt: e.occurredAt,
          actorType: e.actorType,
          actorId: e.actorId,
          action: e.action,
          subjectType: e.subjectType,
          subjectId: e.subjectId,
          reason: e.reason,
          data: (e.data ?? {}) as Record<string, unknown>,
          prevHash: e.prevHash,
          hash: e.hash,
        })),
      };
    },
  );

  r.post(
    "/api/v1/audit/verify",
    {
      config: { auth: { permission: "audit:verify" } },
      schema: {
        tags: ["audit"],
        summary: "Walk the whole hash chain and report the first event that does not hold",
        body: z.strictObject({}).nullish(),
        response: {
          200: z.object({
            ok: z.boolean(),
            checked: z.number().int(),
            headHash: z.string(),
            firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
          }),
        },
      },
    },
    async (req) => {
      authorize(principal(req), "audit:verify");
      const r = await audit.verify(deps.db);
      return {
        ok: r.ok,
        checked: r.checked,
        headHash: r.headHash,
        // Another organisation's event may be the broken one: its number, not its id.
        ...(r.firstBroken && { firstBroken: { seq: r.firstBroken.seq, reason: r.firstBroken.reason } }),
      };
    },
  );
}
