// IP addresses as numbers, for prefix matching in the bootstrap tables.
import { isIPv4, isIPv6 } from "node:net";

export interface ParsedIp {
  family: 4 | 6;
  value: bigint;
}

/** Parses a dotted IPv4 or any IPv6 text form (with an embedded IPv4 tail); null if not an IP. */
export function parseIp(text: string): ParsedIp | null {
  const t = text.trim().replace(/^\[|\]$/g, "");
  if (isIPv4(t)) {
    let v = 0n;
    for (const part of t.split(".")) v = (v << 8n) | BigInt(Number(part));
    return { family: 4, value: v };
  }
  const bare = t.replace(/%.*$/, "");
  if (!isIPv6(bare)) return null;
  let head = bare;
  let tail: bigint[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (v4?.[1]) {
    const n = parseIp(v4[1]);
    if (!n) return null;
    tail = [n.value >> 16n, n.value & 0xffffn];
    head = bare.slice(0, -v4[1].length);
    // "::ffff:" loses its separator colon; a bare "::" keeps both.
    if (!head.endsWith("::")) head = head.replace(/:$/, "");
  }
  const [left = "", right] = head.split("::");
  const words = (s: string) => (s === "" ? [] : s.split(":").map((w) => BigInt(Number.parseInt(w, 16))));
  const l = words(left);
  const r = right === undefined ? [] : words(right);
  const fill = 8 - tail.length - l.length - r.length;
  if (fill < 0 || (right === undefined && fill !== 0)) return null;
  const all = [...l, ...Array<bigint>(fill).fill(0n), ...r, ...tail];
  let v = 0n;
  for (const w of all) v = (v << 16n) | w;
  return { family: 6, value: v };
}
