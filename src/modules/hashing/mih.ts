// An exact radius search over 256-bit PDQ hashes: multi-index hashing (Norouzi, Punjani & Fleet),
// in memory, with incremental adds and removals.
//
// Each hash is cut into m disjoint substrings. If two hashes are within distance r, then by the
// (generalised) pigeonhole principle, with r = m·q + a, one of the first a + 1 substrings differs
// in at most q bits or one of the others in at most q − 1. So every table t is probed with all
// keys within its own radius of the query's substring, and each candidate is verified with the
// full 256-bit distance: the result is exactly a brute-force scan's (the tests check this on
// random and clustered sets). The substring width is chosen from the size of each segment
// (about log2 n bits), so the number of candidates stays small as banks grow.
//
// Storage: hashes as 8 × 32-bit words per slot in one typed array; a slot's key is the caller's
// number (a bank entry's `no`). New hashes go to a small buffer scanned by brute force; a full
// buffer is sealed into an immutable segment, and segments of similar size are merged
// (a binary counter), so an add costs O(m · log n) amortised and never a full rebuild. Removal
// marks the slot dead at once; its space is reused only when its segment is merged again.
// Bucket offsets are stored compactly: per group of 12 buckets one 16-byte record (a 32-bit
// start plus twelve 8-bit counts), so a probe touches one cache line to keep the whole index under ~100 bytes per hash.

const WORDS = 8;
const DEAD = 0xffffffff;
const BUFFER_MAX = 1024;
/** Buckets per 16-byte directory record: 4 bytes of start, 12 one-byte counts. */
const GROUP = 12;

/** A PDQ hex hash as 8 words (hex order: word 0 is the first 8 hex characters). */
export function hexToWords(hex: string, out: Uint32Array = new Uint32Array(WORDS), at = 0): Uint32Array {
  for (let w = 0; w < WORDS; w++) out[at + w] = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
  return out;
}

export const wordsToHexString = (words: Uint32Array, at = 0): string => {
  let s = "";
  for (let w = 0; w < WORDS; w++) s += (words[at + w] as number).toString(16).padStart(8, "0");
  return s;
};

const popcount32 = (x: number): number => {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/** Distance of slot `s` in `words` to query `q`, or a number > limit once it exceeds it. */
function distance(words: Uint32Array, s: number, q: Uint32Array, limit: number): number {
  const b = s * WORDS;
  let d =
    popcount32((words[b] as number) ^ (q[0] as number)) +
    popcount32((words[b + 1] as number) ^ (q[1] as number)) +
    popcount32((words[b + 2] as number) ^ (q[2] as number)) +
    popcount32((words[b + 3] as number) ^ (q[3] as number));
  if (d > limit) return d;
  d +=
    popcount32((words[b + 4] as number) ^ (q[4] as number)) +
    popcount32((words[b + 5] as number) ^ (q[5] as number)) +
    popcount32((words[b + 6] as number) ^ (q[6] as number)) +
    popcount32((words[b + 7] as number) ^ (q[7] as number));
  return d;
}

/** Bits [offset, offset + width) of a hash (width ≤ 24), bit b being bit (b & 31) of word b >> 5. */
function substring(words: Uint32Array, at: number, offset: number, width: number): number {
  const wi = offset >>> 5;
  const bi = offset & 31;
  let v = (words[at + wi] as number) >>> bi;
  if (bi + width > 32) v |= (words[at + wi + 1] as number) << (32 - bi);
  return (v & ((1 << width) - 1)) >>> 0;
}

export interface SubstringLayout {
  offset: number;
  width: number;
}

/** m = round(256 / w) substrings of width about w = log2(n), w clamped to 10..24 bits. */
export function layoutFor(n: number): SubstringLayout[] {
  const w = Math.max(10, Math.min(24, Math.round(Math.log2(Math.max(2, n)))));
  const m = Math.round(256 / w);
  const out: SubstringLayout[] = [];
  let offset = 0;
  for (let t = 0; t < m; t++) {
    const width = Math.floor(256 / m) + (t < 256 % m ? 1 : 0);
    out.push({ offset, width });
    offset += width;
  }
  return out;
}

/** Per-table search radius for overall radius r over m tables (generalised pigeonhole). */
export function tableRadii(m: number, r: number): number[] {
  const q = Math.floor(r / m);
  const a = r % m;
  return Array.from({ length: m }, (_, t) => (t <= a ? q : q - 1));
}

interface Table {
  offset: number;
  width: number;
  /** Per group of GROUP buckets: the start in `ids` (word 4g) and the counts (bytes 16g+4…). */
  dir: Uint32Array;
  dirBytes: Uint8Array;
  over: Map<number, number>;
  ids: Uint32Array;
}

interface Segment {
  from: number;
  to: number;
  tables: Table[];
}

export interface Match {
  key: number;
  distance: number;
  /** Which query (e.g. which dihedral variant) came closest. */
  variant: number;
}

export interface IndexStats {
  hashes: number;
  slots: number;
  segments: number;
  buffered: number;
  bytes: number;
}

export class PdqIndex {
  #words = new Uint32Array(WORDS * 1024);
  #keys = new Uint32Array(1024);
  #slotOfKey = new Int32Array(1024).fill(-1);
  #slots = 0;
  #live = 0;
  #segments: Segment[] = [];
  #bulk = false;

  get size(): number {
    return this.#live;
  }

  has(key: number): boolean {
    return key < this.#slotOfKey.length && (this.#slotOfKey[key] as number) >= 0;
  }

  /** Makes room for `slots` hashes and keys below `maxKey` at once (a bulk load of known size). */
  reserve(slots: number, maxKey = slots): void {
    this.#ensureSlots(slots, true);
    this.#ensureKeys(maxKey, true);
  }

  /** Adds (or replaces) the hash of `key`; searchable at once. */
  add(key: number, hash: string | Uint32Array): void {
    if (!Number.isInteger(key) || key < 0 || key >= 0x7fffffff)
      throw new RangeError(`index key ${key} out of range`);
    if (this.has(key)) this.remove(key);
    this.#ensureSlots(this.#slots + 1);
    this.#ensureKeys(key + 1);
    const s = this.#slots++;
    if (typeof hash === "string") hexToWords(hash, this.#words, s * WORDS);
    else this.#words.set(hash.subarray(0, WORDS), s * WORDS);
    this.#keys[s] = key;
    this.#slotOfKey[key] = s;
    this.#live++;
    if (!this.#bulk && this.#slots - this.#sealed() >= BUFFER_MAX) this.#seal();
  }

  /** Stops matching `key` at once. */
  remove(key: number): boolean {
    if (!this.has(key)) return false;
    const s = this.#slotOfKey[key] as number;
    this.#keys[s] = DEAD;
    this.#slotOfKey[key] = -1;
    this.#live--;
    return true;
  }

  /** Adds many hashes and builds one segment at the end, instead of merging along the way. */
  bulk(fn: () => void): void {
    this.#bulk = true;
    try {
      fn();
    } finally {
      this.#bulk = false;
      if (this.#slots > this.#sealed()) {
        this.#segments.push(this.#build(this.#sealed(), this.#slots));
        this.#compactLevels();
      }
    }
  }

  /**
   * Every key whose hash is within `radius` of any of the `queries` (e.g. the eight dihedral
   * variants of one image), with its smallest distance; ordered by distance.
   */
  search(queries: readonly Uint32Array[], radius: number): Match[] {
    const found: number[] = [];
    const words = this.#words;
    const keys = this.#keys;
    for (const seg of this.#segments) this.#searchSegment(seg, queries, radius, found);
    for (let variant = 0; variant < queries.length; variant++) {
      const q = queries[variant] as Uint32Array;
      for (let slot = this.#sealed(); slot < this.#slots; slot++) {
        const d = distance(words, slot, q, radius);
        if (d <= radius && keys[slot] !== DEAD) found.push(slot, d, variant);
      }
    }
    const best = new Map<number, Match>();
    for (let i = 0; i < found.length; i += 3) {
      const key = keys[found[i] as number] as number;
      const d = found[i + 1] as number;
      const prior = best.get(key);
      if (!prior || d < prior.distance) best.set(key, { key, distance: d, variant: found[i + 2] as number });
    }
    return [...best.values()].sort((a, b) => a.distance - b.distance || a.key - b.key);
  }

  // Scratch space of #searchSegment, grown on demand.
  #ranges = new Uint32Array(3 * 4096);
  #candidates = new Uint32Array(2 * 8192);

  /**
   * One segment, all queries, in three passes: (1) read the bucket directory for every probe
   * of every query and table, (2) gather the candidate slots of the non-empty buckets, (3)
   * verify each candidate's full distance. Each pass is a loop of independent random reads,
   * which the processor overlaps; done probe by probe, each read waits for the one before.
   */
  #searchSegment(seg: Segment, queries: readonly Uint32Array[], radius: number, found: number[]): void {
    const radii = tableRadii(seg.tables.length, radius);
    let probes = 0;
    for (let ti = 0; ti < seg.tables.length; ti++) {
      const r = radii[ti] as number;
      if (r >= 0) probes += flipMasks((seg.tables[ti] as Table).width, r).length;
    }
    if (this.#ranges.length < 3 * probes * queries.length)
      this.#ranges = new Uint32Array(3 * probes * queries.length);
    const ranges = this.#ranges;
    let n = 0;
    let total = 0;
    for (let variant = 0; variant < queries.length; variant++) {
      const q = queries[variant] as Uint32Array;
      for (let ti = 0; ti < seg.tables.length; ti++) {
        const r = radii[ti] as number;
        if (r < 0) continue;
        const t = seg.tables[ti] as Table;
        const { dir, dirBytes, over } = t;
        const key = substring(q, 0, t.offset, t.width);
        const masks = flipMasks(t.width, r);
        for (let p = 0; p < masks.length; p++) {
          const k = key ^ (masks[p] as number);
          const g = Math.floor(k / GROUP);
          const j = k - g * GROUP;
          const at = g * 16 + 4;
          const c = dirBytes[at + j] as number;
          if (c === 0) continue;
          let start = dir[g * 4] as number;
          for (let b = 0; b < j; b++) {
            const cb = dirBytes[at + b] as number;
            start += cb === 255 ? (over.get(g * GROUP + b) as number) : cb;
          }
          const len = c === 255 ? (over.get(k) as number) : c;
          ranges[n] = start;
          ranges[n + 1] = len;
          ranges[n + 2] = (variant << 8) | ti;
          n += 3;
          total += len;
        }
      }
    }
    if (this.#candidates.length < 2 * total) this.#candidates = new Uint32Array(2 * total);
    const cand = this.#candidates;
    let m = 0;
    for (let i = 0; i < n; i += 3) {
      const start = ranges[i] as number;
      const end = start + (ranges[i + 1] as number);
      const tag = ranges[i + 2] as number;
      const ids = (seg.tables[tag & 255] as Table).ids;
      for (let x = start; x < end; x++) {
        cand[m] = ids[x] as number;
        cand[m + 1] = tag >>> 8;
        m += 2;
      }
    }
    const words = this.#words;
    const keys = this.#keys;
    for (let i = 0; i < m; i += 2) {
      const slot = cand[i] as number;
      const variant = cand[i + 1] as number;
      const d = distance(words, slot, queries[variant] as Uint32Array, radius);
      // The key is read only for a hit: one cache miss fewer per candidate.
      if (d <= radius && keys[slot] !== DEAD) found.push(slot, d, variant);
    }
  }

  /** The same answer by scanning every hash: for tests and the benchmark's comparison. */
  bruteForce(queries: readonly Uint32Array[], radius: number): Match[] {
    const best = new Map<number, Match>();
    for (let s = 0; s < this.#slots; s++) {
      const key = this.#keys[s] as number;
      if (key === DEAD) continue;
      for (let v = 0; v < queries.length; v++) {
        const d = distance(this.#words, s, queries[v] as Uint32Array, radius);
        if (d > radius) continue;
        const prior = best.get(key);
        if (!prior || d < prior.distance) best.set(key, { key, distance: d, variant: v });
      }
    }
    return [...best.values()].sort((a, b) => a.distance - b.distance || a.key - b.key);
  }

  stats(): IndexStats {
    // Allocated capacity, not just what is used.
    let bytes = this.#words.byteLength + this.#keys.byteLength + this.#slotOfKey.byteLength;
    for (const seg of this.#segments)
      for (const t of seg.tables) bytes += t.dir.byteLength + t.ids.byteLength + t.over.size * 16;
    return {
      hashes: this.#live,
      slots: this.#slots,
      segments: this.#segments.length,
      buffered: this.#slots - this.#sealed(),
      bytes,
    };
  }

  // -------------------------------------------------------------------------------------------

  #sealed(): number {
    return this.#segments.at(-1)?.to ?? 0;
  }

  #ensureSlots(n: number, exact = false): void {
    if (n <= this.#keys.length) return;
    const cap = exact ? n : Math.max(n, Math.ceil(this.#keys.length * 1.5));
    const words = new Uint32Array(cap * WORDS);
    words.set(this.#words.subarray(0, this.#slots * WORDS));
    this.#words = words;
    const keys = new Uint32Array(cap);
    keys.set(this.#keys.subarray(0, this.#slots));
    this.#keys = keys;
  }

  #ensureKeys(n: number, exact = false): void {
    if (n <= this.#slotOfKey.length) return;
    const cap = exact ? n : Math.max(n, Math.ceil(this.#slotOfKey.length * 1.5));
    const m = new Int32Array(cap).fill(-1);
    m.set(this.#slotOfKey);
    this.#slotOfKey = m;
  }

  #seal(): void {
    this.#segments.push(this.#build(this.#sealed(), this.#slots));
    this.#compactLevels();
  }

  /** Merges the last two segments while the newer is at least half the size of the older. */
  #compactLevels(): void {
    for (;;) {
      const n = this.#segments.length;
      if (n < 2) return;
      const older = this.#segments[n - 2] as Segment;
      const newer = this.#segments[n - 1] as Segment;
      if (newer.to - newer.from < (older.to - older.from) / 2) return;
      this.#segments.splice(n - 2, 2, this.#build(older.from, newer.to));
    }
  }

  /** Builds the tables of one segment over the live slots in [from, to). */
  #build(from: number, to: number): Segment {
    let live = 0;
    for (let s = from; s < to; s++) if (this.#keys[s] !== DEAD) live++;
    const tables = layoutFor(live).map(({ offset, width }) => {
      const buckets = 1 << width;
      const sizes = new Uint32Array(buckets);
      for (let s = from; s < to; s++) {
        if (this.#keys[s] === DEAD) continue;
        const k = substring(this.#words, s * WORDS, offset, width);
        sizes[k] = (sizes[k] as number) + 1;
      }
      const groups = Math.ceil(buckets / GROUP);
      const dir = new Uint32Array(groups * 4);
      const dirBytes = new Uint8Array(dir.buffer);
      const over = new Map<number, number>();
      const fillAt = new Uint32Array(buckets);
      let run = 0;
      for (let k = 0; k < buckets; k++) {
        const g = Math.floor(k / GROUP);
        const j = k - g * GROUP;
        if (j === 0) dir[g * 4] = run;
        const c = sizes[k] as number;
        fillAt[k] = run;
        if (c >= 255) {
          dirBytes[g * 16 + 4 + j] = 255;
          over.set(k, c);
        } else dirBytes[g * 16 + 4 + j] = c;
        run += c;
      }
      const ids = new Uint32Array(run);
      for (let s = from; s < to; s++) {
        if (this.#keys[s] === DEAD) continue;
        const k = substring(this.#words, s * WORDS, offset, width);
        ids[fillAt[k] as number] = s;
        fillAt[k] = (fillAt[k] as number) + 1;
      }
      return { offset, width, dir, dirBytes, over, ids };
    });
    return { from, to, tables };
  }
}

/** Calls `visit` for every `width`-bit value within Hamming distance `r` of `key`. */
export function forEachWithin(key: number, width: number, r: number, visit: (k: number) => void): void {
  visit(key);
  if (r >= 1)
    for (let i = 0; i < width; i++) {
      const k1 = key ^ (1 << i);
      visit(k1);
      if (r >= 2)
        for (let j = 0; j < i; j++) {
          const k2 = k1 ^ (1 << j);
          visit(k2);
          if (r >= 3)
            for (let l = 0; l < j; l++) {
              const k3 = k2 ^ (1 << l);
              visit(k3);
              if (r >= 4) flipBelow(k3, l, r - 3, visit);
            }
        }
    }
}

/** Further flips of bits below `below`, for table radii above 3 (large radii only). */
function flipBelow(key: number, below: number, r: number, visit: (k: number) => void): void {
  for (let i = 0; i < below; i++) {
    const k = key ^ (1 << i);
    visit(k);
    if (r > 1) flipBelow(k, i, r - 1, visit);
  }
}

const maskCache = new Map<number, Int32Array>();

/** XOR masks of every `width`-bit value within distance `r` of 0, cached per (width, r). */
export function flipMasks(width: number, r: number): Int32Array {
  const id = width * 64 + r;
  let m = maskCache.get(id);
  if (!m) {
    const list: number[] = [];
    forEachWithin(0, width, r, (k) => list.push(k));
    m = Int32Array.from(list);
    maskCache.set(id, m);
  }
  return m;
}
