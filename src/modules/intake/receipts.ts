// Receipt codes and secrets for following a report without an account. Crockford's base32
// (no I, L, O, U) so a code read aloud or written down survives.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function base32(chars: number): string {
  const bytes = randomBytes(chars);
  let out = "";
  for (let i = 0; i < chars; i++) out += ALPHABET[(bytes[i] as number) & 31];
  return out;
}

const group = (s: string) => s.replace(/(.{4})(?=.)/g, "$1-");

/** 12 characters (60 bits), e.g. `7K3M-9QPX-2D4F`: unique per report, not secret. */
export const newReceipt = (): string => group(base32(12));

/** 16 characters (80 bits), shown once; only its SHA-256 is stored. */
export const newSecret = (): string => group(base32(16));

/** Accepts what people type: lower case, spaces or no dashes, O for 0, I/L for 1. */
export function canonicalCode(input: string): string {
  const s = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  return group(s);
}
