// Demo data: fictional organisations and users so a newcomer can look around at once, and a
// party registry of fictional platforms, hosts, a registrar and a registry for the hotline.
// Every name is invented and every address is under the reserved .example or .test domains.
import { randomToken } from "../../platform/crypto.ts";
import { AppError } from "../../platform/errors.ts";
import { seedDemoParties } from "../attribution/parties-demo.ts";
import type { Deps } from "../deps.ts";
import * as enforcement from "../escalation/enforcement.ts";
import { userPrincipal } from "../identity/principal.ts";
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
    name: "Demo Autoriteit Persoonsgegevens (fictief)",
    kind: "regulator",
    users: [
      { displayName: "Demo AP-medewerker", email: "officer@ap.demo.example", role: "regulator_officer" },
    ],
  },
  {
    name: "Demo Politie (fictief)",
    kind: "police",
    users: [
      { displayName: "Demo Rechercheur", email: "officer@politie.demo.example", role: "regulator_officer" },
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
  const orgIds = new Map<string, string>();
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
    orgIds.set(o.name, orgId);
  }
  await seedDemoEnforcement(deps, orgIds);
  return accounts;
}

/**
 * Which demo organisation stands for which regulator in the hotline's enforcement requests
 * (the demo regulator for the ACM, the demo AP and the demo police; the others by e-mail), and
 * the hotline's applicant details (Awb art. 4:2), unless it already has its own.
 */
export const demoRegulators: Record<string, { organisation?: string; email?: string }> = {
  acm: { organisation: "Demo Toezichthouder (fictief)" },
  ap: { organisation: "Demo Autoriteit Persoonsgegevens (fictief)" },
  police: { organisation: "Demo Politie (fictief)" },
  atkm: { email: "meldingen@atkm.demo.example" },
  cvdm: { email: "toezicht@cvdm.demo.example" },
  ec: { email: "dsa-complaints@ec.demo.example" },
};

async function seedDemoEnforcement(deps: Deps, orgIds: Map<string, string>): Promise<void> {
  const hotlineId = orgIds.get("Demo Meldpunt (fictief)");
  const admin = await identity.findUserByEmail(deps, "admin@meldpunt.demo.example");
  if (!hotlineId || !admin) return;
  // Recorded (and audited) as the demo hotline's admin, who would do this in the workbench.
  const by = userPrincipal({ ...admin, organisationId: hotlineId }, "hotline", "demo-seed");
  const settings = await enforcement.getSettings(deps, by);
  if (!settings.postalAddress)
    await enforcement.saveSettings(deps, by, {
      applicantName: "Stichting Demo Meldpunt (fictief)",
      postalAddress: "Postbus 0000\n0000 AA Voorbeeldstad",
      email: "handhaving@meldpunt.demo.example",
      consultationMonths: settings.consultationMonths,
    });
  const contacts = new Set((await enforcement.listContacts(deps, by)).map((c) => c.regulator));
  for (const [regulator, c] of Object.entries(demoRegulators)) {
    if (contacts.has(regulator)) continue;
    await enforcement.saveContact(deps, by, regulator, {
      regulatorOrganisationId: c.organisation ? (orgIds.get(c.organisation) ?? null) : null,
      email: c.email ?? null,
    });
  }
}
