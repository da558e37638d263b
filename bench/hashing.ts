// Hashing throughput on one core: images per second for generated 1.6 MP (1600×1000) and 12 MP
// (4000×3000) JPEGs through the whole server path (MD5 + SHA-256 of the bytes, sharp decode and
// resize of pipeline vg-pdq-1, PDQ with its eight dihedral variants), with the split between
// decoding and the PDQ maths. libvips runs on one thread (sharp.concurrency(1)) and one image
// is hashed at a time, so the figure is per core.
//   node bench/hashing.ts
import { performance } from "node:perf_hooks";
import sharp from "sharp";
import { decodeForPdq, exactHashes, hashImage, PIPELINE_ID } from "../src/modules/hashing/image.ts";
import { pdqFromPixels } from "../src/modules/hashing/pdq-core.ts";
import { photoJpeg } from "../src/modules/hashing/synthetic.ts";

sharp.concurrency(1);
sharp.cache(false);
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: "hashing", ...o }));
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const sets = [
  { name: "1.6MP", width: 1600, height: 1000, images: 6, rounds: 8 },
  { name: "12MP", width: 4000, height: 3000, images: 3, rounds: 4 },
];

for (const set of sets) {
  const jpegs: Buffer[] = [];
  for (let i = 0; i < set.images; i++) jpegs.push(await photoJpeg(100 + i, set.width, set.height));
  for (const j of jpegs.slice(0, 2)) await hashImage(j); // warm-up (JIT, libvips)
  let n = 0;
  let exactMs = 0;
  let decodeMs = 0;
  let pdqMs = 0;
  const t0 = performance.now();
  for (let r = 0; r < set.rounds; r++) {
    for (const j of jpegs) {
      let t = performance.now();
      exactHashes(j);
      exactMs += performance.now() - t;
      t = performance.now();
      const px = await decodeForPdq(j);
      decodeMs += performance.now() - t;
      t = performance.now();
      if (px) pdqFromPixels(px.data, px.width, px.height, px.channels);
      pdqMs += performance.now() - t;
      n++;
    }
  }
  const totalMs = performance.now() - t0;
  emit({
    pipeline: PIPELINE_ID,
    image: set.name,
    width: set.width,
    height: set.height,
    meanJpegBytes: Math.round(jpegs.reduce((s, j) => s + j.length, 0) / jpegs.length),
    images: n,
    imagesPerSecondPerCore: round((n / totalMs) * 1000, 1),
    msPerImage: round(totalMs / n),
    exactHashMs: round(exactMs / n),
    decodeResizeMs: round(decodeMs / n),
    pdqWithDihedralMs: round(pdqMs / n),
  });
}
