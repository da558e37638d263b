// The measures per party, per category and per month, computed from recorded events only: the
// times notices went out and were acknowledged and answered, the parties' recorded outcomes,
// and the verified removal (the first monitoring check that saw an item gone), never a party's
// own claim of removal. docs/REPORTING.md defines every measure exactly.
//
// The per-regulator figures (requests filed, time to acknowledgement and to decision, lapsed
// terms, decisions) come from the escalation module's enforcement requests
// (escalation/regulator-figures.ts) and form the `regulators` section.
import { AppError } from "../../platform/errors.ts";
import { category as categoryOf } from "../cases/taxonomy.ts";
import type { Deps } from "../deps.ts";
import {
  emptyRegulatorMeasures,
  type RegulatorMeasures,
  regulatorFigures,
} from "../escalation/regulator-figures.ts";
import { regulatorById } from "../escalation/regulators.ts";
import { authorize, type Principal } from "../identity/principal.ts";
import * as store from "./store.ts";

export type { RegulatorMeasures } from "../escalation/regulator-figures.ts";

export type { FigureFilter, RemovalBucket } from "./store.ts";
export { REMOVAL_BUCKETS } from "./store.ts";

export interface Measures {
  /** Notices sent. */
  notices: number;
  /** Of those, acknowledged (the party answered in any way). */
  acknowledged: number;
  ackMedianSeconds: number | null;
  ackP90Seconds: number | null;
  /** Sent notices whose deadline has passed. */
  due: number;
  /** Of those, never answered (no outcome recorded for any item). */
  neverAnswered: number;
  neverAnsweredShare: number | null;
  /** Items noticed to a party (once per item and party). */
  items: number;
  /** Verified removed before the first notice went out (left out of the removal shares). */
  removedBeforeNotice: number;
  /** Verified removed at or after the first notice. */
  removed: number;
  removalMedianSeconds: number | null;
  removalP90Seconds: number | null;
  within24h: number;
  within48h: number;
  within7d: number;
  byDeadline: number;
  /** within…/byDeadline/removed over (items − removedBeforeNotice). */
  within24hShare: number | null;
  within48hShare: number | null;
  within7dShare: number | null;
  byDeadlineShare: number | null;
  removedShare: number | null;
  refused: number;
  claimsContradicted: number;
  /** Verified removals by time after the first notice; `notRemoved` is the rest of the base. */
  buckets: Record<store.RemovalBucket | "notRemoved", number>;
}

export interface PartyMeasures {
  partyId: string;
  name: string;
  kind: string;
  country: string | null;
  measures: Measures;
}

export interface Figures {
  organisationId: string;
  generatedAt: string;
  filter: { from: string | null; to: string | null; category: string | null; partyId: string | null };
  total: Measures;
  parties: PartyMeasures[];
  categories: { category: string; dsaCategory: string | null; measures: Measures }[];
  months: { month: string; measures: Measures }[];
  partyMonths: { partyId: string; month: string; measures: Measures }[];
  categoryMonths: { category: string; month: string; measures: Measures }[];
  regulators: RegulatorFigures;
}

export interface RegulatorFigures {
  total: RegulatorMeasures;
  /** Per regulator (its code, and its name in the catalogue when it is there). */
  items: { regulator: string; name: { nl: string; en: string } | null; measures: RegulatorMeasures }[];
  /** Per regulator and UTC month of filing. */
  months: { regulator: string; month: string; measures: RegulatorMeasures }[];
}

/** The per-regulator section from the recorded enforcement requests (same period, category, party). */
export async function computeRegulatorFigures(
  deps: Deps,
  organisationId: string,
  f: store.FigureFilter & { regulator?: string | undefined },
): Promise<RegulatorFigures> {
  const rows = await regulatorFigures(deps.db, organisationId, f);
  const out: RegulatorFigures = { total: emptyRegulatorMeasures(), items: [], months: [] };
  for (const r of rows) {
    if (r.regulator && r.month)
      out.months.push({ regulator: r.regulator, month: r.month, measures: r.measures });
    else if (r.regulator)
      out.items.push({
        regulator: r.regulator,
        name: regulatorById(r.regulator)?.name ?? null,
        measures: r.measures,
      });
    else out.total = r.measures;
  }
  out.items.sort((a, b) => b.measures.filed - a.measures.filed || a.regulator.localeCompare(b.regulator));
  out.months.sort((a, b) => a.regulator.localeCompare(b.regulator) || a.month.localeCompare(b.month));
  return out;
}

const emptyItems: Omit<store.ItemFigureRow, keyof store.GroupKey> = {
  items: 0,
  removed: 0,
  removedBeforeNotice: 0,
  removalMedianSeconds: null,
  removalP90Seconds: null,
  within24h: 0,
  within48h: 0,
  within7d: 0,
  byDeadline: 0,
  refused: 0,
  claimsContradicted: 0,
  buckets: { "1h": 0, "6h": 0, "24h": 0, "48h": 0, "7d": 0, later: 0 },
};
const emptyNotices: Omit<store.NoticeFigureRow, keyof store.GroupKey> = {
  notices: 0,
  acknowledged: 0,
  ackMedianSeconds: null,
  ackP90Seconds: null,
  due: 0,
  neverAnswered: 0,
};

const share = (n: number, base: number): number | null => (base > 0 ? n / base : null);

function measuresOf(
  i: Omit<store.ItemFigureRow, keyof store.GroupKey>,
  n: Omit<store.NoticeFigureRow, keyof store.GroupKey>,
): Measures {
  const base = i.items - i.removedBeforeNotice;
  return {
    notices: n.notices,
    acknowledged: n.acknowledged,
    ackMedianSeconds: n.ackMedianSeconds,
    ackP90Seconds: n.ackP90Seconds,
    due: n.due,
    neverAnswered: n.neverAnswered,
    neverAnsweredShare: share(n.neverAnswered, n.due),
    items: i.items,
    removedBeforeNotice: i.removedBeforeNotice,
    removed: i.removed,
    removalMedianSeconds: i.removalMedianSeconds,
    removalP90Seconds: i.removalP90Seconds,
    within24h: i.within24h,
    within48h: i.within48h,
    within7d: i.within7d,
    byDeadline: i.byDeadline,
    within24hShare: share(i.within24h, base),
    within48hShare: share(i.within48h, base),
    within7dShare: share(i.within7d, base),
    byDeadlineShare: share(i.byDeadline, base),
    removedShare: share(i.removed, base),
    refused: i.refused,
    claimsContradicted: i.claimsContradicted,
    buckets: { ...i.buckets, notRemoved: base - i.removed },
  };
}

const keyOf = (k: store.GroupKey) => `${k.partyId ?? "*"}|${k.category ?? "*"}|${k.month ?? "*"}`;

/** Checks a filter: a known category, a period that is not reversed. */
export function checkFilter(f: store.FigureFilter): void {
  if (f.category !== undefined && !categoryOf(f.category))
    throw new AppError("validation_failed", {
      errors: [{ path: "category", pointer: "/category", message: "Unknown category." }],
    });
  if (f.from && f.to && f.from >= f.to)
    throw new AppError("validation_failed", {
      errors: [{ path: "to", pointer: "/to", message: "The end of the period must be after its start." }],
    });
}

/** All measures of one organisation under a filter, without an authorization check (CLI, public page). */
export async function computeFigures(
  deps: Deps,
  organisationId: string,
  f: store.FigureFilter,
): Promise<Figures> {
  checkFilter(f);
  const now = deps.clock.now();
  // Two statements, on two connections where there is a pool (PostgreSQL), at the same time.
  const [itemRows, noticeRows, regulators] = await Promise.all([
    store.withSortMemory(deps.db, (tx) => store.itemFigures(tx, organisationId, f)),
    store.withSortMemory(deps.db, (tx) => store.noticeFigures(tx, organisationId, f, now)),
    computeRegulatorFigures(deps, organisationId, f),
  ]);
  const groups = new Map<
    string,
    { key: store.GroupKey; items?: store.ItemFigureRow; notices?: store.NoticeFigureRow }
  >();
  for (const r of itemRows) groups.set(keyOf(r), { key: r, items: r });
  for (const r of noticeRows) {
    const g = groups.get(keyOf(r)) ?? { key: r };
    g.notices = r;
    groups.set(keyOf(r), g);
  }
  const partyIds = new Set<string>();
  for (const g of groups.values()) if (g.key.partyId) partyIds.add(g.key.partyId);
  const names = new Map(
    (await store.partyNames(deps.db, organisationId, [...partyIds])).map((p) => [p.id, p] as const),
  );

  const result: Figures = {
    organisationId,
    generatedAt: now.toISOString(),
    filter: {
      from: f.from?.toISOString() ?? null,
      to: f.to?.toISOString() ?? null,
      category: f.category ?? null,
      partyId: f.partyId ?? null,
    },
    total: measuresOf(emptyItems, emptyNotices),
    parties: [],
    categories: [],
    months: [],
    partyMonths: [],
    categoryMonths: [],
    regulators,
  };
  for (const g of groups.values()) {
    const m = measuresOf(g.items ?? emptyItems, g.notices ?? emptyNotices);
    const { partyId, category, month } = g.key;
    if (partyId && month) result.partyMonths.push({ partyId, month, measures: m });
    else if (category && month) result.categoryMonths.push({ category, month, measures: m });
    else if (partyId) {
      const p = names.get(partyId);
      result.parties.push({
        partyId,
        name: p?.name ?? partyId,
        kind: p?.kind ?? "other",
        country: p?.country ?? null,
        measures: m,
      });
    } else if (category)
      result.categories.push({
        category,
        dsaCategory: categoryOf(category)?.dsa.category ?? null,
        measures: m,
      });
    else if (month) result.months.push({ month, measures: m });
    else result.total = m;
  }
  result.parties.sort((a, b) => b.measures.notices - a.measures.notices || a.name.localeCompare(b.name));
  result.categories.sort((a, b) => a.category.localeCompare(b.category));
  result.months.sort((a, b) => a.month.localeCompare(b.month));
  const byMonth = (a: { month: string }, b: { month: string }) => a.month.localeCompare(b.month);
  result.partyMonths.sort((a, b) => a.partyId.localeCompare(b.partyId) || byMonth(a, b));
  result.categoryMonths.sort((a, b) => a.category.localeCompare(b.category) || byMonth(a, b));
  return result;
}

/** The figures of the principal's own organisation (dashboard, API). */
export async function figures(deps: Deps, by: Principal, f: store.FigureFilter): Promise<Figures> {
  authorize(by, "reporting:read");
  return computeFigures(deps, by.organisationId, f);
}

/** The parties the dashboard offers as a filter: those that received a notice. */
export async function filterParties(deps: Deps, by: Principal): Promise<store.PartyName[]> {
  authorize(by, "reporting:read");
  return store.noticedParties(deps.db, by.organisationId);
}
