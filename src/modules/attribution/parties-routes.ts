// HTTP routes of the party registry (/api/v1/parties): list, read, create, change and archive
// parties; add and remove matchers; add, change, remove and reset channels (a webhook's secret
// is in the answer that makes it, and never again); CSV export and import. Each route parses,
// calls one service function and presents.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import { limits } from "../../platform/limits.ts";
import { parseOrThrow } from "../../platform/validation.ts";
import type { Deps } from "../deps.ts";
import * as parties from "./parties.ts";
import { decodeCsv, exportPartiesCsv, importPartiesCsv } from "./parties-csv.ts";
import { presentChannel, presentDetail, presentMatcher, presentSummary } from "./parties-presenter.ts";
import * as s from "./parties-schemas.ts";

const tags = ["parties"];

export function partyRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/parties",
    {
      config: { auth: { permission: "parties:read" } },
      schema: {
        tags,
        summary:
          "The organisation's parties by name; filter by kind, a search text (name or matcher) and archived",
        querystring: s.listQuery,
        response: { 200: z.object({ items: z.array(s.partySummary) }) },
      },
    },
    async (req) => ({
      items: (await parties.listParties(deps, principal(req), req.query)).map(presentSummary),
    }),
  );

  r.post(
    "/api/v1/parties",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: { tags, body: s.newPartyBody, response: { 201: s.partyDetail } },
    },
    async (req, reply) =>
      reply.code(201).send(presentDetail(await parties.createParty(deps, principal(req), req.body))),
  );

  r.get(
    "/api/v1/parties.csv",
    {
      config: { auth: { permission: "parties:read" } },
      schema: {
        tags,
        summary: "The registry as CSV, one row per party (archived ones too); the import's format",
        produces: ["text/csv"],
      },
    },
    async (req, reply) => {
      const csv = await exportPartiesCsv(deps, principal(req));
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="parties.csv"')
        .header("x-content-type-options", "nosniff")
        .send(csv);
    },
  );

  // CSV arrives as bytes, so that text that is not UTF-8 is refused rather than mangled.
  app.register(async (inner) => {
    inner.addContentTypeParser(
      ["text/csv", "application/csv"],
      { parseAs: "buffer", bodyLimit: limits.partyImportBytesMax },
      (_req, body, done) => done(null, body),
    );
    inner.withTypeProvider<ZodTypeProvider>().post(
      "/api/v1/parties/import",
      {
        config: { auth: { permission: "parties:manage" } },
        bodyLimit: limits.partyImportBytesMax + 64 * 1024,
        schema: {
          tags,
          summary:
            "Import parties from CSV (body text/csv, or JSON { csv }); idempotent by name; one result per row",
          response: {
            200: z.object({
              created: z.number().int(),
              updated: z.number().int(),
              unchanged: z.number().int(),
              failed: z.number().int(),
              results: z.array(s.importResult),
            }),
          },
        },
      },
      async (req) => {
        let text: string;
        if (Buffer.isBuffer(req.body)) text = decodeCsv(req.body);
        else {
          const body = parseOrThrow(
            z.strictObject({ csv: z.string().max(limits.partyImportBytesMax) }),
            req.body,
          );
          text = body.csv;
        }
        const results = await importPartiesCsv(deps, principal(req), text, { source: "import" });
        const count = (a: string) => results.filter((x) => x.action === a).length;
        return {
          created: count("created"),
          updated: count("updated"),
          unchanged: count("unchanged"),
          failed: results.filter((x) => !x.ok).length,
          results,
        };
      },
    );
  });

  r.get(
    "/api/v1/parties/:id",
    {
      config: { auth: { permission: "parties:read" } },
      schema: { tags, params: s.idParams, response: { 200: s.partyDetail } },
    },
    async (req) => presentDetail(await parties.getPartyDetail(deps, principal(req), req.params.id)),
  );

  r.patch(
    "/api/v1/parties/:id",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: { tags, params: s.idParams, body: s.partyPatchBody, response: { 200: s.partyDetail } },
    },
    async (req) => presentDetail(await parties.updateParty(deps, principal(req), req.params.id, req.body)),
  );

  for (const [path, archived] of [
    ["archive", true],
    ["restore", false],
  ] as const) {
    r.post(
      `/api/v1/parties/:id/${path}`,
      {
        config: { auth: { permission: "parties:manage" } },
        schema: {
          tags,
          summary: archived
            ? "Archive a party: kept on record, no longer matched or listed by default"
            : "Restore an archived party",
          params: s.idParams,
          body: s.reasonBody,
          response: { 200: s.partyDetail },
        },
      },
      async (req) =>
        presentDetail(
          await parties.archiveParty(deps, principal(req), req.params.id, archived, req.body?.reason),
        ),
    );
  }

  r.post(
    "/api/v1/parties/:id/review",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: {
        tags,
        summary: "Confirm a party that attribution registered from RDAP (removes its review mark)",
        params: s.idParams,
        body: s.reasonBody,
        response: { 200: s.partyDetail },
      },
    },
    async (req) =>
      presentDetail(await parties.reviewParty(deps, principal(req), req.params.id, req.body?.reason)),
  );

  r.post(
    "/api/v1/parties/:id/matchers",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: {
        tags,
        summary:
          "Add a matcher: domain (example.org covers its subdomains; *.example.org only the subdomains), asn, registrar_iana_id, tld, abuse_email",
        params: s.idParams,
        body: s.newMatcherBody,
        response: { 201: s.matcher },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(presentMatcher(await parties.addMatcher(deps, principal(req), req.params.id, req.body))),
  );

  r.delete(
    "/api/v1/parties/:id/matchers/:matcherId",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: { tags, params: s.matcherParams },
    },
    async (req, reply) => {
      await parties.removeMatcher(deps, principal(req), req.params.id, req.params.matcherId);
      return reply.code(204).send();
    },
  );

  r.post(
    "/api/v1/parties/:id/channels",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: {
        tags,
        summary:
          "Add a channel (email, webhook, webform). A webhook's HMAC secret is in this answer only, never again.",
        params: s.idParams,
        body: s.newChannelBody,
        response: { 201: s.newChannelResponse },
      },
    },
    async (req, reply) => {
      const out = await parties.addChannel(deps, principal(req), req.params.id, req.body);
      return reply
        .code(201)
        .send({ channel: presentChannel(out.channel), ...(out.secret && { secret: out.secret }) });
    },
  );

  r.patch(
    "/api/v1/parties/:id/channels/:channelId",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: { tags, params: s.channelParams, body: s.channelPatchBody, response: { 200: s.channel } },
    },
    async (req) =>
      presentChannel(
        await parties.updateChannel(deps, principal(req), req.params.id, req.params.channelId, req.body),
      ),
  );

  r.delete(
    "/api/v1/parties/:id/channels/:channelId",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: { tags, params: s.channelParams },
    },
    async (req, reply) => {
      await parties.removeChannel(deps, principal(req), req.params.id, req.params.channelId);
      return reply.code(204).send();
    },
  );

  r.post(
    "/api/v1/parties/:id/channels/:channelId/reset",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: {
        tags,
        summary: "Clear a channel's failure mark (after the address was fixed)",
        params: s.channelParams,
        body: s.reasonBody,
        response: { 200: s.channel },
      },
    },
    async (req) =>
      presentChannel(
        await parties.resetChannel(
          deps,
          principal(req),
          req.params.id,
          req.params.channelId,
          req.body?.reason,
        ),
      ),
  );

  r.post(
    "/api/v1/parties/:id/channels/:channelId/secret",
    {
      config: { auth: { permission: "parties:manage" } },
      schema: {
        tags,
        summary: "Give a webhook a new HMAC secret (in this answer only); the old one stops working",
        params: s.channelParams,
        response: { 200: s.newChannelResponse },
      },
    },
    async (req) => {
      const out = await parties.rotateWebhookSecret(
        deps,
        principal(req),
        req.params.id,
        req.params.channelId,
      );
      return { channel: presentChannel(out.channel), secret: out.secret };
    },
  );
}
