// Shared setup of the browser tests: Debian's Chromium, the rule that CI must have it, a
// locked "build the front end if stale" step, and the axe-core accessibility check.
//
// axe is injected with page.evaluate(<source text>): that runs through the DevTools protocol,
// to which the page's CSP does not apply. addScriptTag would add an inline <script>, which the
// CSP (script-src 'self') rightly blocks, and bypassCSP would switch the CSP off for the whole
// page. This way the real CSP stays on and the tests also prove the UI runs under it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ROOT } from "./server.ts";

// Debian's Chromium; CHROMIUM_PATH only exists to try the skip and CI-failure paths.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const haveBrowser = existsSync(CHROMIUM);

/** The `skip` option of a browser test: a reason when Chromium is missing, else false. */
export const skip: string | false = haveBrowser
  ? false
  : `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) to run the browser tests`;

/** Under CI a missing browser is a failure, not a skip. Call once at the top of a test file. */
export function requireBrowserInCi(): void {
  if (!haveBrowser && process.env.CI) {
    test("Chromium is installed for the browser tests", () => {
      assert.fail(`${CHROMIUM} is missing; CI must install Debian's chromium package`);
    });
  }
}

/** Builds the front end when dist/web is missing or older than web/; one build at a time. */
export function ensureWebBuilt(): void {
  const index = join(ROOT, "dist", "web", "index.html");
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
        const path = join(dir, entry.name);
        return entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
      }),
    );
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, "web"));
  if (fresh()) return;
  const lock = join(tmpdir(), "vangrail-web-build.lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      spawnSync("sleep", ["0.5"]);
    }
  }
  try {
    if (fresh()) return;
    const vite = join(ROOT, "node_modules", "vite", "bin", "vite.js");
    const r = spawnSync(
      process.execPath,
      [vite, "build", "--config", join(ROOT, "web", "vite.config.ts"), "--logLevel", "warn"],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(r.status, 0, `building the web front end failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core on the page; serious or critical findings fail, others are printed. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) {
    await page.evaluate(axeSource);
  }
  const options = {
    runOnly: {
      type: "tag",
      values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
  };
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, ${JSON.stringify(options)}).then((r) => r.violations)`,
  );
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summarise = (v: AxeViolation) =>
    `[${v.impact}] ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`;
  for (const v of violations.filter((x) => !blocking.includes(x))) {
    console.log(`axe (${label}, not failing): ${summarise(v)}`);
  }
  assert.deepEqual(blocking.map(summarise), [], `accessibility violations on the ${label}`);
}
