// HTTP routes of evidence under /api/v1/evidence. Reading a capture, reading an artefact and
// exporting a bundle are each an audit event (the chain of custody), written by the service.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import { limits } from "../../platform/limits.ts";
import type { Deps } from "../deps.ts";
import { presentArtefact, presentCapture } from "./presenter.ts";
import * as evidence from "./service.ts";

const capture = z.object({
  id: z.uuid(),
  url: z.string(),
  finalUrl: z.string().nullable(),
  category: z.string().nullable(),
  retention: z.enum(["keep", "hash_only"]),
  status: z.enum(["pending", "captured", "failed"]),
  error: z.object({ code: z.string(), detail: z.string().nullable() }).nullable(),
  caseId: z.uuid().nullable(),
  itemId: z.uuid().nullable(),
  requestedAt: z.string(),
  capturedAt: z.string().nullable(),
  manifestSha256: z.string().nullable(),
  timestampedAt: z.string().nullable(),
});

const artefact = z.object({
  name: z.string(),
  sha256: z.string(),
  size: z.number(),
  mediaType: z.string(),
  kept: z.boolean(),
  sourceUrl: z.string().nullable(),
  pdq: z.string().nullable(),
});

const idParams = z.object({ id: z.uuid() }).strict();

export function evidenceRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/api/v1/evidence/captures",
    {
      config: { auth: { permission: "evidence:capture" } },
      schema: {
        tags: ["evidence"],
        summary: "Capture a URL (queued): HTTP exchange, HTML, screenshot, linked images",
        body: z
          .object({
            url: z.url().max(8192),
            category: z.string().min(1).max(64).optional(),
            caseId: z.uuid().optional(),
            itemId: z.uuid().optional(),
            reason: z.string().max(limits.reasonMax).optional(),
          })
          .strict(),
        response: { 202: z.object({ captureId: z.uuid() }) },
      },
    },
    async (req, reply) => {
      const { reason, ...input } = req.body;
      const out = await evidence.requestCapture(deps, principal(req), input, reason);
      return reply.code(202).send(out);
    },
  );

  r.get(
    "/api/v1/evidence/captures",
    {
      config: { auth: { permission: "evidence:read" } },
      schema: {
        tags: ["evidence"],
        querystring: z
          .object({
            itemId: z.uuid().optional(),
            caseId: z.uuid().optional(),
            limit: z.coerce.number().int().min(1).max(limits.pageSizeMax).default(50),
          })
          .strict(),
        response: { 200: z.object({ captures: z.array(capture) }) },
      },
    },
    async (req) => ({
      captures: (await evidence.listCaptures(deps, principal(req), req.query)).map(presentCapture),
    }),
  );

  r.get(
    "/api/v1/evidence/captures/:id",
    {
      config: { auth: { permission: "evidence:read" } },
      schema: {
        tags: ["evidence"],
        summary: "One capture with its artefacts and manifest (recorded as a view)",
        params: idParams,
        response: {
          200: z.object({ capture, artefacts: z.array(artefact), manifest: z.unknown().nullable() }),
        },
      },
    },
    async (req) => {
      const { capture: c, artefacts } = await evidence.getCapture(deps, principal(req), req.params.id);
      return {
        capture: presentCapture(c),
        artefacts: artefacts.map(presentArtefact),
        manifest: c.manifest ? (JSON.parse(c.manifest) as unknown) : null,
      };
    },
  );

  r.get(
    "/api/v1/evidence/captures/:id/artefacts/*",
    {
      config: { auth: { permission: "evidence:read" } },
      schema: { tags: ["evidence"], summary: "The bytes of one kept artefact (recorded as a view)" },
    },
    async (req, reply) => {
      const params = req.params as { id: string; "*": string };
      const id = idParams.parse({ id: params.id }).id;
      const a = await evidence.readArtefact(deps, principal(req), id, params["*"]);
      return reply
        .header("content-type", a.mediaType)
        .header("content-disposition", "attachment")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .send(a.bytes);
    },
  );

  r.post(
    "/api/v1/evidence/captures/:id/bundle",
    {
      config: { auth: { permission: "evidence:export" } },
      schema: {
        tags: ["evidence"],
        summary: "Export the evidence bundle (zip); with a recipient it is recorded as a transfer",
        params: idParams,
        body: z
          .object({
            recipient: z.string().min(1).max(limits.nameMax).optional(),
            reason: z.string().max(limits.reasonMax).optional(),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const out = await evidence.exportBundle(deps, principal(req), req.params.id, req.body);
      return reply
        .header("content-type", "application/zip")
        .header("content-disposition", `attachment; filename="${out.fileName}"`)
        .header("x-manifest-sha256", out.manifestSha256)
        .send(out.bundle);
    },
  );

  r.get(
    "/api/v1/evidence/signing-key",
    {
      config: { auth: { permission: "evidence:read" } },
      schema: {
        tags: ["evidence"],
        summary: "The organisation's Ed25519 public key that signs evidence manifests",
        response: {
          200: z.object({ publicKeyPem: z.string(), fingerprint: z.string(), createdAt: z.string() }),
        },
      },
    },
    async (req) => {
      const k = await evidence.publicSigningKey(deps, principal(req));
      return { ...k, createdAt: k.createdAt.toISOString() };
    },
  );
}
