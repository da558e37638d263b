#!/usr/bin/env node
import { ConfigError } from "../platform/config.ts";
// `vangrail <command>`: one file per subcommand; each parses its flags and calls modules.
import { isAppError } from "../platform/errors.ts";

const commands: Record<
  string,
  { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }
> = {
  serve: {
    summary: "HTTP API, web UI and background workers in one process",
    load: () => import("./serve.ts"),
  },
  worker: { summary: "background workers only (scale out beside serve)", load: () => import("./worker.ts") },
  migrate: { summary: "apply pending database migrations", load: () => import("./migrate.ts") },
  admin: {
    summary: "first organisation and admin; unlock users; reset MFA",
    load: () => import("./admin.ts"),
  },
  audit: { summary: "verify the audit log's hash chain", load: () => import("./audit.ts") },
  import: { summary: "import URLs from a CSV file into cases", load: () => import("./import.ts") },
  demo: { summary: "seed demo organisations and users (passwords printed)", load: () => import("./demo.ts") },
  capture: {
    summary: "capture one URL as signed evidence and write its bundle",
    load: () => import("./capture.ts"),
  },
  verify: {
    summary: "verify an evidence bundle offline (hashes, signature, timestamp)",
    load: () => import("./verify.ts"),
  },
  keys: { summary: "master-key rotation and evidence signing keys", load: () => import("./keys.ts") },
  hash: { summary: "PDQ, MD5 and SHA-256 of image files", load: () => import("./hash.ts") },
  parties: {
    summary: "party registry: import or export parties as CSV",
    load: () => import("./parties.ts"),
  },
  banks: {
    summary: "hash banks: list, create, import/export hash lists, withdraw, match files",
    load: () => import("./banks.ts"),
  },
  report: {
    summary: "figures, the trusted flagger's yearly report (json, csv, html, pdf), registration export",
    load: () => import("./report.ts"),
  },
  attribution: {
    summary: "RDAP bootstrap files (status, download from IANA) and lookups of who hosts a URL",
    load: () => import("./attribution.ts"),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    "Usage: vangrail <command> [options]",
    "",
    "Commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `vangrail <command> --help` for a command's options. Configuration: see .env.example.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`vangrail: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof ConfigError) console.error(`vangrail: ${e.message}`);
  else if (isAppError(e))
    console.error(
      `vangrail: ${e.message}${e.errors ? ` (${e.errors.map((x) => `${x.path}: ${x.message}`).join("; ")})` : ""}`,
    );
  else console.error(`vangrail: ${(e as Error).message ?? e}`);
  process.exitCode = 1;
}
