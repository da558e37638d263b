// `vangrail verify`: checks an evidence bundle offline — every artefact's hash and size, the
// Ed25519 signature over the manifest, the public key's fingerprint, and the RFC 3161 token.
// The zip itself is treated as hostile: unsafe names (zip-slip), links, duplicate or unexpected
// entries, huge entries and zip bombs are refused before anything is trusted. Nothing is
// written to disk; artefacts are hashed as they stream.
import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import { BUNDLE_FILES } from "./bundle.ts";
import { MANIFEST_TYPE, type Manifest } from "./manifest.ts";
import { checkToken } from "./timestamp.ts";

export interface VerifyLimits {
  maxEntries: number;
  /** Largest single entry, uncompressed. */
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Largest metadata file (manifest, key, signature, token) held in memory. */
  maxMetaBytes: number;
  /** Uncompressed / compressed, above which a large entry is taken for a bomb. */
  maxRatio: number;
}

export const defaultVerifyLimits: VerifyLimits = {
  maxEntries: 5000,
  maxEntryBytes: 1024 ** 3,
  maxTotalBytes: 4 * 1024 ** 3,
  maxMetaBytes: 16 * 1024 * 1024,
  maxRatio: 200,
};

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A check that passed with a caveat (e.g. no timestamp). */
  warning?: boolean;
}

export interface VerifyReport {
  ok: boolean;
  checks: Check[];
  firstFailure: Check | undefined;
  manifest: Manifest | undefined;
}

export interface VerifyOptions {
  /** The TSA's CA certificate (PEM); without it the token is checked against its own certificate. */
  tsaCaPem?: string;
  /** A public key (PEM) the bundle must be signed with. */
  trustedKeyPem?: string;
  requireTimestamp?: boolean;
  limits?: Partial<VerifyLimits>;
}

const META = new Set<string>([
  BUNDLE_FILES.manifest,
  BUNDLE_FILES.signature,
  BUNDLE_FILES.publicKey,
  BUNDLE_FILES.timestamp,
  BUNDLE_FILES.checksums,
  BUNDLE_FILES.custody,
  BUNDLE_FILES.readme,
]);

class BundleRefused extends Error {}

/** Why an entry name is unsafe, or null. */
export function unsafeName(name: string): string | null {
  if (name.length === 0 || name.length > 512) return "empty or overlong name";
  if (name.includes("\\")) return "backslash in name";
  if (name.startsWith("/") || /^[a-zA-Z]:/.test(name)) return "absolute path";
  if (name.split("/").some((p) => p === ".." || p === ".")) return "path traversal";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) return "control character in name";
  return null;
}

interface Collected {
  meta: Map<string, Buffer>;
  artefacts: Map<string, { sha256: string; size: number }>;
}

const openZip = (source: string | Buffer): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) => {
    const opts = { lazyEntries: true, validateEntrySizes: true, strictFileNames: true, decodeStrings: true };
    const cb = (err: Error | null, zip?: yauzl.ZipFile) => (err || !zip ? reject(err) : resolve(zip));
    if (typeof source === "string") yauzl.open(source, { ...opts, autoClose: true }, cb);
    else yauzl.fromBuffer(source, opts, cb);
  });

async function collect(source: string | Buffer, limits: VerifyLimits): Promise<Collected> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(source);
  } catch (e) {
    throw new BundleRefused(`not a readable zip file: ${(e as Error).message}`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new BundleRefused(`${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`);
  }
  const out: Collected = { meta: new Map(), artefacts: new Map() };
  const seen = new Set<string>();
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", resolve);
      zip.on("entry", (entry: yauzl.Entry) => {
        const handle = async () => {
          const name = entry.fileName;
          if (name.endsWith("/")) return; // a folder entry
          const bad = unsafeName(name);
          if (bad) throw new BundleRefused(`unsafe entry name ${JSON.stringify(name)}: ${bad}`);
          if (seen.has(name)) throw new BundleRefused(`duplicate entry ${name}`);
          seen.add(name);
          const unixType = (entry.externalFileAttributes >>> 16) & 0o170000;
          if (unixType !== 0 && unixType !== 0o100000)
            throw new BundleRefused(`${name} is not a regular file (a link?)`);
          if (entry.isEncrypted()) throw new BundleRefused(`${name} is encrypted`);
          const isArtefact = name.startsWith(BUNDLE_FILES.artefactDir);
          if (!isArtefact && !META.has(name)) throw new BundleRefused(`unexpected entry ${name}`);
          const size = entry.uncompressedSize;
          if (size > (isArtefact ? limits.maxEntryBytes : limits.maxMetaBytes))
            throw new BundleRefused(`${name} is ${size} bytes uncompressed, above the limit`);
          total += size;
          if (total > limits.maxTotalBytes)
            throw new BundleRefused("the bundle is larger than the limit uncompressed");
          if (size > 1024 * 1024 && size / Math.max(1, entry.compressedSize) > limits.maxRatio)
            throw new BundleRefused(
              `${name} expands ${Math.round(size / Math.max(1, entry.compressedSize))}-fold: a zip bomb?`,
            );
          const stream = await new Promise<Readable>((res, rej) =>
            zip.openReadStream(entry, (err, s) => (err || !s ? rej(err) : res(s))),
          );
          const hash = createHash("sha256");
          const chunks: Buffer[] = [];
          let read = 0;
          for await (const chunk of stream) {
            read += (chunk as Buffer).length;
            // yauzl checks the declared size too; this holds even if that check were off.
            if (read > size) throw new BundleRefused(`${name} is longer than it declares`);
            hash.update(chunk as Buffer);
            if (!isArtefact) chunks.push(chunk as Buffer);
          }
          if (isArtefact)
            out.artefacts.set(name.slice(BUNDLE_FILES.artefactDir.length), {
              sha256: hash.digest("hex"),
              size: read,
            });
          else out.meta.set(name, Buffer.concat(chunks));
        };
        handle().then(
          () => zip.readEntry(),
          (e) => reject(e),
        );
      });
      zip.readEntry();
    });
  } catch (e) {
    zip.close();
    if (e instanceof BundleRefused) throw e;
    throw new BundleRefused(`the zip is damaged: ${(e as Error).message}`);
  }
  return out;
}

/** Verifies a bundle (a file path or its bytes). Never throws for a bad bundle: it reports. */
export async function verifyBundle(source: string | Buffer, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const limits = { ...defaultVerifyLimits, ...opts.limits };
  const checks: Check[] = [];
  const pass = (name: string, detail: string, warning = false) =>
    checks.push({ name, ok: true, detail, warning });
  const fail = (name: string, detail: string) => checks.push({ name, ok: false, detail });
  const report = (manifest?: Manifest): VerifyReport => {
    const firstFailure = checks.find((c) => !c.ok);
    return { ok: firstFailure === undefined, checks, firstFailure, manifest };
  };

  let c: Collected;
  try {
    c = await collect(source, limits);
    pass("zip", `${c.meta.size + c.artefacts.size} entries, names and sizes safe`);
  } catch (e) {
    fail("zip", (e as Error).message);
    return report();
  }

  // The signature first, over the raw bytes: any change to manifest.json shows up here.
  const manifestBytes = c.meta.get(BUNDLE_FILES.manifest);
  const keyPem = c.meta.get(BUNDLE_FILES.publicKey)?.toString("utf8");
  const sig = c.meta.get(BUNDLE_FILES.signature);
  let fingerprint: string | undefined;
  try {
    if (!manifestBytes) throw new Error("manifest.json is missing");
    if (!keyPem) throw new Error("signing-key.pem is missing");
    if (!sig) throw new Error("manifest.sig is missing");
    const key = createPublicKey(keyPem);
    if (key.asymmetricKeyType !== "ed25519") throw new Error("the signing key is not Ed25519");
    fingerprint = createHash("sha256")
      .update(key.export({ type: "spki", format: "der" }))
      .digest("hex");
    if (opts.trustedKeyPem) {
      const trusted = createHash("sha256")
        .update(createPublicKey(opts.trustedKeyPem).export({ type: "spki", format: "der" }))
        .digest("hex");
      if (trusted !== fingerprint)
        throw new Error(`signed with key ${fingerprint}, not with the trusted key ${trusted}`);
    }
    if (!verifySignature(null, manifestBytes, key, sig))
      throw new Error("the signature does not match manifest.json (manifest or signature altered)");
    pass(
      "signature",
      `Ed25519 signature valid; key fingerprint ${fingerprint}${opts.trustedKeyPem ? " (trusted key)" : ""}`,
    );
  } catch (e) {
    fail("signature", (e as Error).message);
  }
  if (!manifestBytes) return report();

  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString("utf8")) as Manifest;
    if (manifest.type !== MANIFEST_TYPE || manifest.version !== 1 || !Array.isArray(manifest.artefacts))
      throw new Error("not a Vangrail evidence manifest (version 1)");
    pass("manifest", `capture ${manifest.captureId} of ${manifest.url} at ${manifest.capturedAt}`);
  } catch (e) {
    fail("manifest", (e as Error).message);
    return report();
  }
  if (fingerprint && fingerprint !== manifest.signature?.publicKeyFingerprint)
    fail("signing key", `the key's fingerprint ${fingerprint} is not the one the manifest names`);
  else if (fingerprint) pass("signing key", "the manifest names this key");

  // Artefacts: every included one present with its hash and size; withheld ones absent.
  const listed = new Set<string>();
  for (const a of manifest.artefacts) {
    listed.add(a.name);
    const got = c.artefacts.get(a.name);
    const label = `artefacts/${a.name}`;
    if (!a.included) {
      if (got) fail(label, "material marked not to be passed on is in the bundle");
      else pass(label, `hash only (not included): sha256 ${a.sha256}`);
    } else if (!got) fail(label, "missing from the bundle");
    else if (got.sha256 !== a.sha256)
      fail(label, `sha256 ${got.sha256} differs from the manifest's ${a.sha256}`);
    else if (got.size !== a.size) fail(label, `size ${got.size} differs from the manifest's ${a.size}`);
    else pass(label, `sha256 ${a.sha256}, ${a.size} bytes`);
  }
  for (const name of c.artefacts.keys())
    if (!listed.has(name)) fail(`artefacts/${name}`, "not listed in the manifest");

  // The timestamp token over the manifest's SHA-256.
  const token = c.meta.get(BUNDLE_FILES.timestamp);
  if (!token) {
    if (opts.requireTimestamp) fail("timestamp", "manifest.tsr is missing");
    else pass("timestamp", "no RFC 3161 timestamp in this bundle", true);
  } else {
    try {
      const info = checkToken(token, createHash("sha256").update(manifestBytes).digest(), {
        caPem: opts.tsaCaPem,
      });
      pass(
        "timestamp",
        `RFC 3161 token valid: ${info.genTime} from ${info.tsaSubject} (serial ${info.serialNumber})` +
          (opts.tsaCaPem
            ? ", issued by the given CA"
            : "; give --tsa-ca to check the TSA's certificate chain"),
        !opts.tsaCaPem,
      );
    } catch (e) {
      fail("timestamp", (e as Error).message);
    }
  }
  return report(manifest);
}
