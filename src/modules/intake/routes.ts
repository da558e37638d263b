// HTTP routes of intake: the public report (JSON, or multipart with screenshots), the status
// page's check, the form's data, the partner API with Idempotency-Key, bulk import, and the
// audited view of a reporter's contact details.

import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import { parseOrThrow } from "../../platform/validation.ts";
import { taxonomy } from "../cases/taxonomy.ts";
import type { Deps } from "../deps.ts";
import * as basic from "./basic-form.ts";
import { currentConsent } from "./consent.ts";
import { allHelpRoutes } from "./help.ts";
import { importCsv } from "./import.ts";
import * as s from "./schemas.ts";
import * as intake from "./service.ts";

/** A multipart report: one field `report` (the JSON) and up to N files named `files`. */
async function readMultipart(req: FastifyRequest): Promise<{ body: unknown; files: intake.Upload[] }> {
  let body: unknown;
  const files: intake.Upload[] = [];
  for await (const part of req.parts()) {
    if (part.type === "file") {
      if (part.fieldname !== "files") {
        await part.toBuffer().catch(() => undefined);
        throw new AppError("validation_failed", {
          errors: [{ path: part.fieldname.slice(0, 40), message: "Unknown file field." }],
        });
      }
      // In memory only: nothing of an upload is written to a temporary file.
      files.push({ bytes: await part.toBuffer() });
    } else if (part.fieldname === "report") {
      try {
        body = JSON.parse(String(part.value));
      } catch {
        throw new AppError("malformed_json", { detail: "The `report` field is not valid JSON." });
      }
    }
  }
  if (body === undefined) {
    throw new AppError("validation_failed", {
      errors: [{ path: "report", pointer: "/report", message: "The report is missing." }],
    });
  }
  return { body, files };
}

export function intakeRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const reportLimit = { rateLimit: { max: deps.config.intake.reportsPerMinute, timeWindow: 60_000 } };

  // The form without JavaScript, in its own scope: only it parses urlencoded bodies.
  app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 128 * 1024 });
    const langOf = (q: unknown): basic.Lang =>
      (q as { lang?: string } | undefined)?.lang === "en" ? "en" : "nl";
    scope.get("/report-basic", { config: { auth: "public" }, schema: { hide: true } }, async (req, reply) =>
      reply
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-store")
        // With no-referrer, browsers send `Origin: null` on the form's POST, which the origin
        // check refuses; same-origin still sends nothing to other sites.
        .header("referrer-policy", "same-origin")
        .send(basic.renderForm(langOf(req.query))),
    );
    scope.post(
      "/report-basic",
      { config: { auth: "public", ...reportLimit }, schema: { hide: true } },
      async (req, reply) => {
        const values = (req.body ?? {}) as basic.FormValues;
        const lang = langOf(values);
        reply
          .type("text/html; charset=utf-8")
          .header("cache-control", "no-store")
          .header("referrer-policy", "same-origin");
        try {
          const report = parseOrThrow(s.publicReport, basic.formToReport(values));
          const out = await intake.submitPublicReport(deps, report);
          return reply.code(201).send(basic.renderReceipt(lang, out.receipt, out.secret, out.helpRoutes));
        } catch (e) {
          if (e instanceof AppError && (e.code === "validation_failed" || e.code === "report_rejected")) {
            const errors = e.errors ?? [{ path: "", message: e.message }];
            return reply.code(422).send(basic.renderForm(lang, values, errors));
          }
          throw e;
        }
      },
    );
  });

  r.get(
    "/api/v1/public/report-form",
    {
      config: { auth: "public" },
      schema: {
        tags: ["public"],
        summary: "What the report form needs: categories, consent text, help routes, limits",
      },
    },
    async () => ({
      categories: taxonomy.categories.map((c) => ({ id: c.id, label: c.label, description: c.description })),
      taxonomyVersion: taxonomy.version,
      consent: { version: currentConsent.version, nl: currentConsent.nl, en: currentConsent.en },
      helpRoutes: allHelpRoutes(),
      limits: {
        urlsPerReport: limits.urlsPerReport,
        accountsPerReport: limits.accountsPerReport,
        descriptionMax: limits.descriptionMax,
        filesPerReport: limits.filesPerReport,
        fileMaxBytes: limits.fileMaxBytes,
      },
    }),
  );

  app.post(
    "/api/v1/public/reports",
    {
      config: { auth: "public", ...reportLimit },
      bodyLimit: limits.filesPerReport * limits.fileMaxBytes + 1024 * 1024,
      schema: {
        tags: ["public"],
        summary:
          "File a report without an account (JSON, or multipart/form-data with `report` JSON and `files`)",
        response: { 201: s.reportReceipt },
      },
    },
    async (req, reply) => {
      let body: unknown = req.body;
      let files: intake.Upload[] = [];
      if (req.isMultipart()) ({ body, files } = await readMultipart(req));
      const report = parseOrThrow(s.publicReport, body);
      const out = await intake.submitPublicReport(deps, report, files);
      const { caseId: _c, fileItems: _f, ...receipt } = out;
      return reply.code(201).send(receipt);
    },
  );

  r.post(
    "/api/v1/public/reports/status",
    {
      config: { auth: "public", ...reportLimit },
      schema: {
        tags: ["public"],
        summary:
          "The status of a report, with its receipt and secret; a wrong pair is 404 like an unknown receipt",
        body: s.statusQuery,
        response: {
          200: z.object({
            receipt: z.string(),
            receivedAt: z.string(),
            status: z.enum(["received", "in_review", "in_progress", "closed"]),
            updatedAt: z.string(),
            items: z.number().int(),
            removed: z.number().int(),
          }),
        },
      },
    },
    async (req) => intake.reportStatus(deps, req.body.receipt, req.body.secret),
  );

  r.post(
    "/api/v1/public/device-hashes",
    {
      config: { auth: "public", ...reportLimit },
      schema: {
        tags: ["public"],
        summary: "PDQ hashes made on the victim's device, for their report (no image is ever sent)",
        body: z.strictObject({
          receipt: z.string().min(4).max(40),
          secret: z.string().min(4).max(60),
          hashes: z
            .array(
              z.strictObject({
                pdq: z.string().regex(/^[0-9a-f]{64}$/i),
                quality: z.number().int().min(0).max(100),
              }),
            )
            .min(1)
            .max(limits.deviceHashesPerCall),
        }),
      },
    },
    async (req) => {
      const out = await intake.submitDeviceHashes(deps, req.body.receipt, req.body.secret, req.body.hashes);
      return {
        accepted: out.results.filter((x) => x.ok).length,
        results: out.results,
        withdrawalSecret: out.withdrawalSecret,
      };
    },
  );

  r.post(
    "/api/v1/public/device-hashes/withdraw",
    {
      config: { auth: "public", ...reportLimit },
      schema: {
        tags: ["public"],
        summary:
          "Withdraw device hashes: with receipt and secret every hash of the report, with a withdrawal secret that one submission; the entries are deleted",
        body: z.union([s.statusQuery, s.withdrawalSecretQuery]),
        response: { 200: z.object({ deleted: z.number().int() }) },
      },
    },
    async (req) =>
      "withdrawalSecret" in req.body
        ? intake.withdrawDeviceHashSubmission(deps, req.body.withdrawalSecret)
        : intake.withdrawDeviceHashes(deps, req.body.receipt, req.body.secret),
  );

  r.post(
    "/api/v1/reports",
    {
      config: { auth: { permission: "reports:submit" } },
      schema: {
        tags: ["partners"],
        summary:
          "File a report from a partner's system (API token with reports:submit; Idempotency-Key required)",
        headers: z.object({ "idempotency-key": z.string().min(1).max(200) }).loose(),
        body: s.partnerReport,
        response: { 200: s.reportReceipt, 201: s.reportReceipt },
      },
    },
    async (req, reply) => {
      const out = await intake.submitPartnerReport(
        deps,
        principal(req),
        req.body,
        req.headers["idempotency-key"],
      );
      return reply.code(out.status).send(out.body);
    },
  );

  r.post(
    "/api/v1/cases/import",
    {
      config: { auth: { permission: "cases:import" } },
      bodyLimit: limits.importBytesMax + 64 * 1024,
      schema: {
        tags: ["cases"],
        summary:
          "Import URLs from CSV (columns url, category, platform) into a case or new cases; per-row results",
        body: s.importBody,
        response: {
          200: z.object({
            imported: z.number().int(),
            failed: z.number().int(),
            results: z.array(
              z.object({
                line: z.number().int(),
                ok: z.boolean(),
                caseId: z.uuid().optional(),
                itemId: z.uuid().optional(),
                linked: z.boolean().optional(),
                error: z.string().optional(),
                code: z.enum(["unknown_category", "no_category", "invalid_url"]).optional(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const results = await importCsv(deps, principal(req), req.body.csv, {
        caseId: req.body.caseId,
        category: req.body.category,
      });
      return {
        imported: results.filter((x) => x.ok).length,
        failed: results.filter((x) => !x.ok).length,
        results,
      };
    },
  );

  r.post(
    "/api/v1/reports/:id/contact",
    {
      config: { auth: { permission: "cases:contact", sessionOnly: true } },
      schema: {
        tags: ["cases"],
        summary: "Show a reporter's contact details (audited; give the reason)",
        params: z.strictObject({ id: z.uuid() }),
        body: z.strictObject({ reason: z.string().trim().min(1).max(limits.reasonMax) }),
        response: { 200: z.record(z.string(), z.string()) },
      },
    },
    async (req) => intake.viewContact(deps, principal(req), req.params.id, req.body.reason),
  );
}
