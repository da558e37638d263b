// HTTP routes of hash banks (/api/v1/banks, /api/v1/bank-entries) and the matching API for
// partners (/api/v1/match). Each route parses, calls one service function and presents.
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import type { Deps } from "../deps.ts";
import { matcherFor } from "./matcher.ts";
import { PDQ_MATCH_RADIUS } from "./pdq-core.ts";
import { presentBank, presentEntry } from "./presenter.ts";
import * as s from "./schemas.ts";
import * as banks from "./service.ts";

const LIST_TYPES: Record<string, banks.ListFormat> = {
  "text/csv": "csv",
  "application/x-ndjson": "jsonl",
  "application/jsonl": "jsonl",
};

export function hashingRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Load the match index when the server starts, not on the first partner's query.
  app.addHook("onReady", async () => {
    await matcherFor(deps.db).sync(deps.db);
  });
  const tags = ["hash banks"];

  r.get(
    "/api/v1/banks",
    {
      config: { auth: { permission: "banks:read" } },
      schema: { tags, response: { 200: z.object({ items: z.array(s.bank) }) } },
    },
    async (req) => ({ items: (await banks.listBanks(deps, principal(req))).map(presentBank) }),
  );

  r.post(
    "/api/v1/banks",
    {
      config: { auth: { permission: "banks:manage" } },
      schema: { tags, body: s.newBankBody, response: { 201: s.bank } },
    },
    async (req, reply) => {
      const b = await banks.createBank(deps, principal(req), req.body as banks.BankInput);
      return reply.code(201).send(presentBank(b));
    },
  );

  r.get(
    "/api/v1/banks/:id",
    {
      config: { auth: { permission: "banks:read" } },
      schema: { tags, params: s.idParams, response: { 200: s.bank } },
    },
    async (req) => presentBank(await banks.getBank(deps, principal(req), req.params.id)),
  );

  r.patch(
    "/api/v1/banks/:id",
    {
      config: { auth: { permission: "banks:manage" } },
      schema: { tags, params: s.idParams, body: s.bankPatchBody, response: { 200: s.bank } },
    },
    async (req) => presentBank(await banks.updateBank(deps, principal(req), req.params.id, req.body)),
  );

  r.delete(
    "/api/v1/banks/:id",
    {
      config: { auth: { permission: "banks:manage" } },
      schema: { tags, summary: "Delete a bank and all its entries", params: s.idParams, body: s.reasonBody },
    },
    async (req, reply) => {
      await banks.deleteBank(deps, principal(req), req.params.id, req.body?.reason);
      return reply.code(204).send();
    },
  );

  r.get(
    "/api/v1/banks/:id/entries",
    {
      config: { auth: { permission: "banks:read" } },
      schema: {
        tags,
        summary: "Entries in insertion order; pass the last entry's `no` as `after` for the next page",
        params: s.idParams,
        querystring: s.entriesQuery,
        response: { 200: z.object({ items: z.array(s.entry) }) },
      },
    },
    async (req) => ({
      items: (
        await banks.listEntries(deps, principal(req), req.params.id, {
          afterNo: req.query.after,
          limit: req.query.limit,
        })
      ).map(presentEntry),
    }),
  );

  r.post(
    "/api/v1/banks/:id/entries",
    {
      config: { auth: { permission: "banks:manage" } },
      schema: {
        tags,
        summary: "Add up to 1,000 entries; each is checked on its own (format, degenerate, duplicate)",
        params: s.idParams,
        body: s.newEntriesBody,
        response: { 200: z.object({ results: z.array(s.bulkResult) }) },
      },
    },
    async (req) => ({
      results: await banks.addEntries(
        deps,
        principal(req),
        req.params.id,
        req.body.entries.map((input, i) => ({ line: i + 1, input })),
        { source: "api" },
      ),
    }),
  );

  // Hash lists arrive as text (CSV or JSON lines) and may be large: their own parsers and limit.
  app.register(async (inner) => {
    inner.addContentTypeParser(
      Object.keys(LIST_TYPES),
      { parseAs: "string", bodyLimit: limits.hashImportBytesMax },
      (_req, body, done) => done(null, body),
    );
    inner.withTypeProvider<ZodTypeProvider>().post(
      "/api/v1/banks/:id/import",
      {
        config: { auth: { permission: "banks:manage" } },
        bodyLimit: limits.hashImportBytesMax,
        schema: {
          tags,
          summary:
            "Import a hash list: text/csv (header row) or application/x-ndjson; columns signal_type, value, " +
            "quality, pipeline, case_id, source, note, expires_at. One result per data line.",
          params: s.idParams,
          response: {
            200: z.object({
              added: z.number().int(),
              refused: z.number().int(),
              results: z.array(s.bulkResult),
            }),
          },
        },
      },
      async (req) => {
        const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
        const format = LIST_TYPES[type];
        if (!format || typeof req.body !== "string") throw new AppError("unsupported_media_type");
        if (req.body.split("\n").length > limits.hashImportLinesMax + 1)
          throw new AppError("payload_too_large", {
            detail: `At most ${limits.hashImportLinesMax} lines per import; split the list.`,
          });
        const results = await banks.importList(deps, principal(req), req.params.id, req.body, format, {
          source: "import",
        });
        const added = results.filter((x) => x.ok).length;
        return { added, refused: results.length - added, results };
      },
    );
  });

  r.get(
    "/api/v1/banks/:id/export",
    {
      config: { auth: { permission: "banks:read" } },
      schema: {
        tags,
        summary: "Export the enabled, unexpired entries",
        params: s.idParams,
        querystring: s.exportQuery,
      },
    },
    async (req, reply) => {
      const format = req.query.format;
      const gen = banks.exportList(deps, principal(req), req.params.id, format);
      // Run the authorization check before the first byte is sent.
      const first = await gen.next();
      reply.header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson");
      reply.header("content-disposition", `attachment; filename="bank-${req.params.id}.${format}"`);
      async function* rest() {
        if (!first.done) yield first.value;
        yield* gen;
      }
      return reply.send(Readable.from(rest()));
    },
  );

  r.get(
    "/api/v1/bank-entries/:id",
    {
      config: { auth: { permission: "banks:read" } },
      schema: { tags, params: s.idParams, response: { 200: s.entry } },
    },
    async (req) => presentEntry(await banks.getEntry(deps, principal(req), req.params.id)),
  );

  r.patch(
    "/api/v1/bank-entries/:id",
    {
      config: { auth: { permission: "banks:manage" } },
      schema: {
        tags,
        summary: "Enable or disable an entry, or change its expiry: applied to matching at once",
        params: s.idParams,
        body: s.entryPatchBody,
        response: { 200: s.entry },
      },
    },
    async (req) => {
      const { reason, ...patch } = req.body;
      return presentEntry(await banks.updateEntry(deps, principal(req), req.params.id, patch, reason));
    },
  );

  r.delete(
    "/api/v1/bank-entries/:id",
    {
      config: { auth: { permission: "banks:manage" } },
      schema: { tags, params: s.idParams, body: s.reasonBody },
    },
    async (req, reply) => {
      await banks.deleteEntry(deps, principal(req), req.params.id, req.body?.reason);
      return reply.code(204).send();
    },
  );

  r.post(
    "/api/v1/match",
    {
      config: {
        auth: { permission: "match" },
        rateLimit: {
          max: deps.config.hashing.matchPerMinute,
          timeWindow: 60_000,
          // Per API token (or session), not per address: partners call from shared egress.
          keyGenerator: (req) => {
            const id = req.headers.authorization ?? req.headers.cookie;
            return id ? `match:${sha256Hex(id).slice(0, 32)}` : `match-ip:${req.ip}`;
          },
        },
      },
      schema: {
        tags: ["matching"],
        summary:
          "Match up to 1,000 images' hashes (PDQ, with its eight dihedral variants when given; MD5; SHA-256) " +
          "against your own and shared banks. Only counts and matched entry ids are kept.",
        body: s.matchBody,
        response: { 200: s.matchResponse },
      },
    },
    async (req) => {
      const radius = req.body.radius ?? PDQ_MATCH_RADIUS;
      return { radius, results: await banks.match(deps, principal(req), req.body.hashes, { radius }) };
    },
  );
}
