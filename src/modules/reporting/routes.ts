// HTTP routes of the figures: the dashboard's figures (JSON and CSV), the yearly trusted-flagger
// report (JSON, CSV, HTML; PDF from the CLI), the registration export for police and
// prosecution, the publication settings, and the public transparency page's data.
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import { categoryIds } from "../cases/taxonomy.ts";
import type { Deps } from "../deps.ts";
import { REGULATOR_CODE } from "../escalation/regulator-figures.ts";
import {
  figuresCsv,
  registrationCsv,
  registrationExport,
  regulatorYearly,
  regulatorYearlyCsv,
} from "./exports.ts";
import { figures, filterParties } from "./measures.ts";
import * as transparency from "./transparency.ts";
import {
  MAX_YEAR,
  MIN_YEAR,
  trustedFlaggerCsv,
  trustedFlaggerHtml,
  trustedFlaggerReport,
} from "./trusted-flagger.ts";

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date as YYYY-MM-DD.")
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      message: "Not a valid date.",
    },
  );

/** `from` and `to` are days (UTC); `to` is inclusive: the period ends at the end of that day. */
const period = {
  from: day.optional(),
  to: day.optional(),
};
const figureQuery = z.strictObject({
  ...period,
  category: z.enum(categoryIds).optional(),
  partyId: z.uuid().optional(),
});
const year = z.coerce.number().int().min(MIN_YEAR).max(MAX_YEAR);

const startOf = (d: string | undefined) => (d ? new Date(`${d}T00:00:00Z`) : undefined);
const endOf = (d: string | undefined) =>
  d ? new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000) : undefined;

function filterOf(q: z.infer<typeof figureQuery>) {
  return { from: startOf(q.from), to: endOf(q.to), category: q.category, partyId: q.partyId };
}

const csv = (reply: FastifyReply, name: string, body: string) =>
  reply
    .header("content-type", "text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${name}"`)
    .header("x-content-type-options", "nosniff")
    .send(body);

export function reportingRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["reporting"];
  const read = { auth: { permission: "reporting:read" as const } };

  r.get(
    "/api/v1/reporting/figures",
    {
      config: read,
      schema: {
        tags,
        summary: "Measures per party, category and month (see docs/REPORTING.md for each definition)",
        querystring: figureQuery,
      },
    },
    async (req) => figures(deps, principal(req), filterOf(req.query)),
  );

  r.get(
    "/api/v1/reporting/figures.csv",
    {
      config: read,
      schema: {
        tags,
        summary: "The same figures as one CSV table",
        querystring: figureQuery,
        produces: ["text/csv"],
      },
    },
    async (req, reply) =>
      csv(reply, "figures.csv", figuresCsv(await figures(deps, principal(req), filterOf(req.query)))),
  );

  r.get(
    "/api/v1/reporting/parties",
    { config: read, schema: { tags, summary: "Parties that received a notice (the dashboard's filter)" } },
    async (req) => ({ items: await filterParties(deps, principal(req)) }),
  );

  r.get(
    "/api/v1/reporting/trusted-flagger/:year",
    {
      config: read,
      schema: {
        tags,
        summary: "The trusted flagger's yearly report (DSA art. 22(3)) as JSON, CSV or HTML",
        params: z.object({ year }),
        querystring: z.strictObject({
          format: z.enum(["json", "csv", "html"]).default("json"),
          lang: z.enum(["nl", "en"]).default("nl"),
        }),
      },
    },
    async (req, reply) => {
      const d = await trustedFlaggerReport(deps, principal(req), req.params.year, req.query.lang);
      const name = `trusted-flagger-${req.params.year}`;
      if (req.query.format === "csv") return csv(reply, `${name}.csv`, trustedFlaggerCsv(d, req.query.lang));
      if (req.query.format === "html")
        return reply
          .header("content-type", "text/html; charset=utf-8")
          .header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
          )
          .header("content-disposition", `inline; filename="${name}.html"`)
          .send(trustedFlaggerHtml(d, req.query.lang));
      return d.report;
    },
  );

  r.get(
    "/api/v1/reporting/registration",
    {
      config: read,
      schema: {
        tags,
        summary:
          "Registration export for police and prosecution: cases by month and category with the taxonomy's codes",
        querystring: z.strictObject({
          from: day,
          to: day,
          format: z.enum(["json", "csv"]).default("json"),
        }),
      },
    },
    async (req, reply) => {
      const x = await registrationExport(
        deps,
        principal(req),
        startOf(req.query.from) as Date,
        endOf(req.query.to) as Date,
      );
      if (req.query.format === "csv")
        return csv(reply, `registration-${req.query.from}-${req.query.to}.csv`, registrationCsv(x));
      return x;
    },
  );

  r.get(
    "/api/v1/reporting/regulators/:code/yearly",
    {
      config: read,
      schema: {
        tags,
        summary:
          "Yearly figures for one regulator: what was asked of it, what it did, how fast (no personal data)",
        params: z.object({ code: z.string().max(40).regex(REGULATOR_CODE, "Not a regulator code.") }),
        querystring: z.strictObject({ year, format: z.enum(["json", "csv"]).default("json") }),
      },
    },
    async (req, reply) => {
      const x = await regulatorYearly(deps, principal(req), req.query.year, req.params.code);
      if (req.query.format === "csv")
        return csv(reply, `regulator-${x.regulator}-${x.year}.csv`, regulatorYearlyCsv(x));
      return x;
    },
  );

  r.get(
    "/api/v1/reporting/settings",
    {
      config: read,
      schema: { tags, summary: "Publication of the transparency page and the independence statement" },
    },
    async (req) => transparency.getSettings(deps, principal(req)),
  );

  r.patch(
    "/api/v1/reporting/settings",
    {
      config: { auth: { permission: "reporting:manage" } },
      schema: {
        tags,
        summary: "Turn the public transparency page on or off; set the independence statement (audited)",
        body: z.strictObject({
          transparencyPublished: z.boolean().optional(),
          independenceStatement: z.string().trim().min(1).max(10_000).nullable().optional(),
        }),
      },
    },
    async (req) => transparency.changeSettings(deps, principal(req), req.body),
  );

  // --- public ---------------------------------------------------------------------------------
  const publicRoute = { auth: "public" as const, rateLimit: { max: 60, timeWindow: 60_000 } };
  const orgParams = z.object({ organisationId: z.uuid() });
  const yearQuery = z.strictObject({ year: year.optional() });
  const yearOf = (q: { year?: number | undefined }) => q.year ?? deps.clock.now().getUTCFullYear();

  r.get(
    "/api/v1/public/transparency",
    {
      config: publicRoute,
      schema: { tags: ["public"], summary: "Organisations that publish their figures" },
    },
    async () => ({ items: await transparency.publishedOrganisations(deps) }),
  );

  r.get(
    "/api/v1/public/transparency/:organisationId",
    {
      config: publicRoute,
      schema: {
        tags: ["public"],
        summary:
          'Per-party scorecards for a year (404 until the organisation publishes them); counts below 10 as "<10"',
        params: orgParams,
        querystring: yearQuery,
      },
    },
    async (req) => transparency.publicTransparency(deps, req.params.organisationId, yearOf(req.query)),
  );

  r.get(
    "/api/v1/public/transparency/:organisationId/open-data.json",
    {
      config: publicRoute,
      schema: {
        tags: ["public"],
        summary: "The scorecards as open data (JSON)",
        params: orgParams,
        querystring: yearQuery,
      },
    },
    async (req, reply) => {
      const d = await transparency.publicTransparency(deps, req.params.organisationId, yearOf(req.query));
      return reply
        .header("content-disposition", `attachment; filename="transparency-${d.year}.json"`)
        .send(d);
    },
  );

  r.get(
    "/api/v1/public/transparency/:organisationId/open-data.csv",
    {
      config: publicRoute,
      schema: {
        tags: ["public"],
        summary: "The scorecards as open data (CSV)",
        params: orgParams,
        querystring: yearQuery,
        produces: ["text/csv"],
      },
    },
    async (req, reply) => {
      const d = await transparency.publicTransparency(deps, req.params.organisationId, yearOf(req.query));
      return csv(reply, `transparency-${d.year}.csv`, transparency.transparencyCsv(d));
    },
  );
}
