// Each organisation signs its evidence manifests with its own Ed25519 key, made on first use.
// The private key is sealed with the master key (the same keyring as the blob store, so
// `vangrail keys rotate` re-wraps it too); the public key is stored, exported and put in every
// bundle, so anyone can check a signature with openssl alone.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { type Keyring, unwrapKey, type WrappedKey, wrapKey } from "../../platform/blobstore/index.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Executor } from "../../platform/db.ts";
import * as store from "./store.ts";

const context = (organisationId: string) => `vangrail-signing-key:v1:${organisationId}`;

/** SHA-256 of the DER SubjectPublicKeyInfo, hex. */
export const fingerprintOf = (publicKeyPem: string): string =>
  createHash("sha256")
    .update(createPublicKey(publicKeyPem).export({ type: "spki", format: "der" }))
    .digest("hex");

/** The organisation's active key, created when it has none yet. */
export async function signingKeyFor(
  db: Executor,
  ring: Keyring,
  clock: Clock,
  organisationId: string,
): Promise<store.SigningKey> {
  const existing = await store.activeSigningKey(db, organisationId);
  if (existing) return existing;
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const der = privateKey.export({ type: "pkcs8", format: "der" });
  const sealed = JSON.stringify(wrapKey(ring, der, context(organisationId)));
  der.fill(0);
  const inserted = await store.insertSigningKey(db, {
    organisationId,
    publicKeyPem,
    fingerprint: fingerprintOf(publicKeyPem),
    sealedPrivateKey: sealed,
    createdAt: clock.now(),
  });
  // Another process made one at the same moment: use theirs.
  return inserted ?? ((await store.activeSigningKey(db, organisationId)) as store.SigningKey);
}

/** Signs `data` (raw Ed25519, 64 bytes). */
export function signWith(ring: Keyring, key: store.SigningKey, data: Buffer): Buffer {
  const der = unwrapKey(ring, JSON.parse(key.sealedPrivateKey) as WrappedKey, context(key.organisationId));
  try {
    return sign(null, data, createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
  } finally {
    der.fill(0);
  }
}

/** Re-wraps every sealed signing key not yet under the current master key. */
export async function rotateSigningKeys(
  db: Executor,
  ring: Keyring,
): Promise<{ checked: number; rewrapped: number; failed: { id: string; error: string }[] }> {
  const out = { checked: 0, rewrapped: 0, failed: [] as { id: string; error: string }[] };
  for (const k of await store.allSigningKeys(db)) {
    out.checked++;
    try {
      const w = JSON.parse(k.sealedPrivateKey) as WrappedKey;
      if (w.kid === ring.current.id) continue;
      const der = unwrapKey(ring, w, context(k.organisationId));
      await store.updateSealedKey(db, k.id, JSON.stringify(wrapKey(ring, der, context(k.organisationId))));
      der.fill(0);
      out.rewrapped++;
    } catch (e) {
      out.failed.push({ id: k.id, error: (e as Error).message });
    }
  }
  return out;
}

/** Which master key seals how many signing keys. */
export async function signingKeyUsage(db: Executor): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const k of await store.allSigningKeys(db)) {
    const kid = (JSON.parse(k.sealedPrivateKey) as WrappedKey).kid;
    out[kid] = (out[kid] ?? 0) + 1;
  }
  return out;
}
