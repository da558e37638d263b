// HTTP routes of attribution: ask for a case's items to be attributed (queued, never run
// inside the request), and read an item's attributions with their provenance.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import { limits } from "../../platform/limits.ts";
import type { Deps } from "../deps.ts";
import { presentAttribution } from "./presenter.ts";
import * as attribution from "./service.ts";

const attributionSchema = z.object({
  id: z.uuid(),
  itemId: z.uuid(),
  role: z.enum(["platform", "hosting", "registrar", "registry"]),
  party: z.object({ id: z.uuid(), name: z.string(), reachable: z.boolean() }).nullable(),
  name: z.string().nullable(),
  abuseEmail: z.string().nullable(),
  country: z.string().nullable(),
  asn: z.number().int().nullable(),
  network: z.string().nullable(),
  address: z.string().nullable(),
  source: z.string(),
  sourceUrl: z.string().nullable(),
  rawSha256: z.string().nullable(),
  error: z.string().nullable(),
  resolvedAt: z.string(),
  expiresAt: z.string(),
  supersededAt: z.string().nullable(),
});

const idParams = z.object({ id: z.uuid() }).strict();

export function attributionRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/api/v1/cases/:id/attribute",
    {
      config: { auth: { permission: "attribution:run" } },
      schema: {
        tags: ["attribution"],
        summary:
          "Attribute the case's URL and domain items again (queued): platform, host, registrar, registry",
        params: idParams,
        body: z
          .object({
            /** Ask the RDAP servers again instead of using cached answers. */
            refresh: z.boolean().optional(),
            reason: z.string().max(limits.reasonMax).optional(),
          })
          .strict()
          .default({}),
        response: { 202: z.object({ items: z.number().int(), jobs: z.number().int() }) },
      },
    },
    async (req, reply) => {
      const out = await attribution.requestCaseAttribution(deps, principal(req), req.params.id, req.body);
      return reply.code(202).send(out);
    },
  );

  r.get(
    "/api/v1/items/:id/attributions",
    {
      config: { auth: { permission: "cases:read" } },
      schema: {
        tags: ["attribution"],
        summary: "Who must act for an item, per role, with the source, time and hash of each answer",
        params: idParams,
        querystring: z
          .object({
            history: z
              .enum(["true", "false"])
              .transform((v) => v === "true")
              .optional(),
          })
          .strict(),
        response: {
          200: z.object({
            attributions: z.array(attributionSchema),
            history: z.array(attributionSchema).optional(),
          }),
        },
      },
    },
    async (req) => {
      const out = await attribution.itemAttributions(deps, principal(req), req.params.id, {
        history: req.query.history === true,
      });
      return {
        attributions: out.current.map(presentAttribution),
        ...(out.history ? { history: out.history.map(presentAttribution) } : {}),
      };
    },
  );
}
