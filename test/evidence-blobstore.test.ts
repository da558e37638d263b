// The encrypted blob store, on a folder and on a local S3-compatible server: nothing readable
// at rest, nothing readable without the key, and master-key rotation keeps every blob readable
// without touching the encrypted bytes.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import {
  type BlobBackend,
  BlobStore,
  fsBackend,
  makeKeyring,
  s3Backend,
} from "../src/platform/blobstore/index.ts";
import { syntheticPng } from "./support/fixture-server.ts";

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

const samples = () => [
  Buffer.from("<html><body>PLAINTEXT-EVIDENCE-MARKER the page as captured</body></html>"),
  syntheticPng(40, 30, 7),
  randomBytes(100_000),
  Buffer.alloc(0),
];

async function roundTrip(backend: BlobBackend) {
  const key1 = randomBytes(32);
  const store = new BlobStore(backend, makeKeyring(key1));
  const items = samples();
  const put = [];
  for (const b of items) put.push(await store.put(b));
  for (const [i, b] of items.entries()) {
    assert.equal(put[i]?.sha256, createHash("sha256").update(b).digest("hex"));
    assert.equal(put[i]?.created, true);
    assert.deepEqual(await store.get(put[i]?.sha256 as string), b);
  }
  const again = await store.put(items[0] as Buffer);
  assert.equal(again.created, false);
  // Another master key cannot read anything.
  const stranger = new BlobStore(backend, makeKeyring(randomBytes(32)));
  await assert.rejects(stranger.get(put[0]?.sha256 as string), code("blob_unreadable"));
  await assert.rejects(store.get("0".repeat(64)), code("blob_missing"));
  await assert.rejects(store.get("../../etc/passwd"), code("bad_request"));

  // Rotation: the new key is current, the old one still accepted until every record moved.
  const key2 = randomBytes(32);
  const rotating = new BlobStore(backend, makeKeyring(key2, [key1]));
  assert.deepEqual(await rotating.keyUsage(), { [makeKeyring(key1).current.id]: items.length });
  const r = await rotating.rotate();
  assert.deepEqual(r, { checked: items.length, rewrapped: items.length, failed: [] });
  assert.deepEqual((await rotating.rotate()).rewrapped, 0, "a second run has nothing left to do");
  assert.deepEqual(await rotating.keyUsage(), { [rotating.currentKeyId]: items.length });
  const retired = new BlobStore(backend, makeKeyring(key2));
  for (const [i, b] of items.entries()) assert.deepEqual(await retired.get(put[i]?.sha256 as string), b);
  const old = new BlobStore(backend, makeKeyring(key1));
  await assert.rejects(old.get(put[0]?.sha256 as string), code("blob_unreadable"));
  return { items, put };
}

describe("blob store on the file system", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "vg-blobs-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("round trip, no plaintext at rest, unreadable without the key, rotation", async () => {
    const backend = fsBackend(root);
    const before = new Map<string, string>();
    const store = new BlobStore(backend, makeKeyring(randomBytes(32)));
    const marker = await store.put(Buffer.from("warm-up object that must survive rotation unchanged"));
    for (const f of filesUnder(root).filter((f) => f.includes("/objects/")))
      before.set(f, createHash("sha256").update(readFileSync(f)).digest("hex"));

    const { items } = await roundTrip(fsBackend(join(root, "second")));
    for (const f of filesUnder(join(root, "second"))) {
      const bytes = readFileSync(f);
      for (const b of items.filter((x) => x.length > 16))
        assert.equal(bytes.includes(b.subarray(0, 32)), false, `${f} holds plaintext`);
      assert.equal(bytes.includes("PLAINTEXT-EVIDENCE-MARKER"), false);
      assert.equal(statSync(f).mode & 0o077, 0, `${f} is readable by others`);
    }
    // Rotation rewrote key records only: every ciphertext object is byte-for-byte the same.
    const rotating = new BlobStore(backend, makeKeyring(randomBytes(32), []));
    await assert.rejects(rotating.get(marker.sha256), code("blob_unreadable"));
    for (const [f, h] of before) assert.equal(createHash("sha256").update(readFileSync(f)).digest("hex"), h);
  });

  test("objects keep their bytes through rotation", async () => {
    const dir = join(root, "third");
    const k1 = randomBytes(32);
    const store = new BlobStore(fsBackend(dir), makeKeyring(k1));
    const put = await store.put(syntheticPng(20, 20, 3));
    const objects = () =>
      filesUnder(dir)
        .filter((f) => f.includes("/objects/"))
        .map((f) => [f, createHash("sha256").update(readFileSync(f)).digest("hex")]);
    const before = objects();
    await new BlobStore(fsBackend(dir), makeKeyring(randomBytes(32), [k1])).rotate();
    assert.deepEqual(objects(), before);
    assert.ok((await new BlobStore(fsBackend(dir), makeKeyring(k1)).has(put.sha256)) === true);
  });

  test("altered ciphertext is detected", async () => {
    const dir = join(root, "fourth");
    const store = new BlobStore(fsBackend(dir), makeKeyring(randomBytes(32)));
    const put = await store.put(Buffer.from("some evidence bytes to be tampered with"));
    const obj = filesUnder(dir).find((f) => f.includes("/objects/")) as string;
    const bytes = readFileSync(obj);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    writeFileSync(obj, bytes);
    await assert.rejects(store.get(put.sha256), code("blob_unreadable"));
  });
});

describe("blob store on an S3-compatible server (s3rver on loopback)", () => {
  let server: S3rver;
  let dir: string;
  let endpoint: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "vg-s3-"));
    server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir });
    const info = await server.run();
    endpoint = `http://127.0.0.1:${info.port}`;
    const client = new S3Client({
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    await client.send(new CreateBucketCommand({ Bucket: "vangrail-evidence" }));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("round trip, unreadable without the key, rotation", async () => {
    const backend = s3Backend({
      endpoint,
      region: "us-east-1",
      bucket: "vangrail-evidence",
      prefix: "hotline-a",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    });
    const { items } = await roundTrip(backend);
    // What the S3 server keeps on its disk is ciphertext too.
    for (const f of filesUnder(dir)) {
      const bytes = readFileSync(f);
      assert.equal(bytes.includes("PLAINTEXT-EVIDENCE-MARKER"), false, `${f} holds plaintext`);
      for (const b of items.filter((x) => x.length > 16))
        assert.equal(bytes.includes(b.subarray(0, 32)), false);
    }
  });
});
