// `vangrail demo`: seed fictional organisations and users and print their passwords.
import type { DemoAccount } from "../modules/demo/service.ts";
import { seedDemo } from "../modules/demo/service.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";
import { runSimulation } from "./simulate.ts";

const help = `Usage: vangrail demo [--simulate [--days N] [--report-days D] [--seed S] [--reports-per-day R] [--json]]

Creates fictional demo organisations (a hotline, a regulator, a platform) and their users, or
gives the existing demo users new passwords, and fills the hotline's party registry with
fictional platforms, a host, a registrar, a registry and a payment provider (.example and .test
names only). Prints every login. Refused in production.

--simulate runs the whole chain for N days (default 75; reports arrive on the first D days,
default 7) on an accelerated clock against fictional parties that remove fast, remove late,
ignore, refuse, or whose address bounces: a local SMTP server receives every notice, a local
RDAP server answers for the fictional networks, fictional sites serve the reported pages and
monitoring re-checks them. Parties that do not act are escalated up the ladder (approved at
once by the demo coordinator) to enforcement requests with the demo regulators, which answer
late (ACM), never (AP) or quickly (police), so decision terms lapse and notices of default are
drafted. Every message sent is kept as an .eml file under VANGRAIL_DATA_DIR/sim-mail/; the
data left behind is a normal data folder. Prints one JSON summary (with --json, only that
line).`;

export function printDemoAccounts(accounts: DemoAccount[]): void {
  console.log("\n  Demo accounts (fictional; staff of the hotline and regulator set up MFA at first login):");
  for (const a of accounts)
    console.log(`    ${a.email.padEnd(36)} ${a.password}   ${a.role}, ${a.organisation}`);
  console.log("");
}

export async function run(argv: string[]): Promise<number> {
  const args = parse(
    argv,
    {
      simulate: { type: "boolean" },
      days: { type: "string" },
      "report-days": { type: "string" },
      seed: { type: "string" },
      "reports-per-day": { type: "string" },
      json: { type: "boolean" },
    },
    help,
  );
  if (!args) return 0;
  if (args.values.simulate) {
    const num = (v: string | undefined, d: number, min: number, max: number, name: string) => {
      const n = v === undefined ? d : Number(v);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new UsageError(`--${name} must be a whole number from ${min} to ${max}\n\n${help}`);
      return n;
    };
    const days = num(args.values.days, 75, 1, 365, "days");
    return runSimulation({
      days,
      reportDays: num(args.values["report-days"], Math.min(days, 7), 1, days, "report-days"),
      seed: num(args.values.seed, 1, 0, 2 ** 31, "seed"),
      reportsPerDay: num(args.values["reports-per-day"], 2, 1, 6, "reports-per-day"),
      json: args.values.json === true,
    });
  }
  const rt = await boot();
  try {
    printDemoAccounts(await seedDemo(rt.deps));
    return 0;
  } finally {
    await rt.close();
  }
}
