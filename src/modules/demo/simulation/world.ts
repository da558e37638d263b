// The fictional world of the simulation: parties with a behaviour each, the domains they run
// or host, the loopback address standing for their network, and what their notice desk does
// with a notice. Every name is invented; every domain is under the reserved .example TLD.

export type Behaviour = "fast" | "slow" | "ignores" | "refuses" | "bounces";

export interface SimParty {
  name: string;
  kind: "platform" | "hosting";
  behaviour: Behaviour;
  /** Platforms: recognised by domain pattern. Hosts: reached through DNS → IP → RDAP. */
  domains: string[];
  address: string;
  email: string;
  languages: string[];
  country: string;
  asn: number;
}

export const simParties: SimParty[] = [
  {
    name: "Snelfoto B.V. (fictief)",
    kind: "platform",
    behaviour: "fast",
    domains: ["snelfoto.example"],
    address: "127.0.0.2",
    email: "abuse@snelfoto.example",
    languages: ["nl", "en"],
    country: "NL",
    asn: 64501,
  },
  {
    name: "Traaggram Ltd (fictional)",
    kind: "platform",
    behaviour: "slow",
    domains: ["traaggram.example"],
    address: "127.0.0.3",
    email: "dsa-notices@traaggram.example",
    languages: ["en"],
    country: "IE",
    asn: 64502,
  },
  {
    name: "Weigerboard Inc. (fictional)",
    kind: "platform",
    behaviour: "refuses",
    domains: ["weigerboard.example"],
    address: "127.0.0.4",
    email: "legal@weigerboard.example",
    languages: ["en"],
    country: "CY",
    asn: 64503,
  },
  {
    name: "Stuitmail S.A. (fictional)",
    kind: "platform",
    behaviour: "bounces",
    domains: ["stuitmail.example"],
    address: "127.0.0.5",
    email: "noreply@stuitmail.example",
    languages: ["en"],
    country: "LU",
    asn: 64504,
  },
  {
    name: "Negeerhost B.V. (fictief)",
    kind: "hosting",
    behaviour: "ignores",
    domains: ["anoniem-album.example", "gratis-plaatjes.example"],
    address: "127.0.0.6",
    email: "abuse@negeerhost.example",
    languages: ["nl", "en"],
    country: "NL",
    asn: 64505,
  },
];

/** The fictional registrar of every simulated domain. */
export const simRegistrar = {
  name: "Registrar Voorbeeld B.V. (fictief)",
  ianaId: "9999",
  abuseEmail: "abuse@registrar-voorbeeld.example",
};

/** A small deterministic random generator (mulberry32), so a seed replays the same world. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** When a party's desk acts on a notice, in hours after it arrived (undefined: never). */
export function plan(
  b: Behaviour,
  r: () => number,
): { ackAfter?: number; actAfter?: number; action?: "removed" | "refused" } {
  switch (b) {
    case "fast":
      return { ackAfter: 0.5, actAfter: 1 + r() * 7, action: "removed" };
    case "slow":
      return { ackAfter: 20, actAfter: 26 + r() * 22, action: "removed" };
    case "refuses":
      return { ackAfter: 2, actAfter: 6 + r() * 14, action: "refused" };
    default:
      return {};
  }
}

/**
 * The regulators' desks in the simulation: the demo organisations that stand for the ACM, the
 * AP and the police (see demo/service.ts) answer the enforcement requests filed with them in
 * their portal. One confirms receipt and decides after the Awb term has lapsed, one confirms
 * receipt and never decides, one (the police: a report of a crime, no Awb term) answers quickly.
 */
export interface SimRegulatorDesk {
  officerEmail: string;
  behaviour: "late" | "never" | "prompt";
  receiptAfterDays: number;
  /** Days after receipt; null: never. */
  decideAfterDays: number | null;
}

export const simRegulatorDesks: SimRegulatorDesk[] = [
  {
    officerEmail: "officer@toezicht.demo.example",
    behaviour: "late",
    receiptAfterDays: 2,
    decideAfterDays: 75,
  },
  { officerEmail: "officer@ap.demo.example", behaviour: "never", receiptAfterDays: 4, decideAfterDays: null },
  {
    officerEmail: "officer@politie.demo.example",
    behaviour: "prompt",
    receiptAfterDays: 1,
    decideAfterDays: 10,
  },
];
