// `vangrail demo`: seed fictional organisations and users and print their passwords.
import type { DemoAccount } from "../modules/demo/service.ts";
import { seedDemo } from "../modules/demo/service.ts";
import { parse } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage: vangrail demo

Creates fictional demo organisations (a hotline, a regulator, a platform) and their users, or
gives the existing demo users new passwords, and fills the hotline's party registry with
fictional platforms, a host, a registrar, a registry and a payment provider (.example and .test
names only). Prints every login. Refused in production.`;

export function printDemoAccounts(accounts: DemoAccount[]): void {
  console.log("\n  Demo accounts (fictional; staff of the hotline and regulator set up MFA at first login):");
  for (const a of accounts)
    console.log(`    ${a.email.padEnd(36)} ${a.password}   ${a.role}, ${a.organisation}`);
  console.log("");
}

export async function run(argv: string[]): Promise<number> {
  if (!parse(argv, {}, help)) return 0;
  const rt = await boot();
  try {
    printDemoAccounts(await seedDemo(rt.deps));
    return 0;
  } finally {
    await rt.close();
  }
}
