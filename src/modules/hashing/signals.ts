// Signal types of hash banks (HMA's vocabulary) and the checks every hash passes before it is
// stored or matched: the right length of lowercase hex, and not degenerate. Degenerate hashes
// (all zeros, near-constant PDQ, PDQ of quality below 50, the hash of an empty file) match far
// too much or nothing meaningful; a police list that once carried stock images shows what a bad
// entry costs, so they are refused per row with a reason.
import { PDQ_MIN_QUALITY, popcountHex } from "./pdq-core.ts";

export const signalTypes = ["pdq", "md5", "sha256"] as const;
export type SignalType = (typeof signalTypes)[number];

const FORMAT: Record<SignalType, RegExp> = {
  pdq: /^[0-9a-f]{64}$/,
  md5: /^[0-9a-f]{32}$/,
  sha256: /^[0-9a-f]{64}$/,
};

const EMPTY_FILE: Record<string, string> = {
  md5: "d41d8cd98f00b204e9800998ecf8427e",
  sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};

/** A genuine PDQ hash sets about 128 bits; far fewer means a featureless image. */
export const PDQ_MIN_BITS = 64;

export type SignalCheck = { ok: true; value: string } | { ok: false; error: string };

/** Normalises (trim, lowercase) and checks one hash; quality is PDQ's, when known. */
export function checkSignal(type: string, raw: string, quality?: number | null): SignalCheck {
  if (!(signalTypes as readonly string[]).includes(type))
    return { ok: false, error: `unknown signal type "${type}" (use ${signalTypes.join(", ")})` };
  const t = type as SignalType;
  const value = raw.trim().toLowerCase();
  if (!FORMAT[t].test(value)) {
    const len = t === "md5" ? 32 : 64;
    return { ok: false, error: `a ${t} hash is ${len} hexadecimal characters` };
  }
  if (/^0+$/.test(value)) return { ok: false, error: "degenerate hash: all zeros" };
  if (/^f+$/.test(value)) return { ok: false, error: "degenerate hash: all ones" };
  if (EMPTY_FILE[t] === value) return { ok: false, error: "the hash of an empty file" };
  if (t === "pdq") {
    if (quality !== undefined && quality !== null) {
      if (!Number.isInteger(quality) || quality < 0 || quality > 100)
        return { ok: false, error: "quality must be an integer from 0 to 100" };
      if (quality < PDQ_MIN_QUALITY)
        return {
          ok: false,
          error: `PDQ quality ${quality} is below ${PDQ_MIN_QUALITY}: too featureless to match on`,
        };
    }
    const bits = popcountHex(value);
    if (bits < PDQ_MIN_BITS) return { ok: false, error: `degenerate PDQ hash: only ${bits} of 256 bits set` };
  }
  return { ok: true, value };
}
