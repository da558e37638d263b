// Per-regulator figures on PGlite and PostgreSQL. Enforcement requests with known timing are
// written directly in bulk (filed, received or never received, decided with every outcome,
// lapsed terms, extensions, notices of default, withdrawn, drafts never filed), and every
// figure the service computes (per regulator, per regulator and month, in total, with a period
// and a party filter, and the yearly export) is checked against a plain-JavaScript calculation
// from the definitions in docs/REPORTING.md. Also: authorization per organisation, hostile
// input, no personal data in the yearly export, and `vangrail report regulator`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DecisionOutcome } from "../migrations/schema.ts";
import { boot } from "../src/cli/runtime.ts";
import * as reporting from "../src/modules/reporting/service.ts";
import { loadConfig } from "../src/platform/config.ts";
import type { Db } from "../src/platform/db.ts";
import { type Agent, login, makeUser, startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { CLI, ROOT } from "./support/server.ts";

const NOW = new Date("2026-02-01T00:00:00.000Z");
const H = 3_600_000;
const OUTCOMES: DecisionOutcome[] = ["granted", "partly_granted", "refused", "inadmissible", "other"];
const SECRET_FACTS = "Feiten-die-nooit-in-een-export-mogen-staan-7f3a";
const SECRET_SIGNER = "Ambtenaar Handtekening-Uniek";
const SECRET_DECISION = "Besluittekst-vertrouwelijk-e91b";

interface Req {
  id: string;
  organisationId: string;
  regulator: string;
  partyId: string | null;
  filedAt: Date | null;
  receivedAt: Date | null;
  termEndsAt: Date | null;
  lapsedAt: Date | null;
  decidedAt: Date | null;
  outcome: DecisionOutcome | null;
  withdrawnAt: Date | null;
  extended: boolean;
  defaultSent: boolean;
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(organisationId: string, parties: string[], n: number, seed: number): Req[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const out: Req[] = [];
  for (let i = 0; i < n; i++) {
    const regulator = pick(["acm", "ap", "cvdm", "police"]);
    const filedAt = new Date(
      Date.UTC(2025, 0, 1) + Math.floor(r() * 395 * 24) * H + Math.floor(r() * 3600) * 1000,
    );
    const x: Req = {
      id: randomUUID(),
      organisationId,
      regulator,
      partyId: r() < 0.1 ? null : pick(parties),
      filedAt: r() < 0.05 ? null : filedAt, // a draft or approved request, never filed
      receivedAt: null,
      termEndsAt: null,
      lapsedAt: null,
      decidedAt: null,
      outcome: null,
      withdrawnAt: null,
      extended: false,
      defaultSent: false,
    };
    if (x.filedAt && r() > 0.15) {
      x.receivedAt = new Date(
        filedAt.getTime() + Math.floor(r() * 20 * 24) * H + Math.floor(r() * 60) * 60_000,
      );
      if (x.receivedAt > NOW) x.receivedAt = null;
    }
    if (x.receivedAt && regulator !== "police") {
      x.termEndsAt = new Date(x.receivedAt.getTime() + 8 * 7 * 24 * H);
      if (r() < 0.2) {
        x.extended = true;
        x.termEndsAt = new Date(x.termEndsAt.getTime() + 4 * 7 * 24 * H);
      }
    }
    if (x.receivedAt && r() < 0.6) {
      const d = new Date(x.receivedAt.getTime() + Math.floor(r() * 100 * 24) * H);
      if (d <= NOW) {
        x.decidedAt = d;
        x.outcome = pick(OUTCOMES);
      }
    }
    if (x.termEndsAt && x.termEndsAt <= NOW && (!x.decidedAt || x.decidedAt > x.termEndsAt)) {
      x.lapsedAt = x.termEndsAt;
      x.defaultSent = r() < 0.7;
    }
    if (x.filedAt && !x.decidedAt && r() < 0.08)
      x.withdrawnAt = new Date(Math.min(filedAt.getTime() + 30 * 24 * H, NOW.getTime()));
    out.push(x);
  }
  return out;
}

async function insertRequests(db: Db, reqs: Req[]): Promise<void> {
  for (let i = 0; i < reqs.length; i += 200) {
    const chunk = reqs.slice(i, i + 200);
    await db
      .insertInto("enforcement_requests")
      .values(
        chunk.map((x) => ({
          id: x.id,
          organisation_id: x.organisationId,
          regulator: x.regulator,
          party_id: x.partyId,
          step: "manual",
          item_set_sha256: createHash("sha256").update(x.id).digest("hex"),
          status: x.withdrawnAt
            ? "withdrawn"
            : x.decidedAt
              ? "decided"
              : x.receivedAt
                ? "received"
                : x.filedAt
                  ? "filed"
                  : "draft",
          decision_requested: "Handhaven",
          facts: SECRET_FACTS,
          created_at: new Date((x.filedAt ?? NOW).getTime() - H),
          approved_by_name: x.filedAt ? SECRET_SIGNER : null,
          approved_at: x.filedAt,
          filed_at: x.filedAt,
          received_at: x.receivedAt,
          receipt_by: x.receivedAt ? "regulator" : null,
          term_applies: x.regulator !== "police",
          term_weeks: x.regulator !== "police" ? 8 : null,
          term_ends_at: x.termEndsAt,
          lapsed_at: x.lapsedAt,
          decided_at: x.decidedAt,
          decision_outcome: x.outcome,
          decision_text: x.decidedAt ? SECRET_DECISION : null,
          withdrawn_at: x.withdrawnAt,
          withdrawn_reason: x.withdrawnAt ? "Opgelost" : null,
          updated_at: NOW,
        })),
      )
      .execute();
  }
  const ext = reqs.filter((x) => x.extended && x.termEndsAt);
  if (ext.length > 0)
    await db
      .insertInto("enforcement_extensions")
      .values(
        ext.map((x) => ({
          request_id: x.id,
          previous_term_ends_at: new Date((x.termEndsAt as Date).getTime() - 4 * 7 * 24 * H),
          term_ends_at: x.termEndsAt as Date,
          recorded_by_organisation_id: x.organisationId,
          recorded_at: x.receivedAt as Date,
        })),
      )
      .execute();
  const lapsed = reqs.filter((x) => x.lapsedAt);
  if (lapsed.length > 0)
    await db
      .insertInto("enforcement_default_notices")
      .values(
        lapsed.map((x) => ({
          request_id: x.id,
          drafted_at: x.lapsedAt as Date,
          body_text: "Ingebrekestelling",
          sent_at: x.defaultSent ? x.lapsedAt : null,
        })),
      )
      .execute();
}

// --- The independent calculation -----------------------------------------------------------------

/** percentile_cont: linear interpolation between the two nearest values. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

function expected(reqs: Req[]): reporting.RegulatorMeasures {
  const filed = reqs.filter((x) => x.filedAt);
  const received = filed.filter((x) => x.receivedAt);
  const ack = received.map((x) =>
    Math.max(0, ((x.receivedAt as Date).getTime() - (x.filedAt as Date).getTime()) / 1000),
  );
  const decided = filed.filter((x) => x.decidedAt);
  const dec = decided
    .filter((x) => x.receivedAt)
    .map((x) => Math.max(0, ((x.decidedAt as Date).getTime() - (x.receivedAt as Date).getTime()) / 1000));
  const decisions = Object.fromEntries(
    OUTCOMES.map((o) => [o, decided.filter((x) => x.outcome === o).length]),
  ) as Record<DecisionOutcome, number>;
  return {
    filed: filed.length,
    received: received.length,
    notReceived: filed.length - received.length,
    ackMedianSeconds: percentile(ack, 0.5),
    ackP90Seconds: percentile(ack, 0.9),
    decided: decided.length,
    decisionMedianSeconds: percentile(dec, 0.5),
    decisionP90Seconds: percentile(dec, 0.9),
    decidedInTerm: decided.filter((x) => x.termEndsAt && (x.decidedAt as Date) <= x.termEndsAt).length,
    lapsed: filed.filter((x) => x.lapsedAt).length,
    withdrawn: filed.filter((x) => x.withdrawnAt).length,
    open: filed.filter((x) => !x.decidedAt && !x.withdrawnAt).length,
    extended: filed.filter((x) => x.extended).length,
    defaultNotices: filed.filter((x) => x.lapsedAt && x.defaultSent).length,
    decisions,
  };
}

function assertClose(
  actual: reporting.RegulatorMeasures | undefined,
  e: reporting.RegulatorMeasures,
  label: string,
) {
  assert.ok(actual, `${label}: present`);
  for (const k of Object.keys(e) as (keyof reporting.RegulatorMeasures)[]) {
    const got: unknown = actual[k];
    const want: unknown = e[k];
    if (typeof got === "number" && typeof want === "number" && !Number.isInteger(want))
      assert.ok(Math.abs(got - want) < 1e-6, `${label}.${k}: ${got} != ${want}`);
    else assert.deepEqual(got, want, `${label}.${k}`);
  }
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

function assertRegulatorFigures(f: reporting.RegulatorFigures, reqs: Req[]) {
  const filed = reqs.filter((x) => x.filedAt);
  assertClose(f.total, expected(reqs), "total");
  const byReg = groupBy(filed, (x) => x.regulator);
  assert.equal(f.items.length, byReg.size, "regulators");
  for (const [reg, xs] of byReg)
    assertClose(f.items.find((i) => i.regulator === reg)?.measures, expected(xs), `regulator ${reg}`);
  const byMonth = groupBy(filed, (x) => `${x.regulator}|${(x.filedAt as Date).toISOString().slice(0, 7)}`);
  assert.equal(f.months.length, byMonth.size, "regulator months");
  for (const [k, xs] of byMonth) {
    const [reg, month] = k.split("|");
    assertClose(
      f.months.find((m) => m.regulator === reg && m.month === month)?.measures,
      expected(xs),
      `regulator ${k}`,
    );
  }
}

async function insertParty(db: Db, organisationId: string, name: string) {
  const r = await db
    .insertInto("parties")
    .values({
      organisation_id: organisationId,
      name,
      kind: "platform",
      country: "NL",
      created_at: NOW,
      updated_at: NOW,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

/** The hand-made boundary cases: a lapsed term, a withdrawn request, one never received. */
function boundaryCases(organisationId: string, partyId: string): Req[] {
  const base = {
    organisationId,
    partyId,
    regulator: "atkm",
    termEndsAt: null,
    lapsedAt: null,
    decidedAt: null,
    outcome: null,
    withdrawnAt: null,
    extended: false,
    defaultSent: false,
  };
  const filed = new Date("2025-03-03T09:00:00Z");
  return [
    // Lapsed: received a day later, term of 8 weeks ended, decided two weeks too late.
    {
      ...base,
      id: randomUUID(),
      filedAt: filed,
      receivedAt: new Date(filed.getTime() + 24 * H),
      termEndsAt: new Date(filed.getTime() + 24 * H + 56 * 24 * H),
      lapsedAt: new Date(filed.getTime() + 24 * H + 56 * 24 * H),
      decidedAt: new Date(filed.getTime() + 24 * H + 70 * 24 * H),
      outcome: "granted",
      defaultSent: true,
    },
    // Withdrawn after receipt, never decided.
    {
      ...base,
      id: randomUUID(),
      filedAt: filed,
      receivedAt: new Date(filed.getTime() + 48 * H),
      termEndsAt: new Date(filed.getTime() + 48 * H + 56 * 24 * H),
      withdrawnAt: new Date(filed.getTime() + 10 * 24 * H),
    },
    // Never received.
    { ...base, id: randomUUID(), filedAt: filed, receivedAt: null },
    // Receipt recorded before the filing time (by hand): counts as 0.
    {
      ...base,
      id: randomUUID(),
      filedAt: new Date("2025-03-31T23:59:59Z"),
      receivedAt: new Date("2025-03-31T23:00:00Z"),
      termEndsAt: new Date("2025-05-26T23:00:00Z"),
      decidedAt: new Date("2025-05-26T23:00:00Z"),
      outcome: "refused",
    },
  ];
}

for (const backend of backends) {
  describe(`reporting per regulator (${backend.name})`, { timeout: 300_000 }, () => {
    let t: TestApp;
    let a: { org: { id: string }; agent: Agent };
    let analyst: Agent;
    let reqs: Req[] = [];
    let partyIds: string[] = [];
    let bReqs: Req[] = [];
    let b: { org: { id: string }; agent: Agent };

    before(async () => {
      t = await startApp(backend);
      t.clock.set(NOW);
      a = await userAgent(t, "hotline", "admin");
      analyst = await login(t, (await makeUser(t.deps, a.org.id, "analyst")).email);
      partyIds = [];
      for (const name of ["Platform Een", "Hoster Twee", '=HYPERLINK("https://evil.example")'])
        partyIds.push(await insertParty(t.deps.db, a.org.id, name));
      reqs = [...generate(a.org.id, partyIds, 600, 8), ...boundaryCases(a.org.id, partyIds[0] as string)];
      await insertRequests(t.deps.db, reqs);
      b = await userAgent(t, "hotline", "admin");
      const bParty = await insertParty(t.deps.db, b.org.id, "Platform B");
      bReqs = generate(b.org.id, [bParty], 50, 99);
      await insertRequests(t.deps.db, bReqs);
    });
    after(async () => {
      await t?.close();
    });

    test("the generated requests cover every state", () => {
      const filed = reqs.filter((x) => x.filedAt);
      assert.ok(filed.length > 500);
      assert.ok(
        reqs.some((x) => !x.filedAt),
        "drafts",
      );
      assert.ok(
        filed.some((x) => !x.receivedAt),
        "never received",
      );
      assert.ok(
        filed.some((x) => x.lapsedAt && !x.decidedAt),
        "lapsed, undecided",
      );
      assert.ok(
        filed.some((x) => x.lapsedAt && x.decidedAt),
        "lapsed, decided late",
      );
      assert.ok(
        filed.some((x) => x.withdrawnAt),
        "withdrawn",
      );
      for (const o of OUTCOMES)
        assert.ok(
          filed.some((x) => x.outcome === o),
          o,
        );
    });

    test("the figures' regulators section equals the independent calculation", async () => {
      const res = await analyst.request("GET", "/api/v1/reporting/figures");
      assert.equal(res.statusCode, 200, res.body);
      const f = res.json() as reporting.Figures;
      assertRegulatorFigures(f.regulators, reqs);
      assert.equal(f.regulators.items.find((i) => i.regulator === "acm")?.name?.en.includes("ACM"), true);
      // The boundary cases, which alone make up the regulator atkm.
      const atkm = f.regulators.items.find((i) => i.regulator === "atkm")?.measures;
      assert.ok(atkm);
      assert.equal(atkm.filed, 4);
      assert.equal(atkm.notReceived, 1);
      assert.equal(atkm.lapsed, 1);
      assert.equal(atkm.withdrawn, 1);
      assert.equal(atkm.open, 1, "only the request never received is open");
      assert.equal(atkm.decidedInTerm, 1, "the refusal, decided exactly at the end of its term");
      assert.equal(atkm.defaultNotices, 1);
      assert.deepEqual(atkm.decisions, {
        granted: 1,
        partly_granted: 0,
        refused: 1,
        inadmissible: 0,
        other: 0,
      });
      // Acknowledgement times 0 (receipt before filing), 24 h, 48 h: the median is 24 h.
      assert.equal(atkm.ackMedianSeconds, 86_400);
      assert.equal(atkm.ackP90Seconds, 0.8 * 86_400 + 86_400);
    });

    test("a period and a party filter select the requests by filing time and party", async () => {
      const from = new Date("2025-04-01T00:00:00Z");
      const to = new Date("2025-07-01T00:00:00Z");
      const party = partyIds[1] as string;
      const f = await reporting.computeFigures(t.deps, a.org.id, { from, to, partyId: party });
      assertRegulatorFigures(
        f.regulators,
        reqs.filter((x) => x.filedAt && x.filedAt >= from && x.filedAt < to && x.partyId === party),
      );
      const api = await analyst.request(
        "GET",
        `/api/v1/reporting/figures?from=2025-04-01&to=2025-06-30&partyId=${party}`,
      );
      assert.deepEqual(
        (api.json() as reporting.Figures).regulators,
        JSON.parse(JSON.stringify(f.regulators)),
      );
      // No request is linked to a case, so a category selects none.
      const c = await reporting.computeFigures(t.deps, a.org.id, { category: "ncii" });
      assert.equal(c.regulators.total.filed, 0);
      assert.deepEqual(c.regulators.items, []);
    });

    test("the figures CSV has a row per regulator and per regulator and month", async () => {
      const res = await analyst.request("GET", "/api/v1/reporting/figures.csv");
      assert.equal(res.statusCode, 200);
      const lines = res.body.trim().split("\r\n");
      const header = (lines[0] as string).split(",");
      const col = (name: string) => header.indexOf(name);
      assert.ok(col("regulator") > 0 && col("requestsFiled") > col("regulator"));
      const rows = lines.slice(1).map((l) => l.split(","));
      const acm = rows.find((r) => r[0] === "regulator" && r[col("regulator")] === "acm");
      assert.ok(acm);
      const e = expected(reqs.filter((x) => x.regulator === "acm"));
      assert.equal(Number(acm[col("requestsFiled")]), e.filed);
      assert.equal(Number(acm[col("lapsedTerms")]), e.lapsed);
      assert.equal(Number(acm[col("decisionsRefused")]), e.decisions.refused);
      assert.equal(
        rows.filter((r) => r[0] === "regulator_month").length,
        new Set(
          reqs
            .filter((x) => x.filedAt)
            .map((x) => `${x.regulator}|${(x.filedAt as Date).toISOString().slice(0, 7)}`),
        ).size,
      );
      for (const r of rows) assert.equal(r.length, header.length);
    });

    test("the yearly export per regulator: what was asked, what it did, how fast, no personal data", async () => {
      for (const reg of ["acm", "police", "atkm"]) {
        const res = await analyst.request("GET", `/api/v1/reporting/regulators/${reg}/yearly?year=2025`);
        assert.equal(res.statusCode, 200, res.body);
        const x = res.json() as reporting.RegulatorYearly;
        const inYear = reqs.filter(
          (r) => r.regulator === reg && r.filedAt && r.filedAt.getUTCFullYear() === 2025,
        );
        const e = expected(inYear);
        assert.equal(x.year, 2025);
        assert.equal(x.regulator, reg);
        assert.equal(x.asked.filed, e.filed);
        assert.equal(
          x.asked.byParty.reduce((s, p) => s + p.requests, 0),
          e.filed,
          "parties sum to the total",
        );
        assert.deepEqual(x.did, {
          received: e.received,
          notReceived: e.notReceived,
          decided: e.decided,
          decisions: e.decisions,
          decidedInTerm: e.decidedInTerm,
          lapsedTerms: e.lapsed,
          termsExtended: e.extended,
          defaultNotices: e.defaultNotices,
          withdrawn: e.withdrawn,
          open: e.open,
        });
        for (const k of [
          "ackMedianSeconds",
          "ackP90Seconds",
          "decisionMedianSeconds",
          "decisionP90Seconds",
        ] as const) {
          const got = x.speed[k];
          const want = e[k];
          if (want === null) assert.equal(got, null, k);
          else assert.ok(got !== null && Math.abs(got - want) < 1e-6, `${reg} ${k}: ${got} != ${want}`);
        }
        const months = groupBy(inYear, (r) => (r.filedAt as Date).toISOString().slice(0, 7));
        assert.equal(x.months.length, months.size);
        for (const [m, xs] of months)
          assertClose(x.months.find((y) => y.month === m)?.measures, expected(xs), `${reg} ${m}`);

        const csv = await analyst.request(
          "GET",
          `/api/v1/reporting/regulators/${reg}/yearly?year=2025&format=csv`,
        );
        assert.equal(csv.statusCode, 200);
        assert.match(csv.headers["content-disposition"] as string, new RegExp(`regulator-${reg}-2025.csv`));
        const yearRow = csv.body.split("\r\n")[1]?.split(",");
        assert.equal(yearRow?.[0], "year");
        assert.equal(Number(yearRow?.[5]), e.filed);
        for (const out of [res.body, csv.body])
          for (const secret of [
            SECRET_FACTS,
            SECRET_SIGNER,
            SECRET_DECISION,
            "Opgelost",
            ...reqs.map((r) => r.id),
          ])
            assert.ok(!out.includes(secret), `${reg}: ${secret.slice(0, 20)} must not appear`);
        assert.ok(
          !csv.body.split("\r\n").some((l) => l.split(",").some((c) => c.startsWith("="))),
          "no formula",
        );
      }
      const empty = (await analyst.request("GET", "/api/v1/reporting/regulators/ec/yearly?year=2025")).json();
      assert.equal(empty.asked.filed, 0);
      assert.equal(empty.speed.ackMedianSeconds, null);
    });

    test("each organisation sees only its own requests; others are refused", async () => {
      const fb = (await b.agent.request("GET", "/api/v1/reporting/figures")).json() as reporting.Figures;
      assertRegulatorFigures(fb.regulators, bReqs);
      const yb = (await b.agent.request("GET", "/api/v1/reporting/regulators/acm/yearly?year=2025")).json();
      assert.equal(
        yb.asked.filed,
        expected(
          bReqs.filter((x) => x.regulator === "acm" && x.filedAt && x.filedAt.getUTCFullYear() === 2025),
        ).filed,
      );
      // A's party id as a filter in B yields nothing of A's.
      const cross = (
        await b.agent.request("GET", `/api/v1/reporting/figures?partyId=${partyIds[0]}`)
      ).json() as reporting.Figures;
      assert.equal(cross.regulators.total.filed, 0);

      const regulator = await userAgent(t, "regulator", "regulator_officer");
      const url = "/api/v1/reporting/regulators/acm/yearly?year=2025";
      assert.equal((await regulator.agent.request("GET", url)).statusCode, 403);
      assert.equal((await t.app.inject({ method: "GET", url })).statusCode, 401);
      const platform = await userAgent(t, "platform", "platform_agent");
      assert.equal((await platform.agent.request("GET", url)).statusCode, 403);
    });

    test("hostile input is refused before any SQL", async () => {
      for (const u of [
        "/api/v1/reporting/regulators/ACM/yearly?year=2025",
        "/api/v1/reporting/regulators/acm'--/yearly?year=2025",
        "/api/v1/reporting/regulators/a/yearly?year=2025",
        `/api/v1/reporting/regulators/${"a".repeat(200)}/yearly?year=2025`,
        "/api/v1/reporting/regulators/acm%20or%201=1/yearly?year=2025",
        "/api/v1/reporting/regulators/acm/yearly",
        "/api/v1/reporting/regulators/acm/yearly?year=20x5",
        "/api/v1/reporting/regulators/acm/yearly?year=1999",
        "/api/v1/reporting/regulators/acm/yearly?year=2101",
        `/api/v1/reporting/regulators/acm/yearly?year=${"9".repeat(5000)}`,
        "/api/v1/reporting/regulators/acm/yearly?year=2025&format=pdf",
        "/api/v1/reporting/regulators/acm/yearly?year=2025&organisationId=00000000-0000-0000-0000-000000000000",
      ]) {
        const res = await analyst.request("GET", u);
        assert.equal(res.statusCode, 422, `${u.slice(0, 80)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        assert.match(res.headers["content-type"] as string, /application\/problem\+json/);
      }
      const traversal = await analyst.request(
        "GET",
        "/api/v1/reporting/regulators/..%2F..%2Fetc/yearly?year=2025",
      );
      assert.ok([404, 422].includes(traversal.statusCode), `traversal: ${traversal.statusCode}`);
      await assert.rejects(reporting.buildRegulatorYearly(t.deps, a.org.id, 2025, "x'; drop table x"), {
        code: "validation_failed",
      });
    });
  });
}

describe("vangrail report regulator on a data folder", { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "vg-regfig-"));
  const env = { VANGRAIL_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn", NODE_ENV: "development" };
  let reqs: Req[] = [];
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("exit", (code) => resolve({ code: code ?? 1, out, err }));
    });
  }

  before(async () => {
    const rt = await boot({ config: loadConfig({ ...env, LOG_LEVEL: "silent" }) });
    try {
      const org = await rt.deps.db
        .insertInto("organisations")
        .values({ name: "Meldpunt Map", kind: "hotline" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const party = await insertParty(rt.deps.db, org.id, "Platform Map");
      reqs = [...generate(org.id, [party], 80, 3), ...boundaryCases(org.id, party)];
      await insertRequests(rt.deps.db, reqs);
    } finally {
      await rt.close();
    }
  });

  test("prints the yearly figures of a regulator as JSON and CSV; refuses bad arguments", async () => {
    const json = await cli(["report", "regulator", "--year", "2025", "--regulator", "atkm"]);
    assert.equal(json.code, 0, json.err);
    const x = JSON.parse(json.out) as reporting.RegulatorYearly;
    assert.equal(x.asked.filed, 4);
    assert.equal(x.did.lapsedTerms, 1);
    assert.equal(x.did.withdrawn, 1);
    assert.equal(x.did.notReceived, 1);
    const e = expected(
      reqs.filter((r) => r.regulator === "acm" && r.filedAt && r.filedAt.getUTCFullYear() === 2025),
    );
    const csv = await cli(["report", "regulator", "--year", "2025", "--regulator", "acm", "--format", "csv"]);
    assert.equal(csv.code, 0, csv.err);
    assert.match(csv.out, /^scope,regulator,year,month,party,requestsFiled,/);
    assert.equal(Number(csv.out.split("\r\n")[1]?.split(",")[5]), e.filed);
    for (const bad of [
      ["report", "regulator", "--year", "2025"],
      ["report", "regulator", "--regulator", "acm"],
      ["report", "regulator", "--year", "2025", "--regulator", "ACM;rm"],
      ["report", "regulator", "--year", "2025", "--regulator", "acm", "--format", "pdf"],
    ]) {
      const r = await cli(bad);
      assert.notEqual(r.code, 0, bad.join(" "));
      assert.equal(r.out, "");
    }
  });
});
