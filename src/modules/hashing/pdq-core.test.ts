// Hand-checked properties of the PDQ core. Meta's reference cannot be run here (no PDQ package
// installs from the registry), so each step is checked against values worked out by hand or
// against a straightforward float64 computation of the same formula.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  boxFilter1D,
  boxFilterColumns,
  boxFilterRows,
  DIHEDRAL_NAMES,
  dct16,
  dctMatrix16x64,
  decimationIndex,
  dihedralDct,
  downsample64,
  hammingHex,
  isPdqHex,
  jaroszWindow,
  lumaOf,
  median256,
  pdqFromLuma,
  pdqFromPixels,
  popcountHex,
  quality64,
  thresholdToHex,
  wordsToHex,
  ZERO_HASH,
} from "./pdq-core.ts";
import { prng } from "./synthetic.ts";

const randomLuma = (seed: number, n: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => Math.floor(r() * 256));
};

describe("PDQ core", () => {
  it("takes BT.601 luminance in float32, and grey as it is", () => {
    const y = lumaOf([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30], 4, 1, 3);
    assert.equal(y[0], Math.fround(Math.fround(0.299) * 255));
    assert.equal(y[1], Math.fround(Math.fround(0.587) * 255));
    assert.equal(y[2], Math.fround(Math.fround(0.114) * 255));
    assert.ok(Math.abs((y[3] as number) - (0.299 * 10 + 0.587 * 20 + 0.114 * 30)) < 1e-4);
    assert.deepEqual([...lumaOf([7, 255, 9, 0], 2, 1, 2)], [7, 9]);
  });

  it("sizes the Jarosz window as ceil(dimension / 128)", () => {
    assert.deepEqual([1, 64, 128, 129, 320, 512, 513, 4032].map(jaroszWindow), [1, 1, 1, 2, 3, 4, 5, 32]);
  });

  it("box-filters with a window shrinking at the edges, by hand", () => {
    // full = 3 → half = 2: one sample before, one after.
    const out = new Float32Array(5);
    boxFilter1D(Float32Array.from([1, 2, 3, 4, 5]), out, 0, 5, 1, 3);
    assert.deepEqual([...out], [1.5, 2, 3, 4, 4.5]);
    // full = 4 → half = 3: one before, two after: (4+8+12)/3, (4+…+16)/4, (8+…+20)/4, …
    boxFilter1D(Float32Array.from([4, 8, 12, 16, 20]), out, 0, 5, 1, 4);
    assert.deepEqual([...out], [8, 10, 14, 16, 18]);
  });

  it("box-filters like the plain windowed mean on random vectors", () => {
    const r = prng(5);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 80);
      const full = 1 + Math.floor(r() * Math.min(n, 9));
      const input = randomLuma(trial, n);
      const out = new Float32Array(n);
      boxFilter1D(input, out, 0, n, 1, full);
      const half = Math.floor((full + 2) / 2);
      for (let i = 0; i < n; i++) {
        const lo = Math.max(0, i - (full - half));
        const hi = Math.min(n - 1, i + (half - 1));
        let s = 0;
        for (let k = lo; k <= hi; k++) s += input[k] as number;
        assert.ok(Math.abs((out[i] as number) - s / (hi - lo + 1)) < 1e-3, `n=${n} full=${full} i=${i}`);
      }
    }
  });

  it("filters four rows at once bit for bit like one row at a time", () => {
    for (const [rows, cols] of [
      [9, 31],
      [4, 5],
      [13, 320],
    ] as const) {
      const input = randomLuma(rows * cols, rows * cols);
      const a = new Float32Array(rows * cols);
      const b = new Float32Array(rows * cols);
      for (const full of [1, 2, 3, 5]) {
        if (full > cols) continue;
        for (let r = 0; r < rows; r++) boxFilter1D(input, a, r * cols, cols, 1, full);
        boxFilterRows(input, b, rows, cols, full);
        assert.deepEqual(b, a);
      }
    }
  });

  it("filters columns in a row sweep bit for bit like one strided vector at a time", () => {
    const rows = 37;
    const cols = 23;
    const input = randomLuma(9, rows * cols);
    const a = new Float32Array(rows * cols);
    const b = new Float32Array(rows * cols);
    for (const full of [1, 2, 3, 4, 7]) {
      for (let c = 0; c < cols; c++) boxFilter1D(input, a, c, rows, cols, full);
      boxFilterColumns(input, b, rows, cols, full);
      assert.deepEqual(b, a);
    }
  });

  it("samples the centre of each of the 64 cells", () => {
    assert.equal(decimationIndex(0, 320), 2);
    assert.equal(decimationIndex(63, 320), 317);
    assert.equal(decimationIndex(0, 64), 0);
    assert.equal(decimationIndex(63, 64), 63);
    // Symmetric for odd multiples of 64: cell i and cell 63 - i mirror each other.
    for (let i = 0; i < 64; i++) assert.equal(decimationIndex(i, 320), 319 - decimationIndex(63 - i, 320));
  });

  it("scores quality from quantised gradients, by hand", () => {
    // A vertical edge 0 | 255 at column 32: 64 horizontal pairs of |−255·100/255| = 100 → 6400 / 90 = 71.
    const edge = new Float32Array(64 * 64);
    for (let i = 0; i < 64; i++) for (let j = 32; j < 64; j++) edge[i * 64 + j] = 255;
    assert.equal(quality64(edge), 71);
    assert.equal(quality64(new Float32Array(64 * 64).fill(90)), 0);
    // Steps of 2 per cell are quantised to 0 (2·100/255 < 1): no significant gradient.
    const ramp = Float32Array.from({ length: 64 * 64 }, (_, k) => (k % 64) * 2);
    assert.equal(quality64(ramp), 0);
    // Steps of 3 count 1 each: 64 · 63 = 4032 → 44.
    assert.equal(quality64(Float32Array.from({ length: 64 * 64 }, (_, k) => (k % 64) * 3)), 44);
    // Capped at 100.
    assert.equal(
      quality64(Float32Array.from({ length: 64 * 64 }, (_, k) => ((k + (k >> 6)) % 2) * 255)),
      100,
    );
  });

  it("builds the DCT matrix rows 1..16 (no DC) and transforms like float64 maths", () => {
    const d = dctMatrix16x64();
    assert.ok(Math.abs((d[0] as number) - Math.sqrt(2 / 64) * Math.cos(Math.PI / 128)) < 1e-7);
    assert.ok(
      Math.abs((d[15 * 64 + 63] as number) - Math.sqrt(2 / 64) * Math.cos((Math.PI / 128) * 16 * 127)) < 1e-7,
    );
    const a = randomLuma(3, 64 * 64);
    const b = dct16(a);
    for (const [i, j] of [
      [0, 0],
      [3, 7],
      [15, 15],
      [9, 2],
    ] as const) {
      let s = 0;
      for (let k = 0; k < 64; k++)
        for (let l = 0; l < 64; l++)
          s +=
            Math.sqrt(2 / 64) *
            Math.cos((Math.PI / 128) * (i + 1) * (2 * k + 1)) *
            (a[k * 64 + l] as number) *
            Math.sqrt(2 / 64) *
            Math.cos((Math.PI / 128) * (j + 1) * (2 * l + 1));
      assert.ok(Math.abs((b[i * 16 + j] as number) - s) < 0.05, `B[${i}][${j}] ${b[i * 16 + j]} vs ${s}`);
    }
    // A constant image has no energy outside DC.
    const flat = dct16(new Float32Array(64 * 64).fill(100));
    assert.ok(flat.every((v) => Math.abs(v) < 0.01));
  });

  it("thresholds strictly above the 128th smallest value and writes word 15 first", () => {
    const b = Float32Array.from({ length: 256 }, (_, k) => k);
    assert.equal(median256(b), 127);
    // Values 128..255 are above: words 8..15 all ones, words 0..7 zero; word 15 is printed first.
    assert.equal(thresholdToHex(b), `${"ffff".repeat(8)}${"0000".repeat(8)}`);
    const words = new Uint16Array(16);
    words[0] = 0x0001; // bit 0: DCT row 0, column 0 → the last hex digit
    words[15] = 0x8000; // bit 255 → the first hex digit
    assert.equal(wordsToHex(words), `8${"0".repeat(62)}1`);
    // Ties at the median stay below: fewer than 128 bits.
    const ties = Float32Array.from({ length: 256 }, (_, k) => (k < 200 ? 0 : k));
    assert.equal(popcountHex(thresholdToHex(ties)), 56);
  });

  it("sets 128 bits on a generic image, and gives the zero hash below 5 pixels", () => {
    const r = pdqFromLuma(randomLuma(1, 100 * 80), 100, 80);
    assert.equal(popcountHex(r.hash), 128);
    assert.ok(isPdqHex(r.hash));
    assert.deepEqual(pdqFromLuma(new Float32Array(16), 4, 4), { hash: ZERO_HASH, quality: 0 });
  });

  // On a 64×64 image there is no filter or sampling, so a rotated or mirrored image has exactly
  // the dihedral DCT (up to float rounding): the variant and the rehash must agree.
  it("derives each dihedral variant as the hash of the transformed image", () => {
    const n = 64;
    const transforms: ((i: number, j: number) => [number, number])[] = [
      (i, j) => [i, j],
      (i, j) => [n - 1 - j, i], // rot90 clockwise: output (i, j) reads input (63 - j, i)
      (i, j) => [n - 1 - i, n - 1 - j],
      (i, j) => [j, n - 1 - i],
      (i, j) => [n - 1 - i, j], // flipX: top ↔ bottom
      (i, j) => [i, n - 1 - j], // flipY: left ↔ right
      (i, j) => [j, i], // transpose
      (i, j) => [n - 1 - j, n - 1 - i], // anti-transpose
    ];
    for (let seed = 1; seed <= 5; seed++) {
      // Smooth content, so that the DCT has few near-ties at the median.
      const r = prng(seed);
      const cx = r() * 64;
      const cy = r() * 64;
      const img = Float32Array.from({ length: n * n }, (_, k) => {
        const i = Math.floor(k / n);
        const j = k % n;
        return Math.round(
          128 + 60 * Math.sin(i / (3 + r() * 0.01) + j / 7) + 50 * Math.cos(Math.hypot(i - cy, j - cx) / 4),
        );
      });
      const base = pdqFromLuma(img, n, n, { dihedral: true });
      assert.equal(base.dihedral.length, DIHEDRAL_NAMES.length);
      transforms.forEach((t, v) => {
        const moved = Float32Array.from({ length: n * n }, (_, k) => {
          const [si, sj] = t(Math.floor(k / n), k % n);
          return img[si * n + sj] as number;
        });
        const d = hammingHex(pdqFromLuma(moved, n, n).hash, base.dihedral[v] as string);
        assert.ok(d <= 2, `seed ${seed} ${DIHEDRAL_NAMES[v]}: ${d} bits`);
      });
    }
  });

  it("returns the identity for the original variant and an involution for rot180", () => {
    const b = dct16(randomLuma(8, 64 * 64));
    assert.deepEqual(dihedralDct(b, 0), b);
    assert.deepEqual(dihedralDct(dihedralDct(b, 2), 2), b);
    assert.deepEqual(dihedralDct(dihedralDct(b, 6), 6), b);
  });

  it("takes a 64×64 buffer as it is and downsamples anything else to 64×64", () => {
    const a = randomLuma(2, 64 * 64);
    assert.deepEqual(downsample64(a, 64, 64), a);
    assert.equal(downsample64(randomLuma(2, 320 * 200), 320, 200).length, 64 * 64);
  });

  it("hashes RGBA pixel buffers (browser ImageData) like RGB", () => {
    const r = prng(4);
    const rgb = Uint8Array.from({ length: 50 * 40 * 3 }, () => Math.floor(r() * 256));
    const rgba = new Uint8ClampedArray(50 * 40 * 4);
    for (let p = 0; p < 50 * 40; p++) {
      rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = 255;
    }
    assert.deepEqual(pdqFromPixels(rgba, 50, 40, 4), pdqFromPixels(rgb, 50, 40, 3));
  });

  it("measures Hamming distance and validates hex", () => {
    assert.equal(hammingHex("0".repeat(64), "f".repeat(64)), 256);
    assert.equal(hammingHex(`${"0".repeat(63)}7`, "0".repeat(64)), 3);
    assert.ok(!isPdqHex("F".repeat(64)));
    assert.ok(!isPdqHex("0".repeat(63)));
  });
});
