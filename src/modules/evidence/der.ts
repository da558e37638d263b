// Just enough DER (ASN.1) to build an RFC 3161 TimeStampReq and to read a TimeStampResp and
// its CMS SignedData token. Reading is strict about lengths and never trusts one to reach past
// the end of its parent.

export interface Node {
  tag: number;
  /** The whole element: tag, length and value. */
  raw: Buffer;
  /** The value only. */
  value: Buffer;
  constructed: boolean;
}

export class DerError extends Error {}

export function read(buf: Buffer, offset = 0): Node {
  if (offset + 2 > buf.length) throw new DerError("truncated DER element");
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not supported");
  let len = buf[offset + 1] as number;
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError("unsupported DER length");
    if (offset + 2 + n > buf.length) throw new DerError("truncated DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[offset + 2 + i] as number);
    head = 2 + n;
  }
  const end = offset + head + len;
  if (end > buf.length) throw new DerError("DER element runs past its parent");
  return {
    tag,
    raw: buf.subarray(offset, end),
    value: buf.subarray(offset + head, end),
    constructed: (tag & 0x20) !== 0,
  };
}

/** The children of a constructed element. */
export function children(n: Node): Node[] {
  if (!n.constructed) throw new DerError("not a constructed element");
  const out: Node[] = [];
  let at = 0;
  while (at < n.value.length) {
    const c = read(n.value, at);
    out.push(c);
    at += c.raw.length;
  }
  return out;
}

export function oid(n: Node): string {
  if (n.tag !== 0x06) throw new DerError("expected an OBJECT IDENTIFIER");
  const b = n.value;
  const parts: number[] = [];
  let v = 0;
  for (const byte of b) {
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

export const intHex = (n: Node): string => {
  if (n.tag !== 0x02) throw new DerError("expected an INTEGER");
  return n.value.toString("hex").replace(/^(00)+(?=.)/, "");
};

export const intValue = (n: Node): number => Number.parseInt(intHex(n), 16);

// Writing: only what a TimeStampReq needs.
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, value: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), len(value.length), value]);
export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const integer = (v: Buffer): Buffer =>
  tlv(0x02, v.length > 0 && (v[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
export const octets = (v: Buffer): Buffer => tlv(0x04, v);
export const nul = (): Buffer => Buffer.from([0x05, 0x00]);
export const bool = (v: boolean): Buffer => Buffer.from([0x01, 0x01, v ? 0xff : 0x00]);

export function encodeOid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const out: number[] = [a * 40 + b];
  for (const n of rest) {
    const stack: number[] = [n & 0x7f];
    for (let x = Math.floor(n / 128); x > 0; x = Math.floor(x / 128)) stack.unshift((x & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}
