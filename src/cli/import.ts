// `vangrail import FILE.csv`: URLs with a category into a case (or new cases), with a progress
// bar on the terminal and a per-row result report.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import * as cases from "../modules/cases/service.ts";
import { type Principal, userPrincipal } from "../modules/identity/principal.ts";
import * as identity from "../modules/identity/service.ts";
import { importCsv } from "../modules/intake/import.ts";
import { limits } from "../platform/limits.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage: vangrail import FILE.csv --as EMAIL [--case VG-000123] [--category ID] [--report OUT.json]

Imports the rows of FILE.csv (columns: url, and category and platform when present) into the
case given with --case, or into new cases (one per category). --as names the staff member the
import is recorded under (their organisation and audit trail). --category is used for rows
without one. Prints a progress bar and a summary; --report writes every row's result as JSON.
Exits 1 when any row failed.`;

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
}

export async function run(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    {
      as: { type: "string" },
      case: { type: "string" },
      category: { type: "string" },
      report: { type: "string" },
    },
    help,
  );
  if (!a) return 0;
  const [file] = a.positionals;
  if (!file || !a.values.as) throw new UsageError(`name a CSV file and --as EMAIL\n\n${help}`);
  if (statSync(file).size > limits.importBytesMax)
    throw new UsageError(`${file} is larger than ${limits.importBytesMax} bytes`);
  const csv = readFileSync(file, "utf8");
  const rt = await boot();
  try {
    const user = await identity.findUserByEmail(rt.deps, a.values.as);
    if (!user) throw new UsageError(`no user with e-mail ${a.values.as}`);
    const org = await identity.findOrganisationById(rt.deps, user.organisationId);
    const by: Principal = userPrincipal(user, org.kind, "cli");
    let caseId: string | undefined;
    if (a.values.case) {
      const number = cases.parseReference(a.values.case);
      const c = number === undefined ? undefined : await cases.findByNumber(rt.deps, by, number);
      if (!c) throw new UsageError(`no case ${a.values.case} in ${org.name}`);
      caseId = c.id;
    }
    const tty = process.stderr.isTTY;
    const results = await importCsv(rt.deps, by, csv, {
      caseId,
      category: a.values.category,
      onProgress: (done, total) => {
        if (tty) process.stderr.write(`\r${bar(done, total)}`);
        else if (done === total || done % 1000 < 200) process.stderr.write(`${bar(done, total)}\n`);
      },
    });
    if (tty) process.stderr.write("\n");
    const failed = results.filter((r) => !r.ok);
    console.log(
      `imported ${results.length - failed.length} of ${results.length} rows; ${failed.length} failed`,
    );
    for (const f of failed.slice(0, 20)) console.log(`  line ${f.line}: ${f.error}`);
    if (failed.length > 20) console.log(`  … and ${failed.length - 20} more (see --report)`);
    if (a.values.report) writeFileSync(a.values.report, `${JSON.stringify(results, null, 2)}\n`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    await rt.close();
  }
}
