// SQL of the figures. Everything is computed from recorded events (notices, the items they
// cover, the parties' recorded outcomes, the monitoring's verified removal, the cases) at the
// time it is asked for; nothing here is stored except the publication settings. Each figure is
// one statement that scans its tables once and aggregates with grouping sets, so the
// per-party, per-category and per-month breakdowns come from the same pass.
import { sql } from "kysely";
import type { Db, Executor, Tx } from "../../platform/db.ts";

/** Which recorded events a figure covers. `from` is inclusive, `to` exclusive (UTC instants). */
export interface FigureFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  category?: string | undefined;
  partyId?: string | undefined;
}

/** The keys a row of figures is grouped by; null where the row is the total over that key. */
export interface GroupKey {
  partyId: string | null;
  category: string | null;
  month: string | null;
}

/** Limits of the removal-time distribution's buckets, in seconds (upper bound inclusive). */
export const REMOVAL_BUCKETS = [
  { id: "1h", upTo: 3_600 },
  { id: "6h", upTo: 6 * 3_600 },
  { id: "24h", upTo: 24 * 3_600 },
  { id: "48h", upTo: 48 * 3_600 },
  { id: "7d", upTo: 7 * 24 * 3_600 },
  { id: "later", upTo: null },
] as const;
export type RemovalBucket = (typeof REMOVAL_BUCKETS)[number]["id"];

export interface ItemFigureRow extends GroupKey {
  /** Items noticed to a party (one per item and party; its first sent notice decides the rest). */
  items: number;
  /** Verified removed at or after the first notice to the party. */
  removed: number;
  /** Verified removed before the first notice went out: not counted as the party's action. */
  removedBeforeNotice: number;
  removalMedianSeconds: number | null;
  removalP90Seconds: number | null;
  within24h: number;
  within48h: number;
  within7d: number;
  /** Verified removed at or before the deadline of the first notice. */
  byDeadline: number;
  /** Items the party refused to act on (its recorded outcome on any notice of the item). */
  refused: number;
  /** Items the party said it removed that a later check still found online. */
  claimsContradicted: number;
  buckets: Record<RemovalBucket, number>;
}

export interface NoticeFigureRow extends GroupKey {
  notices: number;
  acknowledged: number;
  ackMedianSeconds: number | null;
  ackP90Seconds: number | null;
  /** Notices whose deadline has passed (the base of "never answered"). */
  due: number;
  /** Of those, notices without an answer (no outcome recorded for any of their items). */
  neverAnswered: number;
}

/**
 * Runs `fn` in a read transaction with more sort memory than the default 4 MB: the figures sort
 * and aggregate every noticed URL once (about 130 MB for a million), and spilling that to disk
 * costs several times as long. SET LOCAL ends with the transaction.
 */
export async function withSortMemory<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`set local work_mem = '160MB'`.execute(tx);
    return fn(tx);
  });
}

const int = (v: unknown): number => Number(v ?? 0);
/** One value of a percentile_cont(array[…]) result (one sort for both percentiles). */
const pct = (v: unknown, i: number): number | null => {
  if (v === null || v === undefined) return null;
  const list = Array.isArray(v) ? v : String(v).replace(/[{}]/g, "").split(",");
  const x = list[i];
  return x === null || x === undefined || x === "NULL" ? null : Number(x);
};
const key = (r: Record<string, unknown>): GroupKey => ({
  partyId: (r.party_id as string | null) ?? null,
  category: (r.category as string | null) ?? null,
  month: (r.month as string | null) ?? null,
});

/** The grouping sets every figure is computed for: total, per party/category/month, and trends. */
const GROUPS = sql`grouping sets ((), (party_id), (category), (month), (party_id, month), (category, month))`;

function noticeConditions(f: FigureFilter, alias: "n" | "noticed") {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  return [
    f.from ? sql`and ${col("sent_at")} >= ${f.from.toISOString()}::timestamptz` : sql``,
    f.to ? sql`and ${col("sent_at")} < ${f.to.toISOString()}::timestamptz` : sql``,
    f.category ? sql`and ${col("category")} = ${f.category}` : sql``,
    f.partyId ? sql`and ${col("party_id")} = ${f.partyId}::uuid` : sql``,
  ];
}

/**
 * Per item and party: the first sent notice to that party covering the item (its time,
 * category and the item's deadline on it), whether the party refused or had a claim
 * contradicted on any notice of it, and the item's verified removal. The filter applies to
 * the first notice: an item belongs to the period in which it was first noticed to the party.
 */
export async function itemFigures(db: Executor, organisationId: string, f: FigureFilter) {
  const [a, b, c, d] = noticeConditions(f, "noticed");
  const bucketCols = REMOVAL_BUCKETS.map((bk, i) => {
    const lower = i === 0 ? null : (REMOVAL_BUCKETS[i - 1]?.upTo ?? null);
    const cond =
      bk.upTo === null
        ? sql`secs > ${sql.lit(lower)}`
        : lower === null
          ? sql`secs <= ${sql.lit(bk.upTo)}`
          : sql`secs > ${sql.lit(lower)} and secs <= ${sql.lit(bk.upTo)}`;
    return sql`count(*) filter (where ${cond})::int as ${sql.ref(`b_${bk.id}`)}`;
  });
  const r = await sql<Record<string, unknown>>`
    with noticed as (
      -- Latest notice first: the first notice is then the last row of its partition (no row
      -- after it), where bool_or's running frame has seen every notice of the item and party.
      -- One window, so one sort and one pass.
      select ni.item_id, ni.party_id, n.sent_at, n.category, ni.deadline_at, i.removed_at,
             (lead(true) over w) is null as first,
             bool_or(ni.outcome = 'refused') over w as refused,
             bool_or(ni.claim_contradicted_at is not null) over w as contradicted
        from notice_items ni
        join notices n on n.id = ni.notice_id
        join items i on i.id = ni.item_id
       where n.organisation_id = ${organisationId}::uuid and n.sent_at is not null
      window w as (partition by ni.item_id, ni.party_id order by n.sent_at desc, n.id desc
                   rows between unbounded preceding and current row)
    ), p as (
      select noticed.*,
             to_char(noticed.sent_at at time zone 'UTC', 'YYYY-MM') as month,
             case when noticed.removed_at >= noticed.sent_at
                  then extract(epoch from (noticed.removed_at - noticed.sent_at))::float8 end as secs
        from noticed
       where first ${a} ${b} ${c} ${d}
    )
    select party_id, category, month,
           count(*)::int as items,
           count(secs)::int as removed,
           count(*) filter (where removed_at < sent_at)::int as removed_before,
           percentile_cont(array[0.5, 0.9]) within group (order by secs) as pct,
           count(*) filter (where secs <= 86400)::int as within24h,
           count(*) filter (where secs <= 172800)::int as within48h,
           count(*) filter (where secs <= 604800)::int as within7d,
           count(*) filter (where secs is not null and removed_at <= deadline_at)::int as by_deadline,
           count(*) filter (where refused)::int as refused,
           count(*) filter (where contradicted)::int as contradicted,
           ${sql.join(bucketCols)}
      from p
     group by ${GROUPS}
  `.execute(db);
  return r.rows.map(
    (row): ItemFigureRow => ({
      ...key(row),
      items: int(row.items),
      removed: int(row.removed),
      removedBeforeNotice: int(row.removed_before),
      removalMedianSeconds: pct(row.pct, 0),
      removalP90Seconds: pct(row.pct, 1),
      within24h: int(row.within24h),
      within48h: int(row.within48h),
      within7d: int(row.within7d),
      byDeadline: int(row.by_deadline),
      refused: int(row.refused),
      claimsContradicted: int(row.contradicted),
      buckets: Object.fromEntries(REMOVAL_BUCKETS.map((bk) => [bk.id, int(row[`b_${bk.id}`])])) as Record<
        RemovalBucket,
        number
      >,
    }),
  );
}

/** Per sent notice: acknowledgement time and whether it was ever answered (by `now`). */
export async function noticeFigures(db: Executor, organisationId: string, f: FigureFilter, now: Date) {
  const [a, b, c, d] = noticeConditions(f, "n");
  const at = now.toISOString();
  const r = await sql<Record<string, unknown>>`
    with p as (
      select n.party_id, n.category, n.sent_at, n.acknowledged_at, n.answered_at, n.deadline_at,
             to_char(n.sent_at at time zone 'UTC', 'YYYY-MM') as month,
             case when n.acknowledged_at is not null
                  then greatest(0, extract(epoch from (n.acknowledged_at - n.sent_at)))::float8 end as ack
        from notices n
       where n.organisation_id = ${organisationId}::uuid and n.sent_at is not null ${a} ${b} ${c} ${d}
    )
    select party_id, category, month,
           count(*)::int as notices,
           count(ack)::int as acknowledged,
           percentile_cont(array[0.5, 0.9]) within group (order by ack) as pct,
           count(*) filter (where deadline_at <= ${at}::timestamptz)::int as due,
           count(*) filter (where deadline_at <= ${at}::timestamptz
                              and (answered_at is null or answered_at > ${at}::timestamptz))::int as never
      from p
     group by ${GROUPS}
  `.execute(db);
  return r.rows.map(
    (row): NoticeFigureRow => ({
      ...key(row),
      notices: int(row.notices),
      acknowledged: int(row.acknowledged),
      ackMedianSeconds: pct(row.pct, 0),
      ackP90Seconds: pct(row.pct, 1),
      due: int(row.due),
      neverAnswered: int(row.never),
    }),
  );
}

export interface PartyName {
  id: string;
  name: string;
  kind: string;
  country: string | null;
}

export async function partyNames(db: Executor, organisationId: string, ids: string[]): Promise<PartyName[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom("parties")
    .select(["id", "name", "kind", "country"])
    .where("organisation_id", "=", organisationId)
    .where("id", "in", ids)
    .execute();
}

/** Parties that received at least one sent notice of the organisation (the dashboard's filter). */
export async function noticedParties(db: Executor, organisationId: string): Promise<PartyName[]> {
  return db
    .selectFrom("parties")
    .select(["id", "name", "kind", "country"])
    .where("organisation_id", "=", organisationId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("notices")
          .select(sql`1`.as("one"))
          .whereRef("notices.party_id", "=", "parties.id")
          .where("notices.sent_at", "is not", null),
      ),
    )
    .orderBy(sql`lower(name)`)
    .execute();
}

export interface BreakdownRow {
  by: "provider" | "type" | "action";
  value: string;
  notices: number;
}

/** The per-item action as the yearly report names it (see docs/REPORTING.md). */
const ITEM_ACTION = sql`case when ni.claim_contradicted_at is not null then 'claim_contradicted'
                             else coalesce(ni.outcome, 'none') end`;

/**
 * Notices sent in [from, to) counted by provider (the party the notice went to), by type (the
 * notice's category) and by action (one per notice: the action on all its items when they
 * agree, `mixed` when they differ, `none` when the party recorded none). Each breakdown sums
 * to the number of notices.
 */
export async function noticeBreakdowns(
  db: Executor,
  organisationId: string,
  from: Date,
  to: Date,
): Promise<{ total: number; rows: BreakdownRow[] }> {
  const r = await sql<{
    provider: string | null;
    type: string | null;
    action: string | null;
    notices: number;
  }>`
    with per_notice as (
      select n.id, p.name as provider, n.category as type,
             case when min(${ITEM_ACTION}) is null then 'none'
                  when min(${ITEM_ACTION}) = max(${ITEM_ACTION}) then min(${ITEM_ACTION})
                  else 'mixed' end as action
        from notices n
        join parties p on p.id = n.party_id
        left join notice_items ni on ni.notice_id = n.id
       where n.organisation_id = ${organisationId}::uuid
         and n.sent_at >= ${from.toISOString()}::timestamptz and n.sent_at < ${to.toISOString()}::timestamptz
       group by n.id, p.name, n.category
    )
    select provider, type, action, count(*)::int as notices
      from per_notice
     group by grouping sets ((provider), (type), (action), ())
  `.execute(db);
  let total = 0;
  const rows: BreakdownRow[] = [];
  for (const row of r.rows) {
    const n = int(row.notices);
    if (row.provider !== null) rows.push({ by: "provider", value: row.provider, notices: n });
    else if (row.type !== null) rows.push({ by: "type", value: row.type, notices: n });
    else if (row.action !== null) rows.push({ by: "action", value: row.action, notices: n });
    else total = n;
  }
  return { total, rows };
}

export interface CaseCountRow {
  month: string;
  category: string;
  taxonomyVersion: string;
  cases: number;
}

/** Cases opened in [from, to), by month (UTC), category and the taxonomy version they were classified under. */
export async function casesByMonth(
  db: Executor,
  organisationId: string,
  from: Date,
  to: Date,
): Promise<CaseCountRow[]> {
  const r = await sql<{ month: string; category: string; taxonomy_version: string; cases: number }>`
    select to_char(created_at at time zone 'UTC', 'YYYY-MM') as month, category, taxonomy_version,
           count(*)::int as cases
      from cases
     where organisation_id = ${organisationId}::uuid
       and created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz
     group by 1, 2, 3
     order by 1, 2, 3
  `.execute(db);
  return r.rows.map((x) => ({
    month: x.month,
    category: x.category,
    taxonomyVersion: x.taxonomy_version,
    cases: int(x.cases),
  }));
}

// --- Publication settings ---------------------------------------------------------------------

export interface Settings {
  organisationId: string;
  transparencyPublishedAt: Date | null;
  independenceStatement: string | null;
  updatedAt: Date | null;
}

export async function settingsOf(db: Executor, organisationId: string): Promise<Settings> {
  const row = await db
    .selectFrom("reporting_settings")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return {
    organisationId,
    transparencyPublishedAt: row?.transparency_published_at ? new Date(row.transparency_published_at) : null,
    independenceStatement: row?.independence_statement ?? null,
    updatedAt: row ? new Date(row.updated_at) : null,
  };
}

export async function saveSettings(
  db: Executor,
  organisationId: string,
  set: { transparencyPublishedAt?: Date | null; independenceStatement?: string | null },
  at: Date,
): Promise<void> {
  const values = {
    ...(set.transparencyPublishedAt !== undefined && {
      transparency_published_at: set.transparencyPublishedAt,
    }),
    ...(set.independenceStatement !== undefined && { independence_statement: set.independenceStatement }),
    updated_at: at,
  };
  await db
    .insertInto("reporting_settings")
    .values({ organisation_id: organisationId, ...values })
    .onConflict((oc) => oc.column("organisation_id").doUpdateSet(values))
    .execute();
}

/** Organisations whose transparency page is on. */
export async function publishedOrganisations(db: Executor): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom("reporting_settings")
    .innerJoin("organisations", "organisations.id", "reporting_settings.organisation_id")
    .select(["organisations.id", "organisations.name"])
    .where("reporting_settings.transparency_published_at", "is not", null)
    .orderBy("organisations.name")
    .execute();
}

/** Hotlines and helpdesks (the organisations that send notices), for the CLI's choice. */
export async function reportingOrganisations(
  db: Executor,
): Promise<{ id: string; name: string; kind: string; trustedFlagger: boolean; area: string | null }[]> {
  const rows = await db
    .selectFrom("organisations")
    .select(["id", "name", "kind", "trusted_flagger", "trusted_flagger_area"])
    .where("kind", "in", ["hotline", "helpdesk"])
    .orderBy("name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    trustedFlagger: r.trusted_flagger,
    area: r.trusted_flagger_area,
  }));
}

export interface OrganisationInfo {
  id: string;
  name: string;
  kind: string;
  trustedFlagger: boolean;
  area: string | null;
}

export async function organisationInfo(db: Executor, id: string): Promise<OrganisationInfo | undefined> {
  const r = await db
    .selectFrom("organisations")
    .select(["id", "name", "kind", "trusted_flagger", "trusted_flagger_area"])
    .where("id", "=", id)
    .executeTakeFirst();
  return (
    r && {
      id: r.id,
      name: r.name,
      kind: r.kind,
      trustedFlagger: r.trusted_flagger,
      area: r.trusted_flagger_area,
    }
  );
}
