// Where encrypted objects live: a folder (the default) or an S3-compatible bucket. A backend
// only moves opaque bytes; it never sees plaintext or keys.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";

export interface BlobBackend {
  readonly name: string;
  /** `null` when there is no such object. */
  read(key: string): Promise<Buffer | null>;
  /** Replaces the object atomically: a reader sees the old or the new bytes, never a mix. */
  write(key: string, data: Buffer): Promise<void>;
  /** Every key under `prefix`. */
  list(prefix: string): AsyncIterable<string>;
  /** Removes the object; no error when it is not there. */
  remove(key: string): Promise<void>;
}

const safeKey = (key: string): string => {
  if (!/^[a-z0-9][a-z0-9/._-]*$/.test(key) || key.includes("..")) throw new Error(`bad object key ${key}`);
  return key;
};

/** Objects as files under `root`, written to a temporary name and renamed into place. */
export function fsBackend(root: string): BlobBackend {
  const path = (key: string) => join(root, ...safeKey(key).split("/"));
  return {
    name: `fs:${root}`,
    async read(key) {
      try {
        return await readFile(path(key));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
    async write(key, data) {
      const file = path(key);
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.tmp-${randomBytes(6).toString("hex")}`;
      try {
        await writeFile(tmp, data, { mode: 0o600, flag: "wx" });
        await rename(tmp, file);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async remove(key) {
      await rm(path(key), { force: true });
    },
    async *list(prefix) {
      const start = path(prefix.replace(/\/+$/, "") || ".");
      const walk = async function* (dir: string): AsyncGenerator<string> {
        let entries: import("node:fs").Dirent[];
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
          throw e;
        }
        for (const d of entries) {
          const full = join(dir, d.name);
          if (d.isDirectory()) yield* walk(full);
          else if (!d.name.includes(".tmp-")) yield relative(root, full).split(sep).join("/");
        }
      };
      yield* walk(start);
    },
  };
}

export interface S3Options {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  prefix?: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle?: boolean;
}

/** Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage…). A PUT is atomic there. */
export function s3Backend(o: S3Options): BlobBackend {
  const config: S3ClientConfig = {
    region: o.region,
    forcePathStyle: o.forcePathStyle ?? false,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.accessKeyId && o.secretAccessKey
      ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } }
      : {}),
  };
  const client = new S3Client(config);
  const prefix = o.prefix ? `${o.prefix.replace(/\/+$/, "")}/` : "";
  return {
    name: `s3:${o.bucket}/${prefix}`,
    async read(key) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: prefix + safeKey(key) }));
        return Buffer.from(
          await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        );
      } catch (e) {
        if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey") return null;
        throw e;
      }
    },
    async write(key, data) {
      await client.send(new PutObjectCommand({ Bucket: o.bucket, Key: prefix + safeKey(key), Body: data }));
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: prefix + safeKey(key) }));
    },
    async *list(p) {
      let token: string | undefined;
      do {
        const r = await client.send(
          new ListObjectsV2Command({ Bucket: o.bucket, Prefix: prefix + p, ContinuationToken: token }),
        );
        for (const c of r.Contents ?? []) if (c.Key) yield c.Key.slice(prefix.length);
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    },
  };
}
