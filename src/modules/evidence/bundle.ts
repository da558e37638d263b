// The evidence bundle: a zip a regulator can check without Vangrail and without trusting its
// operators — manifest, signature, public key, timestamp token, the artefacts that may be
// passed on (hash-only material is listed in the manifest, never included), checksums, the
// chain-of-custody log, and a README saying how to verify it all with openssl and sha256sum.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import yazl from "yazl";
import type { Manifest } from "./manifest.ts";

export const BUNDLE_FILES = {
  manifest: "manifest.json",
  signature: "manifest.sig",
  publicKey: "signing-key.pem",
  timestamp: "manifest.tsr",
  checksums: "SHA256SUMS",
  custody: "custody.json",
  readme: "README.txt",
  artefactDir: "artefacts/",
} as const;

export interface BundleInput {
  manifestBytes: Buffer;
  manifest: Manifest;
  signature: Buffer;
  publicKeyPem: string;
  timestampToken: Buffer | null;
  /** Bytes of every artefact that is included, by name. */
  artefacts: Map<string, Buffer>;
  custody: unknown[];
}

export function readme(m: Manifest, hasTimestamp: boolean): string {
  const withheld = m.artefacts.filter((a) => !a.included);
  return `Vangrail evidence bundle
========================

Capture ${m.captureId} of
  ${m.url}
made by ${m.organisation.name} at ${m.capturedAt} (UTC).

manifest.json   lists every artefact with its SHA-256, size and media type, the HTTP
                exchange's network facts (resolved address, TLS certificate) and the tool.
manifest.sig    Ed25519 signature over the exact bytes of manifest.json (64 raw bytes).
signing-key.pem the organisation's public key. Its SHA-256 fingerprint (of the DER key) is
                ${m.signature.publicKeyFingerprint}
                Compare it with the fingerprint the organisation publishes: the signature
                only proves who signed if the key is theirs.
${hasTimestamp ? "manifest.tsr    RFC 3161 timestamp token over the SHA-256 of manifest.json.\n" : "                (no RFC 3161 timestamp: none was configured for this capture)\n"}artefacts/      the captured files that may be passed on.
SHA256SUMS      checksums of manifest.json and of the files in artefacts/.
custody.json    the chain-of-custody log: every view, export and transfer of this evidence.
${
  withheld.length > 0
    ? `
${withheld.length} artefact(s) are NOT included because the material must not be kept or
passed on (${m.retentionReason}). Only their hashes are in manifest.json.
`
    : ""
}
How to verify, with standard tools (OpenSSL 3.0 or later, coreutils)
----------------------------------------------------------------------
Unzip the bundle into an empty folder and run there:

1. Every file is what the manifest says:
     sha256sum -c SHA256SUMS
   and compare the hashes in SHA256SUMS with the "sha256" of each artefact in manifest.json.

2. The manifest is signed by the organisation's key:
     openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin \\
       -in manifest.json -sigfile manifest.sig
   prints "Signature Verified Successfully".
     openssl pkey -pubin -in signing-key.pem -outform DER | sha256sum
   prints the fingerprint above.
${
  hasTimestamp
    ? `
3. The manifest existed at the time in the token (the TSA's CA certificate is published by
   the timestamp authority; for a qualified TSA, see the EU Trusted List):
     openssl ts -verify -in manifest.tsr -data manifest.json -CAfile TSA-CA.pem
   prints "Verification: OK". To read the time:
     openssl ts -reply -in manifest.tsr -text
`
    : ""
}
Or with Vangrail, which does all of the above offline:
     vangrail verify BUNDLE.zip [--tsa-ca TSA-CA.pem] [--key signing-key-you-trust.pem]
`;
}

const hashHex = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Writes the bundle as a zip stream. Entries carry the capture time, so a bundle is reproducible. */
export function writeBundle(b: BundleInput): Readable {
  const zip = new yazl.ZipFile();
  const mtime = new Date(b.manifest.capturedAt);
  const add = (name: string, data: Buffer | string, compress = true) =>
    zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8"), name, {
      mtime,
      mode: 0o100644,
      compress,
    });
  const sums: string[] = [];
  add(BUNDLE_FILES.readme, readme(b.manifest, b.timestampToken !== null));
  add(BUNDLE_FILES.manifest, b.manifestBytes);
  sums.push(`${hashHex(b.manifestBytes)}  ${BUNDLE_FILES.manifest}`);
  add(BUNDLE_FILES.signature, b.signature, false);
  add(BUNDLE_FILES.publicKey, b.publicKeyPem);
  if (b.timestampToken) add(BUNDLE_FILES.timestamp, b.timestampToken, false);
  for (const a of b.manifest.artefacts) {
    if (!a.included) continue;
    const bytes = b.artefacts.get(a.name);
    if (!bytes) throw new Error(`artefact ${a.name} is missing from the bundle input`);
    const name = `${BUNDLE_FILES.artefactDir}${a.name}`;
    add(name, bytes, !a.mediaType.startsWith("image/"));
    sums.push(`${a.sha256}  ${name}`);
  }
  add(BUNDLE_FILES.checksums, `${sums.join("\n")}\n`);
  add(BUNDLE_FILES.custody, `${JSON.stringify(b.custody, null, 2)}\n`);
  zip.end();
  return zip.outputStream as unknown as Readable;
}

export async function bundleToBuffer(b: BundleInput): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of writeBundle(b)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
