// Exports of the figures: CSV that a spreadsheet opens without running anything in it (cells
// that would start a formula are prefixed with an apostrophe), the dashboard's figures as CSV,
// and the registration export for police and prosecution (cases by month and category, with
// the taxonomy's codes: the DSA statement category and keywords and the Dutch offences).
import { AppError } from "../../platform/errors.ts";
import { category as categoryOf, taxonomy } from "../cases/taxonomy.ts";
import type { Deps } from "../deps.ts";
import { authorize, type Principal } from "../identity/principal.ts";
import type { Figures, Measures } from "./measures.ts";
import * as store from "./store.ts";

export type Cell = string | number | boolean | null | undefined;

/**
 * One CSV cell (RFC 4180). A text that a spreadsheet would read as a formula (it starts with
 * =, +, -, @, a tab or a carriage return, also after leading spaces) gets a leading apostrophe;
 * numbers are written as numbers.
 */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  let s = v;
  if (/^[\s]*[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== v ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows]
    .map((r) => r.map(csvCell).join(","))
    .join("\r\n")
    .concat("\r\n");
}

// --- The figures as CSV --------------------------------------------------------------------------

const MEASURE_COLUMNS: (keyof Measures)[] = [
  "notices",
  "acknowledged",
  "ackMedianSeconds",
  "ackP90Seconds",
  "due",
  "neverAnswered",
  "neverAnsweredShare",
  "items",
  "removedBeforeNotice",
  "removed",
  "removalMedianSeconds",
  "removalP90Seconds",
  "within24h",
  "within48h",
  "within7d",
  "byDeadline",
  "within24hShare",
  "within48hShare",
  "within7dShare",
  "byDeadlineShare",
  "removedShare",
  "refused",
  "claimsContradicted",
];

const measureCells = (m: Measures): Cell[] => MEASURE_COLUMNS.map((c) => m[c] as Cell);

/** Every row of the figures (total, per party, category, month, and the trends) as one CSV table. */
export function figuresCsv(f: Figures): string {
  const names = new Map(f.parties.map((p) => [p.partyId, p.name]));
  const rows: Cell[][] = [
    ["total", null, null, null, null, ...measureCells(f.total)],
    ...f.parties.map((p) => ["party", p.partyId, p.name, null, null, ...measureCells(p.measures)]),
    ...f.categories.map((c) => ["category", null, null, c.category, null, ...measureCells(c.measures)]),
    ...f.months.map((m) => ["month", null, null, null, m.month, ...measureCells(m.measures)]),
    ...f.partyMonths.map((m) => [
      "party_month",
      m.partyId,
      names.get(m.partyId) ?? null,
      null,
      m.month,
      ...measureCells(m.measures),
    ]),
    ...f.categoryMonths.map((m) => [
      "category_month",
      null,
      null,
      m.category,
      m.month,
      ...measureCells(m.measures),
    ]),
  ];
  return toCsv(["scope", "party_id", "party", "category", "month", ...MEASURE_COLUMNS], rows);
}

// --- Registration export (police and prosecution) -----------------------------------------------

export interface RegistrationRow {
  month: string;
  category: string;
  /** The taxonomy version the cases were classified under. */
  taxonomyVersion: string;
  /** DSA statement-of-reasons category and keywords of the category (current taxonomy). */
  dsaCategory: string | null;
  dsaKeywords: string[];
  /** Dutch criminal-law articles of the category (Wetboek van Strafrecht). */
  offences: string[];
  cases: number;
}

export interface RegistrationExport {
  organisationId: string;
  from: string;
  to: string;
  taxonomyVersion: string;
  generatedAt: string;
  rows: RegistrationRow[];
  totals: { category: string; cases: number }[];
}

/** Cases opened in [from, to) by month and category, with the taxonomy's codes. */
export async function buildRegistrationExport(
  deps: Deps,
  organisationId: string,
  from: Date,
  to: Date,
): Promise<RegistrationExport> {
  if (from >= to)
    throw new AppError("validation_failed", {
      errors: [{ path: "to", pointer: "/to", message: "The end of the period must be after its start." }],
    });
  const rows = (await store.casesByMonth(deps.db, organisationId, from, to)).map((r): RegistrationRow => {
    const c = categoryOf(r.category);
    return {
      month: r.month,
      category: r.category,
      taxonomyVersion: r.taxonomyVersion,
      dsaCategory: c?.dsa.category ?? null,
      dsaKeywords: c?.dsa.keywords ?? [],
      offences: c?.offences ?? [],
      cases: r.cases,
    };
  });
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.category, (totals.get(r.category) ?? 0) + r.cases);
  return {
    organisationId,
    from: from.toISOString(),
    to: to.toISOString(),
    taxonomyVersion: taxonomy.version,
    generatedAt: deps.clock.now().toISOString(),
    rows,
    totals: [...totals].map(([category, cases]) => ({ category, cases })).sort((a, b) => b.cases - a.cases),
  };
}

export async function registrationExport(deps: Deps, by: Principal, from: Date, to: Date) {
  authorize(by, "reporting:read");
  return buildRegistrationExport(deps, by.organisationId, from, to);
}

export function registrationCsv(x: RegistrationExport): string {
  return toCsv(
    ["month", "category", "taxonomy_version", "dsa_category", "dsa_keywords", "offences", "cases"],
    x.rows.map((r) => [
      r.month,
      r.category,
      r.taxonomyVersion,
      r.dsaCategory,
      r.dsaKeywords.join(";"),
      r.offences.join(";"),
      r.cases,
    ]),
  );
}
