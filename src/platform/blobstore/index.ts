// Builds the evidence blob store named by the configuration: `<dataDir>/blobs` by default, an
// S3-compatible bucket with BLOB_STORE=s3. The keyring is the master key plus the earlier keys
// listed in VANGRAIL_MASTER_KEY_PREVIOUS.
import { join } from "node:path";
import type { Config } from "../config.ts";
import { type BlobBackend, fsBackend, s3Backend } from "./backends.ts";
import { type Keyring, makeKeyring } from "./keyring.ts";
import { BlobStore } from "./store.ts";

export { type BlobBackend, fsBackend, s3Backend } from "./backends.ts";
export { type Keyring, keyId, makeKeyring, unwrapKey, type WrappedKey, wrapKey } from "./keyring.ts";
export { BlobStore, type PutResult, type RotateResult } from "./store.ts";

export function keyringFor(config: Config, masterKey: Buffer): Keyring {
  return makeKeyring(masterKey, config.evidence.previousMasterKeys);
}

export function backendFor(config: Config): BlobBackend {
  const b = config.evidence.blobStore;
  if (b.kind === "s3")
    return s3Backend({
      endpoint: b.endpoint,
      region: b.region,
      bucket: b.bucket,
      prefix: b.prefix,
      accessKeyId: b.accessKeyId,
      secretAccessKey: b.secretAccessKey,
      forcePathStyle: b.forcePathStyle,
    });
  return fsBackend(join(config.dataDir, "blobs"));
}

export function createBlobStore(config: Config, masterKey: Buffer): BlobStore {
  return new BlobStore(backendFor(config), keyringFor(config, masterKey));
}
