// `vangrail attribution` as an operator runs it, in child processes: downloading the bootstrap
// files (from the local RDAP server standing in for data.iana.org, or from a folder), refusing
// a bad set without touching the good one, which folder is in use, and a lookup.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type RdapServer, startRdapServer } from "./support/rdap-server.ts";
import { CLI, ROOT } from "./support/server.ts";

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "attribution", ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        LOG_LEVEL: "warn",
        DATABASE_URL: "",
        NODE_ENV: "test",
        RDAP_BOOTSTRAP_DIR: "",
        ...env,
      },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, out, err }));
  });
}

let rdap: RdapServer;
let work: string;
before(async () => {
  rdap = await startRdapServer();
  work = mkdtempSync(join(tmpdir(), "vg-attr-cli-"));
});
after(async () => {
  await rdap.close();
  rmSync(work, { recursive: true, force: true });
});

describe("vangrail attribution", () => {
  test("bootstrap downloads the four files, validated, into the data folder by default", async () => {
    const dataDir = join(work, "data");
    const r = await cli(["bootstrap", "--from", rdap.bootstrapUrl, "--allow-private"], {
      VANGRAIL_TEST_MODE: "1",
      VANGRAIL_DATA_DIR: dataDir,
    });
    assert.equal(r.code, 0, r.err);
    const lines = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { file: string; publication: string });
    assert.deepEqual(
      lines.map((l) => l.file),
      ["dns.json", "ipv4.json", "ipv6.json", "asn.json"],
    );
    const dir = join(dataDir, "rdap-bootstrap");
    assert.deepEqual(readdirSync(dir).sort(), ["asn.json", "dns.json", "ipv4.json", "ipv6.json"]);
    assert.equal(
      readFileSync(join(dir, "dns.json"), "utf8"),
      readFileSync(join(rdap.bootstrapDir, "dns.json"), "utf8"),
    );
    // And that folder is now the one in use.
    const s = await cli(["status"], { VANGRAIL_DATA_DIR: dataDir });
    assert.equal(s.code, 0, s.err);
    assert.equal(JSON.parse(s.out).dir, dir);
    assert.equal(JSON.parse(s.out).publication.dns, "2026-11-01T00:00:00Z");
  });

  test("a set with one bad file replaces nothing", async () => {
    const dir = join(work, "kept");
    cpSync(rdap.bootstrapDir, dir, { recursive: true });
    const bad = join(work, "bad-source");
    cpSync(rdap.bootstrapDir, bad, { recursive: true });
    writeFileSync(
      join(bad, "ipv6.json"),
      JSON.stringify({
        version: "1.0",
        publication: "2030-01-01",
        services: [[["2001::/129"], ["https://x/"]]],
      }),
    );
    for (const k of ["dns", "ipv4", "asn"]) {
      const f = JSON.parse(readFileSync(join(bad, `${k}.json`), "utf8"));
      writeFileSync(join(bad, `${k}.json`), JSON.stringify({ ...f, publication: "2030-01-01T00:00:00Z" }));
    }
    const before = readFileSync(join(dir, "dns.json"), "utf8");
    const r = await cli(["bootstrap", "--dir", dir, "--from", bad]);
    assert.equal(r.code, 1);
    assert.match(r.err, /ipv6\.json is not valid/);
    assert.equal(readFileSync(join(dir, "dns.json"), "utf8"), before);
    assert.deepEqual(readdirSync(dir).sort(), ["asn.json", "dns.json", "ipv4.json", "ipv6.json"]);
  });

  test("--allow-private only in test mode", async () => {
    const r = await cli(
      ["bootstrap", "--dir", join(work, "x"), "--from", rdap.bootstrapUrl, "--allow-private"],
      {
        VANGRAIL_TEST_MODE: "",
      },
    );
    assert.equal(r.code, 2);
    assert.match(r.err, /--allow-private is refused/);
    const blocked = await cli(["bootstrap", "--dir", join(work, "x"), "--from", rdap.bootstrapUrl]);
    assert.equal(blocked.code, 1);
    assert.match(blocked.err, /only fetches from the public internet/);
  });

  test("lookup prints what attribution finds for a host, storing nothing but the RDAP cache", async () => {
    const r = await cli(["lookup", "--allow-private", "http://185.10.1.5/some/path"], {
      VANGRAIL_TEST_MODE: "1",
      VANGRAIL_DATA_DIR: join(work, "lookup-data"),
      RDAP_BOOTSTRAP_DIR: rdap.loopbackBootstrapDir,
    });
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as {
      host: string;
      findings: { role: string; name: string; abuseEmail: string }[];
    };
    assert.equal(out.host, "http://185.10.1.5/some/path");
    assert.deepEqual(
      out.findings.map((f) => [f.role, f.name, f.abuseEmail]),
      [["hosting", "Fictional Hosting B.V.", "abuse@fictional-hosting.example"]],
    );
  });
});
