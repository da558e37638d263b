// The monitoring policy file is operator input: every mistake is refused with its path, and the
// schedule helpers give the cadence the docs promise. The host gate keeps its limits.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HostGate } from "./gate.ts";
import {
  errorDelay,
  intervalAt,
  loadPolicy,
  nextRegularCheck,
  parsePolicy,
  removalPageOf,
  shippedPolicyInput,
} from "./policy.ts";

const H = 3_600_000;

describe("monitoring policy", () => {
  it("ships a valid policy: every 6 h for 3 days, then daily, for 30 days", () => {
    const p = loadPolicy();
    assert.equal(intervalAt(p, 0), 6 * H);
    assert.equal(intervalAt(p, 71 * H), 6 * H);
    assert.equal(intervalAt(p, 72 * H), 24 * H);
    const start = new Date("2026-01-01T00:00:00Z");
    assert.equal(nextRegularCheck(p, start, start)?.toISOString(), "2026-01-01T06:00:00.000Z");
    assert.equal(
      nextRegularCheck(p, start, new Date(start.getTime() + 29.5 * 24 * H))?.getTime(),
      start.getTime() + 30 * 24 * H,
      "the last check is at the end, not after it",
    );
    assert.equal(nextRegularCheck(p, start, new Date(start.getTime() + 30 * 24 * H)), undefined);
    assert.deepEqual(
      [1, 2, 3, 4, 10, 20].map((n) => errorDelay(p, n) / 60_000),
      [30, 60, 120, 240, 1440, 1440],
    );
  });

  it("recognises removal pages by text or final URL, and only for their hosts when limited", () => {
    const p = parsePolicy({
      ...shippedPolicyInput(),
      removalPages: [
        { id: "only-x", pattern: "gone for good", flags: "i", hosts: ["x.example"] },
        { id: "url", urlPattern: "/removed$" },
      ],
    });
    assert.equal(
      removalPageOf(p, "www.x.example", "https://www.x.example/p", "It is GONE FOR GOOD"),
      "only-x",
    );
    assert.equal(removalPageOf(p, "y.example", "https://y.example/p", "It is gone for good"), undefined);
    assert.equal(removalPageOf(p, "y.example", "https://y.example/removed", ""), "url");
    const shipped = loadPolicy();
    assert.equal(
      removalPageOf(
        shipped,
        "a.example",
        "https://a.example/p/1",
        "<p>Deze pagina is niet meer beschikbaar</p>",
      ),
      "generic-nl",
    );
    assert.equal(
      removalPageOf(shipped, "a.example", "https://a.example/p/1", "<p>A holiday photo</p>"),
      undefined,
    );
  });

  it("refuses a policy with mistakes, naming each", () => {
    const base = shippedPolicyInput() as unknown as Record<string, unknown>;
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...base, cadence: [{ fromHours: 5, everyHours: 6 }] }, /cadence\.0\.fromHours/],
      [
        {
          ...base,
          cadence: [
            { fromHours: 0, everyHours: 6 },
            { fromHours: 0, everyHours: 24 },
          ],
        },
        /cadence\.1/,
      ],
      [{ ...base, removalPages: [{ id: "bad", pattern: "(unclosed" }] }, /removalPages\.0\.pattern/],
      [{ ...base, removalPages: [{ id: "none" }] }, /pattern or urlPattern/],
      [{ ...base, removalPages: [{ id: "g", pattern: "x", flags: "g" }] }, /flags/],
      [{ ...base, surprise: true }, /surprise|Unrecognized/i],
      [{ ...base, fetch: { ...(base.fetch as object), maxBytes: 10 ** 12 } }, /fetch\.maxBytes/],
      [
        { ...base, politeness: { perHostConcurrency: 0, minSpacingMs: 0, perHostPerBatch: 1 } },
        /perHostConcurrency/,
      ],
      [{ ...base, endAfterDays: -1 }, /endAfterDays/],
    ];
    for (const [input, message] of bad)
      assert.throws(
        () => parsePolicy(input),
        (e: Error & { code?: string }) => e.code === "validation_failed" && message.test(e.message),
        String(message),
      );
  });
});

describe("host gate", () => {
  it("lets at most `concurrency` in per host, spaced apart, and other hosts through meanwhile", async () => {
    const gate = new HostGate(2, 40);
    const starts: number[] = [];
    let active = 0;
    let most = 0;
    const job = async () => {
      const release = await gate.acquire("a.example");
      starts.push(Date.now());
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 60));
      active--;
      release();
      release(); // a second release changes nothing
    };
    const t0 = Date.now();
    const other = gate.acquire("b.example").then((release) => {
      release();
      return Date.now() - t0;
    });
    await Promise.all(Array.from({ length: 6 }, job));
    assert.equal(most, 2);
    for (let i = 1; i < starts.length; i++)
      assert.ok((starts[i] as number) - (starts[i - 1] as number) >= 39, `gap ${i}`);
    assert.ok((await other) < 30, "another host is not held up");
    assert.equal(gate.active("a.example"), 0);
  });
});
