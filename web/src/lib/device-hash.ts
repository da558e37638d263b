// The device-hashing page's logic, apart from React: hash one chosen photo in this browser and
// say whether its hash can be sent, and build the one request body the page sends. Only the
// receipt, the secret and {pdq, quality} per photo ever go out: no file name, size, date or
// pixel. The photos themselves are read here and stay here.
import { hashImageFile } from "../../../src/modules/hashing/device-hash.ts";
import { PDQ_MIN_DIMENSION, PDQ_MIN_QUALITY } from "../../../src/modules/hashing/pdq-core.ts";
import { limits } from "../../../src/platform/limits.ts";

export const DEVICE_HASHES_MAX = limits.deviceHashesPerCall;
export const MIN_QUALITY = PDQ_MIN_QUALITY;

/** What came of reading one photo on this device. */
export type PhotoOutcome =
  /** Readable and detailed enough: its hash can be sent. */
  | { kind: "ready"; pdq: string; quality: number }
  /** Readable, but too plain (few edges) for its hash to recognise it anywhere. */
  | { kind: "lowQuality"; pdq: string; quality: number }
  /** Readable, but a few pixels wide or high. */
  | { kind: "tooSmall"; width: number; height: number }
  /** This browser cannot open it as a picture (not an image, damaged, or a format it lacks). */
  | { kind: "unreadable" };

/** Hashes one file in this browser; never throws, a file it cannot read is an outcome. */
export async function readPhoto(file: Blob): Promise<PhotoOutcome> {
  try {
    const h = await hashImageFile(file);
    if (h.width < PDQ_MIN_DIMENSION || h.height < PDQ_MIN_DIMENSION) {
      return { kind: "tooSmall", width: h.width, height: h.height };
    }
    if (h.quality < PDQ_MIN_QUALITY) return { kind: "lowQuality", pdq: h.hash, quality: h.quality };
    return { kind: "ready", pdq: h.hash, quality: h.quality };
  } catch {
    return { kind: "unreadable" };
  }
}

/** POST /api/v1/public/device-hashes */
export interface DeviceHashBody {
  receipt: string;
  secret: string;
  hashes: { pdq: string; quality: number }[];
}

export interface DeviceHashAnswer {
  accepted: number;
  results: { line: number; ok: boolean; id?: string; error?: string }[];
  withdrawalSecret: string;
}

/**
 * The body of the one request the page sends: the codes as typed (trimmed) and the hashes of
 * the ready photos, each hash once, in the order they were chosen. The page shows this object
 * as JSON before sending and sends the same object.
 */
export function deviceHashBody(
  codes: { receipt: string; secret: string },
  outcomes: readonly (PhotoOutcome | null)[],
): DeviceHashBody {
  const seen = new Set<string>();
  const hashes: DeviceHashBody["hashes"] = [];
  for (const o of outcomes) {
    if (o?.kind !== "ready" || seen.has(o.pdq)) continue;
    seen.add(o.pdq);
    hashes.push({ pdq: o.pdq, quality: o.quality });
  }
  return { receipt: codes.receipt.trim(), secret: codes.secret.trim(), hashes };
}

/** Index of an earlier photo with the same hash, or -1: the same photo is sent once. */
export function earlierDuplicate(outcomes: readonly (PhotoOutcome | null)[], index: number): number {
  const o = outcomes[index];
  if (o?.kind !== "ready") return -1;
  return outcomes.findIndex((x, i) => i < index && x?.kind === "ready" && x.pdq === o.pdq);
}

/** The withdrawal secret in groups of four, easier to read and copy by hand. */
export function groupInFours(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(" ") ?? secret;
}

/** A withdrawal secret as typed or pasted back: without the spaces of its grouping. */
export function normaliseWithdrawalSecret(input: string): string {
  return input.replace(/\s+/g, "");
}
