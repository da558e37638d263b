// The master keys the evidence store knows: the current one (wraps every new data key) and
// earlier ones (only unwrap, until `vangrail keys rotate` has moved every data key to the
// current key and the operator retires them). A key is named by its id, a hash of the key, so
// a record says which key wrapped it without revealing anything about the key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AppError } from "../errors.ts";

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  current: MasterKey;
  /** Every key by id, the current one included. */
  byId: ReadonlyMap<string, Buffer>;
}

export const keyId = (key: Buffer): string =>
  createHash("sha256").update("vangrail-master-key-id:").update(key).digest("hex").slice(0, 16);

export function makeKeyring(current: Buffer, previous: Buffer[] = []): Keyring {
  for (const k of [current, ...previous])
    if (k.length !== 32) throw new Error("a master key must be 32 bytes");
  const byId = new Map<string, Buffer>();
  for (const k of [current, ...previous]) byId.set(keyId(k), k);
  return { current: { id: keyId(current), key: current }, byId };
}

/** A data key wrapped by a master key: AES-256-GCM, bound to `context`. */
export interface WrappedKey {
  kid: string;
  iv: string;
  tag: string;
  wrapped: string;
}

export function wrapKey(ring: Keyring, dataKey: Buffer, context: string): WrappedKey {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", ring.current.key, iv);
  c.setAAD(Buffer.from(context));
  const wrapped = Buffer.concat([c.update(dataKey), c.final()]);
  return {
    kid: ring.current.id,
    iv: iv.toString("base64"),
    tag: c.getAuthTag().toString("base64"),
    wrapped: wrapped.toString("base64"),
  };
}

export function unwrapKey(ring: Keyring, w: WrappedKey, context: string): Buffer {
  const key = ring.byId.get(w.kid);
  if (!key)
    throw new AppError("blob_unreadable", {
      detail: `Data key is wrapped by master key ${w.kid}, which is not configured (VANGRAIL_MASTER_KEY / VANGRAIL_MASTER_KEY_PREVIOUS).`,
    });
  try {
    const d = createDecipheriv("aes-256-gcm", key, Buffer.from(w.iv, "base64"));
    d.setAAD(Buffer.from(context));
    d.setAuthTag(Buffer.from(w.tag, "base64"));
    return Buffer.concat([d.update(Buffer.from(w.wrapped, "base64")), d.final()]);
  } catch (e) {
    throw new AppError("blob_unreadable", {
      detail: "A data key does not unwrap: wrong key or altered record.",
      cause: e,
    });
  }
}
