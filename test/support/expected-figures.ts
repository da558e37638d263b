// The figures of a generated history computed again in plain JavaScript, straight from the
// definitions in docs/REPORTING.md, without any of the SQL under test: the tests compare the
// two.
import type { History } from "./history.ts";

export interface Filter {
  from?: Date;
  to?: Date;
  category?: string;
  partyId?: string;
}

export interface ExpectedMeasures {
  notices: number;
  acknowledged: number;
  ackMedianSeconds: number | null;
  ackP90Seconds: number | null;
  due: number;
  neverAnswered: number;
  items: number;
  removedBeforeNotice: number;
  removed: number;
  removalMedianSeconds: number | null;
  removalP90Seconds: number | null;
  within24h: number;
  within48h: number;
  within7d: number;
  byDeadline: number;
  refused: number;
  claimsContradicted: number;
  buckets: Record<string, number>;
}

/** Linear interpolation between the closest ranks (PostgreSQL's percentile_cont). */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const a = [...values].sort((x, y) => x - y);
  const pos = p * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (a[lo] as number) + ((a[hi] as number) - (a[lo] as number)) * (pos - lo);
}

const month = (d: Date) => d.toISOString().slice(0, 7);
const inPeriod = (t: Date, f: Filter) => (!f.from || t >= f.from) && (!f.to || t < f.to);

interface Pair {
  itemId: string;
  partyId: string;
  sentAt: Date;
  category: string;
  deadlineAt: Date;
  removedAt: Date | null;
  refused: boolean;
  contradicted: boolean;
}

/** One entry per item and party, decided by the first sent notice (by time, then notice id). */
export function pairsOf(h: History, f: Filter): Pair[] {
  const notice = new Map(h.notices.map((n) => [n.id, n]));
  const removed = new Map(h.items.map((i) => [i.id, i.removedAt]));
  const groups = new Map<string, typeof h.noticeItems>();
  for (const ni of h.noticeItems) {
    if (!notice.get(ni.noticeId)?.sentAt) continue;
    const k = `${ni.itemId}|${ni.partyId}`;
    groups.set(k, [...(groups.get(k) ?? []), ni]);
  }
  const pairs: Pair[] = [];
  for (const list of groups.values()) {
    const sorted = [...list].sort((a, b) => {
      const ta = notice.get(a.noticeId)?.sentAt?.getTime() ?? 0;
      const tb = notice.get(b.noticeId)?.sentAt?.getTime() ?? 0;
      const d = ta - tb;
      return d !== 0 ? d : a.noticeId < b.noticeId ? -1 : 1;
    });
    const first = sorted[0];
    if (!first) continue;
    const n = notice.get(first.noticeId);
    if (!n?.sentAt) continue;
    pairs.push({
      itemId: first.itemId,
      partyId: first.partyId,
      sentAt: n.sentAt,
      category: n.category,
      deadlineAt: first.deadlineAt,
      removedAt: removed.get(first.itemId) ?? null,
      refused: list.some((x) => x.outcome === "refused"),
      contradicted: list.some((x) => x.contradictedAt !== null),
    });
  }
  return pairs.filter(
    (p) =>
      inPeriod(p.sentAt, f) &&
      (!f.category || p.category === f.category) &&
      (!f.partyId || p.partyId === f.partyId),
  );
}

export function noticesOf(h: History, f: Filter) {
  return h.notices.filter(
    (n) =>
      n.sentAt !== null &&
      inPeriod(n.sentAt, f) &&
      (!f.category || n.category === f.category) &&
      (!f.partyId || n.partyId === f.partyId),
  );
}

export function measures(pairs: Pair[], notices: History["notices"], now: Date): ExpectedMeasures {
  const secs: number[] = [];
  let before = 0;
  let byDeadline = 0;
  const buckets: Record<string, number> = { "1h": 0, "6h": 0, "24h": 0, "48h": 0, "7d": 0, later: 0 };
  for (const p of pairs) {
    if (!p.removedAt) continue;
    if (p.removedAt < p.sentAt) {
      before++;
      continue;
    }
    const s = (p.removedAt.getTime() - p.sentAt.getTime()) / 1000;
    secs.push(s);
    if (p.removedAt <= p.deadlineAt) byDeadline++;
    const b =
      s <= 3600
        ? "1h"
        : s <= 6 * 3600
          ? "6h"
          : s <= 24 * 3600
            ? "24h"
            : s <= 48 * 3600
              ? "48h"
              : s <= 7 * 24 * 3600
                ? "7d"
                : "later";
    buckets[b] = (buckets[b] ?? 0) + 1;
  }
  const acks = notices
    .filter((n) => n.acknowledgedAt)
    .map((n) => Math.max(0, ((n.acknowledgedAt as Date).getTime() - (n.sentAt as Date).getTime()) / 1000));
  const due = notices.filter((n) => n.deadlineAt <= now);
  return {
    notices: notices.length,
    acknowledged: acks.length,
    ackMedianSeconds: percentile(acks, 0.5),
    ackP90Seconds: percentile(acks, 0.9),
    due: due.length,
    neverAnswered: due.filter((n) => !n.answeredAt || n.answeredAt > now).length,
    items: pairs.length,
    removedBeforeNotice: before,
    removed: secs.length,
    removalMedianSeconds: percentile(secs, 0.5),
    removalP90Seconds: percentile(secs, 0.9),
    within24h: secs.filter((s) => s <= 86400).length,
    within48h: secs.filter((s) => s <= 172800).length,
    within7d: secs.filter((s) => s <= 604800).length,
    byDeadline,
    refused: pairs.filter((p) => p.refused).length,
    claimsContradicted: pairs.filter((p) => p.contradicted).length,
    buckets: { ...buckets, notRemoved: pairs.length - before - secs.length },
  };
}

/** Expected figures per group: total, per party, per category, per month, per party and month. */
export function expectedFigures(h: History, f: Filter, now: Date) {
  const pairs = pairsOf(h, f);
  const notices = noticesOf(h, f);
  const by = <K>(key: (x: { partyId: string; category: string; month: string }) => K) => {
    const groups = new Map<K, { pairs: Pair[]; notices: History["notices"] }>();
    const get = (k: K) => {
      let g = groups.get(k);
      if (!g) {
        g = { pairs: [], notices: [] };
        groups.set(k, g);
      }
      return g;
    };
    for (const p of pairs) get(key({ ...p, month: month(p.sentAt) })).pairs.push(p);
    for (const n of notices) get(key({ ...n, month: month(n.sentAt as Date) })).notices.push(n);
    return new Map([...groups].map(([k, g]) => [k, measures(g.pairs, g.notices, now)]));
  };
  return {
    total: measures(pairs, notices, now),
    parties: by((x) => x.partyId),
    categories: by((x) => x.category),
    months: by((x) => x.month),
    partyMonths: by((x) => `${x.partyId}|${x.month}`),
  };
}

/** The yearly report's breakdowns, from the definitions. */
export function expectedYearly(h: History, year: number) {
  const from = new Date(Date.UTC(year, 0, 1));
  const to = new Date(Date.UTC(year + 1, 0, 1));
  const notices = noticesOf(h, { from, to });
  const name = new Map(h.parties.map((p) => [p.id, p.name]));
  const count = (xs: string[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };
  const action = (noticeId: string) => {
    const acts = new Set(
      h.noticeItems
        .filter((x) => x.noticeId === noticeId)
        .map((x) => (x.contradictedAt ? "claim_contradicted" : (x.outcome ?? "none"))),
    );
    return acts.size === 0 ? "none" : acts.size === 1 ? ([...acts][0] as string) : "mixed";
  };
  return {
    total: notices.length,
    byProvider: count(notices.map((n) => name.get(n.partyId) as string)),
    byType: count(notices.map((n) => n.category)),
    byAction: count(notices.map((n) => action(n.id))),
  };
}
