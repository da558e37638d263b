// Capture → signed, time-stamped manifest → bundle → verify, against a local fixture site and a
// real local TSA (openssl ts), on both databases. One flipped byte anywhere is caught and named;
// the bundle also verifies with openssl and sha256sum alone.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { deflateRawSync } from "node:zlib";
import yazl from "yazl";
import { systemActor } from "../src/modules/audit/service.ts";
import { buildEvidenceEnv, closeEvidenceEnv, setEvidenceEnv } from "../src/modules/evidence/env.ts";
import * as evidence from "../src/modules/evidence/service.ts";
import { verifyBundle } from "../src/modules/evidence/verify.ts";
import { backends } from "./support/db.ts";
import { type FixtureServer, startFixtureServer } from "./support/fixture-server.ts";
import { startTestTsa, type TestTsa } from "./support/tsa.ts";

process.env.VANGRAIL_TEST_MODE = "1";

/** Reads a zip into name → bytes (test-side, trusting). */
function unzipAll(zip: Buffer): Map<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "vg-unzip-"));
  try {
    writeFileSync(join(dir, "b.zip"), zip);
    execFileSync("unzip", ["-q", "b.zip", "-d", "x"], { cwd: dir });
    const out = new Map<string, Buffer>();
    const walk = (d: string, prefix: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
        else out.set(`${prefix}${e.name}`, readFileSync(join(d, e.name)));
      }
    };
    walk(join(dir, "x"), "");
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rezip(files: Map<string, Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data] of files) z.addBuffer(data, name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function flipped(zip: Buffer, name: string, at = 10): Promise<Buffer> {
  const files = unzipAll(zip);
  const data = Buffer.from(files.get(name) as Buffer);
  const i = Math.min(at, data.length - 1);
  data[i] = (data[i] as number) ^ 0x01;
  files.set(name, data);
  return rezip(files);
}

/** A zip written by hand, so names and sizes can lie the way hostile zips do. */
function rawZip(entries: { name: string; data: Buffer; deflate?: boolean; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function crc32(buf: Buffer): number {
  let c = -1;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ -1) >>> 0;
}

let fx: FixtureServer;
let tsa: TestTsa;
before(async () => {
  fx = await startFixtureServer();
  tsa = await startTestTsa();
});
after(async () => {
  await fx.close();
  await tsa.close();
});

for (const backend of backends) {
  describe(`evidence capture on ${backend.name}`, () => {
    // startApp is imported lazily so this file's helpers stay usable without the app.
    let t: Awaited<ReturnType<typeof import("./support/app.ts").startApp>>;
    let orgId: string;
    let bundle: Buffer;
    let captureId: string;

    before(async () => {
      const { startApp, makeOrganisation } = await import("./support/app.ts");
      t = await startApp(backend, { TSA_URL: tsa.url, CAPTURE_MAX_MEDIA: "10" });
      const env = buildEvidenceEnv(t.deps, { allowLoopback: true });
      setEvidenceEnv(t.deps, env);
      orgId = (await makeOrganisation(t.deps, "hotline", "Hotline Evidence Test")).id;
    });
    after(async () => {
      await closeEvidenceEnv(t.deps);
      await t.close();
    });

    test("a page behind redirects is captured, signed, time-stamped and recorded in the audit chain", async () => {
      ({ captureId } = await evidence.captureUrl(t.deps, {
        url: `${fx.url}/start`,
        organisationId: orgId,
        category: "ncii",
      }));
      const r = await evidence.runCapture(t.deps, captureId);
      assert.equal("status" in r && r.status, "captured", JSON.stringify(r));
      assert.deepEqual(await evidence.runCapture(t.deps, captureId), { skipped: "already captured" });

      const c = await evidence.captureForOperator(t.deps, captureId);
      assert.ok(c?.manifest && c.manifestSha256 && c.timestampToken);
      const manifest = JSON.parse(c.manifest);
      assert.equal(manifest.finalUrl, `${fx.url}/page.html`);
      assert.deepEqual(
        manifest.network.redirects.map((h: { status: number }) => h.status),
        [302, 301, 307],
      );
      assert.equal(manifest.network.address, "127.0.0.1");
      const names = manifest.artefacts.map((a: { name: string }) => a.name);
      assert.ok(
        names.includes("exchange.json") && names.includes("page.html") && names.includes("screenshot.png"),
        names.join(),
      );
      const media = manifest.artefacts.filter((a: { name: string }) => a.name.startsWith("media/"));
      assert.equal(media.length, 3, "three distinct images, the repeated one once");
      for (const [path, bytes] of fx.images) {
        const sha = createHash("sha256").update(bytes).digest("hex");
        assert.ok(
          media.some((m: { sha256: string }) => m.sha256 === sha),
          `${path} captured`,
        );
      }
      const refused = manifest.media.filter((m: { outcome: string }) => m.outcome === "refused");
      assert.deepEqual(refused.map((m: { url: string }) => new URL(m.url).hostname).sort(), [
        "10.0.0.1",
        "169.254.169.254",
      ]);
      // The browser's own requests went through the guard too.
      const browser = manifest.screenshot.browserRequests as { url: string; outcome: string }[];
      assert.ok(browser.some((b) => b.url.includes("10.0.0.1") && b.outcome === "refused"));
      assert.ok(!fx.requests.some((r) => r.includes("private.png")));

      const events = await t.handle.db
        .selectFrom("audit_events")
        .select(["action", "data"])
        .where("subject_id", "=", captureId)
        .orderBy("seq")
        .execute();
      assert.deepEqual(
        events.map((e) => e.action),
        ["evidence.capture_requested", "evidence.captured"],
      );
      assert.equal(
        (events[1]?.data as { manifestSha256?: string } | undefined)?.manifestSha256,
        c.manifestSha256,
      );
      assert.equal(createHash("sha256").update(c.manifest).digest("hex"), c.manifestSha256);
    });

    test("blobs at rest hold no plaintext", async () => {
      const root = join(t.deps.config.dataDir, "blobs");
      const walk = (d: string): string[] =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
        );
      const files = walk(root);
      assert.ok(files.length > 0);
      for (const f of files) {
        const bytes = readFileSync(f);
        assert.equal(bytes.includes(fx.marker), false, `${f} holds the page`);
        for (const img of fx.images.values()) assert.equal(bytes.includes(img.subarray(16, 80)), false);
      }
    });

    test("the exported bundle verifies with Vangrail and with openssl and sha256sum", async () => {
      const out = await evidence.exportBundle(t.deps, { ...systemActor, organisationId: orgId }, captureId, {
        recipient: "ACM (test)",
      });
      bundle = out.bundle;
      const report = await verifyBundle(bundle, { tsaCaPem: tsa.caPem });
      assert.equal(report.ok, true, JSON.stringify(report.firstFailure));
      assert.ok(report.checks.some((c) => c.name === "artefacts/screenshot.png" && c.ok));
      assert.ok(report.checks.some((c) => c.name === "timestamp" && c.ok && !c.warning));

      const dir = mkdtempSync(join(tmpdir(), "vg-bundle-"));
      try {
        writeFileSync(join(dir, "b.zip"), bundle);
        execFileSync("unzip", ["-q", "b.zip"], { cwd: dir });
        execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: dir, stdio: "pipe" });
        const sig = execFileSync(
          "openssl",
          [
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signing-key.pem",
            "-rawin",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.sig",
          ],
          { cwd: dir },
        ).toString();
        assert.match(sig, /Signature Verified Successfully/);
        const ts = execFileSync(
          "openssl",
          ["ts", "-verify", "-in", "manifest.tsr", "-data", "manifest.json", "-CAfile", tsa.caFile],
          { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
        ).toString();
        assert.match(ts, /Verification: OK/);
        const custody = JSON.parse(readFileSync(join(dir, "custody.json"), "utf8")) as { action: string }[];
        assert.deepEqual(
          custody.map((e) => e.action),
          ["evidence.capture_requested", "evidence.captured", "evidence.transferred"],
        );
        assert.match(readFileSync(join(dir, "README.txt"), "utf8"), /openssl pkeyutl -verify/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    for (const target of [
      "artefacts/page.html",
      "artefacts/screenshot.png",
      "artefacts/exchange.json",
      "manifest.json",
      "manifest.sig",
      "manifest.tsr",
    ])
      test(`one flipped byte in ${target} fails and is named`, async () => {
        const files = unzipAll(bundle);
        const media = [...files.keys()].find((k) => k.startsWith("artefacts/media/")) as string;
        for (const name of target === "artefacts/page.html" ? [target, media] : [target]) {
          const bad = await flipped(bundle, name, name === "manifest.tsr" ? 200 : 40);
          const report = await verifyBundle(bad, { tsaCaPem: tsa.caPem });
          assert.equal(report.ok, false);
          const expected = name.startsWith("artefacts/")
            ? name
            : name === "manifest.tsr"
              ? "timestamp"
              : "signature";
          assert.equal(report.firstFailure?.name, expected, JSON.stringify(report.firstFailure));
        }
      });

    test("an artefact added to, or removed from, the bundle is caught", async () => {
      const files = unzipAll(bundle);
      files.set("artefacts/extra.png", Buffer.from("not listed"));
      let r = await verifyBundle(await rezip(files), {});
      assert.equal(r.firstFailure?.name, "artefacts/extra.png");
      files.delete("artefacts/extra.png");
      files.delete("artefacts/page.html");
      r = await verifyBundle(await rezip(files), {});
      assert.equal(r.firstFailure?.name, "artefacts/page.html");
    });

    test("a bundle signed by another key than the pinned one fails", async () => {
      const { generateKeyPairSync } = await import("node:crypto");
      const pem = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
      const r = await verifyBundle(bundle, { trustedKeyPem: pem });
      assert.equal(r.firstFailure?.name, "signature");
    });
  });
}

describe("hostile zips are refused by verify", () => {
  const cases: [string, Buffer, RegExp][] = [
    ["zip-slip ../", rawZip([{ name: "../evil.txt", data: Buffer.from("x") }]), /unsafe|traversal|invalid/i],
    ["absolute path", rawZip([{ name: "/etc/evil", data: Buffer.from("x") }]), /unsafe|absolute|invalid/i],
    [
      "backslash path",
      rawZip([{ name: "artefacts\\..\\..\\evil", data: Buffer.from("x") }]),
      /unsafe|backslash|invalid/i,
    ],
    [
      "nested traversal",
      rawZip([{ name: "artefacts/../../evil", data: Buffer.from("x") }]),
      /unsafe|traversal|invalid/i,
    ],
    [
      "zip bomb",
      rawZip([{ name: "artefacts/bomb.bin", data: Buffer.alloc(64 * 1024 * 1024), deflate: true }]),
      /bomb/i,
    ],
    [
      "huge declared entry",
      rawZip([{ name: "artefacts/huge.bin", data: Buffer.from("small"), declaredSize: 0xfffffff0 }]),
      /limit|size|damaged/i,
    ],
    [
      "entry longer than declared",
      rawZip([
        {
          name: "manifest.json",
          data: Buffer.alloc(2 * 1024 * 1024, 0x20),
          deflate: true,
          declaredSize: 100,
        },
      ]),
      /damaged|longer|size/i,
    ],
    ["unexpected entry", rawZip([{ name: "run-me.sh", data: Buffer.from("#!/bin/sh") }]), /unexpected/i],
    ["not a zip", Buffer.from("this is not a zip file at all"), /not a readable zip/i],
  ];
  for (const [label, zip, why] of cases)
    test(label, async () => {
      const r = await verifyBundle(zip, {});
      assert.equal(r.ok, false);
      assert.equal(r.firstFailure?.name, "zip", JSON.stringify(r.firstFailure));
      assert.match(r.firstFailure?.detail ?? "", why);
    });
});
