// Demo data: fictional organisations and users so a newcomer can look around at once, and a
// party registry of fictional platforms, hosts, a registrar and a registry for the hotline.
// Every name is invented and every address is under the reserved .example or .test domains.
import { randomToken } from "../../platform/crypto.ts";
import { AppError } from "../../platform/errors.ts";
import { seedDemoParties } from "../attribution/parties-demo.ts";
import type { Deps } from "../deps.ts";
import type { OrganisationKind, Role } from "../identity/roles.ts";
import * as identity from "../identity/service.ts";

interface DemoOrg {
  name: string;
  kind: OrganisationKind;
  users: { displayName: string; email: string; role: Role }[];
}

export const demoOrganisations: DemoOrg[] = [
  {
    name: "Demo Meldpunt (fictief)",
    kind: "hotline",
    users: [
      { displayName: "Demo Beheerder", email: "admin@meldpunt.demo.example", role: "admin" },
      { displayName: "Demo Analist", email: "analist@meldpunt.demo.example", role: "analyst" },
      { displayName: "Demo Coördinator", email: "coordinator@meldpunt.demo.example", role: "supervisor" },
    ],
  },
  {
    name: "Demo Toezichthouder (fictief)",
    kind: "regulator",
    users: [
      {
        displayName: "Demo Toezichthouder",
        email: "officer@toezicht.demo.example",
        role: "regulator_officer",
      },
    ],
  },
  {
    name: "Demo Platform (fictional)",
    kind: "platform",
    users: [
      { displayName: "Demo Platform Agent", email: "agent@platform.demo.example", role: "platform_agent" },
    ],
  },
];

export interface DemoAccount {
  organisation: string;
  email: string;
  role: Role;
  password: string;
}

const demoPassword = () => `demo-${randomToken(12)}`;

/**
 * Seeds the demo organisations and users, or, when they exist, gives them new passwords, so
 * the printed passwords always work; and the hotline's fictional party registry (brought back
 * in line when it exists). Refused in production.
 */
export async function seedDemo(deps: Deps): Promise<DemoAccount[]> {
  if (deps.config.env === "production") {
    throw new AppError("conflict", { detail: "Demo data is not seeded when NODE_ENV=production." });
  }
  const accounts: DemoAccount[] = [];
  for (const o of demoOrganisations) {
    const first = o.users[0];
    const existing = first ? await identity.findUserByEmail(deps, first.email) : undefined;
    const orgId =
      existing?.organisationId ??
      (await identity.createOrganisation(deps, { name: o.name, kind: o.kind })).id;
    for (const u of o.users) {
      const password = demoPassword();
      const user = await identity.findUserByEmail(deps, u.email);
      if (user) await identity.setPassword(deps, user.id, password, "demo start: new demo password");
      else await identity.createUser(deps, undefined, { ...u, organisationId: orgId, password });
      accounts.push({ organisation: o.name, email: u.email, role: u.role, password });
    }
    if (o.kind === "hotline") await seedDemoParties(deps, orgId);
  }
  return accounts;
}
