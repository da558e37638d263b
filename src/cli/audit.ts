// `vangrail audit verify`: walk the audit chain and name the first event that does not hold.
import { verify } from "../modules/audit/service.ts";
import { parse } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage: vangrail audit verify [--json]

Recomputes the hash of every audit event from the first and checks each link to the one
before. Exits 0 when the whole chain holds, 1 naming the first broken event otherwise.`;

export async function run(argv: string[]): Promise<number> {
  const a = parse(argv, { json: { type: "boolean" } }, help);
  if (!a) return 0;
  if (a.positionals[0] !== "verify") {
    console.error(help);
    return 2;
  }
  const rt = await boot();
  try {
    const r = await verify(rt.deps.db);
    if (a.values.json) console.log(JSON.stringify(r));
    else if (r.ok) console.log(`audit chain OK: ${r.checked} events, head ${r.headHash}`);
    else {
      const b = r.firstBroken;
      console.log(
        `audit chain BROKEN at event #${b?.seq} (id ${b?.id}): ${b?.reason}; ${r.checked} events before it hold`,
      );
    }
    return r.ok ? 0 : 1;
  } finally {
    await rt.close();
  }
}
