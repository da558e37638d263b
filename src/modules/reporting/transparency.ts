// The public transparency page: per-party scorecards for a calendar year, published only after
// an admin turns it on (audited), with small counts suppressed so that no victim can be picked
// out: a count below SUPPRESS_BELOW is shown as "<10", and a median, percentile or share is
// shown only when the count it is computed over is at least SUPPRESS_BELOW. Open data as JSON
// and CSV. Also the organisation's reporting settings (publication and the independence
// statement of the yearly report).
import { AppError } from "../../platform/errors.ts";
import * as audit from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { actorOf, authorize, type Principal } from "../identity/principal.ts";
import { toCsv } from "./exports.ts";
import { computeFigures, type Measures } from "./measures.ts";
import * as store from "./store.ts";
import { checkYear } from "./trusted-flagger.ts";

export const SUPPRESS_BELOW = 10;
export const SUPPRESSED = `<${SUPPRESS_BELOW}` as const;

/** A count, or "<10" when it is below the threshold. */
export type PublicCount = number | typeof SUPPRESSED;

export interface Scorecard {
  party: string;
  kind: string;
  country: string | null;
  notices: PublicCount;
  items: PublicCount;
  acknowledgementMedianHours: number | null;
  removalMedianHours: number | null;
  removalP90Hours: number | null;
  removedWithin24hShare: number | null;
  removedWithin48hShare: number | null;
  removedWithin7dShare: number | null;
  neverAnsweredShare: number | null;
  refused: PublicCount;
}

export interface TransparencyData {
  organisation: string;
  year: number;
  /** The year's figures up to this instant (the current year is not over yet). */
  generatedAt: string;
  suppressBelow: number;
  scorecards: Scorecard[];
}

const count = (n: number): PublicCount => (n < SUPPRESS_BELOW ? SUPPRESSED : n);
const hours = (s: number | null): number | null => (s === null ? null : Math.round((s / 3600) * 10) / 10);
const ratio = (v: number | null, base: number): number | null =>
  v === null || base < SUPPRESS_BELOW ? null : Math.round(v * 1000) / 1000;

export function scorecardOf(p: {
  name: string;
  kind: string;
  country: string | null;
  measures: Measures;
}): Scorecard {
  const m = p.measures;
  const base = m.items - m.removedBeforeNotice;
  return {
    party: p.name,
    kind: p.kind,
    country: p.country,
    notices: count(m.notices),
    items: count(m.items),
    acknowledgementMedianHours: m.acknowledged >= SUPPRESS_BELOW ? hours(m.ackMedianSeconds) : null,
    removalMedianHours: m.removed >= SUPPRESS_BELOW ? hours(m.removalMedianSeconds) : null,
    removalP90Hours: m.removed >= SUPPRESS_BELOW ? hours(m.removalP90Seconds) : null,
    removedWithin24hShare: ratio(m.within24hShare, base),
    removedWithin48hShare: ratio(m.within48hShare, base),
    removedWithin7dShare: ratio(m.within7dShare, base),
    neverAnsweredShare: ratio(m.neverAnsweredShare, m.due),
    refused: count(m.refused),
  };
}

// Computed figures are kept a few minutes per organisation and year: the page is public, and
// the figures of a large hotline take seconds to compute. Requests that arrive while they are
// being computed wait for that computation instead of starting their own.
const CACHE_MS = 5 * 60_000;
const caches = new WeakMap<Deps, Map<string, { at: number; data: Promise<TransparencyData> }>>();

function cacheOf(deps: Deps) {
  let c = caches.get(deps);
  if (!c) {
    c = new Map();
    caches.set(deps, c);
  }
  return c;
}

/** The published figures of an organisation for a year; not_found unless publication is on. */
export async function publicTransparency(
  deps: Deps,
  organisationId: string,
  year: number,
): Promise<TransparencyData> {
  checkYear(year);
  const now = deps.clock.now();
  if (year > now.getUTCFullYear())
    throw new AppError("validation_failed", {
      errors: [{ path: "year", pointer: "/year", message: "That year has not started yet." }],
    });
  const settings = await store.settingsOf(deps.db, organisationId);
  if (!settings.transparencyPublishedAt) throw new AppError("not_found");
  const key = `${organisationId}|${year}`;
  const cache = cacheOf(deps);
  const hit = cache.get(key);
  if (hit && now.getTime() - hit.at < CACHE_MS && now.getTime() >= hit.at) return hit.data;
  const data = computeTransparency(deps, organisationId, year);
  cache.set(key, { at: now.getTime(), data });
  // A failure is not kept: the next request tries again.
  data.catch(() => {
    if (cache.get(key)?.data === data) cache.delete(key);
  });
  return data;
}

async function computeTransparency(
  deps: Deps,
  organisationId: string,
  year: number,
): Promise<TransparencyData> {
  const org = await store.organisationInfo(deps.db, organisationId);
  if (!org) throw new AppError("not_found");
  const f = await computeFigures(deps, organisationId, {
    from: new Date(Date.UTC(year, 0, 1)),
    to: new Date(Date.UTC(year + 1, 0, 1)),
  });
  return {
    organisation: org.name,
    year,
    generatedAt: f.generatedAt,
    suppressBelow: SUPPRESS_BELOW,
    scorecards: f.parties.map(scorecardOf),
  };
}

/** Organisations whose page is on (the public index). */
export async function publishedOrganisations(deps: Deps) {
  return store.publishedOrganisations(deps.db);
}

export function transparencyCsv(d: TransparencyData): string {
  const cols: (keyof Scorecard)[] = [
    "party",
    "kind",
    "country",
    "notices",
    "items",
    "acknowledgementMedianHours",
    "removalMedianHours",
    "removalP90Hours",
    "removedWithin24hShare",
    "removedWithin48hShare",
    "removedWithin7dShare",
    "neverAnsweredShare",
    "refused",
  ];
  return toCsv(
    ["year", ...cols],
    d.scorecards.map((s) => [d.year, ...cols.map((c) => s[c])]),
  );
}

// --- Settings ------------------------------------------------------------------------------------

export interface SettingsView {
  transparencyPublished: boolean;
  transparencyPublishedAt: string | null;
  independenceStatement: string | null;
  updatedAt: string | null;
}

const view = (s: store.Settings): SettingsView => ({
  transparencyPublished: s.transparencyPublishedAt !== null,
  transparencyPublishedAt: s.transparencyPublishedAt?.toISOString() ?? null,
  independenceStatement: s.independenceStatement,
  updatedAt: s.updatedAt?.toISOString() ?? null,
});

export async function getSettings(deps: Deps, by: Principal): Promise<SettingsView> {
  authorize(by, "reporting:read");
  return view(await store.settingsOf(deps.db, by.organisationId));
}

export interface SettingsChange {
  transparencyPublished?: boolean | undefined;
  /** null clears it. */
  independenceStatement?: string | null | undefined;
}

/** Turns publication on or off and sets the independence statement; each change is audited. */
export async function changeSettings(
  deps: Deps,
  by: Principal,
  change: SettingsChange,
): Promise<SettingsView> {
  authorize(by, "reporting:manage");
  const now = deps.clock.now();
  const out = await deps.db.transaction().execute(async (tx) => {
    await tx
      .selectFrom("organisations")
      .select("id")
      .where("id", "=", by.organisationId)
      .forUpdate()
      .execute();
    const before = await store.settingsOf(tx, by.organisationId);
    const set: Parameters<typeof store.saveSettings>[2] = {};
    const actor = actorOf(by);
    const subject = { type: "organisation", id: by.organisationId };
    if (change.transparencyPublished === true && !before.transparencyPublishedAt) {
      set.transparencyPublishedAt = now;
      await audit.record(tx, deps.clock, actor, { action: "reporting.transparency_published", subject });
    } else if (change.transparencyPublished === false && before.transparencyPublishedAt) {
      set.transparencyPublishedAt = null;
      await audit.record(tx, deps.clock, actor, { action: "reporting.transparency_withdrawn", subject });
    }
    if (
      change.independenceStatement !== undefined &&
      change.independenceStatement !== before.independenceStatement
    ) {
      set.independenceStatement = change.independenceStatement;
      await audit.record(tx, deps.clock, actor, {
        action: "reporting.independence_statement_set",
        subject,
        data: { length: change.independenceStatement?.length ?? 0 },
      });
    }
    if (Object.keys(set).length > 0) await store.saveSettings(tx, by.organisationId, set, now);
    return store.settingsOf(tx, by.organisationId);
  });
  caches.get(deps)?.clear();
  return view(out);
}
