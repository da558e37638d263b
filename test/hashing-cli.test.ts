// `vangrail hash`: the Contract of issue 5, run as an operator runs it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hashImage } from "../src/modules/hashing/image.ts";
import { shapes, text } from "../src/modules/hashing/synthetic.ts";
import { CLI, ROOT } from "./support/server.ts";

const vangrail = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, "hash", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env },
  });

describe("vangrail hash", () => {
  let dir: string;
  let a: string;
  let b: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "vg-hash-"));
    a = join(dir, "a.png");
    b = join(dir, "b with space.png");
    writeFileSync(a, await shapes(7));
    writeFileSync(b, await text(["CLI TEST"]));
    writeFileSync(join(dir, "not-an-image.txt"), "hello");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints one JSON object per file with file, pdq, quality, md5 and sha256", async () => {
    const r = vangrail("--json", a, b);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.deepEqual(Object.keys(lines[0]), ["file", "pdq", "quality", "md5", "sha256"]);
    const expected = await hashImage(readFileSync(a));
    assert.deepEqual(lines[0], {
      file: a,
      pdq: expected.hash,
      quality: expected.quality,
      md5: expected.md5,
      sha256: expected.sha256,
    });
    assert.equal(lines[1].file, b);
  });

  it("adds the eight dihedral hashes with --dihedral", () => {
    const r = vangrail("--json", "--dihedral", a);
    assert.equal(r.status, 0);
    const line = JSON.parse(r.stdout);
    assert.equal(line.dihedral.length, 8);
    assert.equal(line.dihedral[0], line.pdq);
    for (const h of line.dihedral) assert.match(h, /^[0-9a-f]{64}$/);
  });

  it("reports unreadable files on their own line, goes on, and exits non-zero at the end", () => {
    const missing = join(dir, "missing.jpg");
    const text = join(dir, "not-an-image.txt");
    const r = vangrail("--json", missing, a, text, dir, b);
    assert.equal(r.status, 1);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.file, "error" in l]),
      [
        [missing, true],
        [a, false],
        [text, true],
        [dir, true],
        [b, false],
      ],
    );
    assert.match(lines[0].error, /ENOENT/);
    assert.match(lines[2].error, /decode/);
    assert.equal(lines[2].md5, undefined);
  });

  it("prints a readable line without --json, and usage without files", () => {
    const r = vangrail(a);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^[0-9a-f]{64} {2}q=\s*\d+ {2}md5=[0-9a-f]{32} {2}sha256=[0-9a-f]{64} {2}/);
    const none = vangrail();
    assert.equal(none.status, 2);
    assert.match(none.stderr, /Usage: vangrail hash/);
  });
});
