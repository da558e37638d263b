// Hashing image files on the server: exact hashes of the bytes (MD5 for interchange with NCMEC
// and StopNCII lists, SHA-256 for our own) and PDQ of the decoded pixels through ONE pinned
// decoding pipeline. PDQ is not bit-stable across decoders and resizers, so the pipeline's id
// is stored with every hash; changing any step below means a new id (and the golden test in
// test/hashing.test.ts fails until the fixtures are regenerated on purpose).
//
// Pipeline `vg-pdq-1` (sharp, version pinned exactly in package.json):
//   1. decode the first page/frame; EXIF orientation is NOT applied (none of Meta's references
//      applies it; rotated copies are caught by querying the eight dihedral variants);
//   2. flatten transparency onto white (what a person sees on a white page; the browser page
//      does the same on its canvas);
//   3. resize to exactly 320×320 with Lanczos-3 (libjpeg shrink-on-load first), aspect not
//      kept. PDQ squashes every image to 64×64 anyway; 320 = 5 × 64 with a 3-pixel Jarosz
//      window makes both the box filter and the 64-point sampling symmetric, so rotated and
//      mirrored copies hash to the dihedral variants almost exactly (fit-inside-512 leaves them
//      up to ~36 bits apart), and on generated photo-like images it is closer to hashing at full
//      resolution than fit-inside-512 or the C++ tool's 512 squash (mean 4.4 bits against 7.9
//      and 9.6). The Jarosz filter at full resolution is no option: ~0.5 s at 12 MP in JS;
//   4. convert to 8-bit sRGB; luminance BT.601 in float32 (pdq-core.ts).
// Images narrower or lower than 5 pixels get the reference's all-zero hash with quality 0.
import { createHash } from "node:crypto";
import sharp from "sharp";
import { AppError } from "../../platform/errors.ts";
import {
  DIHEDRAL_NAMES,
  PDQ_MIN_DIMENSION,
  type PdqHashWithDihedral,
  pdqFromPixels,
  ZERO_HASH,
} from "./pdq-core.ts";

export const PIPELINE_ID = "vg-pdq-1";
export const PIPELINE_DESCRIPTION =
  "sharp: first frame, no EXIF rotation, alpha flattened on white, resized to 320×320 (lanczos3, " +
  "aspect not kept), 8-bit sRGB, BT.601 luma";
/** Side of the square every image is resized to before PDQ: an odd multiple of 64. */
export const PIPELINE_SIDE = 320;
/** Pixels a decoded image may have (the default of sharp): a decompression bomb is refused. */
export const MAX_INPUT_PIXELS = 268_402_689;

export interface ExactHashes {
  md5: string;
  sha256: string;
}

export interface ImageHashes extends ExactHashes, PdqHashWithDihedral {
  pipeline: string;
}

/** MD5 and SHA-256 of the bytes as they are: computed before any decoding. */
export function exactHashes(bytes: Uint8Array): ExactHashes {
  return {
    md5: createHash("md5").update(bytes).digest("hex"),
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

export interface DecodedPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/**
 * Steps 1–4 of the pipeline: bytes of any format sharp reads → 320×320 8-bit sRGB pixels, or
 * `undefined` for an image too small to hash.
 */
export async function decodeForPdq(bytes: Uint8Array): Promise<DecodedPixels | undefined> {
  try {
    const input = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" });
    const meta = await input.metadata();
    if ((meta.width ?? 0) < PDQ_MIN_DIMENSION || (meta.height ?? 0) < PDQ_MIN_DIMENSION) return undefined;
    const { data, info } = await input
      .flatten({ background: "#ffffff" })
      .resize({ width: PIPELINE_SIDE, height: PIPELINE_SIDE, fit: "fill", kernel: "lanczos3" })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4 };
  } catch (e) {
    throw new AppError("image_unreadable", {
      detail: `The image cannot be decoded: ${(e as Error).message}`,
      cause: e,
    });
  }
}

/** Exact hashes, PDQ (with quality and the eight dihedral variants) and the pipeline id. */
export async function hashImage(bytes: Uint8Array): Promise<ImageHashes> {
  const exact = exactHashes(bytes);
  const px = await decodeForPdq(bytes);
  const pdq = px
    ? pdqFromPixels(px.data, px.width, px.height, px.channels)
    : { hash: ZERO_HASH, quality: 0, dihedral: DIHEDRAL_NAMES.map(() => ZERO_HASH) };
  return { ...exact, ...pdq, pipeline: PIPELINE_ID };
}
