// The trusted flagger's yearly report (DSA art. 22(3)): the notices sent in a calendar year
// (UTC) counted by the provider they went to, by the type of allegedly illegal content and by
// the action the provider took, with the organisation's explanation of how it keeps its
// independence. No personal data: only party names (companies in the registry), categories,
// actions and counts. As JSON (the contract of `vangrail report trusted-flagger`), CSV, HTML
// and PDF (the HTML printed by Chromium, with scripts off and no network).
import { chromium } from "playwright-core";
import { AppError } from "../../platform/errors.ts";
import { category as categoryOf } from "../cases/taxonomy.ts";
import type { Deps } from "../deps.ts";
import { authorize, type Principal } from "../identity/principal.ts";
import { toCsv } from "./exports.ts";
import * as store from "./store.ts";

/** The report exactly as the command prints it with `--format json`. */
export interface TrustedFlaggerReport {
  year: number;
  byProvider: { provider: string; notices: number }[];
  byType: { type: string; notices: number }[];
  byAction: { action: string; notices: number }[];
  independence: string;
}

/** The report with what the HTML, CSV and PDF forms also show. */
export interface TrustedFlaggerDocument {
  report: TrustedFlaggerReport;
  organisation: { name: string; trustedFlagger: boolean; area: string | null };
  total: number;
  independenceRecorded: boolean;
  generatedAt: string;
}

export const ACTIONS = [
  "removed",
  "disabled",
  "geo_restricted",
  "refused",
  "not_responsible",
  "claim_contradicted",
  "mixed",
  "none",
] as const;

export type Language = "nl" | "en";

const NO_STATEMENT: Record<Language, string> = {
  nl: "Er is nog geen verklaring over de onafhankelijkheid vastgelegd. Een beheerder legt die vast onder Cijfers → Publicatie.",
  en: "No statement of independence has been recorded yet. An administrator records it under Figures → Publication.",
};

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

export function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR)
    throw new AppError("validation_failed", {
      errors: [{ path: "year", pointer: "/year", message: `Give a year from ${MIN_YEAR} to ${MAX_YEAR}.` }],
    });
}

const byCountThenName =
  <T extends { notices: number }>(name: (x: T) => string) =>
  (a: T, b: T) =>
    b.notices - a.notices || name(a).localeCompare(name(b));

/** Builds the yearly report of one organisation (no authorization check: CLI and services). */
export async function buildTrustedFlaggerReport(
  deps: Deps,
  organisationId: string,
  year: number,
  language: Language = "nl",
): Promise<TrustedFlaggerDocument> {
  checkYear(year);
  const org = await store.organisationInfo(deps.db, organisationId);
  if (!org) throw new AppError("not_found");
  const from = new Date(Date.UTC(year, 0, 1));
  const to = new Date(Date.UTC(year + 1, 0, 1));
  const [{ total, rows }, settings] = await Promise.all([
    store.withSortMemory(deps.db, (tx) => store.noticeBreakdowns(tx, organisationId, from, to)),
    store.settingsOf(deps.db, organisationId),
  ]);
  const pick = (by: store.BreakdownRow["by"]) => rows.filter((r) => r.by === by);
  const report: TrustedFlaggerReport = {
    year,
    byProvider: pick("provider")
      .map((r) => ({ provider: r.value, notices: r.notices }))
      .sort(byCountThenName((x) => x.provider)),
    byType: pick("type")
      .map((r) => ({ type: r.value, notices: r.notices }))
      .sort(byCountThenName((x) => x.type)),
    byAction: pick("action")
      .map((r) => ({ action: r.value, notices: r.notices }))
      .sort(byCountThenName((x) => x.action)),
    independence: settings.independenceStatement ?? NO_STATEMENT[language],
  };
  return {
    report,
    organisation: { name: org.name, trustedFlagger: org.trustedFlagger, area: org.area },
    total,
    independenceRecorded: settings.independenceStatement !== null,
    generatedAt: deps.clock.now().toISOString(),
  };
}

/** The report of the principal's own organisation. */
export async function trustedFlaggerReport(
  deps: Deps,
  by: Principal,
  year: number,
  language: Language = "nl",
) {
  authorize(by, "reporting:read");
  return buildTrustedFlaggerReport(deps, by.organisationId, year, language);
}

// --- Renderings ------------------------------------------------------------------------------------

const LABELS = {
  nl: {
    title: "Jaarverslag betrouwbare flagger {year}",
    intro:
      "Meldingen die {org} in {year} heeft gedaan volgens artikel 16 van de digitaledienstenverordening (DSA), geteld volgens artikel 22, lid 3. Een jaar loopt van 1 januari tot en met 31 december (UTC). Dit verslag bevat geen persoonsgegevens.",
    designation: "Aangewezen als betrouwbare flagger voor: {area}",
    notDesignated: "Deze organisatie is in Vangrail niet als betrouwbare flagger geregistreerd.",
    total: "Meldingen in totaal",
    byProvider: "Per aanbieder van hostingdiensten",
    byType: "Per soort vermoedelijk illegale inhoud",
    byAction: "Per maatregel van de aanbieder",
    provider: "Aanbieder",
    type: "Soort inhoud",
    dsa: "DSA-categorie",
    action: "Maatregel",
    notices: "Meldingen",
    independence: "Hoe wij onafhankelijk blijven",
    method:
      "Elke melding telt één keer per overzicht. Aanbieder: de partij aan wie de melding is gestuurd. Soort: de categorie van de zaak. Maatregel: wat de aanbieder voor alle URL's in de melding heeft doorgegeven; 'verschillend per URL' als dat per URL verschilt, 'geen' als de aanbieder niets heeft doorgegeven.",
    generated: "Gemaakt op {at} door Vangrail.",
    empty: "Geen meldingen in dit jaar.",
  },
  en: {
    title: "Trusted flagger yearly report {year}",
    intro:
      "Notices {org} submitted in {year} under Article 16 of the Digital Services Act (DSA), counted as Article 22(3) requires. A year runs from 1 January to 31 December (UTC). This report contains no personal data.",
    designation: "Designated as trusted flagger for: {area}",
    notDesignated: "This organisation is not registered in Vangrail as a trusted flagger.",
    total: "Notices in total",
    byProvider: "By provider of hosting services",
    byType: "By type of allegedly illegal content",
    byAction: "By action taken by the provider",
    provider: "Provider",
    type: "Type of content",
    dsa: "DSA category",
    action: "Action",
    notices: "Notices",
    independence: "How we keep our independence",
    method:
      "Each notice counts once in each breakdown. Provider: the party the notice was sent to. Type: the case's category. Action: what the provider reported for all URLs in the notice; 'different per URL' when that differs between URLs, 'none' when the provider reported nothing.",
    generated: "Generated on {at} by Vangrail.",
    empty: "No notices in this year.",
  },
} as const;

export const ACTION_LABELS: Record<Language, Record<(typeof ACTIONS)[number], string>> = {
  nl: {
    removed: "Verwijderd",
    disabled: "Ontoegankelijk gemaakt",
    geo_restricted: "Beperkt in bepaalde landen",
    refused: "Geweigerd",
    not_responsible: "Niet verantwoordelijk volgens de aanbieder",
    claim_contradicted: "Verwijdering gemeld, bij controle nog online",
    mixed: "Verschillend per URL",
    none: "Geen (niet beantwoord)",
  },
  en: {
    removed: "Removed",
    disabled: "Access disabled",
    geo_restricted: "Restricted in some countries",
    refused: "Refused",
    not_responsible: "Not responsible, according to the provider",
    claim_contradicted: "Removal reported, still online when checked",
    mixed: "Different per URL",
    none: "None (not answered)",
  },
};

const actionLabel = (a: string, l: Language) => ACTION_LABELS[l][a as (typeof ACTIONS)[number]] ?? a;
const typeLabel = (t: string, l: Language) => categoryOf(t)?.label[l] ?? t;

const fill = (s: string, vars: Record<string, string | number>) =>
  s.replace(/\{(\w+)\}/g, (w, k: string) => (k in vars ? String(vars[k]) : w));

export const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** A standalone HTML document (no scripts, no external resources; styles inline). */
export function trustedFlaggerHtml(d: TrustedFlaggerDocument, l: Language = "nl"): string {
  const L = LABELS[l];
  const r = d.report;
  const e = escapeHtml;
  const nf = new Intl.NumberFormat(l === "nl" ? "nl-NL" : "en-GB");
  const table = (caption: string, head: string[], rows: string[][]) =>
    rows.length === 0
      ? `<h2>${e(caption)}</h2><p>${e(L.empty)}</p>`
      : `<h2>${e(caption)}</h2><table><thead><tr>${head
          .map((h, i) => `<th scope="col"${i === head.length - 1 ? ' class="num"' : ""}>${e(h)}</th>`)
          .join("")}</tr></thead><tbody>${rows
          .map(
            (row) =>
              `<tr>${row
                .map((c, i) =>
                  i === 0
                    ? `<th scope="row">${e(c)}</th>`
                    : `<td${i === row.length - 1 ? ' class="num"' : ""}>${e(c)}</td>`,
                )
                .join("")}</tr>`,
          )
          .join("")}</tbody><tfoot><tr><th scope="row">${e(L.total)}</th>${head
          .slice(1, -1)
          .map(() => "<td></td>")
          .join("")}<td class="num">${nf.format(d.total)}</td></tr></tfoot></table>`;
  const title = fill(L.title, { year: r.year });
  return `<!doctype html>
<html lang="${l}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} — ${e(d.organisation.name)}</title>
<style>
body{font:11pt/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:48rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.15rem;margin:1.8rem 0 .5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
thead th{border-bottom:2px solid #333}tfoot th,tfoot td{border-top:2px solid #333;font-weight:700}
.num{text-align:right;font-variant-numeric:tabular-nums}.total{font-size:1.2rem}
.statement{white-space:pre-wrap;border-left:4px solid #555;padding-left:1rem}.small{font-size:.9rem;color:#444}
</style>
</head>
<body>
<main>
<h1>${e(title)}</h1>
<p><strong>${e(d.organisation.name)}</strong></p>
<p>${e(fill(L.intro, { org: d.organisation.name, year: r.year }))}</p>
<p>${e(d.organisation.trustedFlagger ? fill(L.designation, { area: d.organisation.area ?? "—" }) : L.notDesignated)}</p>
<p class="total">${e(L.total)}: <strong>${nf.format(d.total)}</strong></p>
${table(
  L.byProvider,
  [L.provider, L.notices],
  r.byProvider.map((x) => [x.provider, nf.format(x.notices)]),
)}
${table(
  L.byType,
  [L.type, L.dsa, L.notices],
  r.byType.map((x) => [typeLabel(x.type, l), categoryOf(x.type)?.dsa.category ?? "—", nf.format(x.notices)]),
)}
${table(
  L.byAction,
  [L.action, L.notices],
  r.byAction.map((x) => [actionLabel(x.action, l), nf.format(x.notices)]),
)}
<h2>${e(L.independence)}</h2>
<p class="statement">${e(r.independence)}</p>
<p class="small">${e(L.method)}</p>
<p class="small">${e(fill(L.generated, { at: d.generatedAt.slice(0, 10) }))}</p>
</main>
</body>
</html>
`;
}

/** One table: section, key, label, DSA category, notices; the statement as the last row. */
export function trustedFlaggerCsv(d: TrustedFlaggerDocument, l: Language = "nl"): string {
  const r = d.report;
  return toCsv(
    ["year", "section", "key", "label", "dsa_category", "notices"],
    [
      [r.year, "total", null, null, null, d.total],
      ...r.byProvider.map((x) => [r.year, "provider", x.provider, x.provider, null, x.notices]),
      ...r.byType.map((x) => [
        r.year,
        "type",
        x.type,
        typeLabel(x.type, l),
        categoryOf(x.type)?.dsa.category ?? null,
        x.notices,
      ]),
      ...r.byAction.map((x) => [r.year, "action", x.action, actionLabel(x.action, l), null, x.notices]),
      [r.year, "independence", null, r.independence, null, null],
    ],
  );
}

const PDF_BROWSER_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  // The report needs nothing from outside: no name resolves and the proxy goes nowhere.
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--proxy-server=http://127.0.0.1:9",
];

/** Prints the HTML to PDF (A4) in headless Chromium with scripts off and every request refused. */
export async function htmlToPdf(browserPath: string, html: string): Promise<Buffer> {
  const browser = await chromium.launch({
    executablePath: browserPath,
    args: PDF_BROWSER_ARGS,
    headless: true,
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, serviceWorkers: "block" });
    await context.route("**/*", (route) => route.abort("blockedbyclient"));
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: "load", timeout: 30_000 });
    return await page.pdf({
      format: "A4",
      printBackground: true,
      margin: { top: "18mm", bottom: "18mm", left: "16mm", right: "16mm" },
    });
  } finally {
    await browser.close();
  }
}

export async function trustedFlaggerPdf(
  deps: Deps,
  d: TrustedFlaggerDocument,
  l: Language = "nl",
): Promise<Buffer> {
  return htmlToPdf(deps.config.evidence.capture.browserPath, trustedFlaggerHtml(d, l));
}
