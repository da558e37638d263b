// `vangrail admin`: operator tools — create the first organisation and admin, unlock a user,
// reset a user's second factor, set a password. Each change is an audit event.
import { readFileSync } from "node:fs";
import { type OrganisationKind, organisationKinds } from "../modules/identity/roles.ts";
import * as identity from "../modules/identity/service.ts";
import { randomToken } from "../platform/crypto.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage:
  vangrail admin init --org-name NAME --org-kind KIND --name NAME --email EMAIL [--password-stdin]
  vangrail admin unlock --email EMAIL
  vangrail admin reset-mfa --email EMAIL
  vangrail admin set-password --email EMAIL [--password-stdin]

init creates the first organisation (KIND: ${organisationKinds.join(", ")}) and its admin; it is
refused once any user exists. Without --password-stdin a strong password is generated and printed.`;

const readPassword = (fromStdin: boolean | undefined): { password: string; generated: boolean } =>
  fromStdin
    ? { password: readFileSync(0, "utf8").replace(/\r?\n$/, ""), generated: false }
    : { password: randomToken(18), generated: true };

export async function run(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    {
      "org-name": { type: "string" },
      "org-kind": { type: "string" },
      name: { type: "string" },
      email: { type: "string" },
      "password-stdin": { type: "boolean" },
    },
    help,
  );
  if (!a) return 0;
  const [sub] = a.positionals;
  const v = a.values;
  const need = (...keys: (keyof typeof v)[]) => {
    const missing = keys.filter((k) => !v[k]);
    if (missing.length > 0)
      throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(", ")}\n\n${help}`);
  };
  if (!sub || !["init", "unlock", "reset-mfa", "set-password"].includes(sub)) {
    console.error(help);
    return 2;
  }
  if (sub === "init") {
    need("org-name", "org-kind", "name", "email");
    if (!organisationKinds.includes(v["org-kind"] as OrganisationKind)) {
      throw new UsageError(`--org-kind must be one of ${organisationKinds.join(", ")}`);
    }
  } else need("email");

  const rt = await boot();
  try {
    const email = v.email as string;
    if (sub === "init") {
      const { password, generated } = readPassword(v["password-stdin"]);
      const r = await identity.initFirstAccount(rt.deps, {
        organisation: { name: v["org-name"] as string, kind: v["org-kind"] as OrganisationKind },
        admin: { displayName: v.name as string, email, password },
      });
      console.log(`created organisation ${r.organisationId} and admin ${email}`);
      if (generated) console.log(`password: ${password}   (shown once; MFA is set up at first login)`);
    } else if (sub === "unlock") {
      await identity.resetUserAccess(rt.deps, email, { mfa: false, reason: "operator: admin unlock" });
      console.log(`unlocked ${email}`);
    } else if (sub === "reset-mfa") {
      await identity.resetUserAccess(rt.deps, email, { mfa: true, reason: "operator: admin reset-mfa" });
      console.log(`second factor of ${email} removed; they enrol again at their next login`);
    } else {
      const user = await identity.findUserByEmail(rt.deps, email);
      if (!user) throw new UsageError(`no user with e-mail ${email}`);
      const { password, generated } = readPassword(v["password-stdin"]);
      await identity.setPassword(rt.deps, user.id, password, "operator: admin set-password");
      console.log(generated ? `new password for ${email}: ${password}` : `password of ${email} set`);
    }
    return 0;
  } finally {
    await rt.close();
  }
}
