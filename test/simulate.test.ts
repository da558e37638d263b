// `vangrail demo --simulate` as an operator runs it, in a child process on a fresh data folder:
// every behaviour of the fictional world shows in the summary (fast removal within the day,
// slow removal after the deadline, refusal, a bouncing address, silence), every message sent is
// an .eml file, the summary adds up, the data left behind is a normal Vangrail data folder whose
// audit chain verifies, and the simulation is refused in production.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openDatabase } from "../src/platform/db.ts";
import { CLI, ROOT } from "./support/server.ts";

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warn", DATABASE_URL: "", NODE_ENV: "development", ...env },
    });
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

interface Summary {
  parties: {
    name: string;
    behaviour: string;
    notices: number;
    responses: number;
    removed: number;
    medianRemovalHours: number | null;
    escalations: number;
    enforcementRequests: number;
  }[];
  totals: Record<string, number>;
}

describe("vangrail demo --simulate", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "vg-sim-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test("runs the chain against every behaviour and leaves a normal data folder", {
    timeout: 300_000,
  }, async () => {
    const r = await cli(
      ["demo", "--simulate", "--days", "75", "--report-days", "2", "--seed", "7", "--json"],
      {
        VANGRAIL_DATA_DIR: dataDir,
      },
    );
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n");
    assert.equal(lines.length, 1, "--json prints one line");
    const s = JSON.parse(lines[0] as string) as Summary;
    const by = (b: string) => {
      const p = s.parties.find((x) => x.behaviour === b);
      assert.ok(p, b);
      return p;
    };
    for (const p of s.parties) {
      assert.deepEqual(Object.keys(p).sort(), [
        "behaviour",
        "enforcementRequests",
        "escalations",
        "medianRemovalHours",
        "name",
        "notices",
        "removed",
        "responses",
      ]);
      assert.ok(p.notices > 0, `${p.name} was sent notices`);
    }
    const fast = by("fast");
    assert.ok(fast.removed > 0 && (fast.medianRemovalHours as number) < 24, JSON.stringify(fast));
    const slow = by("slow");
    assert.ok(slow.removed > 0 && (slow.medianRemovalHours as number) > 24, JSON.stringify(slow));
    const refuses = by("refuses");
    assert.ok(refuses.responses > 0 && refuses.removed === 0);
    for (const b of ["ignores", "bounces"]) {
      assert.equal(by(b).responses, 0);
      assert.equal(by(b).removed, 0);
    }
    const sum = (k: "notices" | "responses" | "removed") => s.parties.reduce((n, p) => n + p[k], 0);
    assert.equal(s.totals.notices, sum("notices"));
    assert.equal(s.totals.responses, sum("responses"));
    assert.equal(s.totals.removed, sum("removed"));
    assert.ok((s.totals.reports ?? 0) > 0 && (s.totals.items ?? 0) >= (s.totals.reports ?? 0));
    // Escalation: parties that ignore, refuse or cannot be reached are escalated and enforcement
    // requests are filed about them; one that removes in time never is. The simulated regulators
    // answer late or never, so decision terms lapse.
    assert.equal(fast.escalations, 0);
    assert.equal(fast.enforcementRequests, 0);
    for (const b of ["ignores", "refuses", "bounces"]) {
      assert.ok(by(b).escalations > 0, `${b} escalated: ${JSON.stringify(by(b))}`);
      assert.ok(by(b).enforcementRequests > 0, `${b}: enforcement requests filed`);
    }
    assert.ok((s.totals.escalations ?? 0) >= s.parties.reduce((n, p) => n + p.escalations, 0));
    assert.ok(
      (s.totals.enforcementRequests ?? 0) >= s.parties.reduce((n, p) => n + p.enforcementRequests, 0),
    );
    assert.ok((s.totals.lapsedTerms ?? 0) > 0, "lapsed decision terms");
    assert.ok((s.totals.lapsedTerms ?? 0) <= (s.totals.enforcementRequests ?? 0));

    const mails = readdirSync(join(dataDir, "sim-mail")).filter((f) => f.endsWith(".eml"));
    assert.ok(mails.length >= s.totals.notices, "every notice kept as .eml");
    const one = readFileSync(join(dataDir, "sim-mail", mails[0] as string), "utf8");
    assert.match(one, /^Message-ID: </m);
    assert.match(one, /X-Vangrail-Notice: VGN-/);

    // Removals are verified by monitoring: each is the first check that saw the page gone (the
    // fictional site answers 410 once its party removed it), never the party's claim.
    const handle = await openDatabase({ dataDir });
    try {
      const db = handle.db;
      const checks = await db
        .selectFrom("item_checks")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      assert.ok(Number(checks.n) > 0, "monitoring checks ran");
      const removed = await db
        .selectFrom("items")
        .select(["id", "removed_at", "removal_check_id"])
        .where("removed_at", "is not", null)
        .execute();
      assert.equal(removed.length, s.totals.removed);
      for (const item of removed) {
        const first = await db
          .selectFrom("item_checks")
          .selectAll()
          .where("item_id", "=", item.id)
          .where("verdict", "=", "removed")
          .orderBy("checked_at")
          .executeTakeFirstOrThrow();
        assert.equal(first.id, item.removal_check_id);
        assert.equal(new Date(first.checked_at).getTime(), new Date(item.removed_at as Date).getTime());
        assert.equal(first.reason, "http_410");
        const claim = await db
          .selectFrom("notice_items")
          .select("outcome_at")
          .where("item_id", "=", item.id)
          .where("outcome", "=", "removed")
          .executeTakeFirstOrThrow();
        assert.ok(
          new Date(item.removed_at as Date).getTime() >= new Date(claim.outcome_at as Date).getTime(),
          "verified at or after the claim, by a check of its own",
        );
        const earlier = await db
          .selectFrom("item_checks")
          .select("verdict")
          .where("item_id", "=", item.id)
          .where("checked_at", "<", first.checked_at)
          .execute();
        assert.ok(earlier.every((k) => k.verdict === "online"));
      }
      // Every lapsed term has its drafted notice of default; the regulators saw the requests.
      const lapsed = await db
        .selectFrom("enforcement_requests")
        .leftJoin(
          "enforcement_default_notices",
          "enforcement_default_notices.request_id",
          "enforcement_requests.id",
        )
        .select([
          "enforcement_requests.id",
          "enforcement_default_notices.request_id as notice",
          "enforcement_requests.received_at",
        ])
        .where("lapsed_at", "is not", null)
        .execute();
      assert.equal(lapsed.length, s.totals.lapsedTerms);
      assert.ok(lapsed.every((r) => r.notice !== null && r.received_at !== null));
      // A party that refuses: its pages stay online, and the checks say so.
      const refusedOnline = await db
        .selectFrom("item_checks")
        .innerJoin("notice_items", "notice_items.item_id", "item_checks.item_id")
        .select("item_checks.verdict")
        .where("notice_items.outcome", "=", "refused")
        .execute();
      assert.ok(refusedOnline.length > 0 && refusedOnline.every((k) => k.verdict === "online"));
    } finally {
      await handle.close();
    }

    const verify = await cli(["audit", "verify"], { VANGRAIL_DATA_DIR: dataDir });
    assert.equal(verify.code, 0, verify.out + verify.err);
  });

  test("is refused in production", async () => {
    const r = await cli(["demo", "--simulate", "--days", "1"], {
      VANGRAIL_DATA_DIR: dataDir,
      NODE_ENV: "production",
      VANGRAIL_MASTER_KEY: Buffer.alloc(32, 1).toString("base64"),
    });
    assert.notEqual(r.code, 0);
    assert.match(r.out + r.err, /production/);
  });

  test("checks its numbers", async () => {
    const r = await cli(["demo", "--simulate", "--days", "0"], { VANGRAIL_DATA_DIR: dataDir });
    assert.notEqual(r.code, 0);
    assert.match(r.out + r.err, /--days/);
  });
});
