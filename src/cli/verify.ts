// `vangrail verify BUNDLE.zip`: checks an evidence bundle offline — hashes, signature,
// timestamp — without a database, configuration or network. Exit 0 only when all holds.
import { readFileSync } from "node:fs";
import { verifyBundle } from "../modules/evidence/verify.ts";
import { parse, UsageError } from "./args.ts";

const help = `Usage: vangrail verify BUNDLE.zip [--tsa-ca CA.pem] [--key KEY.pem] [--require-timestamp] [--json]

Checks, offline, that every artefact in the bundle has the SHA-256 and size its manifest lists,
that the manifest's Ed25519 signature holds, and that its RFC 3161 timestamp token is valid.
Prints each check and exits 0 only when everything verifies; otherwise 1, naming the first
failure. Hostile zips (unsafe paths, links, bombs) are refused unread.

  --tsa-ca CA.pem       the timestamp authority's CA certificate: also check the TSA's chain
  --key KEY.pem         the organisation's public key you trust: the bundle must be signed by it
  --require-timestamp   fail when the bundle carries no timestamp token`;

export async function run(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    {
      "tsa-ca": { type: "string" },
      key: { type: "string" },
      "require-timestamp": { type: "boolean" },
      json: { type: "boolean" },
    },
    help,
  );
  if (!a) return 0;
  const [file] = a.positionals;
  if (!file || a.positionals.length > 1) throw new UsageError(help);
  const report = await verifyBundle(file, {
    tsaCaPem: a.values["tsa-ca"] ? readFileSync(a.values["tsa-ca"], "utf8") : undefined,
    trustedKeyPem: a.values.key ? readFileSync(a.values.key, "utf8") : undefined,
    requireTimestamp: a.values["require-timestamp"],
  });
  if (a.values.json) {
    console.log(
      JSON.stringify({ ok: report.ok, checks: report.checks, firstFailure: report.firstFailure }, null, 2),
    );
  } else {
    const width = Math.min(48, Math.max(...report.checks.map((c) => c.name.length)));
    for (const c of report.checks)
      console.log(`${c.ok ? (c.warning ? "ok* " : "OK  ") : "FAIL"}  ${c.name.padEnd(width)}  ${c.detail}`);
    if (report.ok) console.log(`VERIFIED: ${file}`);
    else console.log(`FAILED: ${report.firstFailure?.name}: ${report.firstFailure?.detail}`);
  }
  return report.ok ? 0 : 1;
}
