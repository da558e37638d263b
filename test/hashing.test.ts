// The server's image hashing end to end, on generated benign images: robustness of PDQ to
// re-encoding, resizing, brightness, greyscale, rotation and mirroring (within distance 31,
// through the dihedral variants for rotations and mirrors), distinct images far apart, and
// golden hashes of a fixed set so that any change of the decoding pipeline is noticed.
//
// Regenerate the golden file on purpose only (and bump PIPELINE_ID when the pipeline changed):
//   UPDATE_GOLDEN=1 node --test test/hashing.test.ts
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import sharp, { type Sharp } from "sharp";
import { exactHashes, hashImage, type ImageHashes, PIPELINE_ID } from "../src/modules/hashing/image.ts";
import {
  hammingHex,
  minDihedralDistance,
  PDQ_MATCH_RADIUS,
  PDQ_MIN_QUALITY,
  pdqFromLuma,
} from "../src/modules/hashing/pdq-core.ts";
import { goldenSet, gradient, noise, prng, shapes, text } from "../src/modules/hashing/synthetic.ts";

const GOLDEN = new URL("./fixtures/hashing/golden.json", import.meta.url);

type Transform = [name: string, dihedral: boolean, op: (img: Sharp) => Sharp];
const transforms: Transform[] = [
  ["jpeg-q90", false, (s) => s.jpeg({ quality: 90 })],
  ["jpeg-q70", false, (s) => s.jpeg({ quality: 70 })],
  ["jpeg-q40", false, (s) => s.jpeg({ quality: 40 })],
  ["webp-q60", false, (s) => s.webp({ quality: 60 })],
  ["resize-50%", false, (s) => s.resize({ width: 400 }).png()],
  ["resize-25%", false, (s) => s.resize({ width: 200 }).png()],
  ["resize-150%", false, (s) => s.resize({ width: 1200 }).png()],
  ["brighter", false, (s) => s.modulate({ brightness: 1.2 }).png()],
  ["darker", false, (s) => s.modulate({ brightness: 0.8 }).png()],
  ["greyscale", false, (s) => s.greyscale().png()],
  ["rotate-90", true, (s) => s.rotate(90).png()],
  ["rotate-180", true, (s) => s.rotate(180).png()],
  ["rotate-270", true, (s) => s.rotate(270).png()],
  ["flip", true, (s) => s.flip().png()],
  ["flop", true, (s) => s.flop().png()],
  ["rotate-90-jpeg", true, (s) => s.rotate(90).jpeg({ quality: 75 })],
];

describe(`image hashing (pipeline ${PIPELINE_ID})`, () => {
  const originals: Record<string, Buffer> = {};
  const hashes: Record<string, ImageHashes> = {};

  before(async () => {
    Object.assign(originals, {
      "shapes-1": await shapes(1),
      "shapes-2": await shapes(2, 600, 900),
      "shapes-4": await shapes(4, 1000, 700),
      "noise-1": await noise(11),
      "noise-3": await noise(13, 900, 600, 14),
      "text-1": await text(["VANGRAIL", "HASH 0123"]),
      "text-3": await text(["BLOCK", "LETTERS 12"], 800, 800, 3),
    });
    for (const [name, bytes] of Object.entries(originals)) hashes[name] = await hashImage(bytes);
    for (const [name, h] of Object.entries(hashes)) assert.ok(h.quality >= PDQ_MIN_QUALITY, name);
  });

  it("computes MD5 and SHA-256 of the bytes as they are", () => {
    assert.deepEqual(exactHashes(Buffer.from("abc")), {
      md5: "900150983cd24fb0d6963f7d28e17f72",
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    });
  });

  it("stores the pipeline id and eight dihedral hashes with every hash", () => {
    for (const h of Object.values(hashes)) {
      assert.equal(h.pipeline, PIPELINE_ID);
      assert.equal(h.dihedral.length, 8);
      assert.equal(h.dihedral[0], h.hash);
      assert.match(h.md5, /^[0-9a-f]{32}$/);
    }
  });

  it("keeps transformed copies within the match radius", async (t) => {
    const report: string[] = [];
    const worstOf: Record<string, number> = {};
    let worst = 0;
    for (const [name, bytes] of Object.entries(originals)) {
      const h = hashes[name] as ImageHashes;
      for (const [tname, dihedral, op] of transforms) {
        const t = await hashImage(await op(sharp(bytes)).toBuffer());
        const d = dihedral ? minDihedralDistance(t.hash, h.dihedral) : hammingHex(t.hash, h.hash);
        worst = Math.max(worst, d);
        worstOf[tname] = Math.max(worstOf[tname] ?? 0, d);
        if (d > PDQ_MATCH_RADIUS) report.push(`${name} ${tname}: ${d}`);
      }
    }
    t.diagnostic(`worst distance per transform: ${JSON.stringify(worstOf)}`);
    assert.deepEqual(report, [], `transformed copies beyond ${PDQ_MATCH_RADIUS} bits (worst ${worst})`);
  });

  it("gives smooth gradients a quality below 50, so they are never matched on", async () => {
    for (const kind of ["horizontal", "vertical", "diagonal", "radial", "waves"] as const) {
      const h = await hashImage(await gradient(kind));
      assert.ok(h.quality < PDQ_MIN_QUALITY, `${kind}: quality ${h.quality}`);
    }
  });

  it("maps rotations and mirrors onto the matching dihedral variant almost exactly", async () => {
    const bytes = originals["shapes-1"] as Buffer;
    const h = hashes["shapes-1"] as ImageHashes;
    const cases: [number, (s: Sharp) => Sharp][] = [
      [1, (s) => s.rotate(90)],
      [2, (s) => s.rotate(180)],
      [3, (s) => s.rotate(270)],
      [4, (s) => s.flip()],
      [5, (s) => s.flop()],
      [6, (s) => s.rotate(90).flip()],
      [7, (s) => s.rotate(90).flop()],
    ];
    for (const [variant, op] of cases) {
      const t = await hashImage(await op(sharp(bytes)).png().toBuffer());
      assert.ok(hammingHex(t.hash, h.dihedral[variant] as string) <= 8, `variant ${variant}`);
    }
  });

  it("keeps distinct images far apart", (t) => {
    const names = Object.keys(hashes);
    const ds: number[] = [];
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) {
        const a = hashes[names[i] as string] as ImageHashes;
        const b = hashes[names[j] as string] as ImageHashes;
        ds.push(minDihedralDistance(a.hash, b.dihedral));
      }
    assert.ok(Math.min(...ds) > PDQ_MATCH_RADIUS, `closest pair ${Math.min(...ds)}`);
    const mean = ds.reduce((a, b) => a + b, 0) / ds.length;
    t.diagnostic(`distinct pairs (min over dihedral): min ${Math.min(...ds)}, mean ${mean.toFixed(1)}`);
    assert.ok(mean > 90, `mean distance ${mean}`);
  });

  it("refuses bytes that are not an image, without crashing", async () => {
    await assert.rejects(hashImage(Buffer.from("not an image at all")), { code: "image_unreadable" });
    await assert.rejects(hashImage(Buffer.alloc(0)), { code: "image_unreadable" });
  });

  it("gives a tiny image the zero hash with quality 0", async () => {
    const tiny = await sharp({ create: { width: 4, height: 30, channels: 3, background: "#f00" } })
      .png()
      .toBuffer();
    const h = await hashImage(tiny);
    assert.equal(h.hash, "0".repeat(64));
    assert.equal(h.quality, 0);
  });

  it("matches the golden hashes of the fixed generated set", async () => {
    const set = await goldenSet();
    const actual: Record<string, { pdq: string; quality: number }> = {};
    for (const [name, bytes] of Object.entries(set)) {
      const h = await hashImage(bytes);
      actual[name] = { pdq: h.hash, quality: h.quality };
    }
    // The core alone, on fixed luminance buffers (no decoder involved): pins the maths.
    const core: Record<string, { pdq: string; quality: number }> = {};
    for (const [w, h] of [
      [64, 64],
      [100, 37],
      [320, 320],
      [1000, 700],
    ] as const) {
      const r = prng(w * 1000 + h);
      const luma = Float32Array.from({ length: w * h }, (_, k) =>
        Math.floor(128 + 90 * Math.sin((k % w) / 9 + Math.floor(k / w) / 13) + r() * 30),
      );
      const p = pdqFromLuma(luma, w, h);
      core[`luma-${w}x${h}`] = { pdq: p.hash, quality: p.quality };
    }
    const doc = { pipeline: PIPELINE_ID, images: actual, core };
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, `${JSON.stringify(doc, null, 2)}\n`);
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8")) as typeof doc;
    assert.equal(
      golden.pipeline,
      PIPELINE_ID,
      "the pipeline id changed: regenerate the golden file on purpose",
    );
    assert.deepEqual(core, golden.core, "the PDQ maths changed");
    assert.deepEqual(actual, golden.images, "the decoding pipeline changed: bump PIPELINE_ID");
  });
});
