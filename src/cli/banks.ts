// `vangrail banks`: operator tools for hash banks — list and create banks, import and export
// hash lists (CSV or JSON lines), withdraw a victim's submission, and match image files against
// the banks. Every change is an audit event (actor: the system, for the bank's organisation).
import { readFile, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import * as banks from "../modules/hashing/service.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage:
  vangrail banks list --org ORG_ID
  vangrail banks create --org ORG_ID --name NAME --kind KIND [--shared]
  vangrail banks import --bank BANK_ID [--format csv|jsonl] [--source TEXT] FILE
  vangrail banks export --bank BANK_ID [--format csv|jsonl] [--out FILE]
  vangrail banks withdraw (--secret SECRET | --report REPORT_ID)
  vangrail banks match --org ORG_ID [--radius N] FILE...

KIND: ${banks.bankKinds.join(", ")}. --shared lets partners' match tokens see the bank.
Hash lists have the columns signal_type (pdq, md5, sha256), value, quality, pipeline, case_id,
source, note, expires_at: CSV with a header row, or one JSON object per line. import prints one
JSON line per refused line ({"line","ok","error"}) and a summary; the exit code is 1 if any
line was refused. match hashes image files and prints one JSON line per file with its matches.`;

const CHUNK = 20_000;

export async function run(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    {
      org: { type: "string" },
      bank: { type: "string" },
      name: { type: "string" },
      kind: { type: "string" },
      shared: { type: "boolean" },
      format: { type: "string" },
      source: { type: "string" },
      out: { type: "string" },
      secret: { type: "string" },
      report: { type: "string" },
      radius: { type: "string" },
    },
    help,
  );
  if (!a) return 0;
  const [sub, ...files] = a.positionals;
  const v = a.values;
  const need = (...keys: (keyof typeof v)[]) => {
    const missing = keys.filter((k) => !v[k]);
    if (missing.length > 0)
      throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(", ")}\n\n${help}`);
  };
  const format = (file?: string): banks.ListFormat => {
    const f = v.format ?? (file && /\.(jsonl|ndjson)$/i.test(extname(file)) ? "jsonl" : "csv");
    if (f !== "csv" && f !== "jsonl") throw new UsageError("--format is csv or jsonl");
    return f;
  };
  if (sub === "list") need("org");
  else if (sub === "create") {
    need("org", "name", "kind");
    if (!(banks.bankKinds as readonly string[]).includes(v.kind as string))
      throw new UsageError(`--kind is one of ${banks.bankKinds.join(", ")}`);
  } else if (sub === "import") {
    need("bank");
    if (files.length !== 1) throw new UsageError(`give one FILE to import\n\n${help}`);
  } else if (sub === "export") need("bank");
  else if (sub === "withdraw") {
    if (!v.secret === !v.report) throw new UsageError("give either --secret or --report");
  } else if (sub === "match") {
    need("org");
    if (files.length === 0) throw new UsageError(`give image FILEs to match\n\n${help}`);
  } else {
    console.error(help);
    return 2;
  }

  const rt = await boot();
  try {
    const deps = rt.deps;
    if (sub === "list") {
      for (const b of await banks.listBanks(deps, banks.operatorFor(v.org as string)))
        console.log(
          JSON.stringify({
            id: b.id,
            name: b.name,
            kind: b.kind,
            shared: b.shared,
            entries: b.entries,
            enabled: b.enabledEntries,
          }),
        );
      return 0;
    }
    if (sub === "create") {
      const b = await banks.createBank(deps, banks.operatorFor(v.org as string), {
        name: v.name as string,
        kind: v.kind as banks.BankKind,
        shared: v.shared === true,
      });
      console.log(JSON.stringify({ id: b.id, name: b.name, kind: b.kind, shared: b.shared }));
      return 0;
    }
    if (sub === "import") {
      const file = files[0] as string;
      const by = await banks.operatorForBank(deps, v.bank as string);
      const { items, errors } = banks.parseList(await readFile(file, "utf8"), format(file));
      let added = 0;
      const refused = [...errors];
      for (let i = 0; i < items.length; i += CHUNK) {
        const results = await banks.addEntries(deps, by, v.bank as string, items.slice(i, i + CHUNK), {
          source: v.source ?? `import:${file}`,
        });
        added += results.filter((r) => r.ok).length;
        refused.push(...results.filter((r) => !r.ok));
      }
      refused.sort((x, y) => x.line - y.line);
      for (const r of refused) console.log(JSON.stringify(r));
      console.error(`imported ${added} entries; ${refused.length} lines refused`);
      return refused.length > 0 ? 1 : 0;
    }
    if (sub === "export") {
      const by = await banks.operatorForBank(deps, v.bank as string);
      let text = "";
      for await (const chunk of banks.exportList(deps, by, v.bank as string, format(v.out))) {
        if (v.out) text += chunk;
        else process.stdout.write(chunk);
      }
      if (v.out) await writeFile(v.out, text);
      return 0;
    }
    if (sub === "withdraw") {
      const r = await banks.withdraw(
        deps,
        v.secret ? { secret: v.secret } : { reportId: v.report as string },
        "withdrawn by the operator on the victim's request",
      );
      console.log(JSON.stringify(r));
      return 0;
    }
    // match
    const radius = v.radius === undefined ? undefined : Number(v.radius);
    let failed = 0;
    const by = banks.operatorFor(v.org as string);
    for (const file of files) {
      try {
        const bytes = await readFile(file);
        const r = await banks.checkImage(deps, bytes, { organisationId: by.organisationId });
        const matches =
          radius === undefined
            ? r.matches
            : ((
                await banks.match(
                  deps,
                  by,
                  [
                    {
                      pdq: r.hashes.hash,
                      quality: r.hashes.quality,
                      dihedral: r.hashes.dihedral,
                      md5: r.hashes.md5,
                      sha256: r.hashes.sha256,
                    },
                  ],
                  { radius },
                )
              )[0]?.matches ?? []);
        console.log(JSON.stringify({ file, pdq: r.hashes.hash, quality: r.hashes.quality, matches }));
      } catch (e) {
        failed++;
        console.log(JSON.stringify({ file, error: (e as Error).message }));
      }
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await rt.close();
  }
}
