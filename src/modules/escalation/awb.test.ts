// The Awb clock: decision term, Algemene termijnenwet, extensions, lapse, penalty table.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  addDays,
  atwLastDay,
  clock,
  dayOf,
  decisionTermEnd,
  easter,
  endOfDay,
  extensionRefusal,
  isWorkingDay,
  loadPenaltyTable,
  notifiedTermEnd,
  penalty,
  penaltyTableSchema,
  publicHolidays,
  startOfDay,
} from "./awb.ts";

const table = loadPenaltyTable();
const at = (s: string) => new Date(s);

describe("Awb: days in Amsterdam", () => {
  it("knows Easter and the Atw holidays", () => {
    assert.equal(easter(2024), "2024-03-31");
    assert.equal(easter(2025), "2025-04-20");
    assert.equal(easter(2026), "2026-04-05");
    assert.equal(isWorkingDay("2026-04-06"), false, "tweede Paasdag");
    assert.equal(isWorkingDay("2026-05-14"), false, "Hemelvaartsdag");
    assert.equal(isWorkingDay("2026-05-25"), false, "tweede Pinksterdag");
    assert.equal(isWorkingDay("2026-04-27"), false, "Koningsdag");
    // 27 April 2025 was a Sunday: King's Day moved to Saturday 26 April.
    assert.ok(publicHolidays(2025).has("2025-04-26"));
    assert.ok(!publicHolidays(2025).has("2025-04-27"));
    assert.equal(isWorkingDay("2025-04-28"), true);
    assert.equal(isWorkingDay("2026-05-05"), false, "Bevrijdingsdag");
    assert.equal(isWorkingDay("2026-12-25"), false);
    assert.equal(isWorkingDay("2026-03-07"), false, "Saturday");
    assert.equal(isWorkingDay("2026-03-09"), true, "Monday");
  });

  it("ends a day at midnight Amsterdam time, in winter and summer", () => {
    assert.equal(endOfDay("2026-01-15").toISOString(), "2026-01-15T22:59:59.999Z");
    assert.equal(endOfDay("2026-07-15").toISOString(), "2026-07-15T21:59:59.999Z");
    // The day clocks go forward (29 March 2026) is 23 hours long.
    assert.equal(endOfDay("2026-03-29").getTime() - startOfDay("2026-03-29").getTime(), 23 * 3_600_000 - 1);
    assert.equal(dayOf(at("2026-01-15T23:30:00Z")), "2026-01-16", "after 23:00 UTC it is tomorrow in winter");
  });

  it("round-trips days and instants (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 40 }), (n) => {
        const day = addDays("2000-01-01", n);
        assert.equal(dayOf(startOfDay(day)), day);
        assert.equal(dayOf(endOfDay(day)), day);
        assert.equal(dayOf(new Date(endOfDay(day).getTime() + 1)), addDays(day, 1));
      }),
    );
  });
});

describe("Awb art. 4:13: the decision term", () => {
  it("ends eight weeks after receipt, at the end of that day", () => {
    // Received Monday 5 January 2026 at 10:00 → Monday 2 March 2026, 24:00 Amsterdam.
    assert.equal(decisionTermEnd(at("2026-01-05T09:00:00Z"), 8).toISOString(), "2026-03-02T22:59:59.999Z");
  });

  it("runs on to the next working day when receipt was on a weekend (Atw art. 1)", () => {
    // Received Saturday 10 January 2026 → 8 weeks is Saturday 7 March → Monday 9 March.
    assert.equal(decisionTermEnd(at("2026-01-10T12:00:00Z"), 8).toISOString(), "2026-03-09T22:59:59.999Z");
    // Received Sunday late evening UTC = Monday in Amsterdam.
    assert.equal(dayOf(at("2026-01-11T23:30:00Z")), "2026-01-12");
  });

  it("skips public holidays: a term ending on Ascension Day ends the Friday after", () => {
    // 8 weeks before Thursday 14 May 2026 is Thursday 19 March 2026.
    assert.equal(
      decisionTermEnd(at("2026-03-19T10:00:00Z"), 8).toISOString(),
      endOfDay("2026-05-15").toISOString(),
    );
  });

  it("never ends on a non-working day and never before `weeks` weeks (property)", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2001-01-01"), max: new Date("2060-01-01"), noInvalidDate: true }),
        fc.integer({ min: 1, max: 52 }),
        (received, weeks) => {
          const end = decisionTermEnd(received, weeks);
          const last = dayOf(end);
          assert.ok(isWorkingDay(last));
          const nominal = addDays(dayOf(received), weeks * 7);
          assert.ok(last >= nominal);
          assert.ok(last <= addDays(nominal, 5), "at most a long weekend and holidays later");
          assert.equal(atwLastDay(last), last);
        },
      ),
    );
  });

  it("refuses an extension after lapse, after a decision, or to an earlier date", () => {
    const termEndsAt = decisionTermEnd(at("2026-01-05T09:00:00Z"), 8);
    const later = notifiedTermEnd("2026-04-30");
    assert.equal(extensionRefusal({ termEndsAt, decidedAt: null }, later, at("2026-02-01T00:00:00Z")), null);
    assert.equal(
      extensionRefusal({ termEndsAt, decidedAt: null }, later, at("2026-03-03T00:00:00Z")),
      "lapsed",
    );
    assert.equal(
      extensionRefusal(
        { termEndsAt, decidedAt: at("2026-02-01T00:00:00Z") },
        later,
        at("2026-02-02T00:00:00Z"),
      ),
      "decided",
    );
    assert.equal(
      extensionRefusal(
        { termEndsAt, decidedAt: null },
        notifiedTermEnd("2026-02-20"),
        at("2026-02-01T00:00:00Z"),
      ),
      "not_later",
    );
    assert.equal(
      extensionRefusal({ termEndsAt: null, decidedAt: null }, later, at("2026-02-01T00:00:00Z")),
      "not_received",
    );
  });
});

describe("Awb art. 4:17: the penalty for late decision", () => {
  const termEndsAt = decisionTermEnd(at("2026-01-05T09:00:00Z"), 8); // last day Monday 2 March
  const defaultReceivedAt = at("2026-03-04T10:00:00Z"); // Wednesday 4 March

  it("starts two weeks after the notice of default was received, not before", () => {
    const p = penalty(table, { termEndsAt, defaultReceivedAt, stoppedAt: null }, "2026-03-17");
    assert.equal(p.firstDay, "2026-03-18");
    assert.equal(p.days, 0);
    const first = penalty(table, { termEndsAt, defaultReceivedAt, stoppedAt: null }, "2026-03-18");
    assert.deepEqual([first.days, first.cents], [1, 2300]);
  });

  it("accrues €23, €35 and €45 a day by tier and stops at 42 days and €1,442", () => {
    const after = (n: number) =>
      penalty(table, { termEndsAt, defaultReceivedAt, stoppedAt: null }, addDays("2026-03-18", n - 1));
    assert.equal(after(14).cents, 14 * 2300);
    assert.equal(after(15).cents, 14 * 2300 + 3500);
    assert.equal(after(28).cents, 14 * 2300 + 14 * 3500);
    assert.equal(after(29).cents, 14 * 2300 + 14 * 3500 + 4500);
    assert.deepEqual([after(42).days, after(42).cents, after(42).complete], [42, 144_200, true]);
    assert.deepEqual([after(400).days, after(400).cents], [42, 144_200], "capped");
  });

  it("never exceeds the cap and never decreases with time (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), (a, b) => {
        const [x, y] = [Math.min(a, b), Math.max(a, b)];
        const p = (n: number) =>
          penalty(table, { termEndsAt, defaultReceivedAt, stoppedAt: null }, addDays("2026-03-04", n));
        assert.ok(p(y).cents >= p(x).cents);
        assert.ok(p(y).cents <= 144_200 && p(y).days <= 42);
      }),
    );
  });

  it("starts from the lapse when the notice of default came before it (it does not count)", () => {
    const early = penalty(
      table,
      { termEndsAt, defaultReceivedAt: at("2026-03-02T10:00:00Z"), stoppedAt: null },
      "2026-06-01",
    );
    assert.deepEqual([early.firstDay, early.days], [null, 0], "a premature notice of default is no notice");
  });

  it("stops on the day of the decision", () => {
    const p = penalty(
      table,
      { termEndsAt, defaultReceivedAt, stoppedAt: at("2026-03-20T09:00:00Z") },
      "2026-06-01",
    );
    assert.deepEqual([p.days, p.cents], [2, 4600], "18 and 19 March; the decision day is not owed");
  });

  it("prices each day by the row in force on it (a change of the law is a new row)", () => {
    const changed = penaltyTableSchema.parse({
      source: "test",
      rows: [
        ...table.rows,
        {
          validFrom: "2026-03-25",
          maxDays: 42,
          tiers: [
            { fromDay: 1, toDay: 14, centsPerDay: 3000 },
            { fromDay: 15, toDay: 28, centsPerDay: 4000 },
            { fromDay: 29, toDay: 42, centsPerDay: 5000 },
          ],
          maxCents: 14 * 3000 + 14 * 4000 + 14 * 5000,
        },
      ],
    });
    // 18–24 March under the old row (7 × €23), 25–31 March under the new one (7 × €30).
    const p = penalty(changed, { termEndsAt, defaultReceivedAt, stoppedAt: null }, "2026-03-31");
    assert.deepEqual([p.days, p.cents], [14, 7 * 2300 + 7 * 3000]);
    const dir = mkdtempSync(join(tmpdir(), "vg-awb-"));
    writeFileSync(join(dir, "t.json"), JSON.stringify(changed));
    assert.equal(loadPenaltyTable(join(dir, "t.json")).rows.length, 2);
  });

  it("refuses a table whose tiers do not add up or leave gaps", () => {
    const bad = structuredClone(table);
    (bad.rows[0] as { maxCents: number }).maxCents = 100;
    assert.throws(() => penaltyTableSchema.parse(bad));
    const gap = structuredClone(table);
    (gap.rows[0] as { tiers: { fromDay: number }[] }).tiers[1] = {
      fromDay: 16,
      toDay: 28,
      centsPerDay: 3500,
    } as never;
    assert.throws(() => penaltyTableSchema.parse(gap));
  });
});

describe("Awb: the clock", () => {
  const receivedAt = at("2026-01-05T09:00:00Z");
  const termEndsAt = decisionTermEnd(receivedAt, 8);
  const base = {
    termApplies: true,
    receivedAt,
    termEndsAt,
    decidedAt: null,
    withdrawnAt: null,
    defaultReceivedAt: null,
  };

  it("runs, lapses, asks for a notice of default, then owes a penalty", () => {
    const running = clock(table, base, at("2026-02-23T10:00:00Z"));
    assert.deepEqual([running.state, running.daysLeft, running.lapsed], ["running", 7, false]);
    const lastDay = clock(table, base, at("2026-03-02T22:00:00Z"));
    assert.deepEqual([lastDay.state, lastDay.daysLeft], ["running", 0]);
    const lapsed = clock(table, base, at("2026-03-02T23:00:00Z"));
    assert.deepEqual([lapsed.state, lapsed.defaultNoticeDue, lapsed.penalty?.days], ["lapsed", true, 0]);
    const owed = clock(
      table,
      { ...base, defaultReceivedAt: at("2026-03-04T10:00:00Z") },
      at("2026-03-27T12:00:00Z"),
    );
    assert.deepEqual(
      [owed.state, owed.defaultNoticeDue, owed.penalty?.days, owed.penalty?.cents],
      ["lapsed", false, 10, 23_000],
    );
  });

  it("a decision stops the clock: nothing accrues after it", () => {
    const decidedAt = at("2026-03-25T09:00:00Z");
    const s = { ...base, defaultReceivedAt: at("2026-03-04T10:00:00Z"), decidedAt };
    const a = clock(table, s, at("2026-03-26T00:00:00Z"));
    const b = clock(table, s, at("2026-12-31T00:00:00Z"));
    assert.equal(a.state, "decided");
    assert.deepEqual(a.penalty, b.penalty);
    assert.equal(a.penalty?.days, 7);
    assert.equal(a.objectionUntil, endOfDay("2026-05-06").toISOString());
    const inTime = clock(
      table,
      { ...base, decidedAt: at("2026-02-01T09:00:00Z") },
      at("2026-12-31T00:00:00Z"),
    );
    assert.deepEqual([inTime.state, inTime.lapsed, inTime.penalty], ["decided", false, null]);
  });

  it("has no term for the police, the prosecutor or the Commission", () => {
    const c = clock(table, { ...base, termApplies: false }, at("2027-01-01T00:00:00Z"));
    assert.deepEqual([c.state, c.termEndsAt, c.penalty], ["not_applicable", null, null]);
  });
});
