// HTTP routes of the workbench: the triage queue, the case page, changes, notes, items, and
// click-to-reveal of material with the day's exposure count.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import type { Deps } from "../deps.ts";
import * as identity from "../identity/service.ts";
import { presentCaseSummary, presentEvent, presentItem, presentNote } from "./presenter.ts";
import * as s from "./schemas.ts";
import * as cases from "./service.ts";
import { taxonomy } from "./taxonomy.ts";

/** What another module adds to the case page (intake: the reports behind the case). */
export type CaseExtras = (deps: Deps, caseId: string) => Promise<Record<string, unknown>>;

export function caseRoutes(app: FastifyInstance, deps: Deps, extras: CaseExtras[] = []): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/taxonomy",
    {
      config: { auth: "public" },
      schema: { tags: ["cases"], summary: "Categories with DSA and Dutch-law mappings" },
    },
    async () => taxonomy,
  );

  r.get(
    "/api/v1/cases",
    {
      config: { auth: { permission: "cases:read" } },
      schema: {
        tags: ["cases"],
        summary: "The triage queue: urgent first, then oldest",
        querystring: s.queueQuery,
        response: {
          200: z.object({
            items: z.array(s.caseSummary),
            total: z.number().int(),
            counts: z.array(z.object({ status: z.string(), priority: z.string(), n: z.number().int() })),
          }),
        },
      },
    },
    async (req) => {
      const out = await cases.queue(deps, principal(req), req.query);
      return { items: out.rows.map(presentCaseSummary), total: out.total, counts: out.counts };
    },
  );

  r.get(
    "/api/v1/cases/:id",
    {
      config: { auth: { permission: "cases:read" } },
      schema: {
        tags: ["cases"],
        params: s.caseParams,
        response: {
          200: z.object({
            case: s.caseSummary,
            assignee: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
            items: z.array(s.item),
            notes: z.array(s.note),
            timeline: z.array(s.event),
            extras: z.record(z.string(), z.unknown()),
          }),
        },
      },
    },
    async (req) => {
      const out = await cases.getCase(deps, principal(req), req.params.id);
      const extra: Record<string, unknown> = {};
      for (const x of extras) Object.assign(extra, await x(deps, out.case.id));
      return {
        case: presentCaseSummary(out.case),
        assignee: out.assignee ? { id: out.assignee.id, displayName: out.assignee.displayName } : null,
        items: out.items.map((i) =>
          presentItem(
            i,
            out.linked.filter((l) => l.itemId === i.id),
          ),
        ),
        notes: out.notes.map(presentNote),
        timeline: out.timeline.map(presentEvent),
        extras: extra,
      };
    },
  );

  r.patch(
    "/api/v1/cases/:id",
    {
      config: { auth: { permission: "cases:triage" } },
      schema: {
        tags: ["cases"],
        summary: "Classify, prioritise, assign or change status (status changes need a reason)",
        params: s.caseParams,
        body: s.caseChange,
        response: { 200: s.caseSummary },
      },
    },
    async (req) => {
      const c = await cases.changeCase(deps, principal(req), req.params.id, req.body);
      const assignee = c.assigneeId ? await identity.findUserById(deps, c.assigneeId) : undefined;
      return presentCaseSummary({ ...c, assigneeName: assignee?.displayName ?? null } as typeof c);
    },
  );

  r.post(
    "/api/v1/cases/:id/notes",
    {
      config: { auth: { permission: "cases:triage", sessionOnly: true } },
      schema: {
        tags: ["cases"],
        params: s.caseParams,
        body: s.noteBody,
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send({ id: await cases.addNote(deps, principal(req), req.params.id, req.body.body) }),
  );

  r.post(
    "/api/v1/cases/:id/items",
    {
      config: { auth: { permission: "cases:triage" } },
      schema: {
        tags: ["cases"],
        summary: "Add URLs, accounts or domains; per-item results",
        params: s.caseParams,
        body: s.newItems,
        response: {
          200: z.object({
            results: z.array(
              z.object({
                index: z.number().int(),
                ok: z.boolean(),
                itemId: z.uuid().optional(),
                linked: z.boolean().optional(),
                error: z.string().optional(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({ results: await cases.addItems(deps, principal(req), req.params.id, req.body.items) }),
  );

  r.patch(
    "/api/v1/cases/:id/items/:itemId",
    {
      config: { auth: { permission: "cases:triage" } },
      schema: { tags: ["cases"], params: s.itemParams, body: s.itemStatusBody },
    },
    async (req, reply) => {
      await cases.changeItemStatus(
        deps,
        principal(req),
        req.params.id,
        req.params.itemId,
        req.body.status,
        req.body.reason,
      );
      return reply.code(204).send();
    },
  );

  r.post(
    "/api/v1/cases/:id/items/:itemId/reveal",
    {
      config: { auth: { permission: "cases:reveal", sessionOnly: true } },
      schema: {
        tags: ["cases"],
        summary: "Record that you reveal an item's material; returns your exposure count for today",
        params: s.itemParams,
        body: z.strictObject({}).nullish(),
        response: { 200: z.object({ exposuresToday: z.number().int() }) },
      },
    },
    async (req) => ({
      exposuresToday: await cases.recordReveal(deps, principal(req), req.params.id, req.params.itemId),
    }),
  );

  r.get(
    "/api/v1/cases/:id/items/:itemId/preview",
    {
      config: { auth: { permission: "cases:read", sessionOnly: true } },
      schema: {
        tags: ["cases"],
        summary: "A blurred greyscale preview of an item's file",
        params: s.itemParams,
      },
    },
    async (req, reply) =>
      reply
        .type("image/jpeg")
        .header("cache-control", "private, no-store")
        .send(await cases.blurredPreview(deps, principal(req), req.params.id, req.params.itemId)),
  );

  r.get(
    "/api/v1/cases/:id/items/:itemId/file",
    {
      config: { auth: { permission: "cases:reveal", sessionOnly: true } },
      schema: {
        tags: ["cases"],
        summary: "An item's file, after you revealed it (POST …/reveal) in the last 10 minutes",
        params: s.itemParams,
      },
    },
    async (req, reply) => {
      const f = await cases.revealedFile(deps, principal(req), req.params.id, req.params.itemId);
      return reply
        .type(f.mediaType)
        .header("cache-control", "private, no-store")
        .header("content-disposition", "inline")
        .header("x-content-type-options", "nosniff")
        .send(f.bytes);
    },
  );

  r.get(
    "/api/v1/me/exposure",
    {
      config: { auth: { permission: "cases:read", sessionOnly: true } },
      schema: { tags: ["cases"], response: { 200: z.object({ exposuresToday: z.number().int() }) } },
    },
    async (req) => ({ exposuresToday: await cases.exposureToday(deps, principal(req)) }),
  );
}
