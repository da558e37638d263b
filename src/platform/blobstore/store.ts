// The encrypted, content-addressed evidence store (envelope encryption).
//
// A blob is named by the SHA-256 of its plaintext. Each blob gets its own random 256-bit data
// key; the bytes are encrypted with AES-256-GCM under that key, and the data key is wrapped by
// the master key (AES-256-GCM as well). Two objects per blob:
//
//   objects/<aa>/<sha256>.<instance>   "VGB1" | iv (12) | tag (16) | ciphertext      (never rewritten)
//   keys/<aa>/<sha256>.json            { v, instance, kid, iv, tag, wrapped }        (small; re-wrapped)
//
// The key record names the instance it belongs to, so two processes storing the same blob at
// once cannot pair one's key with the other's ciphertext: the record written last points at its
// own, already written, object. Rotating the master key rewrites only key records; ciphertext
// stays where it is. Reading checks the SHA-256 of the decrypted bytes against the name.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AppError } from "../errors.ts";
import type { BlobBackend } from "./backends.ts";
import { type Keyring, unwrapKey, type WrappedKey, wrapKey } from "./keyring.ts";

const MAGIC = Buffer.from("VGB1");
const SHA = /^[0-9a-f]{64}$/;

interface KeyRecord extends WrappedKey {
  v: 1;
  instance: string;
}

export interface PutResult {
  sha256: string;
  size: number;
  /** False when the store already held these bytes. */
  created: boolean;
}

export interface RotateResult {
  checked: number;
  rewrapped: number;
  failed: { sha256: string; error: string }[];
}

const dir = (sha: string) => sha.slice(0, 2);
const keyPath = (sha: string) => `keys/${dir(sha)}/${sha}.json`;
const objectPath = (sha: string, instance: string) => `objects/${dir(sha)}/${sha}.${instance}`;
const dataContext = (sha: string, instance: string) => `vangrail-blob:v1:${sha}:${instance}`;
const keyContext = (sha: string, instance: string) => `vangrail-dek:v1:${sha}:${instance}`;

function assertSha(sha: string): void {
  if (!SHA.test(sha))
    throw new AppError("bad_request", { detail: "A blob is named by a lowercase hex SHA-256." });
}

export class BlobStore {
  readonly backend: BlobBackend;
  #ring: Keyring;

  constructor(backend: BlobBackend, ring: Keyring) {
    this.backend = backend;
    this.#ring = ring;
  }

  get currentKeyId(): string {
    return this.#ring.current.id;
  }

  /** Stores `data` (idempotent: the same bytes are stored once). */
  async put(data: Buffer): Promise<PutResult> {
    const sha256 = createHash("sha256").update(data).digest("hex");
    if (await this.backend.read(keyPath(sha256))) return { sha256, size: data.length, created: false };
    const instance = randomBytes(8).toString("hex");
    const dataKey = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", dataKey, iv);
    c.setAAD(Buffer.from(dataContext(sha256, instance)));
    const ct = Buffer.concat([c.update(data), c.final()]);
    await this.backend.write(objectPath(sha256, instance), Buffer.concat([MAGIC, iv, c.getAuthTag(), ct]));
    const record: KeyRecord = {
      v: 1,
      instance,
      ...wrapKey(this.#ring, dataKey, keyContext(sha256, instance)),
    };
    await this.backend.write(keyPath(sha256), Buffer.from(JSON.stringify(record)));
    dataKey.fill(0);
    return { sha256, size: data.length, created: true };
  }

  /**
   * Deletes a blob (retention). The wrapped data key goes first: without it the ciphertext is
   * unreadable even if a copy of the object survives somewhere (crypto-shredding).
   */
  async delete(sha256: string): Promise<boolean> {
    assertSha(sha256);
    const raw = await this.backend.read(keyPath(sha256));
    if (!raw) return false;
    const r = JSON.parse(raw.toString("utf8")) as KeyRecord;
    await this.backend.remove(keyPath(sha256));
    if (typeof r.instance === "string" && /^[0-9a-f]{16}$/.test(r.instance)) {
      await this.backend.remove(objectPath(sha256, r.instance));
    }
    return true;
  }

  async has(sha256: string): Promise<boolean> {
    assertSha(sha256);
    return (await this.backend.read(keyPath(sha256))) !== null;
  }

  /** The plaintext of blob `sha256`; its hash is checked before it is returned. */
  async get(sha256: string): Promise<Buffer> {
    assertSha(sha256);
    const record = await this.#record(sha256);
    const blob = await this.backend.read(objectPath(sha256, record.instance));
    if (!blob) throw new AppError("blob_missing", { detail: `Blob ${sha256} has a key but no data.` });
    if (blob.length < 32 || !blob.subarray(0, 4).equals(MAGIC))
      throw new AppError("blob_unreadable", { detail: `Blob ${sha256} has an unknown format.` });
    const dataKey = unwrapKey(this.#ring, record, keyContext(sha256, record.instance));
    let plain: Buffer;
    try {
      const d = createDecipheriv("aes-256-gcm", dataKey, blob.subarray(4, 16));
      d.setAAD(Buffer.from(dataContext(sha256, record.instance)));
      d.setAuthTag(blob.subarray(16, 32));
      plain = Buffer.concat([d.update(blob.subarray(32)), d.final()]);
    } catch (e) {
      throw new AppError("blob_unreadable", { detail: `Blob ${sha256} fails authentication.`, cause: e });
    } finally {
      dataKey.fill(0);
    }
    if (createHash("sha256").update(plain).digest("hex") !== sha256)
      throw new AppError("blob_unreadable", { detail: `Blob ${sha256} does not match its name.` });
    return plain;
  }

  async #record(sha256: string): Promise<KeyRecord> {
    const raw = await this.backend.read(keyPath(sha256));
    if (!raw) throw new AppError("blob_missing", { detail: `No blob ${sha256} in ${this.backend.name}.` });
    const r = JSON.parse(raw.toString("utf8")) as KeyRecord;
    if (r.v !== 1 || typeof r.instance !== "string" || !/^[0-9a-f]{16}$/.test(r.instance))
      throw new AppError("blob_unreadable", { detail: `Key record of ${sha256} has an unknown format.` });
    return r;
  }

  /** How many data keys each master key wraps (to know when an old key may be retired). */
  async keyUsage(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for await (const k of this.backend.list("keys/")) {
      const raw = await this.backend.read(k);
      if (!raw) continue;
      const kid = (JSON.parse(raw.toString("utf8")) as KeyRecord).kid;
      out[kid] = (out[kid] ?? 0) + 1;
    }
    return out;
  }

  /**
   * Re-wraps every data key not yet under the current master key. The ciphertext is not
   * touched. Safe to stop and run again: records already under the current key are skipped.
   */
  async rotate(): Promise<RotateResult> {
    const result: RotateResult = { checked: 0, rewrapped: 0, failed: [] };
    for await (const k of this.backend.list("keys/")) {
      const sha256 = /([0-9a-f]{64})\.json$/.exec(k)?.[1];
      if (!sha256) continue;
      result.checked++;
      try {
        const r = await this.#record(sha256);
        if (r.kid === this.#ring.current.id) continue;
        const dataKey = unwrapKey(this.#ring, r, keyContext(sha256, r.instance));
        const next: KeyRecord = {
          v: 1,
          instance: r.instance,
          ...wrapKey(this.#ring, dataKey, keyContext(sha256, r.instance)),
        };
        dataKey.fill(0);
        await this.backend.write(keyPath(sha256), Buffer.from(JSON.stringify(next)));
        result.rewrapped++;
      } catch (e) {
        result.failed.push({ sha256, error: (e as Error).message });
      }
    }
    return result;
  }
}
