// Fictional parties for the demo and the simulated world: invented companies under the reserved
// .example and .test names (RFC 2606), documentation ASNs (RFC 5398) and a reserved registrar
// IANA id. None of them is, or stands for, a real company.
import type { ChannelKind, PartyKind, PartyMatcherKind } from "../../../migrations/schema.ts";
import type { Deps } from "../deps.ts";
import { operatorFor, type UpsertResult, upsertParty } from "./parties.ts";
import type { NewPartyInput } from "./parties-schemas.ts";

export interface DemoParty {
  name: string;
  kind: PartyKind;
  country: string;
  dsaContact?: string;
  legalRepresentative?: string;
  veryLarge?: boolean;
  dsc?: string;
  languages: string[];
  responseHours?: number;
  maxUrlsPerNotice?: number;
  notes?: string;
  matchers: { kind: PartyMatcherKind; value: string }[];
  /** In priority order. */
  channels: { kind: ChannelKind; address: string }[];
}

export const demoParties: readonly DemoParty[] = [
  {
    name: "Fotodeel B.V.",
    kind: "platform",
    country: "NL",
    dsaContact: "dsa@fotodeel.example",
    dsc: "ACM (NL)",
    languages: ["nl", "en"],
    responseHours: 24,
    notes: "Fictional photo-sharing site (demo).",
    matchers: [
      { kind: "domain", value: "fotodeel.example" },
      { kind: "domain", value: "*.fotodeel-cdn.example" },
    ],
    channels: [
      { kind: "email", address: "abuse@fotodeel.example" },
      { kind: "webform", address: "https://fotodeel.example/melden" },
    ],
  },
  {
    name: "Snapgram Ltd",
    kind: "platform",
    country: "IE",
    dsaContact: "dsa-contact@snapgram.example",
    legalRepresentative: "Snapgram Ltd, 1 Voorbeeldstraat, Dublin (fictional)",
    veryLarge: true,
    dsc: "Coimisiún na Meán (IE)",
    languages: ["en", "nl", "de", "fr"],
    maxUrlsPerNotice: 100,
    notes: "Fictional very large platform (demo).",
    matchers: [
      { kind: "domain", value: "snapgram.example" },
      { kind: "domain", value: "sgcdn.example" },
    ],
    channels: [
      { kind: "webhook", address: "https://api.snapgram.example/trusted-flagger/notices" },
      { kind: "email", address: "dsa-notices@snapgram.example" },
    ],
  },
  {
    name: "Kletsbox GmbH",
    kind: "platform",
    country: "DE",
    dsaContact: "kontakt@kletsbox.example",
    dsc: "Bundesnetzagentur (DE)",
    languages: ["de", "en"],
    responseHours: 48,
    notes: "Fictional chat forum (demo).",
    matchers: [{ kind: "domain", value: "kletsbox.example" }],
    channels: [{ kind: "email", address: "abuse@kletsbox.example" }],
  },
  {
    name: "Plakbord Media (fictief)",
    kind: "platform",
    country: "NL",
    dsc: "ACM (NL)",
    languages: ["nl"],
    notes: "Fictional image board that does not answer (demo).",
    matchers: [{ kind: "domain", value: "plakbord.test" }],
    channels: [{ kind: "email", address: "info@plakbord.test" }],
  },
  {
    name: "Wolkhost B.V.",
    kind: "hosting",
    country: "NL",
    languages: ["nl", "en"],
    responseHours: 24,
    notes: "Fictional hosting company; AS64500 is a documentation ASN (RFC 5398).",
    matchers: [
      { kind: "asn", value: "64500" },
      { kind: "abuse_email", value: "abuse@wolkhost.example" },
      { kind: "domain", value: "wolkhost.example" },
    ],
    channels: [{ kind: "email", address: "abuse@wolkhost.example" }],
  },
  {
    name: "Domeinwinkel B.V.",
    kind: "registrar",
    country: "NL",
    languages: ["nl", "en"],
    notes: "Fictional registrar; IANA id 9999 is reserved and belongs to no registrar.",
    matchers: [
      { kind: "registrar_iana_id", value: "9999" },
      { kind: "abuse_email", value: "abuse@domeinwinkel.example" },
    ],
    channels: [{ kind: "email", address: "abuse@domeinwinkel.example" }],
  },
  {
    name: "Stichting Testregister (fictief)",
    kind: "registry",
    country: "NL",
    languages: ["nl", "en"],
    notes: "Fictional registry of the reserved .test TLD (demo).",
    matchers: [{ kind: "tld", value: "test" }],
    channels: [
      { kind: "email", address: "abuse@testregister.example" },
      { kind: "webform", address: "https://testregister.example/klacht" },
    ],
  },
  {
    name: "Betaalmuur B.V.",
    kind: "payment",
    country: "NL",
    languages: ["nl", "en"],
    notes: "Fictional payment provider (demo).",
    matchers: [{ kind: "domain", value: "betaalmuur.example" }],
    channels: [{ kind: "email", address: "compliance@betaalmuur.example" }],
  },
];

/** A demo party as an upsert spec: every field named, matchers and channels exactly these. */
export function demoSpec(p: DemoParty) {
  const fields: NewPartyInput = {
    name: p.name,
    kind: p.kind,
    country: p.country,
    dsaContact: p.dsaContact ?? null,
    legalRepresentative: p.legalRepresentative ?? null,
    veryLarge: p.veryLarge ?? false,
    dsc: p.dsc ?? null,
    languages: p.languages,
    responseHours: p.responseHours ?? null,
    maxUrlsPerNotice: p.maxUrlsPerNotice ?? 50,
    notes: p.notes ?? null,
  };
  return {
    fields,
    named: new Set(Object.keys(fields) as (keyof NewPartyInput)[]),
    matchers: p.matchers,
    channels: p.channels,
    archived: false,
  };
}

/**
 * Puts the demo parties in an organisation's registry (or brings them back in line): safe to
 * run again, kept channels keep their webhook secrets.
 */
export async function seedDemoParties(
  deps: Deps,
  organisationId: string,
  parties: readonly DemoParty[] = demoParties,
): Promise<(UpsertResult & { name: string })[]> {
  const by = operatorFor(organisationId);
  const out: (UpsertResult & { name: string })[] = [];
  for (const p of parties)
    out.push({ name: p.name, ...(await upsertParty(deps, by, demoSpec(p), { source: "demo" })) });
  return out;
}
