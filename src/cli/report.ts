// `vangrail report`: the trusted flagger's yearly report, the figures and the registration
// export, from the data folder (or DATABASE_URL) of a running or stopped Vangrail.
import { writeFileSync } from "node:fs";
import * as reporting from "../modules/reporting/service.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage:
  vangrail report trusted-flagger --year YYYY [--format json|csv|pdf|html] [--lang nl|en]
  vangrail report figures [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--category ID] [--party PARTY_ID]
                          [--format json|csv]
  vangrail report registration --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|json]
  vangrail report regulator --year YYYY --regulator CODE [--format json|csv]

Common options:
  --organisation ID|NAME   the hotline to report on (needed when there is more than one)
  --out FILE               write to FILE instead of standard output

trusted-flagger: the DSA art. 22(3) report of the notices sent in that calendar year (UTC),
  counted by provider, by type of content and by action, with the independence statement; no
  personal data. JSON (default) is {"year", "byProvider", "byType", "byAction", "independence"};
  pdf is printed by Chromium (CAPTURE_BROWSER_PATH).
figures: every measure per party, category and month (docs/REPORTING.md defines them).
registration: cases by month and category with the taxonomy's codes, for police and prosecution.
regulator: the yearly figures of one regulator (its code in the catalogue, e.g. acm): the
  enforcement requests filed with it in that year, what it did with them and how fast; no
  personal data.
Dates are days in UTC; --to is inclusive.`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayOf(v: string | undefined, name: string, end = false): Date | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(`${v}T00:00:00Z`);
  if (!DAY.test(v) || Number.isNaN(t) || !new Date(t).toISOString().startsWith(v))
    throw new UsageError(`--${name} must be a date as YYYY-MM-DD\n\n${help}`);
  return new Date(end ? t + 86_400_000 : t);
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], fallback: T, name: string): T {
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}\n\n${help}`);
  return v as T;
}

export async function run(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    {
      year: { type: "string" },
      format: { type: "string" },
      lang: { type: "string" },
      organisation: { type: "string" },
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      category: { type: "string" },
      party: { type: "string" },
      regulator: { type: "string" },
    },
    help,
  );
  if (!a) return 0;
  const [sub, ...extra] = a.positionals;
  if (
    !sub ||
    !["trusted-flagger", "figures", "registration", "regulator"].includes(sub) ||
    extra.length > 0
  ) {
    console.error(help);
    return 2;
  }
  const v = a.values;
  // Everything about the arguments is checked before the database is opened.
  let year = 0;
  if (sub === "trusted-flagger" || sub === "regulator") {
    if (!v.year || !/^\d{4}$/.test(v.year)) throw new UsageError(`give --year YYYY\n\n${help}`);
    year = Number(v.year);
  }
  const lang = oneOf(v.lang, ["nl", "en"] as const, "nl", "lang");
  const format =
    sub === "trusted-flagger"
      ? oneOf(v.format, ["json", "csv", "pdf", "html"] as const, "json", "format")
      : sub === "figures" || sub === "regulator"
        ? oneOf(v.format, ["json", "csv"] as const, "json", "format")
        : oneOf(v.format, ["csv", "json"] as const, "csv", "format");
  const from = dayOf(v.from, "from");
  const to = dayOf(v.to, "to", true);
  if (sub === "regulator" && (!v.regulator || !/^[a-z][a-z0-9_]{1,39}$/.test(v.regulator)))
    throw new UsageError(`give --regulator CODE (for example acm)\n\n${help}`);
  if (sub === "registration" && (!from || !to)) throw new UsageError(`give --from and --to\n\n${help}`);
  if (v.party !== undefined && !/^[0-9a-f-]{36}$/i.test(v.party))
    throw new UsageError(`--party must be a party id (uuid)\n\n${help}`);

  const rt = await boot();
  try {
    const orgs = await reporting.reportingOrganisations(rt.deps.db);
    let org: (typeof orgs)[number] | undefined;
    if (v.organisation) {
      const want = v.organisation.trim().toLowerCase();
      org = orgs.find((o) => o.id === want || o.name.toLowerCase() === want);
      if (!org)
        throw new UsageError(
          `no hotline ${v.organisation}; there are: ${orgs.map((o) => `${o.name} (${o.id})`).join(", ") || "none"}`,
        );
    } else if (orgs.length === 1) org = orgs[0];
    else if (orgs.length === 0) throw new UsageError("there is no hotline in this database yet");
    else
      throw new UsageError(
        `there is more than one hotline; choose one with --organisation:\n${orgs.map((o) => `  ${o.id}  ${o.name}`).join("\n")}`,
      );
    const orgId = (org as (typeof orgs)[number]).id;

    let output: string | Buffer;
    if (sub === "trusted-flagger") {
      const d = await reporting.buildTrustedFlaggerReport(rt.deps, orgId, year, lang);
      if (!d.independenceRecorded)
        console.error(
          "vangrail: warning: no independence statement is recorded; the report says so. Set it on the Figures page (Publication).",
        );
      output =
        format === "json"
          ? `${JSON.stringify(d.report, null, 2)}\n`
          : format === "csv"
            ? reporting.trustedFlaggerCsv(d, lang)
            : format === "html"
              ? reporting.trustedFlaggerHtml(d, lang)
              : await reporting.trustedFlaggerPdf(rt.deps, d, lang);
    } else if (sub === "figures") {
      const f = await reporting.computeFigures(rt.deps, orgId, {
        from,
        to,
        category: v.category,
        partyId: v.party,
      });
      output = format === "csv" ? reporting.figuresCsv(f) : `${JSON.stringify(f, null, 2)}\n`;
    } else if (sub === "regulator") {
      const x = await reporting.buildRegulatorYearly(rt.deps, orgId, year, v.regulator as string);
      output = format === "csv" ? reporting.regulatorYearlyCsv(x) : `${JSON.stringify(x, null, 2)}\n`;
    } else {
      const x = await reporting.buildRegistrationExport(rt.deps, orgId, from as Date, to as Date);
      output = format === "csv" ? reporting.registrationCsv(x) : `${JSON.stringify(x, null, 2)}\n`;
    }
    if (v.out) writeFileSync(v.out, output);
    else process.stdout.write(output);
    return 0;
  } finally {
    await rt.close();
  }
}
