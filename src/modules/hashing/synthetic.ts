// Synthetic, benign test images for the hashing tests and benchmarks: gradients, shapes, noise
// and block-letter text, generated deterministically from a seed. Text is drawn from a built-in
// 5×7 bitmap font as rectangles, so no system font can change the pixels between machines.
import sharp from "sharp";

/** A small deterministic PRNG (mulberry32): the same seed gives the same image everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const colour = (r: () => number) =>
  `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`;
const svg = (w: number, h: number, body: string) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`);

export type GradientKind = "horizontal" | "vertical" | "diagonal" | "radial" | "waves";

/** A smooth gradient as raw RGB, encoded as PNG. */
export async function gradient(kind: GradientKind, width = 640, height = 480): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / (width - 1);
      const v = y / (height - 1);
      let t: number;
      if (kind === "horizontal") t = u;
      else if (kind === "vertical") t = v;
      else if (kind === "diagonal") t = (u + v * 0.6) / 1.6;
      else if (kind === "radial") t = Math.min(1, Math.hypot(u - 0.35, v - 0.6) * 1.4);
      else t = 0.5 + 0.25 * Math.sin(u * 9) + 0.25 * Math.cos(v * 7 + u * 3);
      const p = (y * width + x) * 3;
      raw[p] = Math.round(30 + 200 * t);
      raw[p + 1] = Math.round(200 - 150 * t);
      raw[p + 2] = Math.round(90 + 100 * Math.sin(t * 3));
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Overlapping ellipses, rectangles and triangles on a coloured ground. */
export function shapes(seed: number, width = 800, height = 600): Promise<Buffer> {
  const r = prng(seed);
  let body = `<rect width="${width}" height="${height}" fill="${colour(r)}"/>`;
  for (let i = 0; i < 14; i++) {
    const x = r() * width;
    const y = r() * height;
    const kind = i % 3;
    const fill = `fill="${colour(r)}" opacity="${(0.5 + r() * 0.5).toFixed(2)}"`;
    if (kind === 0)
      body += `<ellipse cx="${x}" cy="${y}" rx="${20 + (r() * width) / 4}" ry="${20 + (r() * height) / 4}" ${fill}/>`;
    else if (kind === 1)
      body += `<rect x="${x}" y="${y}" width="${30 + (r() * width) / 3}" height="${30 + (r() * height) / 3}" ${fill}/>`;
    else
      body += `<polygon points="${x},${y} ${r() * width},${r() * height} ${r() * width},${r() * height}" ${fill}/>`;
  }
  return sharp(svg(width, height, body))
    .png()
    .toBuffer();
}

/** Smooth value noise (a random grid upscaled, tinted) with fine grain on top. */
export async function noise(seed: number, width = 800, height = 600, grid = 10): Promise<Buffer> {
  const r = prng(seed);
  const cells = Buffer.alloc(grid * grid);
  for (let i = 0; i < cells.length; i++) cells[i] = Math.floor(r() * 256);
  const smooth = await sharp(cells, { raw: { width: grid, height: grid, channels: 1 } })
    .resize(width, height, { kernel: "cubic" })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const tint = [0.6 + r() * 0.4, 0.6 + r() * 0.4, 0.6 + r() * 0.4];
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0; i < smooth.length; i++) {
    const v = (smooth[i] as number) + Math.floor(r() * 30) - 15;
    for (let c = 0; c < 3; c++)
      out[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v * (tint[c] as number) * 0.75 + 25)));
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

// A 5×7 bitmap font: each glyph is 7 rows of 5 bits, most significant bit on the left.
const FONT: Record<string, number[]> = {
  A: [14, 17, 17, 31, 17, 17, 17],
  B: [30, 17, 17, 30, 17, 17, 30],
  C: [14, 17, 16, 16, 16, 17, 14],
  D: [30, 17, 17, 17, 17, 17, 30],
  E: [31, 16, 16, 30, 16, 16, 31],
  G: [14, 17, 16, 23, 17, 17, 15],
  H: [17, 17, 17, 31, 17, 17, 17],
  I: [14, 4, 4, 4, 4, 4, 14],
  K: [17, 18, 20, 24, 20, 18, 17],
  L: [16, 16, 16, 16, 16, 16, 31],
  N: [17, 25, 21, 19, 17, 17, 17],
  O: [14, 17, 17, 17, 17, 17, 14],
  R: [30, 17, 17, 30, 20, 18, 17],
  S: [15, 16, 16, 14, 1, 1, 30],
  T: [31, 4, 4, 4, 4, 4, 4],
  V: [17, 17, 17, 17, 17, 10, 4],
  "0": [14, 17, 19, 21, 25, 17, 14],
  "1": [4, 12, 4, 4, 4, 4, 14],
  "2": [14, 17, 1, 2, 4, 8, 31],
  "3": [31, 2, 4, 2, 1, 17, 14],
  " ": [0, 0, 0, 0, 0, 0, 0],
};

/** Lines of block-letter text (letters from the built-in font) on a plain ground. */
export function text(lines: string[], width = 900, height = 600, seed = 1): Promise<Buffer> {
  const r = prng(seed);
  const cell = Math.floor(
    Math.min(width / (Math.max(...lines.map((l) => l.length)) * 6 + 2), height / (lines.length * 9 + 2)),
  );
  let body = `<rect width="${width}" height="${height}" fill="#f4f1e8"/>`;
  const ink = colour(r);
  lines.forEach((line, li) => {
    [...line.toUpperCase()].forEach((ch, ci) => {
      const glyph = FONT[ch] ?? FONT[" "];
      glyph?.forEach((bits, row) => {
        for (let col = 0; col < 5; col++) {
          if (bits & (16 >> col)) {
            const x = cell * (1 + ci * 6 + col);
            const y = cell * (1 + li * 9 + row);
            body += `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${ink}"/>`;
          }
        }
      });
    });
  });
  return sharp(svg(width, height, body))
    .png()
    .toBuffer();
}

/**
 * A photo-sized JPEG (e.g. 1.6 MP or 12 MP) of smooth noise and shapes with sensor-like grain,
 * so that it compresses about as badly as a real photo (≈ 0.2–0.3 bytes per pixel at q 88).
 */
export async function photoJpeg(seed: number, width: number, height: number, quality = 88): Promise<Buffer> {
  const base = await noise(seed, width, height, 16);
  const overlay = await shapes(seed + 1, width, height);
  const { data, info } = await sharp(base)
    .composite([{ input: await sharp(overlay).ensureAlpha(0.5).png().toBuffer(), blend: "over" }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const r = prng(seed + 2);
  for (let i = 0; i < data.length; i++) {
    const v = (data[i] as number) + Math.floor(r() * 28) - 14;
    data[i] = Math.min(255, Math.max(0, v));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .jpeg({ quality })
    .toBuffer();
}

/** The fixed set of the golden test: name → PNG bytes. */
export async function goldenSet(): Promise<Record<string, Buffer>> {
  return {
    "gradient-horizontal": await gradient("horizontal"),
    "gradient-radial": await gradient("radial"),
    "gradient-waves": await gradient("waves"),
    "shapes-1": await shapes(1),
    "shapes-2": await shapes(2, 600, 900),
    "shapes-3": await shapes(3, 1024, 256),
    "noise-1": await noise(11),
    "noise-2": await noise(12, 500, 500, 6),
    "text-1": await text(["VANGRAIL", "HASH 0123"]),
    "text-2": await text(["SAFE TEST", "ONLINE", "LIST 321"], 700, 700, 2),
  };
}
