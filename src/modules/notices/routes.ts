// HTTP routes of notices: staff create and follow them per case; a party answers through the
// link in the notice (no account) or through its own account or API token; the notice JSON
// schema is published.
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import type { Deps } from "../deps.ts";
import * as notices from "./service.ts";

const schemaJson = JSON.parse(
  readFileSync(new URL("./notice-v1.schema.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

const idParams = z.object({ id: z.uuid() });
const tokenParams = z.object({ token: z.string().min(20).max(100) });
const text = (max: number) => z.string().trim().min(1).max(max);

export const responseBody = z.strictObject({
  kind: z.enum([
    "acknowledged",
    "removed",
    "disabled",
    "geo_restricted",
    "refused",
    "not_responsible",
    "question",
  ]),
  itemIds: z.array(z.uuid()).max(1000).optional(),
  restriction: text(500).optional(),
  groundKind: z.enum(["legal", "contractual"]).optional(),
  ground: text(2000).optional(),
  facts: text(5000).optional(),
  automated: z.boolean().optional(),
  countries: z
    .array(z.string().regex(/^[A-Za-z]{2}$/))
    .max(250)
    .optional(),
  responsible: text(1000).optional(),
  message: text(5000).optional(),
});

const receipt = z.object({
  responseId: z.string(),
  reference: z.string(),
  kind: z.string(),
  receivedAt: z.string(),
  itemIds: z.array(z.string()),
});

export function noticeRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["notices"];
  const publicLimit = { rateLimit: { max: 60, timeWindow: 60_000 } };

  r.post(
    "/api/v1/cases/:id/notices",
    {
      config: { auth: { permission: "notices:send" } },
      schema: {
        tags,
        summary:
          "Create the notices for a case's attributed URLs (one per party and step), queued for delivery",
        params: idParams,
        body: z.strictObject({
          language: z.enum(["nl", "en"]).optional(),
          csamClassification: z.enum(["baseline", "A1", "A2", "B1", "B2"]).optional(),
          itemIds: z.array(z.uuid()).min(1).max(10_000).optional(),
        }),
      },
    },
    async (req, reply) => {
      const out = await notices.createNoticesForCase(deps, principal(req), req.params.id, req.body);
      return reply.code(201).send(out);
    },
  );

  r.get(
    "/api/v1/cases/:id/notices",
    { config: { auth: { permission: "notices:read" } }, schema: { tags, params: idParams } },
    async (req) => ({ items: await notices.noticesOfCase(deps, principal(req), req.params.id) }),
  );

  r.get(
    "/api/v1/notices",
    {
      config: { auth: { permission: "notices:read" } },
      schema: { tags, summary: "A platform's own notices (for its agents and API tokens)" },
    },
    async (req) => ({ items: await notices.noticesForParty(deps, principal(req)) }),
  );

  r.get(
    "/api/v1/notices/:id",
    { config: { auth: { permission: "notices:read" } }, schema: { tags, params: idParams } },
    async (req) => notices.getNotice(deps, principal(req), req.params.id),
  );

  r.post(
    "/api/v1/notices/:id/sent-manually",
    {
      config: { auth: { permission: "notices:send" } },
      schema: {
        tags,
        summary: "Record that a notice for a web-form channel was filled in by hand",
        params: idParams,
        body: z.strictObject({ reason: text(1000) }),
      },
    },
    async (req, reply) => {
      await notices.markSentManually(deps, principal(req), req.params.id, req.body.reason);
      return reply.code(204).send();
    },
  );

  r.post(
    "/api/v1/notices/:id/responses",
    {
      config: { auth: { permission: "notices:respond" } },
      schema: { tags, params: idParams, body: responseBody, response: { 201: receipt } },
    },
    async (req, reply) =>
      reply.code(201).send(await notices.respondAsParty(deps, principal(req), req.params.id, req.body)),
  );

  r.get(
    "/api/v1/public/notices/:token",
    {
      config: { auth: "public", ...publicLimit },
      schema: {
        tags: ["public"],
        summary: "A notice as its recipient sees it (the token is in its link)",
        params: tokenParams,
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      reply.header("referrer-policy", "no-referrer");
      return notices.publicNotice(deps, req.params.token);
    },
  );

  r.post(
    "/api/v1/public/notices/:token/responses",
    {
      config: { auth: "public", ...publicLimit },
      schema: {
        tags: ["public"],
        summary:
          "A party's response to a notice: receipt, action taken, refusal (art. 17 facts), not responsible, or a question",
        params: tokenParams,
        body: responseBody,
        response: { 201: receipt },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      const via = req.headers["x-vangrail-response-page"] === "1" ? "page" : "api";
      return reply.code(201).send(await notices.respondWithToken(deps, req.params.token, req.body, via));
    },
  );

  r.get(
    "/api/v1/schemas/notice-v1.json",
    {
      config: { auth: "public" },
      schema: { tags: ["public"], summary: "JSON Schema of Vangrail's notice attachment" },
    },
    async (_req, reply) => reply.type("application/schema+json").send(schemaJson),
  );
}
