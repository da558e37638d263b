// The ladder policy: the shipped file loads and routes as the legal reference says; a malformed
// file is refused with an error that names the place of every problem.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AppError } from "../../platform/errors.ts";
import {
  indexOfStep,
  type LadderPolicy,
  ladderFor,
  loadLadderPolicy,
  needsApproval,
  parseLadderPolicy,
} from "./ladder-policy.ts";

const shipped = loadLadderPolicy();
const ids = (category: string, country: string | null) =>
  ladderFor(shipped, category, country).steps.map((s) => s.id);
const clone = (): LadderPolicy => structuredClone(shipped);

function rejects(json: unknown, ...patterns: RegExp[]): void {
  assert.throws(
    () => parseLadderPolicy(json),
    (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, "validation_failed");
      for (const p of patterns) assert.match(e.detail ?? "", p);
      return true;
    },
  );
}

describe("ladder policy", () => {
  it("routes NL-hosted child abuse material to the host, then ATKM and the police", () => {
    assert.deepEqual(ids("csam", "NL"), ["platform", "hosting", "regulator:atkm", "regulator:police"]);
    assert.ok(
      !ids("csam", "DE").includes("regulator:atkm"),
      "ATKM acts on material hosted in the Netherlands",
    );
    assert.ok(ids("csam", "DE").includes("regulator:police"));
  });

  it("routes intimate images through platform, reminder, host, registrar, then ACM (DSA art. 53) and AP (GDPR art. 77)", () => {
    assert.deepEqual(ids("ncii", null).slice(0, 6), [
      "platform",
      "platform_reminder",
      "hosting",
      "registrar",
      "regulator:acm",
      "regulator:ap",
    ]);
    const acm = ladderFor(shipped, "ncii", null).steps.find((s) => s.id === "regulator:acm");
    assert.match(acm?.reason ?? "", /art\. 53/);
    assert.match(
      ladderFor(shipped, "ncii", "NL").steps.find((s) => s.id === "regulator:acm")?.reason ?? "",
      /Awb/,
    );
  });

  it("falls back from category and country to the category's default, then to the default ladder", () => {
    assert.equal(ladderFor(shipped, "ncii", "NL").key, "ncii/NL");
    assert.equal(ladderFor(shipped, "ncii", "FR").key, "ncii/default");
    assert.equal(ladderFor(shipped, "sexual_harassment", "NL").key, "default/NL");
    assert.equal(ladderFor(shipped, "sexual_harassment", null).key, "default/default");
    assert.equal(
      ladderFor(shipped, "grooming", "nl").key,
      "grooming/default",
      "a malformed country is no country",
    );
  });

  it("gives every step a legal reason, and asks approval for every regulator and police step", () => {
    for (const byCountry of Object.values(shipped.ladders))
      for (const steps of Object.values(byCountry))
        for (const s of steps) {
          assert.ok(s.reason.length >= 20, s.id);
          if (s.kind === "regulator") assert.equal(needsApproval(s), true, s.id);
        }
  });

  it("finds a notice's step by id, else by role", () => {
    const l = ladderFor(shipped, "ncii", null);
    assert.equal(indexOfStep(l, "platform_reminder"), 1);
    assert.equal(indexOfStep(l, "hosting"), 2);
    assert.equal(indexOfStep(l, "payment"), -1);
  });

  it("refuses malformed ladders and names every problem", () => {
    const p = clone();
    delete (p.ladders as Record<string, unknown>).default;
    rejects(p, /ladders\.default\.default: the default ladder/);

    const q = clone();
    (q.ladders as Record<string, unknown>).revenge = q.ladders.ncii;
    rejects(q, /ladders\.revenge: not a taxonomy category/);

    const r = clone();
    (r.ladders.ncii as Record<string, unknown>).Netherlands = r.ladders.ncii?.NL;
    rejects(r, /ladders\.ncii\.Netherlands: a jurisdiction is an ISO 3166/);

    const s = clone();
    const steps = s.ladders.ncii?.default ?? [];
    steps.push({ ...(steps[0] as (typeof steps)[number]) });
    rejects(s, /ladders\.ncii\.default\.\d+\.id: step platform appears twice/);

    const t = clone();
    const acm = t.ladders.default?.default?.find((x) => x.kind === "regulator");
    if (acm?.kind === "regulator") acm.regulator = "ap";
    rejects(t, /a regulator step's id is regulator:ap/);

    const u = clone();
    u.ladders.grooming = { default: (u.ladders.grooming?.default ?? []).slice(3) };
    rejects(u, /ladders\.grooming\.default\.0: a ladder starts with a notice/);

    rejects(
      {
        version: "x",
        stuckRetryHours: 0,
        ladders: {
          default: {
            default: [
              { id: "platform", kind: "notice", role: "webmaster", afterHours: -1, reason: "short" },
              {
                id: "regulator:fbi",
                kind: "regulator",
                regulator: "fbi",
                against: [],
                afterHours: 0,
                reason: "x",
              },
              {
                id: "extra",
                kind: "notice",
                role: "hosting",
                afterHours: 0,
                reason: "x".repeat(30),
                colour: "red",
              },
            ],
          },
        },
        extra: true,
      },
      /stuckRetryHours/,
      /ladders\.default\.default\.0\.role/,
      /ladders\.default\.default\.0\.afterHours/,
      /ladders\.default\.default\.0\.reason: give the legal reason/,
      /ladders\.default\.default\.1\.regulator/,
      /ladders\.default\.default\.2/,
      /\(root\)|extra/,
    );
    rejects("not a policy", /\(root\)/);
    rejects({ version: "x", stuckRetryHours: 1, ladders: { default: { default: [] } } }, /default\.default/);
  });

  it("reports a file that is not JSON, with its name", () => {
    const dir = mkdtempSync(join(tmpdir(), "vg-ladder-"));
    const file = join(dir, "ladder.json");
    writeFileSync(file, "{ not json");
    assert.throws(
      () => loadLadderPolicy(file),
      (e: unknown) => e instanceof AppError && /ladder\.json/.test(e.detail ?? ""),
    );
  });
});
