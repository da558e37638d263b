// Screenshots sent with a report: checked by their content (not their name or declared type),
// bounded in bytes and decoded pixels (an "image bomb" is refused before it is decoded),
// re-encoded without metadata (no location data survives), and stored encrypted. For categories
// whose material must never be kept, the file is hashed in memory and discarded.
import sharp, { type Metadata } from "sharp";
import type { BlobStore } from "../../platform/blobstore/index.ts";
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import { exactHashes } from "../hashing/image.ts";

const FORMATS = new Set(["jpeg", "png", "webp", "gif", "heif", "avif", "tiff"]);

export interface ProcessedUpload {
  sha256: string;
  md5: string;
  /** Blob of the re-encoded image; null when the category forbids keeping media. */
  blobRef: string | null;
  mediaType: string;
  sizeBytes: number;
  width: number;
  height: number;
}

export function uploadError(index: number, message: string): AppError {
  return new AppError("validation_failed", {
    detail: message,
    errors: [{ path: `files.${index}`, pointer: `/files/${index}`, message }],
  });
}

/** Validates one upload; returns its hashes and, if it may be kept, stores it encrypted. */
export async function processUpload(
  bytes: Buffer,
  index: number,
  opts: { keep: boolean; blobs: BlobStore },
): Promise<ProcessedUpload> {
  if (bytes.length === 0) throw uploadError(index, "The file is empty.");
  if (bytes.length > limits.fileMaxBytes) {
    throw uploadError(index, `The file is larger than ${limits.fileMaxBytes / 1024 / 1024} MB.`);
  }
  let meta: Metadata;
  try {
    // Header only, no decoding: the pixel count is checked below before anything is decoded.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw uploadError(index, "This file is not an image we can read. Send a screenshot (JPEG, PNG or WebP).");
  }
  if (!meta.format || !FORMATS.has(meta.format)) {
    throw uploadError(index, "This file is not an image we can read. Send a screenshot (JPEG, PNG or WebP).");
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (
    width * height * Math.max(1, meta.pages ?? 1) > limits.imageMaxPixels ||
    width > 30_000 ||
    height > 30_000
  ) {
    throw uploadError(index, "The image is too large (too many pixels). Send a normal screenshot.");
  }
  const { sha256, md5 } = exactHashes(bytes);
  if (!opts.keep) {
    return {
      sha256,
      md5,
      blobRef: null,
      mediaType: `image/${meta.format}`,
      sizeBytes: bytes.length,
      width,
      height,
    };
  }
  let out: Buffer;
  try {
    // Decoding happens here, bounded by limitInputPixels; sharp drops all metadata on output.
    out = await sharp(bytes, { limitInputPixels: limits.imageMaxPixels, failOn: "error" })
      .rotate()
      .png({ compressionLevel: 6 })
      .toBuffer();
  } catch {
    throw uploadError(index, "The image is damaged and cannot be read.");
  }
  const put = await opts.blobs.put(out);
  return { sha256, md5, blobRef: put.sha256, mediaType: "image/png", sizeBytes: bytes.length, width, height };
}
