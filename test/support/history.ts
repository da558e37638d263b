// A generated history for the figures: cases, items, notices to parties of different
// behaviours, the parties' responses and outcomes, monitoring checks and verified removals,
// all with known timing, written in bulk (multi-row inserts). The generator also returns the
// rows in memory, so a test can compute the expected figures in plain JavaScript, apart from
// the SQL under test.
import { createHash, randomUUID } from "node:crypto";
import type { ItemOutcome } from "../../migrations/schema.ts";
import { categoryIds } from "../../src/modules/cases/taxonomy.ts";
import type { Db } from "../../src/platform/db.ts";

export interface GenParty {
  id: string;
  name: string;
  behaviour: "fast" | "slow" | "refuses" | "ignores" | "mixed" | "rare";
  hours: number;
}
export interface GenNotice {
  id: string;
  partyId: string;
  step: string;
  category: string;
  sentAt: Date | null;
  deadlineAt: Date;
  acknowledgedAt: Date | null;
  answeredAt: Date | null;
}
export interface GenNoticeItem {
  noticeId: string;
  itemId: string;
  partyId: string;
  step: string;
  deadlineAt: Date;
  outcome: ItemOutcome | null;
  outcomeAt: Date | null;
  contradictedAt: Date | null;
}
export interface GenItem {
  id: string;
  url: string;
  removedAt: Date | null;
}
export interface GenCase {
  id: string;
  category: string;
  createdAt: Date;
}
export interface History {
  organisationId: string;
  parties: GenParty[];
  cases: GenCase[];
  items: GenItem[];
  notices: GenNotice[];
  noticeItems: GenNoticeItem[];
  responses: number;
  checks: number;
}

/** mulberry32: a small seeded PRNG, so a failing history can be generated again. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const H = 3_600_000;
const add = (d: Date, ms: number) => new Date(d.getTime() + ms);

async function insertChunks<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

export interface HistoryOptions {
  cases: number;
  seed: number;
  /** First case time; cases spread over `days` after it. */
  start: Date;
  days: number;
  partyPrefix?: string;
}

/**
 * Writes the history for `organisationId` and returns it. Parties behave as their names say;
 * "rare" gets so few notices that the public page must suppress its counts. Boundary cases are
 * sprinkled in: removals exactly at the deadline and exactly 24 h after the notice, removals
 * before the notice, unsent notices, items noticed to a second party, and items noticed to the
 * same party at two steps (the first notice counts).
 */
export async function generateHistory(db: Db, organisationId: string, o: HistoryOptions): Promise<History> {
  const rnd = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const now = new Date();
  const prefix = o.partyPrefix ?? "Gen";
  const parties: GenParty[] = (
    [
      ["fast", 24],
      ["slow", 48],
      ["refuses", 24],
      ["ignores", 48],
      ["mixed", 24],
      ["rare", 24],
    ] as const
  ).map(([behaviour, hours]) => ({
    id: randomUUID(),
    name: `${prefix} ${behaviour} B.V.`,
    behaviour,
    hours,
  }));
  await db
    .insertInto("parties")
    .values(
      parties.map((p) => ({
        id: p.id,
        organisation_id: organisationId,
        name: p.name,
        kind: p.behaviour === "ignores" ? ("hosting" as const) : ("platform" as const),
        country: "NL",
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  const weighted = parties.filter((p) => p.behaviour !== "rare");
  const rare = parties.find((p) => p.behaviour === "rare") as GenParty;
  const host = parties.find((p) => p.behaviour === "ignores") as GenParty;

  const cases: GenCase[] = [];
  const items: GenItem[] = [];
  const caseItems: { case_id: string; item_id: string; added_at: Date }[] = [];
  const notices: GenNotice[] = [];
  const noticeItems: GenNoticeItem[] = [];
  const checks: { item_id: string; checked_at: Date; verdict: "removed" | "online" }[] = [];
  const responses: { notice_id: string; kind: string; item_ids: string[]; received_at: Date }[] = [];

  const notice = (partyId: string, step: string, category: string, sentAt: Date | null, hours: number) => {
    const n: GenNotice = {
      id: randomUUID(),
      partyId,
      step,
      category,
      sentAt,
      deadlineAt: add(sentAt ?? now, hours * H),
      acknowledgedAt: null,
      answeredAt: null,
    };
    notices.push(n);
    return n;
  };

  for (let c = 0; c < o.cases; c++) {
    const createdAt = new Date(o.start.getTime() + Math.floor(rnd() * o.days * 24 * H));
    const category = pick(categoryIds);
    const kase: GenCase = { id: randomUUID(), category, createdAt };
    cases.push(kase);
    const party = c % 250 === 7 ? rare : pick(weighted);
    const sentAt = rnd() < 0.03 ? null : add(createdAt, Math.floor(rnd() * 6 * H) + 60_000);
    const n = notice(party.id, "platform", category, sentAt, party.hours);
    const count = rnd() < 0.35 && party !== rare ? 2 : 1;
    for (let k = 0; k < count; k++) {
      const item: GenItem = { id: randomUUID(), url: `https://gen.example/${c}/${k}`, removedAt: null };
      items.push(item);
      caseItems.push({ case_id: kase.id, item_id: item.id, added_at: createdAt });
      const ni: GenNoticeItem = {
        noticeId: n.id,
        itemId: item.id,
        partyId: party.id,
        step: "platform",
        deadlineAt: n.deadlineAt,
        outcome: null,
        outcomeAt: null,
        contradictedAt: null,
      };
      noticeItems.push(ni);
      if (!sentAt) continue;
      const r = rnd();
      let removedAfter: number | null = null;
      if (r < 0.04) removedAfter = -(Math.floor(rnd() * 2 * H) + 1000);
      else if (r < 0.06)
        removedAfter = party.hours * H; // exactly at the deadline
      else if (r < 0.08)
        removedAfter = 24 * H; // exactly 24 h
      else if (r < 0.09)
        removedAfter = 7 * 24 * H; // exactly 7 days
      else if (party.behaviour === "fast")
        removedAfter = rnd() < 0.9 ? Math.floor(rnd() * 10 * H) + 1000 : null;
      else if (party.behaviour === "slow")
        removedAfter = rnd() < 0.8 ? Math.floor(20 * H + rnd() * 180 * H) : null;
      else if (party.behaviour === "mixed") removedAfter = rnd() < 0.5 ? Math.floor(rnd() * 300 * H) : null;
      else if (party.behaviour === "rare") removedAfter = Math.floor(rnd() * 30 * H) + 1000;
      else removedAfter = rnd() < 0.1 ? Math.floor(rnd() * 400 * H) + 1000 : null;
      if (removedAfter !== null) item.removedAt = add(sentAt, removedAfter);
      // What the party says.
      if (party.behaviour === "refuses") {
        ni.outcome = "refused";
        ni.outcomeAt = add(sentAt, Math.floor(rnd() * 20 * H) + 1000);
      } else if (party.behaviour === "mixed") {
        ni.outcome = pick([
          "removed",
          "disabled",
          "geo_restricted",
          "refused",
          "not_responsible",
          null,
        ] as const);
        if (ni.outcome) ni.outcomeAt = add(sentAt, Math.floor(rnd() * 30 * H) + 1000);
      } else if (
        party.behaviour !== "ignores" &&
        item.removedAt &&
        removedAfter !== null &&
        removedAfter > 0
      ) {
        ni.outcome = "removed";
        ni.outcomeAt = item.removedAt;
      } else if (party.behaviour === "fast" && rnd() < 0.5) {
        // Says it removed the item; a later check still finds it online.
        ni.outcome = "removed";
        ni.outcomeAt = add(sentAt, 2 * H);
        ni.contradictedAt = add(sentAt, 8 * H);
      }
      // Monitoring: one check an hour after the notice, and the check that saw it gone.
      checks.push({ item_id: item.id, checked_at: add(sentAt, H), verdict: "online" });
      if (item.removedAt) checks.push({ item_id: item.id, checked_at: item.removedAt, verdict: "removed" });
      // A second party (the host) for some items, a day and a half later.
      if (rnd() < 0.1 && party.id !== host.id) {
        const hn = notice(host.id, "hosting", category, add(sentAt, 36 * H), host.hours);
        noticeItems.push({
          noticeId: hn.id,
          itemId: item.id,
          partyId: host.id,
          step: "hosting",
          deadlineAt: hn.deadlineAt,
          outcome: null,
          outcomeAt: null,
          contradictedAt: null,
        });
      } else if (rnd() < 0.03) {
        // The same party again at a later step: only the first notice decides the item's figures.
        const again = notice(party.id, "registrar", category, add(sentAt, 50 * H), party.hours);
        noticeItems.push({
          noticeId: again.id,
          itemId: item.id,
          partyId: party.id,
          step: "registrar",
          deadlineAt: again.deadlineAt,
          outcome: party.behaviour === "refuses" ? "refused" : null,
          outcomeAt: party.behaviour === "refuses" ? add(sentAt, 60 * H) : null,
          contradictedAt: null,
        });
      }
    }
  }
  // Acknowledgements and answers per notice, from its items' outcomes.
  const party = new Map(parties.map((p) => [p.id, p]));
  for (const n of notices) {
    if (!n.sentAt) continue;
    const mine = noticeItems.filter((x) => x.noticeId === n.id);
    const outcomes = mine.filter((x) => x.outcomeAt);
    const behaviour = party.get(n.partyId)?.behaviour;
    if (outcomes.length > 0) {
      n.answeredAt = new Date(Math.min(...outcomes.map((x) => (x.outcomeAt as Date).getTime())));
      n.acknowledgedAt = add(n.sentAt, Math.min(n.answeredAt.getTime() - n.sentAt.getTime(), 30 * 60_000));
      for (const x of outcomes)
        responses.push({
          notice_id: n.id,
          kind: x.outcome as string,
          item_ids: [x.itemId],
          received_at: x.outcomeAt as Date,
        });
    } else if (behaviour !== "ignores" && rnd() < 0.7) {
      n.acknowledgedAt = add(n.sentAt, Math.floor(rnd() * 10 * H));
    }
    if (n.acknowledgedAt)
      responses.push({ notice_id: n.id, kind: "acknowledged", item_ids: [], received_at: n.acknowledgedAt });
  }

  await insertChunks(cases, 1000, (chunk) =>
    db
      .insertInto("cases")
      .values(
        chunk.map((c) => ({
          id: c.id,
          organisation_id: organisationId,
          category: c.category,
          taxonomy_version: "2026-11-1",
          priority: "normal" as const,
          urgent_reasons: [],
          status: "in_progress" as const,
          source: "staff" as const,
          created_at: c.createdAt,
          updated_at: c.createdAt,
        })),
      )
      .execute(),
  );
  await insertChunks(items, 1000, (chunk) =>
    db
      .insertInto("items")
      .values(
        chunk.map((i) => ({
          id: i.id,
          organisation_id: organisationId,
          kind: "url" as const,
          value: i.url,
          normalized: i.url,
          host: "gen.example",
          status: i.removedAt ? ("removed" as const) : ("notice_sent" as const),
          created_at: o.start,
          updated_at: o.start,
          removed_at: i.removedAt,
        })),
      )
      .execute(),
  );
  await insertChunks(caseItems, 2000, (chunk) => db.insertInto("case_items").values(chunk).execute());
  await insertChunks(notices, 500, (chunk) =>
    db
      .insertInto("notices")
      .values(
        chunk.map((n) => ({
          id: n.id,
          organisation_id: organisationId,
          party_id: n.partyId,
          step: n.step,
          category: n.category,
          language: "en" as const,
          status: n.sentAt ? (n.answeredAt ? ("answered" as const) : ("sent" as const)) : ("queued" as const),
          response_token_hash: createHash("sha256").update(n.id).digest("hex"),
          response_token_sealed: "sealed",
          subject: "Notice",
          body_text: "Notice",
          body_html: "<p>Notice</p>",
          attachment_kind: "vangrail" as const,
          attachment: "{}",
          deadline_at: n.deadlineAt,
          created_at: n.sentAt ?? now,
          sent_at: n.sentAt,
          acknowledged_at: n.acknowledgedAt,
          answered_at: n.answeredAt,
        })),
      )
      .execute(),
  );
  await insertChunks(noticeItems, 1000, (chunk) =>
    db
      .insertInto("notice_items")
      .values(
        chunk.map((x) => ({
          notice_id: x.noticeId,
          item_id: x.itemId,
          party_id: x.partyId,
          step: x.step,
          deadline_at: x.deadlineAt,
          outcome: x.outcome,
          outcome_at: x.outcomeAt,
          claim_contradicted_at: x.contradictedAt,
        })),
      )
      .execute(),
  );
  await insertChunks(responses, 1000, (chunk) =>
    db
      .insertInto("notice_responses")
      .values(
        chunk.map((r) => ({
          notice_id: r.notice_id,
          kind: r.kind as "acknowledged",
          item_ids: r.item_ids,
          via: "api" as const,
          received_at: r.received_at,
        })),
      )
      .execute(),
  );
  await insertChunks(checks, 1000, (chunk) =>
    db
      .insertInto("item_checks")
      .values(
        chunk.map((c) => ({
          organisation_id: organisationId,
          item_id: c.item_id,
          checked_at: c.checked_at,
          verdict: c.verdict,
          reason: c.verdict === "removed" ? "http_404" : "same_content",
          fetcher: "history-generator",
          record_sha256: createHash("sha256")
            .update(`${c.item_id}${c.checked_at.toISOString()}`)
            .digest("hex"),
        })),
      )
      .execute(),
  );
  return {
    organisationId,
    parties,
    cases,
    items,
    notices,
    noticeItems,
    responses: responses.length,
    checks: checks.length,
  };
}
