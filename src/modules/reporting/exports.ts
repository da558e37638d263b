// Exports of the figures: CSV that a spreadsheet opens without running anything in it (cells
// that would start a formula are prefixed with an apostrophe), the dashboard's figures as CSV,
// and the registration export for police and prosecution (cases by month and category, with
// the taxonomy's codes: the DSA statement category and keywords and the Dutch offences).
import { AppError } from "../../platform/errors.ts";
import { category as categoryOf, taxonomy } from "../cases/taxonomy.ts";
import type { Deps } from "../deps.ts";
import { REGULATOR_CODE, regulatorRequestsByParty } from "../escalation/regulator-figures.ts";
import { regulatorById } from "../escalation/regulators.ts";
import { authorize, type Principal } from "../identity/principal.ts";
import { computeRegulatorFigures, type Figures, type Measures, type RegulatorMeasures } from "./measures.ts";
import * as store from "./store.ts";
import { MAX_YEAR, MIN_YEAR } from "./trusted-flagger.ts";

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

/** The per-regulator columns (after the notice measures; empty on the other rows). */
export const REGULATOR_COLUMNS = [
  "requestsFiled",
  "requestsReceived",
  "requestsNotReceived",
  "regulatorAckMedianSeconds",
  "regulatorAckP90Seconds",
  "requestsDecided",
  "decisionMedianSeconds",
  "decisionP90Seconds",
  "decidedInTerm",
  "lapsedTerms",
  "requestsWithdrawn",
  "requestsOpen",
  "termsExtended",
  "defaultNotices",
  "decisionsGranted",
  "decisionsPartlyGranted",
  "decisionsRefused",
  "decisionsInadmissible",
  "decisionsOther",
] as const;

const regulatorCells = (m: RegulatorMeasures): Cell[] => [
  m.filed,
  m.received,
  m.notReceived,
  m.ackMedianSeconds,
  m.ackP90Seconds,
  m.decided,
  m.decisionMedianSeconds,
  m.decisionP90Seconds,
  m.decidedInTerm,
  m.lapsed,
  m.withdrawn,
  m.open,
  m.extended,
  m.defaultNotices,
  m.decisions.granted,
  m.decisions.partly_granted,
  m.decisions.refused,
  m.decisions.inadmissible,
  m.decisions.other,
];
const noMeasures: Cell[] = MEASURE_COLUMNS.map(() => null);

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
  const regulatorRows: Cell[][] = [
    ["regulator_total", null, null, null, null, ...noMeasures, null, ...regulatorCells(f.regulators.total)],
    ...f.regulators.items.map((r) => [
      "regulator",
      null,
      null,
      null,
      null,
      ...noMeasures,
      r.regulator,
      ...regulatorCells(r.measures),
    ]),
    ...f.regulators.months.map((r) => [
      "regulator_month",
      null,
      null,
      null,
      r.month,
      ...noMeasures,
      r.regulator,
      ...regulatorCells(r.measures),
    ]),
  ];
  return toCsv(
    [
      "scope",
      "party_id",
      "party",
      "category",
      "month",
      ...MEASURE_COLUMNS,
      "regulator",
      ...REGULATOR_COLUMNS,
    ],
    [...rows.map((r) => [...r, null, ...REGULATOR_COLUMNS.map(() => null)]), ...regulatorRows],
  );
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

// --- The yearly figures per regulator -------------------------------------------------------------

export interface RegulatorYearly {
  year: number;
  regulator: string;
  regulatorName: { nl: string; en: string } | null;
  /** The hotline that filed the requests (an organisation, not a person). */
  applicant: string;
  /** What was asked of it: the requests filed in the year, and which parties they were about. */
  asked: { filed: number; byParty: { party: string; requests: number }[] };
  /** What it did with them (as of the moment of computing). */
  did: {
    received: number;
    notReceived: number;
    decided: number;
    decisions: RegulatorMeasures["decisions"];
    decidedInTerm: number;
    lapsedTerms: number;
    termsExtended: number;
    defaultNotices: number;
    withdrawn: number;
    open: number;
  };
  /** How fast, in seconds. */
  speed: {
    ackMedianSeconds: number | null;
    ackP90Seconds: number | null;
    decisionMedianSeconds: number | null;
    decisionP90Seconds: number | null;
  };
  /** The same per UTC month of filing. */
  months: { month: string; measures: RegulatorMeasures }[];
  generatedAt: string;
}

function checkRegulatorYear(year: number, regulator: string): void {
  const errors = [];
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR)
    errors.push({ path: "year", pointer: "/year", message: `A year from ${MIN_YEAR} to ${MAX_YEAR}.` });
  if (!REGULATOR_CODE.test(regulator))
    errors.push({ path: "code", pointer: "/code", message: "Not a regulator code." });
  if (errors.length > 0) throw new AppError("validation_failed", { errors });
}

/** The yearly figures of one regulator (requests filed in that UTC calendar year); no personal data. */
export async function buildRegulatorYearly(
  deps: Deps,
  organisationId: string,
  year: number,
  regulator: string,
): Promise<RegulatorYearly> {
  checkRegulatorYear(year, regulator);
  const from = new Date(Date.UTC(year, 0, 1));
  const to = new Date(Date.UTC(year + 1, 0, 1));
  const [f, byParty, org] = await Promise.all([
    computeRegulatorFigures(deps, organisationId, { from, to, regulator }),
    regulatorRequestsByParty(deps.db, organisationId, regulator, from, to),
    store.organisationInfo(deps.db, organisationId),
  ]);
  const m = f.total;
  return {
    year,
    regulator,
    regulatorName: regulatorById(regulator)?.name ?? null,
    applicant: org?.name ?? "",
    asked: { filed: m.filed, byParty },
    did: {
      received: m.received,
      notReceived: m.notReceived,
      decided: m.decided,
      decisions: m.decisions,
      decidedInTerm: m.decidedInTerm,
      lapsedTerms: m.lapsed,
      termsExtended: m.extended,
      defaultNotices: m.defaultNotices,
      withdrawn: m.withdrawn,
      open: m.open,
    },
    speed: {
      ackMedianSeconds: m.ackMedianSeconds,
      ackP90Seconds: m.ackP90Seconds,
      decisionMedianSeconds: m.decisionMedianSeconds,
      decisionP90Seconds: m.decisionP90Seconds,
    },
    months: f.months.map((x) => ({ month: x.month, measures: x.measures })),
    generatedAt: deps.clock.now().toISOString(),
  };
}

export async function regulatorYearly(deps: Deps, by: Principal, year: number, regulator: string) {
  authorize(by, "reporting:read");
  return buildRegulatorYearly(deps, by.organisationId, year, regulator);
}

/** The yearly figures as CSV: the year's row, one row per month, then the parties asked about. */
export function regulatorYearlyCsv(x: RegulatorYearly): string {
  const header = ["scope", "regulator", "year", "month", "party", ...REGULATOR_COLUMNS];
  const total: RegulatorMeasures = {
    filed: x.asked.filed,
    received: x.did.received,
    notReceived: x.did.notReceived,
    ackMedianSeconds: x.speed.ackMedianSeconds,
    ackP90Seconds: x.speed.ackP90Seconds,
    decided: x.did.decided,
    decisionMedianSeconds: x.speed.decisionMedianSeconds,
    decisionP90Seconds: x.speed.decisionP90Seconds,
    decidedInTerm: x.did.decidedInTerm,
    lapsed: x.did.lapsedTerms,
    withdrawn: x.did.withdrawn,
    open: x.did.open,
    extended: x.did.termsExtended,
    defaultNotices: x.did.defaultNotices,
    decisions: x.did.decisions,
  };
  const blank = REGULATOR_COLUMNS.map(() => null);
  return toCsv(header, [
    ["year", x.regulator, x.year, null, null, ...regulatorCells(total)],
    ...x.months.map((m) => ["month", x.regulator, x.year, m.month, null, ...regulatorCells(m.measures)]),
    ...x.asked.byParty.map((p) => [
      "party",
      x.regulator,
      x.year,
      null,
      p.party,
      p.requests,
      ...blank.slice(1),
    ]),
  ]);
}
