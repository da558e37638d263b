// PDQ in the victim's browser, for the device-hashing page: the image is decoded by the
// browser's own decoder, resized to 320×320 like the server's pipeline (vg-pdq-1), composited
// onto white, and hashed by the same TypeScript PDQ (pdq-core.ts). Nothing leaves the device
// except what the page then chooses to send: the 64-hex hash and its quality.
//
// Browser-only (DOM: createImageBitmap, canvas); no Node imports. The browser's decoder and
// resampler differ from libvips, so its hashes carry their own pipeline id; the browser may
// also apply EXIF orientation, which the server does not: the eight dihedral variants that the
// server queries cover that.
import { PDQ_MIN_DIMENSION, type PdqHashWithDihedral, pdqFromPixels } from "./pdq-core.ts";

export const BROWSER_PIPELINE_ID = "vg-pdq-browser-1";
const SIDE = 320;

export interface DeviceImageHash extends PdqHashWithDihedral {
  pipeline: string;
  width: number;
  height: number;
}

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

function canvas2d(): Canvas2D {
  if (typeof OffscreenCanvas !== "undefined") {
    const ctx = new OffscreenCanvas(SIDE, SIDE).getContext("2d", { willReadFrequently: true });
    if (ctx) return ctx;
  }
  const c = document.createElement("canvas");
  c.width = SIDE;
  c.height = SIDE;
  const ctx = c.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("this browser cannot draw images on a canvas");
  return ctx;
}

/** Hashes an image file chosen on the device; throws if the browser cannot decode it. */
export async function hashImageFile(file: Blob): Promise<DeviceImageHash> {
  const full = await createImageBitmap(file);
  const { width, height } = full;
  try {
    if (width < PDQ_MIN_DIMENSION || height < PDQ_MIN_DIMENSION) {
      const zero = "0".repeat(64);
      return {
        hash: zero,
        quality: 0,
        dihedral: Array(8).fill(zero),
        pipeline: BROWSER_PIPELINE_ID,
        width,
        height,
      };
    }
    const small = await createImageBitmap(full, {
      resizeWidth: SIDE,
      resizeHeight: SIDE,
      resizeQuality: "high",
    });
    const ctx = canvas2d();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, SIDE, SIDE);
    ctx.drawImage(small, 0, 0, SIDE, SIDE);
    small.close();
    const { data } = ctx.getImageData(0, 0, SIDE, SIDE);
    return { ...pdqFromPixels(data, SIDE, SIDE, 4), pipeline: BROWSER_PIPELINE_ID, width, height };
  } finally {
    full.close();
  }
}
