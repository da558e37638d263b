#!/usr/bin/env node
// Launcher for the `vangrail` CLI. The code base is TypeScript run directly by Node's
// type stripping (Node >= 22.18 and 24 do this by default); on an older 22.x the flag
// is still needed, so the launcher re-executes itself with it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `vangrail: Node.js ${process.versions.node} is too old; use Node 24 (see scripts/node24.sh).`,
  );
  process.exit(1);
}
const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
if (!process.features.typescript) {
  const r = spawnSync(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", main, ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  process.exit(r.status ?? 1);
}
await import(main);
