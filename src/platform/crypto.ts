// Secrets at rest: the master key, and sealing small secrets (TOTP seeds) with AES-256-GCM.
// The evidence store builds its envelope encryption on the same master key.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const sha256Hex = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** A URL-safe random token with `bytes` bytes of entropy. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/** Compares two strings without leaking where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The master key: from VANGRAIL_MASTER_KEY when set, else from `<dataDir>/keys/master.key`,
 * created (mode 0600) on first start so an embedded install works out of the box.
 */
export function loadMasterKey(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = join(dataDir, "keys", "master.key");
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}

const VERSION = "v1";

// Node turns a raw key into a KeyObject on every cipher it makes; the master key is used for
// every sealed value, so it is turned once.
const keyObjects = new WeakMap<Buffer, KeyObject>();
function keyObject(key: Buffer): KeyObject {
  let k = keyObjects.get(key);
  if (!k) {
    k = createSecretKey(key);
    keyObjects.set(key, k);
  }
  return k;
}

/** Seals a short secret: `v1.<iv>.<tag>.<ciphertext>`, bound to `context` (e.g. a user id). */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyObject(key), iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [
    VERSION,
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    ct.toString("base64url"),
  ].join(".");
}

/** Opens with the first of `keys` that fits: the current master key, then earlier ones (rotation). */
export function openWithAny(keys: Buffer[], sealed: string, context: string): string {
  let last: unknown;
  for (const key of keys) {
    try {
      return open(key, sealed, context);
    } catch (e) {
      last = e;
    }
  }
  throw last ?? new Error("no key");
}

export function open(key: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, ct] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || ct === undefined)
    throw new Error("sealed value has an unknown format");
  const decipher = createDecipheriv("aes-256-gcm", keyObject(key), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
