// The party registry in the web front end: shapes of /api/v1/parties, the kinds, the page
// paths, and country and language names in the reader's language.
import { limits } from "../../../src/platform/limits.ts";

export const PARTY_KINDS = ["platform", "hosting", "registrar", "registry", "payment", "other"] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];
export const MATCHER_KINDS = ["domain", "asn", "registrar_iana_id", "tld", "abuse_email"] as const;
export type MatcherKind = (typeof MATCHER_KINDS)[number];
export const CHANNEL_KINDS = ["email", "webhook", "webform"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const PARTIES_PATH = "/parties";
export const PARTIES_IMPORT_PATH = "/parties/import";
export const PARTY_PATH = /^\/parties\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
export const partyPath = (id: string) => `/parties/${id}`;
/** The CSV export: a plain link, so the browser downloads it with the session cookie. */
export const PARTIES_CSV_URL = "/api/v1/parties.csv";

export const PARTY_LIMITS = {
  name: limits.nameMax,
  dsaContact: 500,
  legalRepresentative: 500,
  dsc: 200,
  notes: 5000,
  address: 2000,
  importBytes: limits.partyImportBytesMax,
  importRows: limits.partyImportRowsMax,
} as const;

export interface PartyMatcher {
  id: string;
  kind: MatcherKind;
  value: string;
  createdAt: string;
}

export interface PartyChannel {
  id: string;
  kind: ChannelKind;
  address: string;
  priority: number;
  hasSecret: boolean;
  failing: boolean;
  failingSince: string | null;
  failures: number;
  lastFailure: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Party {
  id: string;
  name: string;
  kind: PartyKind;
  country: string | null;
  dsaContact: string | null;
  legalRepresentative: string | null;
  veryLarge: boolean;
  dsc: string | null;
  languages: string[];
  responseHours: number | null;
  maxUrlsPerNotice: number;
  partyOrganisationId: string | null;
  notes: string | null;
  archived: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Registered by attribution from an RDAP answer: where it came from. */
  autoRegistered: { source: "rdap"; sourceUrl: string | null; rawSha256: string | null } | null;
  /** Auto-registered and not yet confirmed by a person. */
  needsReview: boolean;
  reviewedAt: string | null;
}

export interface PartySummary extends Party {
  matchers: PartyMatcher[];
  channels: number;
  failingChannels: number;
}

export interface PartyDetail extends Party {
  matchers: PartyMatcher[];
  channels: PartyChannel[];
}

export interface NewChannelResponse {
  channel: PartyChannel;
  secret?: string;
}

export interface ImportRowResult {
  line: number;
  ok: boolean;
  name?: string;
  id?: string;
  action?: "created" | "updated" | "unchanged";
  error?: string;
  /** Stable reason (translated here); `error` is the server's English sentence with details. */
  code?: string;
  params?: Record<string, string>;
  secrets?: { address: string; secret: string }[];
}

export interface ImportResponse {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  results: ImportRowResult[];
}

/** "NL" → "Nederland" (nl) or "Netherlands" (en); the code when unknown. */
export function countryName(code: string | null, locale: string): string {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([locale], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** ["nl", "en"] → "Nederlands, Engels". */
export function languageNames(codes: readonly string[], locale: string): string {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([locale], { type: "language" });
  } catch {
    names = null;
  }
  return codes.map((c) => names?.of(c) ?? c).join(", ");
}
