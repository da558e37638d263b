// A DKIM verifier for the tests (RFC 6376), written from the RFC over node:crypto, independent
// of the signer: relaxed/relaxed or simple/simple canonicalisation, rsa-sha256. It checks the
// body hash (bh=) and the signature (b=) over the headers named in h= and the signature header
// itself with an empty b=, in the order the RFC gives.
import { createHash, type KeyObject, verify } from "node:crypto";

export interface DkimResult {
  ok: boolean;
  reason?: string;
  tags: Record<string, string>;
}

/** Splits a message into its header fields (unfolded text kept raw) and its body. */
function split(raw: string): { fields: { name: string; raw: string }[]; body: string } {
  const at = raw.indexOf("\r\n\r\n");
  const head = at < 0 ? raw : raw.slice(0, at + 2);
  const body = at < 0 ? "" : raw.slice(at + 4);
  const fields: { name: string; raw: string }[] = [];
  for (const line of head.split(/(?<=\r\n)/)) {
    if (line === "") continue;
    if (/^[ \t]/.test(line) && fields.length > 0) {
      (fields[fields.length - 1] as { raw: string }).raw += line;
      continue;
    }
    fields.push({ name: line.slice(0, line.indexOf(":")).trim().toLowerCase(), raw: line });
  }
  return { fields, body };
}

function relaxedHeader(field: string): string {
  const i = field.indexOf(":");
  const name = field.slice(0, i).trim().toLowerCase();
  const value = field
    .slice(i + 1)
    .replace(/\r\n(?=[ \t])/g, "")
    .replace(/\r\n$/, "")
    .replace(/[ \t]+/g, " ")
    .trim();
  return `${name}:${value}\r\n`;
}

function relaxedBody(body: string): string {
  const lines = body.split("\r\n").map((l) => l.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length === 0 ? "" : `${lines.join("\r\n")}\r\n`;
}

function simpleBody(body: string): string {
  const b = body.replace(/(\r\n)+$/, "");
  return `${b}\r\n`;
}

function parseTags(value: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    tags[part.slice(0, eq).replace(/\s+/g, "")] = part.slice(eq + 1).replace(/\s+/g, "");
  }
  return tags;
}

/** Verifies the first DKIM-Signature of `raw` (CRLF line ends) with `publicKey`. */
export function verifyDkim(raw: string, publicKey: KeyObject): DkimResult {
  const { fields, body } = split(raw);
  const sig = fields.find((f) => f.name === "dkim-signature");
  if (!sig) return { ok: false, reason: "no DKIM-Signature", tags: {} };
  const tags = parseTags(sig.raw.slice(sig.raw.indexOf(":") + 1));
  if (tags.a !== "rsa-sha256") return { ok: false, reason: `algorithm ${tags.a}`, tags };
  const [headerCanon, bodyCanon = "simple"] = (tags.c ?? "simple/simple").split("/");
  let canonBody = bodyCanon === "relaxed" ? relaxedBody(body) : simpleBody(body);
  if (tags.l !== undefined) canonBody = canonBody.slice(0, Number(tags.l));
  const bh = createHash("sha256").update(canonBody, "utf8").digest("base64");
  if (bh !== tags.bh) return { ok: false, reason: "body hash does not match", tags };

  const canonHeader = (f: string) => (headerCanon === "relaxed" ? relaxedHeader(f) : f);
  // Each name in h= takes the next instance of that field from the bottom up.
  const used = new Map<string, number>();
  let data = "";
  for (const name of (tags.h ?? "").toLowerCase().split(":")) {
    const all = fields.filter((f) => f.name === name && f !== sig);
    const n = used.get(name) ?? 0;
    used.set(name, n + 1);
    const f = all[all.length - 1 - n];
    if (f) data += canonHeader(f.raw);
  }
  const emptied = sig.raw.replace(/(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*/, "$1$2");
  data += canonHeader(emptied).replace(/\r\n$/, "");
  const ok = verify("sha256", Buffer.from(data, "utf8"), publicKey, Buffer.from(tags.b ?? "", "base64"));
  return ok ? { ok, tags } : { ok, reason: "signature does not verify", tags };
}
