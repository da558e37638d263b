// Builds the web front end when dist/web is missing, so `npm start` works on a fresh clone.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const WEB_DIST = join(ROOT, "dist", "web");

export function ensureWebBuild(log: (msg: string) => void): boolean {
  if (existsSync(join(WEB_DIST, "index.html"))) return true;
  const vite = join(ROOT, "node_modules", "vite", "bin", "vite.js");
  if (!existsSync(vite)) {
    log("web front end is not built and vite is not installed: run `npm install && npm run build`");
    return false;
  }
  log("building the web front end (first start)…");
  const r = spawnSync(
    process.execPath,
    [vite, "build", "--config", join(ROOT, "web", "vite.config.ts"), "--logLevel", "warn"],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
  if (r.status !== 0) {
    log("building the web front end failed; the API still runs");
    return false;
  }
  return true;
}
