// The figures per regulator, computed from the recorded enforcement requests only: how many
// were filed, how fast the regulator acknowledged receipt (received_at − filed_at) and decided
// (decided_at − received_at), how many statutory terms lapsed, the decisions by outcome, and
// what is still open. docs/REPORTING.md ("Regulators") defines each figure. The reporting
// module calls these from its figures and the yearly per-regulator export; no personal data
// (names of staff, texts of requests) is read.
import { sql } from "kysely";
import type { DecisionOutcome } from "../../../migrations/schema.ts";
import type { Executor } from "../../platform/db.ts";

export const DECISION_OUTCOMES: readonly DecisionOutcome[] = [
  "granted",
  "partly_granted",
  "refused",
  "inadmissible",
  "other",
];

/** A regulator's code as the catalogue and `enforcement_requests.regulator` spell it. */
export const REGULATOR_CODE = /^[a-z][a-z0-9_]{1,39}$/;

export interface RegulatorFilter {
  /** Filed at or after. */
  from?: Date | undefined;
  /** Filed before. */
  to?: Date | undefined;
  /** Requests about this party. */
  partyId?: string | undefined;
  /** Requests with at least one case of this category. */
  category?: string | undefined;
  regulator?: string | undefined;
}

export interface RegulatorMeasures {
  /** Requests filed (filed_at set). */
  filed: number;
  /** Of those, received (received_at set). */
  received: number;
  /** Filed, never received. */
  notReceived: number;
  ackMedianSeconds: number | null;
  ackP90Seconds: number | null;
  /** Decided (decided_at set). */
  decided: number;
  decisionMedianSeconds: number | null;
  decisionP90Seconds: number | null;
  /** Decided at or before the end of the term (after extensions), of those with a term. */
  decidedInTerm: number;
  /** Requests whose statutory term lapsed (lapsed_at set), decided later or not. */
  lapsed: number;
  withdrawn: number;
  /** Neither decided nor withdrawn. */
  open: number;
  /** Requests whose term the regulator extended at least once (art. 4:14(3) Awb). */
  extended: number;
  /** Requests for which a notice of default was sent. */
  defaultNotices: number;
  decisions: Record<DecisionOutcome, number>;
}

export interface RegulatorFigureRow {
  regulator: string | null;
  month: string | null;
  measures: RegulatorMeasures;
}

const int = (v: unknown): number => Number(v ?? 0);
const pct = (v: unknown, i: number): number | null => {
  if (v === null || v === undefined) return null;
  const list = Array.isArray(v) ? v : String(v).replace(/[{}]/g, "").split(",");
  const x = list[i];
  return x === null || x === undefined || x === "NULL" ? null : Number(x);
};

export const emptyRegulatorMeasures = (): RegulatorMeasures => ({
  filed: 0,
  received: 0,
  notReceived: 0,
  ackMedianSeconds: null,
  ackP90Seconds: null,
  decided: 0,
  decisionMedianSeconds: null,
  decisionP90Seconds: null,
  decidedInTerm: 0,
  lapsed: 0,
  withdrawn: 0,
  open: 0,
  extended: 0,
  defaultNotices: 0,
  decisions: { granted: 0, partly_granted: 0, refused: 0, inadmissible: 0, other: 0 },
});

/**
 * Per regulator, per regulator and month of filing (UTC), and in total, in one statement
 * (`grouping sets`). Only the organisation's own requests; only filed ones.
 */
export async function regulatorFigures(
  db: Executor,
  organisationId: string,
  f: RegulatorFilter,
): Promise<RegulatorFigureRow[]> {
  const outcomeCols = DECISION_OUTCOMES.map(
    (o) =>
      sql`count(*) filter (where decided_at is not null and decision_outcome = ${sql.lit(o)})::int as ${sql.ref(`o_${o}`)}`,
  );
  const r = await sql<Record<string, unknown>>`
    with p as (
      select r.regulator, r.filed_at, r.received_at, r.decided_at, r.decision_outcome,
             r.lapsed_at, r.withdrawn_at, r.term_ends_at,
             to_char(r.filed_at at time zone 'UTC', 'YYYY-MM') as month,
             case when r.received_at is not null
                  then greatest(0, extract(epoch from (r.received_at - r.filed_at)))::float8 end as ack,
             case when r.decided_at is not null and r.received_at is not null
                  then greatest(0, extract(epoch from (r.decided_at - r.received_at)))::float8 end as dec,
             exists (select 1 from enforcement_extensions e where e.request_id = r.id) as extended,
             exists (select 1 from enforcement_default_notices d
                      where d.request_id = r.id and d.sent_at is not null) as defaulted
        from enforcement_requests r
       where r.organisation_id = ${organisationId}::uuid and r.filed_at is not null
         ${f.from ? sql`and r.filed_at >= ${f.from.toISOString()}::timestamptz` : sql``}
         ${f.to ? sql`and r.filed_at < ${f.to.toISOString()}::timestamptz` : sql``}
         ${f.partyId ? sql`and r.party_id = ${f.partyId}::uuid` : sql``}
         ${f.regulator ? sql`and r.regulator = ${f.regulator}` : sql``}
         ${
           f.category
             ? sql`and exists (select 1 from enforcement_request_cases rc join cases c on c.id = rc.case_id
                                where rc.request_id = r.id and c.category = ${f.category})`
             : sql``
         }
    )
    select regulator, month,
           count(*)::int as filed,
           count(received_at)::int as received,
           percentile_cont(array[0.5, 0.9]) within group (order by ack) as ack_pct,
           count(decided_at)::int as decided,
           percentile_cont(array[0.5, 0.9]) within group (order by dec) as dec_pct,
           count(*) filter (where decided_at is not null and term_ends_at is not null
                              and decided_at <= term_ends_at)::int as in_term,
           count(lapsed_at)::int as lapsed,
           count(withdrawn_at)::int as withdrawn,
           count(*) filter (where decided_at is null and withdrawn_at is null)::int as open,
           count(*) filter (where extended)::int as extended,
           count(*) filter (where defaulted)::int as defaulted,
           ${sql.join(outcomeCols)}
      from p
     group by grouping sets ((), (regulator), (regulator, month))
  `.execute(db);
  return r.rows.map((row): RegulatorFigureRow => {
    const filed = int(row.filed);
    const received = int(row.received);
    return {
      regulator: (row.regulator as string | null) ?? null,
      month: (row.month as string | null) ?? null,
      measures: {
        filed,
        received,
        notReceived: filed - received,
        ackMedianSeconds: pct(row.ack_pct, 0),
        ackP90Seconds: pct(row.ack_pct, 1),
        decided: int(row.decided),
        decisionMedianSeconds: pct(row.dec_pct, 0),
        decisionP90Seconds: pct(row.dec_pct, 1),
        decidedInTerm: int(row.in_term),
        lapsed: int(row.lapsed),
        withdrawn: int(row.withdrawn),
        open: int(row.open),
        extended: int(row.extended),
        defaultNotices: int(row.defaulted),
        decisions: Object.fromEntries(DECISION_OUTCOMES.map((o) => [o, int(row[`o_${o}`])])) as Record<
          DecisionOutcome,
          number
        >,
      },
    };
  });
}

/** The parties the requests to one regulator were about, with counts (company names only). */
export async function regulatorRequestsByParty(
  db: Executor,
  organisationId: string,
  regulator: string,
  from: Date,
  to: Date,
): Promise<{ party: string; requests: number }[]> {
  const r = await sql<{ party: string | null; requests: number }>`
    select p.name as party, count(*)::int as requests
      from enforcement_requests r
      left join parties p on p.id = r.party_id
     where r.organisation_id = ${organisationId}::uuid and r.regulator = ${regulator}
       and r.filed_at >= ${from.toISOString()}::timestamptz and r.filed_at < ${to.toISOString()}::timestamptz
     group by p.name
     order by 2 desc, 1
  `.execute(db);
  return r.rows.map((x) => ({ party: x.party ?? "", requests: int(x.requests) }));
}
