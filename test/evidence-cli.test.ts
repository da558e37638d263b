// The command line as an operator uses it: `vangrail capture` and `vangrail verify` in child
// processes. Material that must not be kept (csam) never reaches the blob store, the data folder
// or the temp folder; `--allow-private` is refused outside test mode; master-key rotation.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixtureServer } from "./support/fixture-server.ts";
import { CLI, ROOT } from "./support/server.ts";
import { startTestTsa, type TestTsa } from "./support/tsa.ts";

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warn", DATABASE_URL: "", NODE_ENV: "test", ...env },
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(root);
  return out;
}

let fx: FixtureServer;
let tsa: TestTsa;
let work: string;
let dataDir: string;
const base: Record<string, string> = {};

before(async () => {
  fx = await startFixtureServer();
  tsa = await startTestTsa();
  work = mkdtempSync(join(tmpdir(), "vg-cli-"));
  dataDir = join(work, "data");
  Object.assign(base, { VANGRAIL_DATA_DIR: dataDir, TSA_URL: tsa.url, VANGRAIL_TEST_MODE: "1" });
  const init = await cli(
    [
      "admin",
      "init",
      "--org-name",
      "CLI Hotline",
      "--org-kind",
      "hotline",
      "--name",
      "Op",
      "--email",
      "op@test.example",
    ],
    base,
  );
  assert.equal(init.code, 0, init.out);
});
after(async () => {
  await fx.close();
  await tsa.close();
  rmSync(work, { recursive: true, force: true });
});

describe("vangrail capture and verify", () => {
  test("--allow-private is refused without VANGRAIL_TEST_MODE=1, and in production", async () => {
    const out = join(work, "refused.zip");
    for (const env of [{ VANGRAIL_TEST_MODE: "" }, { NODE_ENV: "production" }] as Record<string, string>[]) {
      const r = await cli(["capture", `${fx.url}/page.html`, "--bundle", out, "--allow-private"], {
        ...base,
        ...env,
      });
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, /--allow-private is refused/);
    }
    const r = await cli(["capture", `${fx.url}/page.html`, "--bundle", out], base);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /public internet/);
  });

  test("csam: only the exchange, metadata and hashes; no material in the store, the data folder or temp", async () => {
    const tmp = mkdtempSync(join(work, "tmp-"));
    const bundle = join(work, "csam.zip");
    const r = await cli(
      ["capture", `${fx.url}/start`, "--bundle", bundle, "--category", "csam", "--allow-private"],
      {
        ...base,
        TMPDIR: tmp,
      },
    );
    assert.equal(r.code, 0, r.out);
    const needles = [fx.marker, ...[...fx.images.values()].map((b) => b.subarray(b.length - 40))];
    const scanned = [...filesUnder(tmp), ...filesUnder(dataDir), bundle];
    assert.ok(scanned.length > 3);
    for (const f of scanned) {
      const bytes = readFileSync(f);
      for (const n of needles) assert.equal(bytes.includes(n), false, `${f} holds captured material`);
    }
    assert.equal(
      filesUnder(join(dataDir, "blobs")).filter((f) => f.includes("/objects/")).length,
      1,
      "only exchange.json",
    );

    const v = await cli(["verify", bundle, "--tsa-ca", tsa.caFile], {});
    assert.equal(v.code, 0, v.out);
    assert.match(v.out, /artefacts\/page\.html\s+hash only/);
    assert.match(v.out, /VERIFIED/);
    assert.doesNotMatch(v.out, /screenshot\.png/);
    rmSync(tmp, { recursive: true, force: true });
  });

  test("a kept capture verifies; a flipped byte makes verify exit 1 naming it", async () => {
    const bundle = join(work, "ncii.zip");
    const r = await cli(
      ["capture", `${fx.url}/start`, "--bundle", bundle, "--category", "ncii", "--allow-private"],
      base,
    );
    assert.equal(r.code, 0, r.out);
    const ok = await cli(["verify", bundle, "--tsa-ca", tsa.caFile, "--require-timestamp"], {});
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /OK\s+signature/);
    assert.match(ok.out, /OK\s+artefacts\/screenshot\.png/);
    assert.match(ok.out, /OK\s+timestamp/);

    // Flip a byte in the stored (uncompressed) PNG inside the zip: the zip's CRC catches it
    // first, or the hash does; either way verify fails.
    const zip = Buffer.from(readFileSync(bundle));
    const at = zip.indexOf(Buffer.from("IDAT"));
    assert.ok(at > 0);
    zip[at + 20] = (zip[at + 20] as number) ^ 0xff;
    const broken = join(work, "broken.zip");
    writeFileSync(broken, zip);
    const bad = await cli(["verify", broken], {});
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /FAILED: /);
  });

  test("keys rotate moves every data key to a new master key; the old key can then be retired", async () => {
    const oldKey = readFileSync(join(dataDir, "keys", "master.key"), "utf8").trim();
    const newKey = randomBytes(32).toString("base64");
    const both = { ...base, VANGRAIL_MASTER_KEY: newKey, VANGRAIL_MASTER_KEY_PREVIOUS: oldKey };
    const objects = () =>
      filesUnder(join(dataDir, "blobs"))
        .filter((f) => f.includes("/objects/"))
        .map((f) => `${f}:${statSync(f).mtimeMs}`)
        .sort();
    const before = objects();
    const rot = await cli(["keys", "rotate"], both);
    assert.equal(rot.code, 0, rot.out);
    assert.match(rot.out, /re-wrapped/);
    assert.deepEqual(objects(), before, "the encrypted blobs were not rewritten");
    const status = await cli(["keys", "status"], { ...base, VANGRAIL_MASTER_KEY: newKey });
    assert.equal(status.code, 0, status.out);
    const s = JSON.parse(status.out.slice(status.out.indexOf("{"))) as {
      currentKeyId: string;
      blobDataKeys: Record<string, number>;
      signingKeys: Record<string, number>;
    };
    assert.deepEqual(Object.keys(s.blobDataKeys), [s.currentKeyId]);
    assert.deepEqual(Object.keys(s.signingKeys), [s.currentKeyId]);
    // With the new key alone, the organisation's signing key still signs a new capture.
    const again = await cli(
      [
        "capture",
        `${fx.url}/page.html`,
        "--bundle",
        join(work, "after.zip"),
        "--no-screenshot",
        "--allow-private",
      ],
      { ...base, VANGRAIL_MASTER_KEY: newKey },
    );
    assert.equal(again.code, 0, again.out);
  });
});
