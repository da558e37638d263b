import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ConfigError, configVariables, loadConfig } from "./config.ts";

test("defaults give a working single-machine install", () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.match(c.dataDir, /\/data$/);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.publicUrl, "http://localhost:8080");
});

test("every problem is reported at once", () => {
  try {
    loadConfig({
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      LOG_LEVEL: "loud",
      VANGRAIL_MASTER_KEY: "short",
    });
    assert.fail("expected a ConfigError");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const names = e.problems.map((p) => p.split(":")[0]);
    assert.deepEqual(names.sort(), ["DATABASE_URL", "LOG_LEVEL", "PORT", "VANGRAIL_MASTER_KEY"]);
  }
});

test("honours PORT and VANGRAIL_DATA_DIR", () => {
  const c = loadConfig({ PORT: "9123", VANGRAIL_DATA_DIR: "/tmp/vg-x" });
  assert.equal(c.port, 9123);
  assert.equal(c.dataDir, "/tmp/vg-x");
});

test(".env.example documents every variable", () => {
  const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
  const missing = configVariables.filter((v) => !new RegExp(`^#?\\s*${v}=`, "m").test(example));
  assert.deepEqual(missing, []);
});
