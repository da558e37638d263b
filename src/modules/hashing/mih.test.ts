// The match index must return exactly what a brute-force scan returns (100 % recall, no false
// positives), for random and for clustered hash sets, across adds and removals: property-based.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { forEachWithin, hexToWords, layoutFor, PdqIndex, tableRadii, wordsToHexString } from "./mih.ts";
import { prng } from "./synthetic.ts";

const randomWords = (r: () => number) =>
  Uint32Array.from({ length: 8 }, () => Math.floor(r() * 2 ** 32) >>> 0);

/** A copy of `base` with `flips` distinct random bits flipped. */
function near(base: Uint32Array, flips: number, r: () => number): Uint32Array {
  const out = base.slice();
  const bits = new Set<number>();
  while (bits.size < flips) bits.add(Math.floor(r() * 256));
  for (const b of bits) out[b >> 5] = ((out[b >> 5] as number) ^ (1 << (b & 31))) >>> 0;
  return out;
}

describe("PDQ match index (multi-index hashing)", () => {
  it("cuts 256 bits into about log2(n)-bit substrings and splits the radius by pigeonhole", () => {
    for (const n of [0, 10, 5000, 1_000_000, 10_000_000, 1e9]) {
      const layout = layoutFor(n);
      assert.equal(
        layout.reduce((s, t) => s + t.width, 0),
        256,
      );
      assert.ok(layout.every((t) => t.width >= 9 && t.width <= 24));
    }
    assert.equal(layoutFor(1_000_000)[0]?.width, 20);
    assert.equal(layoutFor(10_000_000).length, 11);
    // 31 over 16 tables: all at radius 1 (16 · 1 + 15); over 11: ten at 2, one at 1.
    assert.deepEqual(tableRadii(16, 31), Array(16).fill(1));
    assert.deepEqual(tableRadii(11, 31), [...Array(10).fill(2), 1]);
    // Sum of (table radius + 1) exceeds r: the pigeonhole bound holds.
    for (const [m, r] of [
      [11, 31],
      [13, 31],
      [21, 31],
      [16, 47],
      [12, 0],
    ] as const)
      assert.equal(
        tableRadii(m, r).reduce((s, x) => s + x + 1, 0),
        r + 1,
      );
  });

  it("enumerates every key within the table radius exactly once", () => {
    for (const [w, r, expected] of [
      [10, 0, 1],
      [10, 1, 11],
      [10, 2, 56],
      [12, 3, 1 + 12 + 66 + 220],
      [8, 4, 1 + 8 + 28 + 56 + 70],
    ] as const) {
      const seen = new Set<number>();
      let calls = 0;
      forEachWithin(0b1011, w, r, (k) => {
        calls++;
        seen.add(k);
      });
      assert.equal(calls, expected);
      assert.equal(seen.size, expected);
    }
  });

  it("round-trips hex hashes through words", () => {
    const hex = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";
    assert.equal(wordsToHexString(hexToWords(hex)), hex);
  });

  it("equals a brute-force scan on random sets, across adds and removals (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 12_000 }),
        fc.integer({ min: 0, max: 63 }),
        (seed, n, radius) => {
          const r = prng(seed);
          const index = new PdqIndex();
          const hashes: Uint32Array[] = [];
          for (let i = 0; i < n; i++) {
            const h = randomWords(r);
            hashes.push(h);
            index.add(i, h);
          }
          for (let i = 0; i < n / 10; i++) index.remove(Math.floor(r() * n));
          for (let q = 0; q < 6; q++) {
            // Half the queries are planted near an indexed hash.
            const base =
              hashes.length > 0 && q % 2 === 0
                ? (hashes[Math.floor(r() * n)] as Uint32Array)
                : randomWords(r);
            const queries = [near(base, Math.floor(r() * 40), r), randomWords(r)];
            assert.deepEqual(index.search(queries, radius), index.bruteForce(queries, radius));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("equals a brute-force scan on clustered sets with many near-duplicates (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 47 }),
        (seed, clusters, perCluster, radius) => {
          const r = prng(seed);
          const index = new PdqIndex();
          const centres = Array.from({ length: clusters }, () => randomWords(r));
          let key = 0;
          for (const c of centres)
            for (let i = 0; i < perCluster; i++) index.add(key++, near(c, Math.floor(r() * 45), r));
          // Exact duplicates, too.
          for (let i = 0; i < 50; i++) index.add(key++, centres[i % clusters] as Uint32Array);
          for (let i = 0; i < key / 8; i++) index.remove(Math.floor(r() * key));
          for (const c of centres.slice(0, 5)) {
            const queries = [near(c, Math.floor(r() * 35), r), near(c, 20, r)];
            assert.deepEqual(index.search(queries, radius), index.bruteForce(queries, radius));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("applies adds, replacements and removals at once, through buffer, segments and merges", () => {
    const r = prng(42);
    const index = new PdqIndex();
    const h = randomWords(r);
    index.add(7, h);
    assert.deepEqual(index.search([h], 31), [{ key: 7, distance: 0, variant: 0 }]);
    index.remove(7);
    assert.deepEqual(index.search([h], 31), []);
    // Enough adds to seal several segments and merge them.
    const all: Uint32Array[] = [];
    index.bulk(() => {
      for (let i = 0; i < 20_000; i++) {
        all.push(randomWords(r));
        index.add(100 + i, all[i] as Uint32Array);
      }
    });
    for (let i = 0; i < 15_000; i++) {
      all.push(randomWords(r));
      index.add(100 + all.length - 1, all.at(-1) as Uint32Array);
    }
    const stats = index.stats();
    assert.ok(stats.segments >= 1 && stats.buffered > 0, JSON.stringify(stats));
    for (const i of [0, 19_999, 20_000, 34_999]) {
      const q = near(all[i] as Uint32Array, 31, r);
      assert.deepEqual(
        index.search([q], 31).map((m) => m.key),
        [100 + i],
      );
    }
    // Replacing a key's hash moves it.
    index.add(100, all[1] as Uint32Array);
    assert.deepEqual(
      index.search([all[1] as Uint32Array], 0).map((m) => m.key),
      [100, 101],
    );
    assert.deepEqual(index.search([all[0] as Uint32Array], 0), []);
    assert.equal(index.size, 35_000);
  });

  it("reports the closest variant of several queries", () => {
    const r = prng(3);
    const index = new PdqIndex();
    const h = randomWords(r);
    index.add(1, h);
    const m = index.search([near(h, 30, r), near(h, 5, r), randomWords(r)], 31);
    assert.deepEqual(m, [{ key: 1, distance: 5, variant: 1 }]);
  });
});
