// Which IP addresses the fetcher may connect to. Only the public internet: loopback, private,
// link-local (the cloud metadata service at 169.254.169.254), carrier-grade NAT, multicast,
// reserved and documentation ranges are refused. IPv6 forms that embed an IPv4 address
// (IPv4-mapped, NAT64, 6to4, Teredo) are judged by the IPv4 address they carry, so
// `[::ffff:127.0.0.1]` is loopback, not "some IPv6 host".
import { isIPv4, isIPv6 } from "node:net";

/** Why an address is refused; `null` when it is public. */
export type DenyReason =
  | "loopback"
  | "private"
  | "link_local"
  | "cgnat"
  | "multicast"
  | "reserved"
  | "documentation"
  | "unspecified"
  | "broadcast"
  | "not_an_ip";

interface Range4 {
  base: number;
  bits: number;
  reason: DenyReason;
}

const v4 = (s: string): number => {
  const p = s.split(".").map(Number);
  return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
};

// Most specific first: the first match names the reason.
const DENY4: Range4[] = (
  [
    ["255.255.255.255", 32, "broadcast"],
    ["0.0.0.0", 8, "unspecified"],
    ["10.0.0.0", 8, "private"],
    ["100.64.0.0", 10, "cgnat"],
    ["127.0.0.0", 8, "loopback"],
    ["169.254.0.0", 16, "link_local"],
    ["172.16.0.0", 12, "private"],
    ["192.0.0.0", 24, "reserved"],
    ["192.0.2.0", 24, "documentation"],
    ["192.88.99.0", 24, "reserved"],
    ["192.168.0.0", 16, "private"],
    ["198.18.0.0", 15, "reserved"],
    ["198.51.100.0", 24, "documentation"],
    ["203.0.113.0", 24, "documentation"],
    ["224.0.0.0", 4, "multicast"],
    ["240.0.0.0", 4, "reserved"],
  ] as const
).map(([base, bits, reason]) => ({ base: v4(base), bits, reason }));

function judge4(n: number): DenyReason | null {
  for (const r of DENY4) {
    const mask = r.bits === 0 ? 0 : (0xffffffff << (32 - r.bits)) >>> 0;
    if ((n & mask) >>> 0 === (r.base & mask) >>> 0) return r.reason;
  }
  return null;
}

/** Parses an IPv6 address (optionally with a zone or a trailing dotted quad) into 16 bytes. */
export function parseIPv6(input: string): Uint8Array | null {
  const s = input.replace(/^\[|\]$/g, "").split("%")[0] ?? "";
  if (!isIPv6(s)) return null;
  let text = s;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const n = v4(dotted[1]);
    tail.push((n >>> 16) & 0xffff, n & 0xffff);
    text = text.slice(0, -dotted[1].length);
    if (text.endsWith(":") && !text.endsWith("::")) text = text.slice(0, -1);
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const parts = (x: string | undefined) => (x ? x.split(":").filter((p) => p !== "") : []);
  const h = parts(head).map((p) => Number.parseInt(p, 16));
  const r = [...parts(rest).map((p) => Number.parseInt(p, 16)), ...tail];
  const groups =
    rest === undefined && !text.includes("::")
      ? [...h, ...tail]
      : [...h, ...new Array(8 - h.length - r.length).fill(0), ...r];
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = (g >>> 8) & 0xff;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

const word = (b: Uint8Array, i: number): number =>
  (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;

const prefix = (b: Uint8Array, hex: number[], bits: number): boolean => {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const bit = 7 - (i & 7);
    if ((((b[byte] ?? 0) >> bit) & 1) !== (((hex[byte] ?? 0) >> bit) & 1)) return false;
  }
  return true;
};

function judge6(b: Uint8Array): DenyReason | null {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 16)) return "unspecified";
  if (zeros(0, 15) && b[15] === 1) return "loopback";
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64 well-known prefix): the IPv4 decides.
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return judge4(word(b, 12));
  if (prefix(b, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return judge4(word(b, 12));
  // ::a.b.c.d (IPv4-compatible, deprecated) and everything else in ::/8 is not global unicast.
  if (b[0] === 0) return "reserved";
  if (prefix(b, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48)) return "private"; // local-use NAT64
  if (prefix(b, [0xfc], 7)) return "private"; // unique local
  if (prefix(b, [0xfe, 0x80], 10)) return "link_local";
  if (prefix(b, [0xfe, 0xc0], 10)) return "private"; // site-local (deprecated)
  if (b[0] === 0xff) return "multicast";
  if (prefix(b, [0x20, 0x01, 0x0d, 0xb8], 32)) return "documentation";
  if (prefix(b, [0x3f, 0xff], 20)) return "documentation";
  // 6to4: 2002:a.b.c.d::/48 carries an IPv4 address.
  if (prefix(b, [0x20, 0x02], 16)) return judge4(word(b, 2)) ?? null;
  // Teredo: 2001:0::/32, the server's IPv4 in bytes 4–7, the client's (inverted) in 12–15.
  if (prefix(b, [0x20, 0x01, 0x00, 0x00], 32))
    return judge4(word(b, 4)) ?? judge4(~word(b, 12) >>> 0) ?? null;
  // Outside 2000::/3 nothing is global unicast today.
  if (!prefix(b, [0x20], 3)) return "reserved";
  // Inside 2001::/23 (IETF protocol assignments) only a few are reachable hosts; refuse it all.
  if (prefix(b, [0x20, 0x01, 0x00], 23)) return "reserved";
  return null;
}

/** Why `address` may not be fetched from, or `null` when it is on the public internet. */
export function denyReason(address: string): DenyReason | null {
  const a = address.replace(/^\[|\]$/g, "");
  if (isIPv4(a)) return judge4(v4(a));
  const b = parseIPv6(a);
  if (!b) return "not_an_ip";
  return judge6(b);
}

/** True for 127.0.0.0/8 and ::1 (also in their IPv4-mapped form): the only test exception. */
export function isLoopback(address: string): boolean {
  return denyReason(address) === "loopback";
}
