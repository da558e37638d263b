// The Awb clock of an enforcement request, as pure functions of dates (no database, no clock):
//
// - the decision term (art. 4:13): at the latest eight weeks after receipt, unless the body
//   notified another term (art. 4:14(3)); a term that ends on a Saturday, Sunday or public
//   holiday runs on to the next working day (Algemene termijnenwet art. 1 and 3);
// - lapse: the term ended without a decision; the applicant may then serve a written notice of
//   default (ingebrekestelling);
// - the penalty for late decision (art. 4:17): owed from the day on which two weeks have passed
//   after the term lapsed and the body received the notice of default, per day, for at most 42
//   days, at amounts from a dated table (awb-penalties.json) because the law's amounts change;
//   the Algemene termijnenwet does not apply to those 42 days (art. 4:17(1)).
//
// Days are calendar days in Europe/Amsterdam, written YYYY-MM-DD; a term ends at the end of its
// last day, Amsterdam time.
import { readFileSync } from "node:fs";
import { z } from "zod";

export type Day = string;

const TZ = "Europe/Amsterdam";
const DAY_MS = 86_400_000;
const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

const parts = new Intl.DateTimeFormat("en-CA", {
  timeZone: TZ,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

function wallClock(instant: Date): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(parts.formatToParts(instant).map((x) => [x.type, x.value]));
  return {
    y: Number(p.year),
    m: Number(p.month),
    d: Number(p.day),
    h: Number(p.hour),
    mi: Number(p.minute),
    s: Number(p.second),
  };
}

/** Amsterdam's offset from UTC at an instant, in ms (+1 h in winter, +2 h in summer). */
function offsetAt(instant: Date): number {
  const w = wallClock(instant);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

const utcOfDay = (day: Day): number => {
  const m = dayPattern.exec(day);
  if (!m) throw new RangeError(`not a day: ${day}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
};

const dayOfUtc = (ms: number): Day => new Date(ms).toISOString().slice(0, 10);

/** The Amsterdam calendar day of an instant. */
export function dayOf(instant: Date): Day {
  const w = wallClock(instant);
  return `${String(w.y).padStart(4, "0")}-${String(w.m).padStart(2, "0")}-${String(w.d).padStart(2, "0")}`;
}

export const addDays = (day: Day, n: number): Day => dayOfUtc(utcOfDay(day) + n * DAY_MS);

/** Whole days from `a` to `b` (negative when b is earlier). */
export const daysBetween = (a: Day, b: Day): number => Math.round((utcOfDay(b) - utcOfDay(a)) / DAY_MS);

/** The first instant of an Amsterdam day. */
export function startOfDay(day: Day): Date {
  const midnightUtc = utcOfDay(day);
  // Midnight is never inside a DST change in Amsterdam (they happen at 02:00 and 03:00).
  const offset = offsetAt(new Date(midnightUtc - 2 * 3_600_000));
  return new Date(midnightUtc - offset);
}

/** The last millisecond of an Amsterdam day: when a term that ends on that day has ended. */
export const endOfDay = (day: Day): Date => new Date(startOfDay(addDays(day, 1)).getTime() - 1);

// --- Algemene termijnenwet --------------------------------------------------------------------

/** Easter Sunday (Gregorian calendar; the anonymous algorithm of 1876). */
export function easter(year: number): Day {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The public holidays of Atw art. 3(1) in a year. */
export function publicHolidays(year: number): Set<Day> {
  const e = easter(year);
  const y = String(year).padStart(4, "0");
  // King's Day is celebrated on 26 April when 27 April is a Sunday.
  const kingsDay = new Date(Date.UTC(year, 3, 27)).getUTCDay() === 0 ? `${y}-04-26` : `${y}-04-27`;
  return new Set([
    `${y}-01-01`,
    addDays(e, 1), // tweede Paasdag
    addDays(e, 39), // Hemelvaartsdag
    addDays(e, 50), // tweede Pinksterdag
    kingsDay,
    `${y}-05-05`,
    `${y}-12-25`,
    `${y}-12-26`,
  ]);
}

export function isWorkingDay(day: Day): boolean {
  const weekday = new Date(utcOfDay(day)).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !publicHolidays(Number(day.slice(0, 4))).has(day);
}

/** Atw art. 1: a statutory term ending on a non-working day runs on to the next working day. */
export function atwLastDay(day: Day): Day {
  let d = day;
  while (!isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

// --- The decision term (art. 4:13, 4:14) ------------------------------------------------------

/** The end of the decision term: the day `weeks` after the day of receipt, to the end of it. */
export function decisionTermEnd(receivedAt: Date, weeks: number): Date {
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 52) throw new RangeError("weeks must be 1–52");
  return endOfDay(atwLastDay(addDays(dayOf(receivedAt), weeks * 7)));
}

/** The end of a term the body notified as a date (art. 4:14(3)). */
export const notifiedTermEnd = (lastDay: Day): Date => endOfDay(atwLastDay(lastDay));

export type ExtensionRefusal = "not_received" | "decided" | "lapsed" | "not_later";

/**
 * Whether an extension to `newEnd` may be recorded at `now`: the term must still run (a new
 * term notified after the old one lapsed does not revive it), and the new end must be later.
 */
export function extensionRefusal(
  s: { termEndsAt: Date | null; decidedAt: Date | null },
  newEnd: Date,
  now: Date,
): ExtensionRefusal | null {
  if (!s.termEndsAt) return "not_received";
  if (s.decidedAt) return "decided";
  if (now.getTime() > s.termEndsAt.getTime()) return "lapsed";
  if (newEnd.getTime() <= s.termEndsAt.getTime()) return "not_later";
  return null;
}

// --- The penalty (art. 4:17) ------------------------------------------------------------------

const tierSchema = z.object({
  fromDay: z.number().int().min(1),
  toDay: z.number().int().min(1),
  centsPerDay: z.number().int().min(0),
});
const rowSchema = z
  .object({
    validFrom: z.string().regex(dayPattern),
    maxDays: z.number().int().min(1).max(366),
    tiers: z.array(tierSchema).min(1),
    maxCents: z.number().int().min(0),
  })
  .refine((r) => {
    // The tiers cover day 1 to maxDays without gaps or overlaps.
    let next = 1;
    for (const t of r.tiers) {
      if (t.fromDay !== next || t.toDay < t.fromDay) return false;
      next = t.toDay + 1;
    }
    return next === r.maxDays + 1;
  }, "the tiers must cover day 1 to maxDays in order")
  .refine(
    (r) => r.tiers.reduce((s, t) => s + (t.toDay - t.fromDay + 1) * t.centsPerDay, 0) === r.maxCents,
    "maxCents must be the sum of the tiers",
  );

export const penaltyTableSchema = z.object({
  source: z.string(),
  rows: z
    .array(rowSchema)
    .min(1)
    .refine(
      (rows) =>
        rows.every((r, i) => i === 0 || (rows[i - 1] as { validFrom: string }).validFrom < r.validFrom),
      "rows must be in order of validFrom, each date once",
    ),
});

export type PenaltyTable = z.infer<typeof penaltyTableSchema>;
export type PenaltyRow = PenaltyTable["rows"][number];

export function loadPenaltyTable(
  path: string | URL = new URL("./awb-penalties.json", import.meta.url),
): PenaltyTable {
  return penaltyTableSchema.parse(JSON.parse(readFileSync(path, "utf8")));
}

/** The row in force on `day`, or undefined before the first. */
export function rowOn(table: PenaltyTable, day: Day): PenaltyRow | undefined {
  let found: PenaltyRow | undefined;
  for (const r of table.rows) if (r.validFrom <= day) found = r;
  return found;
}

export interface Penalty {
  /** The first day the penalty is owed, or null when it is not (yet) owed. */
  firstDay: Day | null;
  days: number;
  cents: number;
  maxDays: number;
  /** All days have run (art. 4:18: the body determines the amount within two weeks). */
  complete: boolean;
}

/**
 * The penalty owed on `today`: from the day two weeks after both the lapse and the receipt of
 * the notice of default, one amount per day up to `today` (inclusive) or to the day before the
 * clock stopped (a decision or withdrawal), at most `maxDays` days. Each day is priced by the
 * table row in force on that day and its place (1st, 2nd, …) in the run.
 */
export function penalty(
  table: PenaltyTable,
  s: { termEndsAt: Date; defaultReceivedAt: Date | null; stoppedAt: Date | null },
  today: Day,
): Penalty {
  const first = table.rows[0] as PenaltyRow;
  const none = (firstDay: Day | null): Penalty => ({
    firstDay,
    days: 0,
    cents: 0,
    maxDays: first.maxDays,
    complete: false,
  });
  if (!s.defaultReceivedAt) return none(null);
  const lastTermDay = dayOf(s.termEndsAt);
  const received = dayOf(s.defaultReceivedAt);
  // A notice of default received while the term still ran does not count.
  if (received <= lastTermDay) return none(null);
  const firstDay = addDays(received, 14);
  const stopDay = s.stoppedAt ? dayOf(s.stoppedAt) : addDays(today, 1);
  const row0 = rowOn(table, firstDay) ?? first;
  const maxDays = row0.maxDays;
  let days = 0;
  let cents = 0;
  let lastRow = row0;
  for (let d = firstDay; d < stopDay && days < maxDays; d = addDays(d, 1)) {
    days++;
    const row = rowOn(table, d) ?? row0;
    const tier = row.tiers.find((t) => days >= t.fromDay && days <= t.toDay);
    cents += tier?.centsPerDay ?? 0;
    lastRow = row;
  }
  return { firstDay, days, cents: Math.min(cents, lastRow.maxCents), maxDays, complete: days >= maxDays };
}

// --- The clock as a whole ---------------------------------------------------------------------

export interface ClockInput {
  termApplies: boolean;
  receivedAt: Date | null;
  termEndsAt: Date | null;
  decidedAt: Date | null;
  withdrawnAt: Date | null;
  defaultReceivedAt: Date | null;
}

export type ClockState = "not_applicable" | "not_received" | "running" | "lapsed" | "decided" | "withdrawn";

export interface ClockView {
  state: ClockState;
  termEndsAt: string | null;
  /** Whole days left in the term (0 on its last day); null when it does not run. */
  daysLeft: number | null;
  /** The term ended without a decision (also when a decision came later). */
  lapsed: boolean;
  /** The term lapsed and no notice of default has been received yet. */
  defaultNoticeDue: boolean;
  penalty: Penalty | null;
  /** Six weeks to object to a decision (art. 6:7), from the day after it. */
  objectionUntil: string | null;
}

export function clock(table: PenaltyTable, s: ClockInput, now: Date): ClockView {
  const today = dayOf(now);
  const objectionUntil = s.decidedAt ? endOfDay(addDays(dayOf(s.decidedAt), 42)).toISOString() : null;
  if (!s.termApplies)
    return {
      state: s.withdrawnAt ? "withdrawn" : s.decidedAt ? "decided" : "not_applicable",
      termEndsAt: null,
      daysLeft: null,
      lapsed: false,
      defaultNoticeDue: false,
      penalty: null,
      objectionUntil,
    };
  if (!s.receivedAt || !s.termEndsAt)
    return {
      state: s.withdrawnAt ? "withdrawn" : s.decidedAt ? "decided" : "not_received",
      termEndsAt: null,
      daysLeft: null,
      lapsed: false,
      defaultNoticeDue: false,
      penalty: null,
      objectionUntil,
    };
  const stoppedAt = s.decidedAt ?? s.withdrawnAt;
  const end = s.termEndsAt;
  const lapsed = (stoppedAt ?? now).getTime() > end.getTime();
  const state: ClockState = s.withdrawnAt
    ? "withdrawn"
    : s.decidedAt
      ? "decided"
      : lapsed
        ? "lapsed"
        : "running";
  return {
    state,
    termEndsAt: end.toISOString(),
    daysLeft: state === "running" ? Math.max(0, daysBetween(today, dayOf(end))) : null,
    lapsed,
    defaultNoticeDue: state === "lapsed" && !s.defaultReceivedAt,
    penalty: lapsed
      ? penalty(table, { termEndsAt: end, defaultReceivedAt: s.defaultReceivedAt, stoppedAt }, today)
      : null,
    objectionUntil,
  };
}
