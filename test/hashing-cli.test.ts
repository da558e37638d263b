// `vangrail hash`: the Contract of issue 5, run as an operator runs it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
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

describe("vangrail banks", () => {
  let dir: string;
  const env = () => ({
    ...process.env,
    VANGRAIL_DATA_DIR: join(dir, "data"),
    LOG_LEVEL: "silent",
    DATABASE_URL: "",
  });
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", env: env() });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "vg-banks-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a bank, imports a list per line, exports it, matches files and withdraws", async () => {
    const init = cli(
      "admin",
      "init",
      "--org-name",
      "CLI hotline",
      "--org-kind",
      "hotline",
      "--name",
      "Ann",
      "--email",
      "ann@cli.example",
    );
    assert.equal(init.status, 0, init.stderr);
    const org = /organisation ([0-9a-f-]{36})/.exec(init.stdout)?.[1] as string;
    const created = cli(
      "banks",
      "create",
      "--org",
      org,
      "--name",
      "Confirmed",
      "--kind",
      "hotline_confirmed",
    );
    assert.equal(created.status, 0, created.stderr);
    const bank = JSON.parse(created.stdout).id as string;

    const img = join(dir, "known.png");
    writeFileSync(img, await shapes(55));
    const h = await hashImage(readFileSync(img));
    const list = join(dir, "list.csv");
    writeFileSync(
      list,
      `signal_type,value,quality\npdq,${h.hash},${h.quality}\nmd5,${h.md5},\npdq,${"0".repeat(64)},\n`,
    );
    const imported = cli("banks", "import", "--bank", bank, list);
    assert.equal(imported.status, 1, "a refused line makes the exit code 1");
    assert.deepEqual(JSON.parse(imported.stdout), {
      line: 4,
      ok: false,
      error: "degenerate hash: all zeros",
    });
    assert.match(imported.stderr, /imported 2 entries; 1 lines refused/);

    const exported = cli("banks", "export", "--bank", bank, "--format", "jsonl");
    assert.equal(exported.status, 0, exported.stderr);
    assert.deepEqual(
      exported.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).value),
      [h.hash, h.md5],
    );

    const rotated = join(dir, "rotated.jpg");
    writeFileSync(rotated, await sharp(readFileSync(img)).rotate(270).jpeg({ quality: 80 }).toBuffer());
    const other = join(dir, "other.png");
    writeFileSync(other, await text(["UNRELATED"]));
    const matched = cli("banks", "match", "--org", org, rotated, other, join(dir, "missing.png"));
    assert.equal(matched.status, 1);
    const [r1, r2, r3] = matched.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(r1.matches.length, 1);
    assert.equal(r1.matches[0].bankId, bank);
    assert.deepEqual(r2.matches, []);
    assert.ok(r3.error);

    const listed = cli("banks", "list", "--org", org);
    assert.equal(JSON.parse(listed.stdout).entries, 2);
    const none = cli("banks", "withdraw", "--secret", "no such secret");
    assert.deepEqual(JSON.parse(none.stdout), { deleted: 0 });
    const audited = cli("audit", "verify");
    assert.equal(audited.status, 0, audited.stdout + audited.stderr);
  });
});
