// RFC 3161 timestamps: ask a timestamp authority (TSA_URL) to sign the SHA-256 of a manifest,
// and check such a token offline: the imprint is the manifest's hash, the CMS signature over the
// token holds with the TSA certificate inside it, that certificate is for time-stamping, and
// (given the TSA's CA certificate) it was issued by that CA. The same check works with
// `openssl ts -verify -in manifest.tsr -data manifest.json -CAfile tsa-ca.pem`.
import { createHash, randomBytes, verify as verifySignature, X509Certificate } from "node:crypto";
import { AppError } from "../../platform/errors.ts";
import {
  bool,
  children,
  DerError,
  encodeOid,
  integer,
  intHex,
  intValue,
  type Node,
  nul,
  octets,
  oid,
  read,
  seq,
} from "./der.ts";

const OID = {
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  signedData: "1.2.840.113549.1.7.2",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  messageDigest: "1.2.840.113549.1.9.4",
  contentType: "1.2.840.113549.1.9.3",
  timeStamping: "1.3.6.1.5.5.7.3.8",
} as const;

const hashNames: Record<string, string> = {
  [OID.sha256]: "sha256",
  [OID.sha384]: "sha384",
  [OID.sha512]: "sha512",
};

/** A DER TimeStampReq for a SHA-256 digest, asking for the TSA's certificate in the token. */
export function buildRequest(digest: Buffer, nonce: Buffer = randomBytes(8)): Buffer {
  return seq(
    integer(Buffer.from([1])),
    seq(seq(encodeOid(OID.sha256), nul()), octets(digest)),
    integer(nonce),
    bool(true),
  );
}

export interface TimestampInfo {
  genTime: string;
  serialNumber: string;
  policy: string;
  nonce: string | null;
  hashAlgorithm: string;
  imprint: string;
  tsaSubject: string;
  tsaIssuer: string;
  tsaFingerprint256: string;
}

/** Asks the TSA at `url` to time-stamp `digest`; returns the whole DER TimeStampResp. */
export async function requestTimestamp(url: string, digest: Buffer, timeoutMs = 15_000): Promise<Buffer> {
  const nonce = randomBytes(8);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/timestamp-query", accept: "application/timestamp-reply" },
      body: new Uint8Array(buildRequest(digest, nonce)),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new AppError("timestamp_failed", { detail: `The TSA at ${url} is not reachable.`, cause: e });
  }
  if (!res.ok) throw new AppError("timestamp_failed", { detail: `The TSA answered HTTP ${res.status}.` });
  const body = Buffer.from(await res.arrayBuffer());
  const info = checkToken(body, digest);
  if (info.nonce !== intHex(read(integer(nonce))))
    throw new AppError("timestamp_failed", { detail: "The TSA's answer does not carry our nonce." });
  return body;
}

interface ParsedToken {
  tstInfoDer: Buffer;
  tst: Node[];
  certs: X509Certificate[];
  signer: Node[];
}

/** Reads a TimeStampResp (or a bare token, as `openssl ts -token_out` writes it). */
function parse(der: Buffer): ParsedToken {
  let top = read(der);
  let parts = children(top);
  // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }
  if (parts[0]?.tag === 0x30 && parts[0] && children(parts[0])[0]?.tag === 0x02) {
    const status = intValue(children(parts[0])[0] as Node);
    if (status !== 0 && status !== 1) throw new DerError(`the TSA refused (PKIStatus ${status})`);
    if (!parts[1]) throw new DerError("the response holds no token");
    top = parts[1];
    parts = children(top);
  }
  if (oid(parts[0] as Node) !== OID.signedData) throw new DerError("the token is not CMS SignedData");
  const signedData = children(children(parts[1] as Node)[0] as Node);
  const encap = children(signedData[2] as Node);
  if (oid(encap[0] as Node) !== OID.tstInfo) throw new DerError("the token does not hold a TSTInfo");
  const tstInfoDer = children(encap[1] as Node)[0]?.value as Buffer;
  const tst = children(read(tstInfoDer));
  const certs: X509Certificate[] = [];
  let i = 3;
  if (signedData[i]?.tag === 0xa0) {
    for (const c of children(signedData[i] as Node))
      if (c.tag === 0x30) certs.push(new X509Certificate(c.raw));
    i++;
  }
  if (signedData[i]?.tag === 0xa1) i++;
  const signerInfos = children(signedData[i] as Node);
  if (signerInfos.length !== 1) throw new DerError("expected exactly one signer");
  return { tstInfoDer, tst, certs, signer: children(signerInfos[0] as Node) };
}

const serialOf = (hex: string): string => hex.toUpperCase().replace(/^0+(?=.)/, "");

/**
 * Checks a token against the digest it should carry. Throws AppError(timestamp_failed) naming
 * what does not hold. With `caPem` the TSA certificate must also be issued by that CA.
 */
export function checkToken(der: Buffer, digest: Buffer, opts: { caPem?: string } = {}): TimestampInfo {
  let p: ParsedToken;
  try {
    p = parse(der);
  } catch (e) {
    throw new AppError("timestamp_failed", {
      detail: `Timestamp token is not readable: ${(e as Error).message}`,
      cause: e,
    });
  }
  try {
    // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, accuracy?, ordering?, nonce?, tsa?, extensions? }
    const policy = oid(p.tst[1] as Node);
    const imprint = children(p.tst[2] as Node);
    const hashAlgorithm = oid(children(imprint[0] as Node)[0] as Node);
    const imprintValue = (imprint[1] as Node).value;
    const serialNumber = intHex(p.tst[3] as Node);
    const genTimeRaw = (p.tst[4] as Node).value.toString("ascii");
    const nonceNode = p.tst.slice(5).find((n) => n.tag === 0x02);
    if (hashAlgorithm !== OID.sha256) throw new Error("the token's imprint is not SHA-256");
    if (!imprintValue.equals(digest)) throw new Error("the token is for other data (imprint differs)");

    // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature, ... }
    const s = p.signer;
    const sid = s[1] as Node;
    const digestAlg = hashNames[oid(children(s[2] as Node)[0] as Node)];
    if (!digestAlg) throw new Error("the token uses an unknown digest algorithm");
    const attrs = s[3] as Node;
    if (attrs.tag !== 0xa0) throw new Error("the token has no signed attributes");
    const signature = (s[5] as Node).value;
    let messageDigest: Buffer | undefined;
    for (const a of children(attrs)) {
      const [type, values] = children(a);
      if (oid(type as Node) === OID.messageDigest) messageDigest = children(values as Node)[0]?.value;
    }
    if (!messageDigest?.equals(createHash(digestAlg).update(p.tstInfoDer).digest()))
      throw new Error("the signed attributes do not match the TSTInfo");
    const serial = sid.tag === 0x30 ? serialOf(intHex(children(sid)[1] as Node)) : undefined;
    const cert = p.certs.find((c) => serial === undefined || serialOf(c.serialNumber) === serial);
    if (!cert) throw new Error("the token does not include the TSA certificate");
    // The signature is over the DER of the signed attributes as a SET (tag 0x31), not [0].
    const signed = Buffer.concat([Buffer.from([0x31]), attrs.raw.subarray(1)]);
    if (!verifySignature(digestAlg, signed, cert.publicKey, signature))
      throw new Error("the TSA's signature over the token does not hold");
    if (!(cert.keyUsage ?? []).includes(OID.timeStamping))
      throw new Error("the signing certificate is not for time-stamping");
    const genTime = parseGeneralizedTime(genTimeRaw);
    if (new Date(cert.validFrom) > new Date(genTime) || new Date(cert.validTo) < new Date(genTime))
      throw new Error("the TSA certificate was not valid at the time in the token");
    if (opts.caPem) {
      const ca = new X509Certificate(opts.caPem);
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
        throw new Error("the TSA certificate is not issued by the given CA");
    }
    return {
      genTime,
      serialNumber,
      policy,
      nonce: nonceNode ? intHex(nonceNode) : null,
      hashAlgorithm: "sha256",
      imprint: imprintValue.toString("hex"),
      tsaSubject: cert.subject.replaceAll("\n", ", "),
      tsaIssuer: cert.issuer.replaceAll("\n", ", "),
      tsaFingerprint256: cert.fingerprint256,
    };
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("timestamp_failed", { detail: `Timestamp token: ${(e as Error).message}`, cause: e });
  }
}

function parseGeneralizedTime(s: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(s);
  if (!m) throw new Error(`the token's time ${s} is not a UTC GeneralizedTime`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}Z`).toISOString();
}

export const sha256 = (b: Buffer): Buffer => createHash("sha256").update(b).digest();
