// `vangrail parties`: the party registry as CSV — import a file (idempotent by party name, one
// result per row) or export the registry. Acts for an organisation (--org, recorded as the
// system) or as a staff member (--as, with their permissions and name in the audit log).
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { operatorFor } from "../modules/attribution/parties.ts";
import { decodeCsv, exportPartiesCsv, importPartiesCsv } from "../modules/attribution/parties-csv.ts";
import type { Deps } from "../modules/deps.ts";
import { type Principal, userPrincipal } from "../modules/identity/principal.ts";
import * as identity from "../modules/identity/service.ts";
import { limits } from "../platform/limits.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage:
  vangrail parties import FILE.csv (--org ORG_ID | --as EMAIL) [--report OUT.json]
  vangrail parties export (--org ORG_ID | --as EMAIL) [--out FILE.csv]

The CSV has a header row; name and kind are required, the other columns are optional:
country, dsa_contact, legal_representative, very_large, dsc, languages, response_hours,
max_urls_per_notice, notes, archived, domains, asns, registrar_iana_ids, tlds, abuse_emails,
channels. Lists within a cell are separated by ";"; channels are kind:address in priority
order (email:abuse@example.org;webform:https://example.org/form). A party with the same name
is updated; an absent column leaves that part as it is. At most ${limits.partyImportRowsMax} rows and
${limits.partyImportBytesMax} bytes, UTF-8. import prints a summary and the failed rows, and the
secrets of new webhooks (shown once; store them now); the exit code is 1 if any row failed.
See docs/API.md ("Party registry") for the format.`;

async function principalFor(deps: Deps, org: string | undefined, as: string | undefined): Promise<Principal> {
  if (org) {
    await identity.findOrganisationById(deps, org);
    return operatorFor(org);
  }
  const user = await identity.findUserByEmail(deps, as as string);
  if (!user) throw new UsageError(`no user with e-mail ${as}`);
  const o = await identity.findOrganisationById(deps, user.organisationId);
  return userPrincipal(user, o.kind, "cli");
}

export async function run(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    { org: { type: "string" }, as: { type: "string" }, out: { type: "string" }, report: { type: "string" } },
    help,
  );
  if (!a) return 0;
  const [sub, ...files] = a.positionals;
  if (sub !== "import" && sub !== "export") {
    console.error(help);
    return 2;
  }
  if (!a.values.org === !a.values.as)
    throw new UsageError(`give either --org ORG_ID or --as EMAIL\n\n${help}`);
  if (sub === "import" && files.length !== 1) throw new UsageError(`give one FILE.csv to import\n\n${help}`);
  let text = "";
  if (sub === "import") {
    const file = files[0] as string;
    if (statSync(file).size > limits.partyImportBytesMax)
      throw new UsageError(`${file} is larger than ${limits.partyImportBytesMax} bytes`);
    text = decodeCsv(readFileSync(file));
  }
  const rt = await boot();
  try {
    const by = await principalFor(rt.deps, a.values.org, a.values.as);
    if (sub === "export") {
      const csv = await exportPartiesCsv(rt.deps, by);
      if (a.values.out) writeFileSync(a.values.out, csv);
      else process.stdout.write(csv);
      return 0;
    }
    const results = await importPartiesCsv(rt.deps, by, text, { source: `cli:${files[0]}` });
    const failed = results.filter((r) => !r.ok);
    const count = (x: string) => results.filter((r) => r.action === x).length;
    console.log(
      `${results.length} rows: ${count("created")} created, ${count("updated")} updated, ` +
        `${count("unchanged")} unchanged, ${failed.length} failed`,
    );
    for (const f of failed.slice(0, 50)) console.log(`  line ${f.line}: ${f.error}`);
    if (failed.length > 50) console.log(`  … and ${failed.length - 50} more (see --report)`);
    for (const r of results)
      for (const s of r.secrets ?? [])
        console.log(`  webhook secret for ${r.name} (${s.address}): ${s.secret}   (shown once)`);
    if (a.values.report) {
      // The report file holds results without secrets: they were shown once above.
      const clean = results.map(({ secrets: _s, ...rest }) => rest);
      writeFileSync(a.values.report, `${JSON.stringify(clean, null, 2)}\n`);
    }
    return failed.length > 0 ? 1 : 0;
  } finally {
    await rt.close();
  }
}
