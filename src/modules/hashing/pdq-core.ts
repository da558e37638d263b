// PDQ, Meta's 256-bit perceptual image hash, over a pixel buffer. Written for Vangrail from the
// published algorithm (luminance → two-pass Jarosz box filter → 64×64 decimation → quality from
// quantised gradients → 16×16 DCT without the DC row/column → threshold at the median), with
// every single-precision step of the reference rounded to float32 (Math.fround, Float32Array),
// so the same buffer gives the same bits. The eight dihedral variants come from sign flips and
// transposes of the DCT, not from re-hashing. Hex is ThreatExchange's: 16 words of 16 bits,
// word 15 first, where word i is DCT row i and bit j is column j.
//
// No Node imports: the victim's-device page imports this file in the browser unchanged.

/** Meta's recommended match threshold: distance ≤ 31 of 256 bits. */
export const PDQ_MATCH_RADIUS = 31;
/** Hashes with quality below this are too featureless to match on (Meta: discard ≤ 49). */
export const PDQ_MIN_QUALITY = 50;
/** Either side shorter than this gives the all-zero hash with quality 0, as in the reference. */
export const PDQ_MIN_DIMENSION = 5;

/** Order of `dihedral` arrays: the reference's names (flipX mirrors top↔bottom, flipY left↔right). */
export const DIHEDRAL_NAMES = [
  "original",
  "rot90",
  "rot180",
  "rot270",
  "flipX",
  "flipY",
  "flipPlus1",
  "flipMinus1",
] as const;
export type DihedralName = (typeof DIHEDRAL_NAMES)[number];

export interface PdqHash {
  /** 64 lowercase hex characters. */
  hash: string;
  /** 0–100: how much gradient the image has; below 50 the hash should not be matched on. */
  quality: number;
}

export interface PdqHashWithDihedral extends PdqHash {
  /** Eight hashes in DIHEDRAL_NAMES order; the first equals `hash`. */
  dihedral: string[];
}

const f = Math.fround;
const LUMA_R = f(0.299);
const LUMA_G = f(0.587);
const LUMA_B = f(0.114);
const JAROSZ_PASSES = 2;
const DCT_IN = 64;
const DCT_OUT = 16;

/** Window of the Jarosz box filter for one axis: ceil(dim / 128), as integer arithmetic. */
export const jaroszWindow = (dim: number): number => Math.floor((dim + 2 * DCT_IN - 1) / (2 * DCT_IN));

/**
 * Luminance (BT.601) of an interleaved 8-bit buffer with 1–4 channels, row-major. One or two
 * channels are grey (+ alpha) and used directly; three or four are RGB(A). Alpha is ignored:
 * composite onto a background before calling when the image has transparency.
 */
export function lumaOf(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
): Float32Array {
  const n = width * height;
  if (data.length < n * channels)
    throw new RangeError("pixel buffer is shorter than width × height × channels");
  const out = new Float32Array(n);
  if (channels < 3) {
    for (let i = 0, p = 0; i < n; i++, p += channels) out[i] = data[p] as number;
    return out;
  }
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    out[i] = f(
      f(f(LUMA_R * (data[p] as number)) + f(LUMA_G * (data[p + 1] as number))) +
        f(LUMA_B * (data[p + 2] as number)),
    );
  }
  return out;
}

/**
 * One box-filter pass along a strided vector. The window of output i covers samples
 * i − (full − half) … i + (half − 1), where half = floor((full + 2) / 2), shrinking at both ends
 * (no padding); the sum runs in float32: add the sample entering, subtract the one leaving,
 * divide by the current window length.
 */
export function boxFilter1D(
  input: Float32Array,
  output: Float32Array,
  start: number,
  length: number,
  stride: number,
  full: number,
): void {
  const half = Math.floor((full + 2) / 2);
  const lead = half - 1;
  let sum = 0;
  let count = 0;
  let ri = start;
  let li = start;
  let oi = start;
  // Fill the first part of the window without writing.
  for (let k = 0; k < lead; k++) {
    sum = f(sum + (input[ri] as number));
    count++;
    ri += stride;
  }
  // The window grows up to its full length while the first outputs are written.
  for (let k = 0; k < full - half + 1; k++) {
    sum = f(sum + (input[ri] as number));
    count++;
    output[oi] = f(sum / count);
    ri += stride;
    oi += stride;
  }
  // Full window slides: one in, one out.
  for (let k = 0; k < length - full; k++) {
    sum = f(sum + (input[ri] as number));
    sum = f(sum - (input[li] as number));
    output[oi] = f(sum / count);
    ri += stride;
    li += stride;
    oi += stride;
  }
  // The window shrinks at the end.
  for (let k = 0; k < lead; k++) {
    sum = f(sum - (input[li] as number));
    count--;
    output[oi] = f(sum / count);
    li += stride;
    oi += stride;
  }
}

/**
 * The same filter as boxFilter1D run down every column at once, sweeping row by row so memory
 * is read in order; each column's sum sees exactly the same float32 operations in the same order.
 */
export function boxFilterColumns(
  input: Float32Array,
  output: Float32Array,
  rows: number,
  cols: number,
  full: number,
  only: Int32Array = columnList(cols),
): void {
  const half = Math.floor((full + 2) / 2);
  const lead = half - 1;
  const sum = new Float32Array(cols);
  const n = only.length;
  let count = 0;
  let ri = 0;
  let li = 0;
  let oi = 0;
  for (let k = 0; k < lead; k++, ri++) {
    for (let q = 0; q < n; q++) {
      const c = only[q] as number;
      sum[c] = (sum[c] as number) + (input[ri * cols + c] as number);
    }
    count++;
  }
  for (let k = 0; k < full - half + 1; k++, ri++, oi++) {
    count++;
    for (let q = 0; q < n; q++) {
      const c = only[q] as number;
      const s = f((sum[c] as number) + (input[ri * cols + c] as number));
      sum[c] = s;
      output[oi * cols + c] = s / count;
    }
  }
  for (let k = 0; k < rows - full; k++, ri++, li++, oi++) {
    for (let q = 0; q < n; q++) {
      const c = only[q] as number;
      const s = f(
        f((sum[c] as number) + (input[ri * cols + c] as number)) - (input[li * cols + c] as number),
      );
      sum[c] = s;
      output[oi * cols + c] = s / count;
    }
  }
  for (let k = 0; k < lead; k++, li++, oi++) {
    count--;
    for (let q = 0; q < n; q++) {
      const c = only[q] as number;
      const s = f((sum[c] as number) - (input[li * cols + c] as number));
      sum[c] = s;
      output[oi * cols + c] = s / count;
    }
  }
}

/**
 * boxFilter1D along four rows at once: four independent float32 sums keep the processor busy
 * (one row's running sum is a chain of dependent roundings); each row sees exactly the same
 * operations in the same order, so the result is bit for bit that of boxFilter1D.
 */
export function boxFilterRows(
  input: Float32Array,
  output: Float32Array,
  rows: number,
  cols: number,
  full: number,
): void {
  const half = Math.floor((full + 2) / 2);
  const lead = half - 1;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const o0 = r * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let count = 0;
    let ri = 0;
    let li = 0;
    let oi = 0;
    for (let k = 0; k < lead; k++, ri++) {
      s0 = f(s0 + (input[o0 + ri] as number));
      s1 = f(s1 + (input[o1 + ri] as number));
      s2 = f(s2 + (input[o2 + ri] as number));
      s3 = f(s3 + (input[o3 + ri] as number));
      count++;
    }
    for (let k = 0; k < full - half + 1; k++, ri++, oi++) {
      count++;
      s0 = f(s0 + (input[o0 + ri] as number));
      s1 = f(s1 + (input[o1 + ri] as number));
      s2 = f(s2 + (input[o2 + ri] as number));
      s3 = f(s3 + (input[o3 + ri] as number));
      output[o0 + oi] = s0 / count;
      output[o1 + oi] = s1 / count;
      output[o2 + oi] = s2 / count;
      output[o3 + oi] = s3 / count;
    }
    for (let k = 0; k < cols - full; k++, ri++, li++, oi++) {
      s0 = f(f(s0 + (input[o0 + ri] as number)) - (input[o0 + li] as number));
      s1 = f(f(s1 + (input[o1 + ri] as number)) - (input[o1 + li] as number));
      s2 = f(f(s2 + (input[o2 + ri] as number)) - (input[o2 + li] as number));
      s3 = f(f(s3 + (input[o3 + ri] as number)) - (input[o3 + li] as number));
      output[o0 + oi] = s0 / count;
      output[o1 + oi] = s1 / count;
      output[o2 + oi] = s2 / count;
      output[o3 + oi] = s3 / count;
    }
    for (let k = 0; k < lead; k++, li++, oi++) {
      count--;
      s0 = f(s0 - (input[o0 + li] as number));
      s1 = f(s1 - (input[o1 + li] as number));
      s2 = f(s2 - (input[o2 + li] as number));
      s3 = f(s3 - (input[o3 + li] as number));
      output[o0 + oi] = s0 / count;
      output[o1 + oi] = s1 / count;
      output[o2 + oi] = s2 / count;
      output[o3 + oi] = s3 / count;
    }
  }
  for (; r < rows; r++) boxFilter1D(input, output, r * cols, cols, 1, full);
}

const columnList = (cols: number): Int32Array => Int32Array.from({ length: cols }, (_, i) => i);

/**
 * Jarosz filter in place on `buf` (rows × cols), using `tmp` of the same size as scratch. The
 * last column pass runs only over the columns that decimation samples (`keep`): the others
 * would be thrown away, and each column is filtered independently.
 */
function jarosz(buf: Float32Array, tmp: Float32Array, rows: number, cols: number, keep: Int32Array): void {
  const windowAlongRows = jaroszWindow(cols);
  const windowAlongCols = jaroszWindow(rows);
  for (let pass = 0; pass < JAROSZ_PASSES; pass++) {
    boxFilterRows(buf, tmp, rows, cols, windowAlongRows);
    boxFilterColumns(tmp, buf, rows, cols, windowAlongCols, pass === JAROSZ_PASSES - 1 ? keep : undefined);
  }
}

/** Index of the input sample for output cell `i` of 64: the cell centre, truncated. */
export const decimationIndex = (i: number, inDim: number): number => Math.floor(((i + 0.5) * inDim) / DCT_IN);

/** Blurs and samples a luminance image down to 64×64 (a 64×64 input is taken as it is). */
export function downsample64(luma: Float32Array, width: number, height: number): Float32Array {
  if (width === DCT_IN && height === DCT_IN) return luma.slice();
  const buf = luma.slice();
  // Narrow images sample some columns more than once: filter each only once.
  const keep = Int32Array.from(new Set(Array.from({ length: DCT_IN }, (_, j) => decimationIndex(j, width))));
  jarosz(buf, new Float32Array(buf.length), height, width, keep);
  const out = new Float32Array(DCT_IN * DCT_IN);
  for (let i = 0; i < DCT_IN; i++) {
    const row = decimationIndex(i, height) * width;
    for (let j = 0; j < DCT_IN; j++) out[i * DCT_IN + j] = buf[row + decimationIndex(j, width)] as number;
  }
  return out;
}

/**
 * Quality 0–100 of a 64×64 buffer: the sum over all horizontal and vertical neighbour pairs of
 * |(u − v) · 100 / 255| truncated to an integer, divided by 90 (integer), capped at 100.
 */
export function quality64(b: Float32Array): number {
  let sum = 0;
  const term = (u: number, v: number) => Math.trunc(Math.abs(f(f(f(u - v) * 100) / 255)));
  for (let i = 0; i < DCT_IN - 1; i++)
    for (let j = 0; j < DCT_IN; j++)
      sum += term(b[i * DCT_IN + j] as number, b[(i + 1) * DCT_IN + j] as number);
  for (let i = 0; i < DCT_IN; i++)
    for (let j = 0; j < DCT_IN - 1; j++)
      sum += term(b[i * DCT_IN + j] as number, b[i * DCT_IN + j + 1] as number);
  return Math.min(100, Math.floor(sum / 90));
}

let dctMatrix: Float32Array | undefined;

/** D[i][j] = sqrt(2/64) · cos(π/128 · (i+1) · (2j+1)), 16 × 64, rows 1..16 (no DC). */
export function dctMatrix16x64(): Float32Array {
  if (dctMatrix) return dctMatrix;
  const m = new Float32Array(DCT_OUT * DCT_IN);
  const scale = f(Math.sqrt(2 / DCT_IN));
  for (let i = 0; i < DCT_OUT; i++)
    for (let j = 0; j < DCT_IN; j++)
      m[i * DCT_IN + j] = scale * Math.cos((Math.PI / 2 / DCT_IN) * (i + 1) * (2 * j + 1));
  dctMatrix = m;
  return m;
}

/** B = D · A · Dᵀ: the 16×16 low-frequency DCT of a 64×64 buffer, summed in float32. */
export function dct16(a: Float32Array): Float32Array {
  const d = dctMatrix16x64();
  const t = new Float32Array(DCT_OUT * DCT_IN);
  for (let i = 0; i < DCT_OUT; i++) {
    for (let j = 0; j < DCT_IN; j++) {
      let sum = 0;
      for (let k = 0; k < DCT_IN; k++)
        sum = f(sum + f((d[i * DCT_IN + k] as number) * (a[k * DCT_IN + j] as number)));
      t[i * DCT_IN + j] = sum;
    }
  }
  const b = new Float32Array(DCT_OUT * DCT_OUT);
  for (let i = 0; i < DCT_OUT; i++) {
    for (let j = 0; j < DCT_OUT; j++) {
      let sum = 0;
      for (let k = 0; k < DCT_IN; k++)
        sum = f(sum + f((t[i * DCT_IN + k] as number) * (d[j * DCT_IN + k] as number)));
      b[i * DCT_OUT + j] = sum;
    }
  }
  return b;
}

/** The median as the reference's selection gives it: the 128th smallest of the 256 values. */
export function median256(b: Float32Array): number {
  // Rank (n + 1) / 2 = 128 (integer division), 1-based.
  return b.slice().sort()[127] as number;
}

/** 16 words of 16 bits → 64 hex characters, word 15 first. */
export function wordsToHex(words: Uint16Array): string {
  let s = "";
  for (let w = 15; w >= 0; w--) s += (words[w] as number).toString(16).padStart(4, "0");
  return s;
}

/** Bit (i·16 + j) is set iff B[i][j] is strictly greater than the median. */
export function thresholdToHex(b: Float32Array): string {
  const m = median256(b);
  const words = new Uint16Array(16);
  for (let k = 0; k < 256; k++)
    if ((b[k] as number) > m) words[k >> 4] = (words[k >> 4] as number) | (1 << (k & 15));
  return wordsToHex(words);
}

type Cell = (b: Float32Array, i: number, j: number) => number;
const at = (b: Float32Array, i: number, j: number) => b[i * 16 + j] as number;
const even = (n: number) => (n & 1) === 0;

// The DCT of each dihedral transform of the image, read from the original DCT. A mirror along
// one axis negates the odd frequencies of that axis (even 0-based index, since DC is skipped);
// a transpose swaps the axes.
const dihedralCells: Cell[] = [
  (b, i, j) => at(b, i, j),
  (b, i, j) => (even(j) ? -at(b, j, i) : at(b, j, i)),
  (b, i, j) => (even(i + j) ? at(b, i, j) : -at(b, i, j)),
  (b, i, j) => (even(i) ? -at(b, j, i) : at(b, j, i)),
  (b, i, j) => (even(i) ? -at(b, i, j) : at(b, i, j)),
  (b, i, j) => (even(j) ? -at(b, i, j) : at(b, i, j)),
  (b, i, j) => at(b, j, i),
  (b, i, j) => (even(i + j) ? at(b, j, i) : -at(b, j, i)),
];

/** The 16×16 DCT of one dihedral variant (index in DIHEDRAL_NAMES order). */
export function dihedralDct(b: Float32Array, variant: number): Float32Array {
  const cell = dihedralCells[variant];
  if (!cell) throw new RangeError(`no dihedral variant ${variant}`);
  const out = new Float32Array(256);
  for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) out[i * 16 + j] = cell(b, i, j);
  return out;
}

export const ZERO_HASH = "0".repeat(64);

/** PDQ of a luminance buffer (row-major, `width × height` float32 values 0–255). */
export function pdqFromLuma(luma: Float32Array, width: number, height: number): PdqHash;
export function pdqFromLuma(
  luma: Float32Array,
  width: number,
  height: number,
  opts: { dihedral: true },
): PdqHashWithDihedral;
export function pdqFromLuma(
  luma: Float32Array,
  width: number,
  height: number,
  opts: { dihedral?: boolean } = {},
): PdqHash | PdqHashWithDihedral {
  if (width < PDQ_MIN_DIMENSION || height < PDQ_MIN_DIMENSION) {
    return opts.dihedral
      ? { hash: ZERO_HASH, quality: 0, dihedral: DIHEDRAL_NAMES.map(() => ZERO_HASH) }
      : { hash: ZERO_HASH, quality: 0 };
  }
  const small = downsample64(luma, width, height);
  const quality = quality64(small);
  const b = dct16(small);
  const hash = thresholdToHex(b);
  if (!opts.dihedral) return { hash, quality };
  const dihedral = [hash];
  for (let v = 1; v < 8; v++) dihedral.push(thresholdToHex(dihedralDct(b, v)));
  return { hash, quality, dihedral };
}

/** PDQ of an interleaved 8-bit pixel buffer (e.g. a canvas ImageData: channels 4). */
export function pdqFromPixels(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
): PdqHashWithDihedral {
  return pdqFromLuma(lumaOf(data, width, height, channels), width, height, { dihedral: true });
}

// ---------------------------------------------------------------------------------------------
// Hash strings

const HEX64 = /^[0-9a-f]{64}$/;

/** A well-formed PDQ hash: 64 lowercase hex characters. */
export const isPdqHex = (s: string): boolean => HEX64.test(s);

const popcount32 = (x: number): number => {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/** Number of set bits of a hex hash. */
export function popcountHex(a: string): number {
  let n = 0;
  for (let k = 0; k < a.length; k += 8) n += popcount32(Number.parseInt(a.slice(k, k + 8), 16));
  return n;
}

/** Hamming distance of two hex hashes of equal length. */
export function hammingHex(a: string, b: string): number {
  if (a.length !== b.length) throw new RangeError("hashes of different lengths");
  let n = 0;
  for (let k = 0; k < a.length; k += 8)
    n += popcount32(Number.parseInt(a.slice(k, k + 8), 16) ^ Number.parseInt(b.slice(k, k + 8), 16));
  return n;
}

/** The smallest distance from `a` to any of the dihedral variants of another image. */
export const minDihedralDistance = (a: string, dihedral: readonly string[]): number =>
  Math.min(...dihedral.map((h) => hammingHex(a, h)));
