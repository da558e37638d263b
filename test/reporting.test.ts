// Figures and reports on PGlite and PostgreSQL. A generated history (thousands of cases,
// items, notices, responses and checks with known timing) is written in bulk, and every figure
// the service computes (per party, category, month and party-month, with and without filters)
// is checked against a calculation in plain JavaScript from the definitions
// (support/expected-figures.ts). Also: boundary cases (removed exactly at the deadline and
// exactly 24 h after the notice, never removed, removed before the notice); the yearly
// trusted-flagger report (breakdowns that sum to the total, the action of a notice with several
// items, no personal data in any format); the public transparency page (404 until an admin
// turns it on, audited, small counts suppressed, open data); authorization per organisation;
// hostile input; CSV that a spreadsheet does not execute; and `vangrail report` on a data folder.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { inflateSync } from "node:zlib";
import { boot } from "../src/cli/runtime.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import { publicReport } from "../src/modules/intake/schemas.ts";
import { submitPublicReport } from "../src/modules/intake/service.ts";
import { csvCell } from "../src/modules/reporting/exports.ts";
import * as reporting from "../src/modules/reporting/service.ts";
import { SUPPRESSED } from "../src/modules/reporting/transparency.ts";
import { loadConfig } from "../src/platform/config.ts";
import type { Db } from "../src/platform/db.ts";
import {
  type Agent,
  login,
  makeOrganisation,
  makeUser,
  startApp,
  type TestApp,
  userAgent,
} from "./support/app.ts";
import { skip as noBrowser } from "./support/browser.ts";
import { backends } from "./support/db.ts";
import { type ExpectedMeasures, expectedFigures, expectedYearly } from "./support/expected-figures.ts";
import { generateHistory, type History } from "./support/history.ts";
import { CLI, ROOT } from "./support/server.ts";

const NOW = new Date("2026-02-01T00:00:00.000Z");
const H = 3_600_000;

const REPORTER = {
  name: "Mirjam Contactpersoon-Uniek",
  email: "mirjam.uniek.melder@reporter.example",
  phone: "+31 6 9876 5432",
};
const DESCRIPTION = "Beschrijving-van-de-melder-die-nergens-mag-verschijnen-91c2";
const PRIVATE_URL = "https://prive-plek.example/mirjam-uniek/foto-1";

const MEASURE_KEYS: (keyof ExpectedMeasures)[] = [
  "notices",
  "acknowledged",
  "ackMedianSeconds",
  "ackP90Seconds",
  "due",
  "neverAnswered",
  "items",
  "removedBeforeNotice",
  "removed",
  "removalMedianSeconds",
  "removalP90Seconds",
  "within24h",
  "within48h",
  "within7d",
  "byDeadline",
  "refused",
  "claimsContradicted",
  "buckets",
];

function assertMeasures(actual: reporting.Measures | undefined, expected: ExpectedMeasures, label: string) {
  assert.ok(actual, `${label}: present`);
  for (const k of MEASURE_KEYS) {
    const got: unknown = actual[k];
    const e = expected[k];
    if (typeof e === "number" && typeof got === "number" && !Number.isInteger(e))
      assert.ok(Math.abs(got - e) < 1e-6, `${label}.${k}: ${got} != ${e}`);
    else assert.deepEqual(got, e, `${label}.${k}`);
  }
  const base = expected.items - expected.removedBeforeNotice;
  assert.equal(actual.within48hShare, base > 0 ? expected.within48h / base : null, `${label}.within48hShare`);
  assert.equal(
    actual.neverAnsweredShare,
    expected.due > 0 ? expected.neverAnswered / expected.due : null,
    `${label}.neverAnsweredShare`,
  );
}

function assertFigures(f: reporting.Figures, h: History, filter: Parameters<typeof expectedFigures>[1]) {
  const e = expectedFigures(h, filter, NOW);
  assertMeasures(f.total, e.total, "total");
  assert.equal(f.parties.length, e.parties.size, "parties");
  for (const [partyId, m] of e.parties)
    assertMeasures(f.parties.find((p) => p.partyId === partyId)?.measures, m, `party ${partyId}`);
  assert.equal(f.categories.length, e.categories.size, "categories");
  for (const [c, m] of e.categories)
    assertMeasures(f.categories.find((x) => x.category === c)?.measures, m, `category ${c}`);
  assert.equal(f.months.length, e.months.size, "months");
  for (const [month, m] of e.months)
    assertMeasures(f.months.find((x) => x.month === month)?.measures, m, `month ${month}`);
  assert.equal(f.partyMonths.length, e.partyMonths.size, "party months");
  for (const [k, m] of e.partyMonths) {
    const [partyId, month] = k.split("|");
    assertMeasures(
      f.partyMonths.find((x) => x.partyId === partyId && x.month === month)?.measures,
      m,
      `party ${partyId} in ${month}`,
    );
  }
}

/** Inserts one sent notice with its items (for hand-made cases); returns the notice id. */
async function insertNotice(
  db: Db,
  o: {
    organisationId: string;
    partyId: string;
    category: string;
    sentAt: Date;
    deadlineHours: number;
    items: {
      id: string;
      outcome?: "removed" | "refused" | "disabled" | null;
      contradicted?: boolean;
    }[];
    answeredAt?: Date | null;
  },
): Promise<string> {
  const id = randomUUID();
  const deadline = new Date(o.sentAt.getTime() + o.deadlineHours * H);
  await db
    .insertInto("notices")
    .values({
      id,
      organisation_id: o.organisationId,
      party_id: o.partyId,
      step: "platform",
      category: o.category,
      language: "en",
      status: "sent",
      response_token_hash: randomUUID(),
      response_token_sealed: "sealed",
      subject: "Notice",
      body_text: "Notice",
      body_html: "<p>Notice</p>",
      attachment_kind: "vangrail",
      attachment: "{}",
      deadline_at: deadline,
      created_at: o.sentAt,
      sent_at: o.sentAt,
      answered_at: o.answeredAt ?? null,
    })
    .execute();
  if (o.items.length > 0)
    await db
      .insertInto("notice_items")
      .values(
        o.items.map((i) => ({
          notice_id: id,
          item_id: i.id,
          party_id: o.partyId,
          step: "platform",
          deadline_at: deadline,
          outcome: i.outcome ?? null,
          outcome_at: i.outcome ? o.sentAt : null,
          claim_contradicted_at: i.contradicted ? new Date(o.sentAt.getTime() + H) : null,
        })),
      )
      .execute();
  return id;
}

async function insertItem(db: Db, organisationId: string, url: string, removedAt: Date | null) {
  const now = new Date();
  const r = await db
    .insertInto("items")
    .values({
      organisation_id: organisationId,
      kind: "url",
      value: url,
      normalized: url,
      host: new URL(url).hostname,
      status: removedAt ? "removed" : "notice_sent",
      created_at: now,
      updated_at: now,
      removed_at: removedAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

async function insertParty(db: Db, organisationId: string, name: string) {
  const now = new Date();
  const r = await db
    .insertInto("parties")
    .values({
      organisation_id: organisationId,
      name,
      kind: "platform",
      country: "NL",
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * The text of a Chromium PDF: its content streams inflated, and each font's glyph codes mapped
 * back to Unicode through that font's ToUnicode map. Enough to read what the report printed.
 */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  const objects = new Map<string, { dict: string; stream: Buffer | null }>();
  const re = /(\d+) 0 obj\s*([\s\S]*?)endobj/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    const body = m[2] as string;
    const s = body.indexOf("stream");
    let stream: Buffer | null = null;
    let dict = body;
    if (s >= 0) {
      dict = body.slice(0, s);
      const start = body[s + 6] === "\r" ? s + 8 : s + 7;
      const end = body.lastIndexOf("endstream");
      const bytes = Buffer.from(body.slice(start, end), "latin1");
      try {
        stream = /FlateDecode/.test(dict) ? inflateSync(bytes) : bytes;
      } catch {
        stream = bytes;
      }
    }
    objects.set(m[1] as string, { dict, stream });
  }
  const cmapOf = (fontObj: string): Map<number, string> => {
    const map = new Map<number, string>();
    const ref = /\/ToUnicode (\d+) 0 R/.exec(objects.get(fontObj)?.dict ?? "")?.[1];
    const text = ref ? (objects.get(ref)?.stream?.toString("latin1") ?? "") : "";
    const hex = (h: string) =>
      String.fromCodePoint(...(h.match(/.{4}/g) ?? []).map((x) => Number.parseInt(x, 16)));
    for (const block of text.match(/beginbfchar([\s\S]*?)endbfchar/g) ?? [])
      for (const [, src, dst] of block.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
        map.set(Number.parseInt(src as string, 16), hex(dst as string));
    for (const block of text.match(/beginbfrange([\s\S]*?)endbfrange/g) ?? [])
      for (const [, lo, hi, dst] of block.matchAll(
        /<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g,
      )) {
        const base = Number.parseInt(dst as string, 16);
        for (let c = Number.parseInt(lo as string, 16); c <= Number.parseInt(hi as string, 16); c++)
          map.set(c, String.fromCodePoint(base + c - Number.parseInt(lo as string, 16)));
      }
    return map;
  };
  let out = "";
  for (const { dict } of objects.values()) {
    if (!/\/Type\s*\/Page\b/.test(dict)) continue;
    const fonts = new Map<string, Map<number, string>>();
    const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(dict)?.[1] ?? "";
    for (const [, name, obj] of fontDict.matchAll(/\/(\w+) (\d+) 0 R/g))
      fonts.set(name as string, cmapOf(obj as string));
    const contents = [...(/\/Contents\s*(\[[^\]]*\]|\d+ 0 R)/.exec(dict)?.[1] ?? "").matchAll(/(\d+) 0 R/g)];
    for (const [, c] of contents) {
      const ops = objects.get(c as string)?.stream?.toString("latin1") ?? "";
      let font = new Map<number, string>();
      for (const [, f, arr, single] of ops.matchAll(
        /\/(\w+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj/g,
      )) {
        if (f) {
          font = fonts.get(f) ?? new Map();
          continue;
        }
        for (const [, h] of (arr ?? `<${single}>`).matchAll(/<([0-9A-Fa-f]*)>/g))
          for (const code of (h as string).match(/.{4}/g) ?? [])
            out += font.get(Number.parseInt(code, 16)) ?? "";
        out += " ";
      }
    }
  }
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, "");

for (const backend of backends) {
  describe(`reporting (${backend.name})`, { timeout: 600_000 }, () => {
    let t: TestApp;
    let privacyOrgId = "";
    let a: { org: { id: string }; agent: Agent };
    let analyst: Agent;
    let auditor: Agent;
    let history: History;

    before(async () => {
      t = await startApp(backend);
      t.clock.set(NOW);
      // The first hotline receives public reports: it holds the reporter whose data must never
      // appear in a report.
      privacyOrgId = (await makeOrganisation(t.deps, "hotline", "Meldpunt Privacy")).id;
      a = await userAgent(t, "hotline", "admin");
      analyst = await login(t, (await makeUser(t.deps, a.org.id, "analyst")).email);
      auditor = await login(t, (await makeUser(t.deps, a.org.id, "auditor")).email);
      history = await generateHistory(t.deps.db, a.org.id, {
        cases: 2000,
        seed: 20260201,
        start: new Date("2025-01-01T00:00:00Z"),
        days: 365,
      });
    });
    after(async () => {
      await t?.close();
    });

    test("the generated history is large enough to mean something", () => {
      assert.equal(history.cases.length, 2000);
      assert.ok(history.items.length > 2500, `items: ${history.items.length}`);
      assert.ok(history.notices.length > 2000, `notices: ${history.notices.length}`);
      assert.ok(history.responses > 1500, `responses: ${history.responses}`);
      assert.ok(history.checks > 3000, `checks: ${history.checks}`);
    });

    test("every figure equals the independent calculation (API, no filter)", async () => {
      const res = await a.agent.request("GET", "/api/v1/reporting/figures");
      assert.equal(res.statusCode, 200, res.body);
      const f = res.json() as reporting.Figures;
      assertFigures(f, history, {});
      // The shares are what the dashboard shows; the boundary removals are in the generated data.
      assert.ok(f.total.removed > 1000 && f.total.removedBeforeNotice > 50, JSON.stringify(f.total));
      assert.ok(f.total.neverAnswered > 0 && f.total.refused > 0 && f.total.claimsContradicted > 0);
    });

    test("every figure equals the independent calculation under each filter", async () => {
      const fast = history.parties.find((p) => p.behaviour === "fast");
      assert.ok(fast);
      const filters = [
        { from: new Date("2025-04-01T00:00:00Z"), to: new Date("2025-07-01T00:00:00Z") },
        { category: "ncii" },
        { partyId: fast.id },
        { from: new Date("2025-10-01T00:00:00Z"), category: "csam", partyId: fast.id },
      ];
      for (const f of filters) assertFigures(await reporting.computeFigures(t.deps, a.org.id, f), history, f);
      // The same through the API: to is an inclusive day.
      const res = await a.agent.request(
        "GET",
        `/api/v1/reporting/figures?from=2025-04-01&to=2025-06-30&category=ncii&partyId=${fast.id}`,
      );
      assert.equal(res.statusCode, 200, res.body);
      assertFigures(res.json(), history, {
        from: new Date("2025-04-01T00:00:00Z"),
        to: new Date("2025-07-01T00:00:00Z"),
        category: "ncii",
        partyId: fast.id,
      });
    });

    test("boundaries: removed exactly at the deadline and at 24 h, 1 ms later, never, before the notice", async () => {
      const org = await makeOrganisation(t.deps, "hotline");
      const party = await insertParty(t.deps.db, org.id, "Grens B.V.");
      const sent = new Date("2025-06-01T10:00:00.000Z");
      const at = (ms: number) => new Date(sent.getTime() + ms);
      const atDeadline = await insertItem(t.deps.db, org.id, "https://grens.example/1", at(24 * H));
      const justAfter = await insertItem(t.deps.db, org.id, "https://grens.example/2", at(24 * H + 1));
      const never = await insertItem(t.deps.db, org.id, "https://grens.example/3", null);
      const beforeNotice = await insertItem(t.deps.db, org.id, "https://grens.example/4", at(-60_000));
      await insertNotice(t.deps.db, {
        organisationId: org.id,
        partyId: party,
        category: "ncii",
        sentAt: sent,
        deadlineHours: 24,
        items: [{ id: atDeadline }, { id: justAfter }, { id: never }, { id: beforeNotice }],
      });
      const f = await reporting.computeFigures(t.deps, org.id, {});
      const m = f.total;
      assert.equal(m.items, 4);
      assert.equal(m.removedBeforeNotice, 1, "removed before the notice is not the party's doing");
      assert.equal(m.removed, 2);
      assert.equal(m.within24h, 1, "exactly 24 h counts as within 24 h");
      assert.equal(m.byDeadline, 1, "exactly at the deadline counts as in time; 1 ms later does not");
      assert.equal(m.within48h, 2);
      assert.equal(m.within24hShare, 1 / 3, "the base leaves out the item removed before the notice");
      assert.equal(m.buckets["24h"], 1);
      assert.equal(m.buckets["48h"], 1);
      assert.equal(m.buckets.notRemoved, 1);
      assert.equal(m.removalMedianSeconds, 24 * 3600 + 0.0005);
      assert.equal(m.notices, 1);
      assert.equal(m.due, 1);
      assert.equal(m.neverAnswered, 1, "no outcome recorded: never answered");
    });

    test("the yearly report counts every notice once per breakdown, as defined", async () => {
      for (const year of [2025, 2026]) {
        const res = await a.agent.request("GET", `/api/v1/reporting/trusted-flagger/${year}`);
        assert.equal(res.statusCode, 200, res.body);
        const r = res.json() as reporting.TrustedFlaggerReport;
        assert.deepEqual(Object.keys(r), ["year", "byProvider", "byType", "byAction", "independence"]);
        const e = expectedYearly(history, year);
        assert.ok(e.total > 0 || year === 2026);
        const sum = (xs: { notices: number }[]) => xs.reduce((s, x) => s + x.notices, 0);
        assert.equal(sum(r.byProvider), e.total);
        assert.equal(sum(r.byType), e.total);
        assert.equal(sum(r.byAction), e.total);
        assert.deepEqual(new Map(r.byProvider.map((x) => [x.provider, x.notices])), e.byProvider);
        assert.deepEqual(new Map(r.byType.map((x) => [x.type, x.notices])), e.byType);
        assert.deepEqual(new Map(r.byAction.map((x) => [x.action, x.notices])), e.byAction);
        for (const x of r.byProvider) assert.deepEqual(Object.keys(x), ["provider", "notices"]);
      }
      // Notices sent in the last hours of 2025 are in 2025, not 2026: the year is in UTC.
      assert.ok(expectedYearly(history, 2026).total > 0, "the history spills into 2026");
    });

    test("the action of a notice: agreed, mixed, contradicted claim, none", async () => {
      const org = await makeOrganisation(t.deps, "hotline");
      const party = await insertParty(t.deps.db, org.id, "Actie B.V.");
      const sent = new Date("2024-03-01T00:00:00Z");
      const item = (n: number) => insertItem(t.deps.db, org.id, `https://actie.example/${n}`, null);
      const notice = async (items: Parameters<typeof insertNotice>[1]["items"]) =>
        insertNotice(t.deps.db, {
          organisationId: org.id,
          partyId: party,
          category: "ncii",
          sentAt: sent,
          deadlineHours: 24,
          items,
        });
      await notice([
        { id: await item(1), outcome: "removed" },
        { id: await item(2), outcome: "removed" },
      ]);
      await notice([
        { id: await item(3), outcome: "removed" },
        { id: await item(4), outcome: "refused" },
      ]);
      await notice([{ id: await item(5), outcome: "removed" }, { id: await item(6) }]);
      await notice([{ id: await item(7), outcome: "removed", contradicted: true }]);
      await notice([{ id: await item(8) }, { id: await item(9) }]);
      await notice([]);
      const d = await reporting.buildTrustedFlaggerReport(t.deps, org.id, 2024);
      assert.equal(d.total, 6);
      assert.deepEqual(Object.fromEntries(d.report.byAction.map((x) => [x.action, x.notices])), {
        removed: 1,
        mixed: 2,
        claim_contradicted: 1,
        none: 2,
      });
      assert.deepEqual(d.report.byProvider, [{ provider: "Actie B.V.", notices: 6 }]);
      assert.deepEqual(d.report.byType, [{ type: "ncii", notices: 6 }]);
    });

    test("the yearly report contains no personal data in any format", async () => {
      const receipt = await submitPublicReport(
        t.deps,
        publicReport.parse({
          category: "ncii",
          urls: [PRIVATE_URL],
          description: DESCRIPTION,
          reporterRole: "depicted",
          ageBand: "18_24",
          contact: { ...REPORTER, preferred: "email" },
          consent: { given: true, version: currentConsent.version },
        }),
      );
      const report = await t.deps.db
        .selectFrom("reports")
        .select(["case_id", "organisation_id"])
        .where("receipt", "=", receipt.receipt)
        .executeTakeFirstOrThrow();
      assert.equal(report.organisation_id, privacyOrgId);
      const contact = await t.deps.db
        .selectFrom("reporter_contacts")
        .innerJoin("reports", "reports.id", "reporter_contacts.report_id")
        .select("reporter_contacts.sealed")
        .where("reports.case_id", "=", report.case_id)
        .executeTakeFirst();
      assert.ok(contact, "the fixture holds the reporter's contact data");
      const item = await t.deps.db
        .selectFrom("case_items")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select("items.id")
        .where("case_items.case_id", "=", report.case_id)
        .executeTakeFirstOrThrow();
      const party = await insertParty(t.deps.db, privacyOrgId, "Privacy Platform B.V.");
      await insertNotice(t.deps.db, {
        organisationId: privacyOrgId,
        partyId: party,
        category: "ncii",
        sentAt: NOW,
        deadlineHours: 24,
        items: [{ id: item.id, outcome: "removed" }],
      });
      const statement =
        "Wij worden gefinancierd door de overheid en niet door platforms; ons bestuur is onafhankelijk.";
      await t.deps.db
        .insertInto("reporting_settings")
        .values({ organisation_id: privacyOrgId, independence_statement: statement, updated_at: NOW })
        .execute();

      const forbidden = [
        REPORTER.name,
        REPORTER.email,
        REPORTER.phone,
        DESCRIPTION,
        PRIVATE_URL,
        "mirjam-uniek",
      ];
      const d = await reporting.buildTrustedFlaggerReport(t.deps, privacyOrgId, 2026);
      assert.equal(d.total, 1);
      const outputs: [string, string][] = [
        ["json", JSON.stringify(d.report)],
        ["csv", reporting.trustedFlaggerCsv(d)],
        ["html", reporting.trustedFlaggerHtml(d)],
        ["html (en)", reporting.trustedFlaggerHtml(d, "en")],
      ];
      if (!noBrowser) {
        const pdf = await reporting.trustedFlaggerPdf(t.deps, d);
        assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
        const text = pdfText(pdf);
        // The extraction reads the printed text (so a leak would show): the party and statement are there.
        assert.ok(squash(text).includes(squash("Privacy Platform B.V.")), `PDF text: ${text.slice(0, 500)}`);
        assert.ok(squash(text).includes(squash("ons bestuur is onafhankelijk")));
        outputs.push(["pdf text", text], ["pdf bytes", pdf.toString("latin1")]);
      }
      for (const [format, out] of outputs) {
        assert.ok(
          out.includes("Privacy Platform B.V.") || format.startsWith("pdf"),
          `${format}: names the provider`,
        );
        for (const value of forbidden) {
          assert.ok(!out.includes(value), `${format} contains personal data: ${value}`);
          assert.ok(!squash(out).includes(squash(value)), `${format} contains personal data: ${value}`);
        }
      }
    });

    test("the public transparency page is 404 until an admin turns it on, and suppresses small counts", async () => {
      const path = `/api/v1/public/transparency/${a.org.id}?year=2025`;
      const anon = (url: string) => t.app.inject({ method: "GET", url });
      assert.equal((await anon(path)).statusCode, 404);
      assert.equal(
        (await anon(`/api/v1/public/transparency/${a.org.id}/open-data.csv?year=2025`)).statusCode,
        404,
      );
      assert.equal((await anon(`/api/v1/public/transparency/${a.org.id}/open-data.json`)).statusCode, 404);
      assert.deepEqual((await anon("/api/v1/public/transparency")).json(), { items: [] });

      // Only an admin turns it on.
      assert.equal(
        (await analyst.request("PATCH", "/api/v1/reporting/settings", { transparencyPublished: true }))
          .statusCode,
        403,
      );
      assert.equal(
        (await auditor.request("PATCH", "/api/v1/reporting/settings", { transparencyPublished: true }))
          .statusCode,
        403,
      );
      assert.equal((await anon(path)).statusCode, 404);
      const on = await a.agent.request("PATCH", "/api/v1/reporting/settings", {
        transparencyPublished: true,
      });
      assert.equal(on.statusCode, 200, on.body);
      assert.equal(on.json().transparencyPublished, true);
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select(["action", "actor_id"])
        .where("organisation_id", "=", a.org.id)
        .where("action", "like", "reporting.%")
        .execute();
      assert.deepEqual(
        events.map((e) => e.action),
        ["reporting.transparency_published"],
      );

      const res = await anon(path);
      assert.equal(res.statusCode, 200, res.body);
      const data = res.json() as {
        year: number;
        suppressBelow: number;
        scorecards: Record<string, unknown>[];
      };
      assert.equal(data.year, 2025);
      assert.equal(data.suppressBelow, 10);
      const e = expectedFigures(
        history,
        { from: new Date("2025-01-01T00:00:00Z"), to: new Date("2026-01-01T00:00:00Z") },
        NOW,
      );
      const rare = history.parties.find((p) => p.behaviour === "rare");
      const fast = history.parties.find((p) => p.behaviour === "fast");
      assert.ok(rare && fast);
      const rareCard = data.scorecards.find((s) => s.party === rare.name);
      assert.ok(rareCard, "a party with few notices is listed");
      assert.ok((e.parties.get(rare.id)?.notices ?? 0) < 10, "the rare party has fewer than 10 notices");
      assert.equal(rareCard.notices, SUPPRESSED);
      assert.equal(rareCard.items, SUPPRESSED);
      assert.equal(rareCard.removalMedianHours, null, "a median over fewer than 10 removals is not shown");
      assert.equal(rareCard.removedWithin24hShare, null);
      const fastCard = data.scorecards.find((s) => s.party === fast.name);
      const fe = e.parties.get(fast.id);
      assert.ok(fastCard && fe);
      assert.equal(fastCard.notices, fe.notices);
      assert.equal(
        fastCard.removalMedianHours,
        Math.round(((fe.removalMedianSeconds ?? 0) / 3600) * 10) / 10,
      );
      for (const card of data.scorecards)
        for (const k of ["notices", "items", "refused"]) {
          const v = card[k];
          assert.ok(v === SUPPRESSED || (typeof v === "number" && v >= 10), `small count shown: ${k} ${v}`);
        }
      // No personal data and nothing but the published fields.
      assert.deepEqual(Object.keys(fastCard).sort(), [
        "acknowledgementMedianHours",
        "country",
        "items",
        "kind",
        "neverAnsweredShare",
        "notices",
        "party",
        "refused",
        "removalMedianHours",
        "removalP90Hours",
        "removedWithin24hShare",
        "removedWithin48hShare",
        "removedWithin7dShare",
      ]);

      const csv = await anon(`/api/v1/public/transparency/${a.org.id}/open-data.csv?year=2025`);
      assert.equal(csv.statusCode, 200);
      assert.match(csv.headers["content-type"] as string, /^text\/csv/);
      assert.match(csv.body, /^year,party,kind,country,notices,items,/);
      assert.ok(csv.body.includes(`2025,${rare.name},platform,NL,<10,<10,`));
      const json = await anon(`/api/v1/public/transparency/${a.org.id}/open-data.json?year=2025`);
      assert.equal(json.statusCode, 200);
      assert.deepEqual(json.json(), data);
      assert.deepEqual((await anon("/api/v1/public/transparency")).json().items, [
        {
          id: a.org.id,
          name: (
            await t.deps.db
              .selectFrom("organisations")
              .select("name")
              .where("id", "=", a.org.id)
              .executeTakeFirstOrThrow()
          ).name,
        },
      ]);

      // Hostile and odd input on the public routes.
      assert.equal((await anon(`/api/v1/public/transparency/${a.org.id}?year=2027`)).statusCode, 422);
      assert.equal((await anon(`/api/v1/public/transparency/${a.org.id}?year=abc`)).statusCode, 422);
      assert.equal((await anon(`/api/v1/public/transparency/${a.org.id}?year=2025&x=1`)).statusCode, 422);
      assert.equal((await anon("/api/v1/public/transparency/not-a-uuid")).statusCode, 422);
      assert.equal((await anon(`/api/v1/public/transparency/${randomUUID()}`)).statusCode, 404);
      assert.equal((await anon(`/api/v1/public/transparency/${privacyOrgId}`)).statusCode, 404);

      // Off again: 404 at once, audited.
      const off = await a.agent.request("PATCH", "/api/v1/reporting/settings", {
        transparencyPublished: false,
      });
      assert.equal(off.json().transparencyPublished, false);
      assert.equal((await anon(path)).statusCode, 404);
      const actions = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("organisation_id", "=", a.org.id)
        .where("action", "like", "reporting.%")
        .orderBy("seq")
        .execute();
      assert.deepEqual(
        actions.map((x) => x.action),
        ["reporting.transparency_published", "reporting.transparency_withdrawn"],
      );
    });

    test("the independence statement: admin only, audited, escaped in HTML, bounded", async () => {
      const hostile = `<script>alert(1)</script> Onafhankelijk & "vrij" — bestuur zonder platforms.`;
      const set = await a.agent.request("PATCH", "/api/v1/reporting/settings", {
        independenceStatement: hostile,
      });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().independenceStatement, hostile);
      const html = await a.agent.request("GET", "/api/v1/reporting/trusted-flagger/2025?format=html&lang=en");
      assert.equal(html.statusCode, 200);
      assert.match(html.headers["content-type"] as string, /^text\/html/);
      assert.match(html.headers["content-security-policy"] as string, /default-src 'none'/);
      assert.ok(!html.body.includes("<script>"), "the statement is escaped");
      assert.ok(html.body.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
      assert.equal(
        (await a.agent.request("GET", "/api/v1/reporting/trusted-flagger/2025")).json().independence,
        hostile,
      );
      assert.equal(
        (
          await a.agent.request("PATCH", "/api/v1/reporting/settings", {
            independenceStatement: "x".repeat(10_001),
          })
        ).statusCode,
        422,
      );
      assert.equal(
        (await a.agent.request("PATCH", "/api/v1/reporting/settings", { independenceStatement: "   " }))
          .statusCode,
        422,
      );
      assert.equal(
        (await a.agent.request("PATCH", "/api/v1/reporting/settings", { transparencyPublished: "yes" }))
          .statusCode,
        422,
      );
      assert.equal(
        (await a.agent.request("PATCH", "/api/v1/reporting/settings", { other: 1 })).statusCode,
        422,
      );
      assert.equal(
        (await analyst.request("PATCH", "/api/v1/reporting/settings", { independenceStatement: "mine" }))
          .statusCode,
        403,
      );
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("organisation_id", "=", a.org.id)
        .where("action", "=", "reporting.independence_statement_set")
        .execute();
      assert.equal(events.length, 1);
    });

    test("authorization: each organisation sees only its own figures", async () => {
      const b = await userAgent(t, "hotline", "analyst");
      const fast = history.parties.find((p) => p.behaviour === "fast");
      assert.ok(fast);
      const fb = (await b.agent.request("GET", "/api/v1/reporting/figures")).json() as reporting.Figures;
      assert.equal(fb.total.notices, 0);
      assert.deepEqual(fb.parties, []);
      const spy = await b.agent.request("GET", `/api/v1/reporting/figures?partyId=${fast.id}`);
      assert.equal(spy.statusCode, 200);
      assert.equal(spy.json().total.notices, 0, "another organisation's party yields nothing");
      assert.deepEqual((await b.agent.request("GET", "/api/v1/reporting/parties")).json(), { items: [] });
      const yearly = (await b.agent.request("GET", "/api/v1/reporting/trusted-flagger/2025")).json();
      assert.deepEqual([yearly.byProvider, yearly.byType, yearly.byAction], [[], [], []]);
      const reg = (
        await b.agent.request("GET", "/api/v1/reporting/registration?from=2025-01-01&to=2025-12-31")
      ).json();
      assert.deepEqual(reg.rows, []);
      assert.equal(
        (await b.agent.request("GET", "/api/v1/reporting/settings")).json().independenceStatement,
        null,
      );

      const regulator = await userAgent(t, "regulator", "regulator_officer");
      for (const url of [
        "/api/v1/reporting/figures",
        "/api/v1/reporting/figures.csv",
        "/api/v1/reporting/parties",
        "/api/v1/reporting/trusted-flagger/2025",
        "/api/v1/reporting/registration?from=2025-01-01&to=2025-12-31",
        "/api/v1/reporting/settings",
      ]) {
        assert.equal((await regulator.agent.request("GET", url)).statusCode, 403, url);
        assert.equal((await t.app.inject({ method: "GET", url })).statusCode, 401, url);
      }
      assert.equal((await auditor.request("GET", "/api/v1/reporting/figures")).statusCode, 200);
      const parties = (await analyst.request("GET", "/api/v1/reporting/parties")).json().items as {
        name: string;
      }[];
      assert.equal(parties.length, history.parties.length);
    });

    test("hostile filters are refused before any SQL", async () => {
      for (const q of [
        "from=2025-02-30",
        "from=yesterday",
        "from=2025-01-01'%20or%201=1--",
        "to=2025-13-01",
        "category=unknown",
        "category=ncii'--",
        "partyId=not-a-uuid",
        "partyId=00000000-0000-0000-0000-000000000000'",
        "limit=5",
        `from=${"9".repeat(5000)}`,
      ]) {
        const res = await analyst.request("GET", `/api/v1/reporting/figures?${q}`);
        assert.equal(res.statusCode, 422, `${q}: ${res.body}`);
        assert.match(res.headers["content-type"] as string, /application\/problem\+json/);
      }
      const reversed = await analyst.request(
        "GET",
        "/api/v1/reporting/figures?from=2025-06-01&to=2025-05-01",
      );
      assert.equal(reversed.statusCode, 422);
      for (const y of ["1999", "2101", "20x5", "-1"])
        assert.equal(
          (await analyst.request("GET", `/api/v1/reporting/trusted-flagger/${y}`)).statusCode,
          422,
          y,
        );
      assert.equal(
        (await analyst.request("GET", "/api/v1/reporting/trusted-flagger/2025?format=pdf")).statusCode,
        422,
      );
      assert.equal(
        (await analyst.request("GET", "/api/v1/reporting/registration?from=2025-01-01")).statusCode,
        422,
      );
    });

    test("CSV exports cannot run as formulas in a spreadsheet", async () => {
      assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
      assert.equal(csvCell("+31 6"), `"'+31 6"`);
      assert.equal(csvCell("-2+3"), `"'-2+3"`);
      assert.equal(csvCell("@SUM(A1)"), `"'@SUM(A1)"`);
      assert.equal(csvCell("\t=1"), `"'\t=1"`);
      assert.equal(csvCell("  =1"), `"'  =1"`);
      assert.equal(csvCell("a,b"), `"a,b"`);
      assert.equal(csvCell("plain"), "plain");
      assert.equal(csvCell(-3), "-3", "numbers stay numbers");

      const org = await makeOrganisation(t.deps, "hotline");
      const user = await login(t, (await makeUser(t.deps, org.id, "analyst")).email);
      const evil = '=HYPERLINK("https://evil.example","klik")';
      const party = await insertParty(t.deps.db, org.id, evil);
      const item = await insertItem(t.deps.db, org.id, "https://csv.example/1", null);
      await insertNotice(t.deps.db, {
        organisationId: org.id,
        partyId: party,
        category: "ncii",
        sentAt: new Date("2025-03-01T00:00:00Z"),
        deadlineHours: 24,
        items: [{ id: item }],
      });
      const res = await user.request("GET", "/api/v1/reporting/figures.csv");
      assert.equal(res.statusCode, 200);
      assert.match(res.headers["content-disposition"] as string, /attachment; filename="figures.csv"/);
      const lines = res.body.split("\r\n");
      assert.ok(lines.some((l) => l.includes(`"'=HYPERLINK(""https://evil.example"",""klik"")"`)));
      assert.ok(!lines.some((l) => l.split(",").some((cell) => /^=/.test(cell))), "no cell starts with =");
      const yearly = await user.request("GET", "/api/v1/reporting/trusted-flagger/2025?format=csv");
      assert.ok(yearly.body.includes(`"'=HYPERLINK`));
    });

    test("the registration export counts cases by month and category with the taxonomy's codes", async () => {
      const res = await auditor.request(
        "GET",
        "/api/v1/reporting/registration?from=2025-01-01&to=2025-12-31",
      );
      assert.equal(res.statusCode, 200, res.body);
      const x = res.json() as reporting.RegistrationExport;
      const expected = new Map<string, number>();
      for (const c of history.cases) {
        if (c.createdAt.getUTCFullYear() !== 2025) continue;
        const k = `${c.createdAt.toISOString().slice(0, 7)}|${c.category}`;
        expected.set(k, (expected.get(k) ?? 0) + 1);
      }
      assert.deepEqual(new Map(x.rows.map((r) => [`${r.month}|${r.category}`, r.cases])), expected);
      const csam = x.rows.find((r) => r.category === "csam");
      assert.ok(csam);
      assert.equal(csam.dsaCategory, "STATEMENT_CATEGORY_PROTECTION_OF_MINORS");
      assert.deepEqual(csam.offences, ["Sr 252"]);
      const csv = await auditor.request(
        "GET",
        "/api/v1/reporting/registration?from=2025-01-01&to=2025-12-31&format=csv",
      );
      assert.match(csv.body, /^month,category,taxonomy_version,dsa_category,dsa_keywords,offences,cases\r\n/);
      assert.equal(csv.body.trim().split("\r\n").length, x.rows.length + 1);
    });
  });
}

describe("vangrail report on a data folder", { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "vg-report-"));
  const env = { VANGRAIL_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn", NODE_ENV: "development" };
  let history: History;
  let secondName = "";
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
        .values({
          name: "Meldpunt Map",
          kind: "hotline",
          trusted_flagger: true,
          trusted_flagger_area: "online sexual violence",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      history = await generateHistory(rt.deps.db, org.id, {
        cases: 300,
        seed: 5,
        start: new Date("2024-01-01T00:00:00Z"),
        days: 366,
      });
    } finally {
      await rt.close();
    }
  });

  test("prints the yearly report as JSON, CSV and HTML, and writes a PDF", async () => {
    const r = await cli(["report", "trusted-flagger", "--year", "2024", "--format", "json"]);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    const e = expectedYearly(history, 2024);
    assert.deepEqual(Object.keys(report), ["year", "byProvider", "byType", "byAction", "independence"]);
    assert.equal(report.year, 2024);
    for (const k of ["byProvider", "byType", "byAction"] as const)
      assert.equal(
        report[k].reduce((s: number, x: { notices: number }) => s + x.notices, 0),
        e.total,
        `${k} sums to the total`,
      );
    assert.deepEqual(
      new Map(report.byAction.map((x: { action: string; notices: number }) => [x.action, x.notices])),
      e.byAction,
    );
    assert.match(r.err, /no independence statement/);

    const csv = await cli(["report", "trusted-flagger", "--year", "2024", "--format", "csv"]);
    assert.equal(csv.code, 0, csv.err);
    assert.match(
      csv.out,
      new RegExp(`^year,section,key,label,dsa_category,notices\\r\\n2024,total,,,,${e.total}\\r\\n`),
    );
    const html = await cli([
      "report",
      "trusted-flagger",
      "--year",
      "2024",
      "--format",
      "html",
      "--lang",
      "en",
    ]);
    assert.equal(html.code, 0, html.err);
    assert.match(html.out, /<html lang="en">/);
    assert.match(html.out, /Trusted flagger yearly report 2024/);

    if (!noBrowser) {
      const out = join(dataDir, "report.pdf");
      const pdf = await cli(["report", "trusted-flagger", "--year", "2024", "--format", "pdf", "--out", out]);
      assert.equal(pdf.code, 0, pdf.err);
      assert.equal(readFileSync(out).subarray(0, 5).toString(), "%PDF-");
      assert.ok(squash(pdfText(readFileSync(out))).includes(squash(history.parties[0]?.name ?? "?")));
    }
  });

  test("asks which hotline when there is more than one, and refuses bad arguments", async () => {
    const rt = await boot({ config: loadConfig({ ...env, LOG_LEVEL: "silent" }) });
    try {
      secondName = "Tweede Meldpunt";
      await rt.deps.db.insertInto("organisations").values({ name: secondName, kind: "hotline" }).execute();
    } finally {
      await rt.close();
    }
    const ambiguous = await cli(["report", "trusted-flagger", "--year", "2024"]);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.err, /more than one hotline.*--organisation/s);
    const chosen = await cli([
      "report",
      "trusted-flagger",
      "--year",
      "2024",
      "--organisation",
      "meldpunt map",
    ]);
    assert.equal(chosen.code, 0, chosen.err);
    assert.equal(JSON.parse(chosen.out).byProvider.length > 0, true);
    for (const args of [
      ["report", "trusted-flagger"],
      ["report", "trusted-flagger", "--year", "24"],
      ["report", "trusted-flagger", "--year", "2024", "--format", "docx"],
      ["report", "registration", "--from", "2024-01-01"],
      ["report", "figures", "--from", "2024-02-31"],
      ["report", "trusted-flagger", "--year", "2024", "--organisation", "nobody"],
    ]) {
      const r = await cli(args);
      assert.notEqual(r.code, 0, args.join(" "));
    }
    const reg = await cli([
      "report",
      "registration",
      "--from",
      "2024-01-01",
      "--to",
      "2024-12-31",
      "--organisation",
      "Meldpunt Map",
    ]);
    assert.equal(reg.code, 0, reg.err);
    assert.equal(
      reg.out
        .trim()
        .split("\r\n")
        .slice(1)
        .reduce((s, l) => s + Number(l.split(",").at(-1)), 0),
      history.cases.filter((c) => c.createdAt.getUTCFullYear() === 2024).length,
    );
    const figures = await cli(["report", "figures", "--organisation", "Meldpunt Map"]);
    assert.equal(figures.code, 0, figures.err);
    assert.equal(JSON.parse(figures.out).total.notices, history.notices.filter((n) => n.sentAt).length);
  });
});
