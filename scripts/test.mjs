#!/usr/bin/env node
// `npm test`: every unit test (src/**/*.test.ts) and integration and browser test
// (test/**/*.test.ts) with Node's own test runner. The integration suite runs on PGlite, and on
// PostgreSQL too when TEST_DATABASE_URL is set. `--e2e-only` runs just the browser tests.
import { spawnSync } from "node:child_process";

const e2eOnly = process.argv.includes("--e2e-only");
const patterns = e2eOnly ? ["test/e2e/**/*.test.ts"] : ["src/**/*.test.ts", "test/**/*.test.ts"];
const flags = process.features.typescript ? [] : ["--experimental-strip-types", "--no-warnings"];
const r = spawnSync(
  process.execPath,
  [...flags, "--test", "--test-concurrency=2", "--test-timeout=300000", ...patterns],
  { stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
);
process.exit(r.status ?? 1);
