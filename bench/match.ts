// The PDQ match index at 1 M and 10 M hashes: build time, bytes per hash, and p50/p99 latency
// and queries per second of one image's lookup (all eight dihedral variants, radius 31), against
// a brute-force scan of the same index in the same run, whose answers must be identical.
// Half of the queries are planted near an indexed hash (2–30 bits away), half are unrelated.
//   node bench/match.ts [N...]     (default: 1000000 10000000)
import { performance } from "node:perf_hooks";
import { PdqIndex } from "../src/modules/hashing/mih.ts";
import { PDQ_MATCH_RADIUS } from "../src/modules/hashing/pdq-core.ts";
import { prng } from "../src/modules/hashing/synthetic.ts";

const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "match", ...o }));
const sizes = process.argv.slice(2).map(Number);
const QUERIES = 400;
const BRUTE_QUERIES = Number(process.env.BENCH_BRUTE_QUERIES ?? 12);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function near(base: Uint32Array, at: number, flips: number, r: () => number): Uint32Array {
  const out = base.slice(at, at + 8);
  for (let i = 0; i < flips; i++) {
    const b = Math.floor(r() * 256);
    out[b >> 5] = ((out[b >> 5] as number) ^ (1 << (b & 31))) >>> 0;
  }
  return out;
}

for (const n of sizes.length > 0 ? sizes : [1_000_000, 10_000_000]) {
  const r = prng(n);
  const words = new Uint32Array(n * 8);
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(r() * 4294967296) >>> 0;
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const index = new PdqIndex();
  let t = performance.now();
  index.reserve(n + 10_000);
  index.bulk(() => {
    for (let i = 0; i < n; i++) index.add(i, words.subarray(i * 8, i * 8 + 8));
  });
  const buildMs = performance.now() - t;
  // Incremental adds after the build (go to the buffer, then segments).
  t = performance.now();
  for (let i = 0; i < 10_000; i++) index.add(n + i, near(words, (i % n) * 8, 40, r));
  const addUs = ((performance.now() - t) / 10_000) * 1000;
  const stats = index.stats();
  const rss = process.memoryUsage().rss - rss0;

  const queries = Array.from({ length: QUERIES }, (_, k) => {
    const variants: Uint32Array[] = [];
    for (let v = 0; v < 8; v++)
      variants.push(Uint32Array.from({ length: 8 }, () => Math.floor(r() * 4294967296) >>> 0));
    if (k % 2 === 0)
      variants[Math.floor(r() * 8)] = near(words, Math.floor(r() * n) * 8, 2 + Math.floor(r() * 29), r);
    return variants;
  });
  for (const q of queries.slice(0, 20)) index.search(q, PDQ_MATCH_RADIUS); // warm-up
  const lat: number[] = [];
  let found = 0;
  const t0 = performance.now();
  for (const q of queries) {
    const s = performance.now();
    found += index.search(q, PDQ_MATCH_RADIUS).length > 0 ? 1 : 0;
    lat.push(performance.now() - s);
  }
  const totalMs = performance.now() - t0;

  const brute: number[] = [];
  let identical = true;
  for (const q of queries.slice(0, BRUTE_QUERIES)) {
    const s = performance.now();
    const b = index.bruteForce(q, PDQ_MATCH_RADIUS);
    brute.push(performance.now() - s);
    if (JSON.stringify(b) !== JSON.stringify(index.search(q, PDQ_MATCH_RADIUS))) identical = false;
  }
  emit({
    hashes: stats.hashes,
    variantsPerQuery: 8,
    radius: PDQ_MATCH_RADIUS,
    buildSeconds: round(buildMs / 1000, 2),
    incrementalAddMicros: round(addUs, 1),
    segments: stats.segments,
    indexBytesPerHash: round(stats.bytes / stats.hashes, 1),
    rssBytesPerHash: round(rss / stats.hashes, 1),
    p50Ms: round(quantile(lat, 0.5)),
    p99Ms: round(quantile(lat, 0.99)),
    qps: Math.round((QUERIES / totalMs) * 1000),
    queriesWithMatch: found,
    plantedQueries: QUERIES / 2,
    bruteForceP50Ms: round(quantile(brute, 0.5), 1),
    bruteForceQueries: brute.length,
    speedupP50: round(quantile(brute, 0.5) / quantile(lat, 0.5), 1),
    identicalToBruteForce: identical,
  });
}
