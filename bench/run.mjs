#!/usr/bin/env node
// `npm run bench [name…]`: runs every bench/*.ts (or the named ones) in turn; each prints JSON
// lines of figures. Targets are stated in the issue texts and checked by reading, not asserted.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
const names = wanted.length > 0 ? wanted : all;
const flags = process.features.typescript ? [] : ["--experimental-strip-types", "--no-warnings"];
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`bench: no bench/${name}.ts (have: ${all.join(", ")})`);
    failed++;
    continue;
  }
  const r = spawnSync(process.execPath, [...flags, `${dir}${name}.ts`], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
