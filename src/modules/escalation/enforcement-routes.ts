// HTTP routes of enforcement requests: the hotline's side under /api/v1/enforcement (drafting,
// approval, filing, receipt, extensions, the notice of default, decisions, documents, the
// regulator contacts and applicant details, coordination), and the regulator portal under
// /api/v1/portal (the requests filed with the caller's own organisation only).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import type { Deps } from "../deps.ts";
import type { Principal } from "../identity/principal.ts";
import { agenda, agendaHtml, agendaPdf, partiesOverview } from "./coordination.ts";
import * as enforcement from "./enforcement.ts";
import { enforcementLimits as L } from "./enforcement.ts";
import { regulatorIds, regulators } from "./regulators.ts";

const idParams = z.object({ id: z.uuid() });
const docParams = z.object({ id: z.uuid(), documentId: z.uuid() });
const text = (max: number) => z.string().trim().min(1).max(max);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const statuses = ["draft", "approved", "filed", "received", "decided", "withdrawn"] as const;
const outcomes = ["granted", "partly_granted", "refused", "inadmissible", "other"] as const;

export const draftBody = z.strictObject({
  regulator: z.enum(regulatorIds as [string, ...string[]]),
  partyId: z.uuid().nullable().default(null),
  caseIds: z.array(z.uuid()).min(1).max(L.casesPerRequest),
  itemIds: z.array(z.uuid()).max(L.itemsPerRequest).default([]),
  language: z.enum(["nl", "en"]).optional(),
  decisionRequested: text(L.decisionRequestedMax).optional(),
  facts: text(L.factsMax).optional(),
});
export const editBody = z.strictObject({
  language: z.enum(["nl", "en"]).optional(),
  decisionRequested: text(L.decisionRequestedMax).optional(),
  facts: text(L.factsMax).optional(),
});
export const receiptBody = z.strictObject({ receivedAt: instant.optional() });
export const extensionBody = z.strictObject({
  termEndsOn: z.iso.date(),
  reason: text(L.reasonMax).optional(),
});
export const defaultNoticeBody = z
  .strictObject({ sentAt: instant.optional(), receivedAt: instant.optional() })
  .refine((b) => b.sentAt || b.receivedAt, "Give sentAt, receivedAt or both.");
export const decisionBody = z.strictObject({
  outcome: z.enum(outcomes),
  text: text(L.decisionTextMax),
  decidedAt: instant.optional(),
});
export const updateBody = z.strictObject({ kind: z.enum(["status", "note"]), message: text(L.messageMax) });
export const withdrawBody = z.strictObject({ reason: text(L.reasonMax) });
export const listQuery = z.strictObject({
  status: z.enum(statuses).optional(),
  regulator: z.enum(regulatorIds as [string, ...string[]]).optional(),
  partyId: z.uuid().optional(),
  caseId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(limits.pageSizeMax).optional(),
});
export const settingsBody = z.strictObject({
  applicantName: text(200).nullable().default(null),
  postalAddress: text(1000),
  email: z.email().max(254).nullable().default(null),
  consultationMonths: z
    .union([1, 2, 3, 4, 6, 12].map((n) => z.literal(n)) as [z.ZodLiteral<number>, ...z.ZodLiteral<number>[]])
    .default(3),
});
export const contactBody = z.strictObject({
  regulatorOrganisationId: z.uuid().nullable().default(null),
  email: z.email().max(254).nullable().default(null),
});
const langQuery = z.strictObject({ lang: z.enum(["nl", "en"]).default("nl") });

/** One uploaded document: a `file` part and an optional `kind` field (decision or document). */
async function readUpload(
  req: FastifyRequest,
): Promise<{ fileName: string; bytes: Buffer; kind: "decision" | "document" }> {
  if (!req.isMultipart())
    throw new AppError("unsupported_media_type", {
      detail: "Send the document as multipart/form-data with a `file` part.",
    });
  let file: { fileName: string; bytes: Buffer } | undefined;
  let kind: "decision" | "document" = "document";
  try {
    for await (const part of req.parts({
      // The name as sent, folders and all: a path in a name is refused, not silently cut off.
      preservePath: true,
      limits: { fileSize: L.documentMaxBytes, files: 1, fields: 2 },
    })) {
      if (part.type === "file") {
        if (part.fieldname !== "file" || file) {
          await part.toBuffer().catch(() => undefined);
          throw new AppError("validation_failed", {
            errors: [
              { path: "file", pointer: "/file", message: "Send exactly one file, in the field `file`." },
            ],
          });
        }
        file = { fileName: part.filename, bytes: await part.toBuffer() };
      } else if (part.fieldname === "kind") {
        if (part.value !== "decision" && part.value !== "document")
          throw new AppError("validation_failed", {
            errors: [{ path: "kind", pointer: "/kind", message: "kind is `decision` or `document`." }],
          });
        kind = part.value;
      }
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as { code?: string }).code;
    if (code === "FST_REQ_FILE_TOO_LARGE")
      throw new AppError("payload_too_large", {
        detail: `The file is larger than ${L.documentMaxBytes / 1024 / 1024} MB.`,
      });
    if (code === "FST_FILES_LIMIT" || code === "FST_FIELDS_LIMIT" || code === "FST_PARTS_LIMIT")
      throw new AppError("validation_failed", {
        errors: [{ path: "file", pointer: "/file", message: "Send exactly one file, in the field `file`." }],
      });
    throw e;
  }
  if (!file)
    throw new AppError("validation_failed", {
      errors: [{ path: "file", pointer: "/file", message: "The file is missing." }],
    });
  return { ...file, kind };
}

async function sendDocument(reply: FastifyReply, d: Awaited<ReturnType<typeof enforcement.readDocument>>) {
  return reply
    .header("content-type", d.mediaType)
    .header("content-disposition", `attachment; filename="${d.fileName}"`)
    .header("x-content-type-options", "nosniff")
    .header("x-content-sha256", d.sha256)
    .send(d.bytes);
}

/** The portal is for regulators' and the police's officers; anyone else finds nothing there. */
function portalPrincipal(req: FastifyRequest): Principal {
  const by = principal(req);
  if (by.organisationKind !== "regulator" && by.organisationKind !== "police")
    throw new AppError("not_found");
  return by;
}

export function enforcementRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["enforcement"];
  const read = { auth: { permission: "enforcement:read" as const } };
  const manage = { auth: { permission: "enforcement:manage" as const } };
  const respond = { auth: { permission: "enforcement:respond" as const } };
  const base = "/api/v1/enforcement";

  r.get(
    `${base}/regulators`,
    { config: read, schema: { tags, summary: "The regulator catalogue" } },
    async () => ({
      items: regulators,
    }),
  );

  r.get(`${base}/settings`, { config: read, schema: { tags } }, async (req) =>
    enforcement.getSettings(deps, principal(req)),
  );
  r.put(
    `${base}/settings`,
    {
      config: manage,
      schema: { tags, summary: "The applicant's name and address (art. 4:2 Awb)", body: settingsBody },
    },
    async (req) => enforcement.saveSettings(deps, principal(req), req.body),
  );
  r.get(`${base}/contacts`, { config: read, schema: { tags } }, async (req) => ({
    items: await enforcement.listContacts(deps, principal(req)),
  }));
  r.put(
    `${base}/contacts/:regulator`,
    {
      config: manage,
      schema: {
        tags,
        summary: "Which organisation and/or e-mail address stands for a regulator",
        params: z.object({ regulator: z.enum(regulatorIds as [string, ...string[]]) }),
        body: contactBody,
      },
    },
    async (req) => enforcement.saveContact(deps, principal(req), req.params.regulator, req.body),
  );
  r.delete(
    `${base}/contacts/:regulator`,
    {
      config: manage,
      schema: { tags, params: z.object({ regulator: z.enum(regulatorIds as [string, ...string[]]) }) },
    },
    async (req, reply) => {
      await enforcement.removeContact(deps, principal(req), req.params.regulator);
      return reply.code(204).send();
    },
  );

  r.get(`${base}/requests`, { config: read, schema: { tags, querystring: listQuery } }, async (req) => ({
    items: await enforcement.listRequests(deps, principal(req), req.query),
  }));
  r.post(
    `${base}/requests`,
    { config: manage, schema: { tags, summary: "Draft an enforcement request", body: draftBody } },
    async (req, reply) => {
      const out = await enforcement.draftRequest(deps, principal(req), req.body);
      return reply.code(out.created ? 201 : 200).send(out);
    },
  );
  r.get(`${base}/requests/:id`, { config: read, schema: { tags, params: idParams } }, async (req) =>
    enforcement.getRequest(deps, principal(req), req.params.id),
  );
  r.patch(
    `${base}/requests/:id`,
    { config: manage, schema: { tags, params: idParams, body: editBody } },
    async (req) => enforcement.editDraft(deps, principal(req), req.params.id, req.body),
  );
  r.post(
    `${base}/requests/:id/approve`,
    {
      config: { auth: { permission: "escalation:approve" as const } },
      schema: { tags, summary: "Approve (and sign) a draft", params: idParams },
    },
    async (req) => enforcement.approveRequest(deps, principal(req), req.params.id),
  );
  r.post(`${base}/requests/:id/file`, { config: manage, schema: { tags, params: idParams } }, async (req) =>
    enforcement.fileRequest(deps, principal(req), req.params.id),
  );
  r.post(
    `${base}/requests/:id/receipt`,
    {
      config: manage,
      schema: { tags, summary: "Record the date of receipt", params: idParams, body: receiptBody },
    },
    async (req) => enforcement.recordReceipt(deps, principal(req), req.params.id, req.body),
  );
  r.post(
    `${base}/requests/:id/extensions`,
    {
      config: manage,
      schema: {
        tags,
        summary: "Record a new term (art. 4:14(3) Awb)",
        params: idParams,
        body: extensionBody,
      },
    },
    async (req) => enforcement.recordExtension(deps, principal(req), req.params.id, req.body),
  );
  r.post(
    `${base}/requests/:id/default-notice`,
    {
      config: manage,
      schema: {
        tags,
        summary: "Record when the notice of default was sent and received",
        params: idParams,
        body: defaultNoticeBody,
      },
    },
    async (req) => enforcement.recordDefaultNotice(deps, principal(req), req.params.id, req.body),
  );
  r.post(
    `${base}/requests/:id/decision`,
    { config: manage, schema: { tags, params: idParams, body: decisionBody } },
    async (req) => enforcement.recordDecision(deps, principal(req), req.params.id, req.body),
  );
  r.post(
    `${base}/requests/:id/withdraw`,
    { config: manage, schema: { tags, params: idParams, body: withdrawBody } },
    async (req) => enforcement.withdrawRequest(deps, principal(req), req.params.id, req.body.reason),
  );
  r.post(
    `${base}/requests/:id/updates`,
    { config: manage, schema: { tags, params: idParams, body: updateBody } },
    async (req, reply) =>
      reply.code(201).send(await enforcement.addUpdate(deps, principal(req), req.params.id, req.body)),
  );
  r.post(
    `${base}/requests/:id/documents`,
    {
      config: manage,
      schema: { tags, summary: "Add a document (multipart: `file`, optional `kind`)", params: idParams },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await enforcement.addDocument(deps, principal(req), req.params.id, await readUpload(req))),
  );
  r.get(
    `${base}/requests/:id/documents/:documentId`,
    { config: read, schema: { tags, params: docParams } },
    async (req, reply) =>
      sendDocument(
        reply,
        await enforcement.readDocument(deps, principal(req), req.params.id, req.params.documentId),
      ),
  );
  r.post(
    `${base}/requests/:id/dossier`,
    { config: manage, schema: { tags, summary: "Render the dossier again (in a job)", params: idParams } },
    async (req, reply) =>
      reply.code(202).send(await enforcement.requestDossier(deps, principal(req), req.params.id)),
  );

  r.get(`${base}/coordination/parties`, { config: read, schema: { tags } }, async (req) => ({
    items: await partiesOverview(deps, principal(req)),
  }));
  r.get(`${base}/coordination/agenda`, { config: read, schema: { tags } }, async (req) =>
    agenda(deps, principal(req)),
  );
  r.get(
    `${base}/coordination/agenda.html`,
    { config: read, schema: { tags, querystring: langQuery } },
    async (req, reply) =>
      reply
        .type("text/html; charset=utf-8")
        .header("content-disposition", 'attachment; filename="agenda.html"')
        .send(agendaHtml(await agenda(deps, principal(req)), req.query.lang)),
  );
  r.get(
    `${base}/coordination/agenda.pdf`,
    { config: read, schema: { tags, querystring: langQuery } },
    async (req, reply) => {
      const a = await agenda(deps, principal(req));
      return reply
        .type("application/pdf")
        .header("content-disposition", `attachment; filename="agenda-${a.period.from}.pdf"`)
        .send(await agendaPdf(deps, a, req.query.lang));
    },
  );

  // --- The regulator portal -------------------------------------------------------------------
  const portal = "/api/v1/portal/requests";
  const ptags = ["portal"];
  r.get(
    portal,
    {
      config: read,
      schema: {
        tags: ptags,
        summary: "Requests filed with my organisation",
        querystring: listQuery.pick({ status: true, limit: true }),
      },
    },
    async (req) => ({ items: await enforcement.portalRequests(deps, portalPrincipal(req), req.query) }),
  );
  r.get(`${portal}/:id`, { config: read, schema: { tags: ptags, params: idParams } }, async (req) =>
    enforcement.getRequest(deps, portalPrincipal(req), req.params.id),
  );
  r.post(
    `${portal}/:id/receipt`,
    { config: respond, schema: { tags: ptags, params: idParams, body: receiptBody } },
    async (req) => enforcement.recordReceipt(deps, portalPrincipal(req), req.params.id, req.body),
  );
  r.post(
    `${portal}/:id/extensions`,
    { config: respond, schema: { tags: ptags, params: idParams, body: extensionBody } },
    async (req) => enforcement.recordExtension(deps, portalPrincipal(req), req.params.id, req.body),
  );
  r.post(
    `${portal}/:id/decision`,
    { config: respond, schema: { tags: ptags, params: idParams, body: decisionBody } },
    async (req) => enforcement.recordDecision(deps, portalPrincipal(req), req.params.id, req.body),
  );
  r.post(
    `${portal}/:id/updates`,
    { config: respond, schema: { tags: ptags, params: idParams, body: updateBody } },
    async (req, reply) =>
      reply.code(201).send(await enforcement.addUpdate(deps, portalPrincipal(req), req.params.id, req.body)),
  );
  r.post(
    `${portal}/:id/documents`,
    {
      config: respond,
      schema: {
        tags: ptags,
        summary: "Add a document (multipart: `file`, optional `kind`)",
        params: idParams,
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await enforcement.addDocument(deps, portalPrincipal(req), req.params.id, await readUpload(req)),
        ),
  );
  r.get(
    `${portal}/:id/documents/:documentId`,
    { config: read, schema: { tags: ptags, params: docParams } },
    async (req, reply) =>
      sendDocument(
        reply,
        await enforcement.readDocument(deps, portalPrincipal(req), req.params.id, req.params.documentId),
      ),
  );
}
