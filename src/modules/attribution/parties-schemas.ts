// What a party, a matcher and a channel may hold: the checks and normalisations shared by the
// API schemas, the CSV import and the demo data. Domain names end up lower case in punycode, an
// ASN as its bare number, a TLD without its dot; text fields refuse control and bidi characters.
import { domainToASCII } from "node:url";
import { z } from "zod";
import type { ChannelKind, PartyKind, PartyMatcherKind } from "../../../migrations/schema.ts";
import { limits } from "../../platform/limits.ts";

export const partyKinds = [
  "platform",
  "hosting",
  "registrar",
  "registry",
  "payment",
  "other",
] as const satisfies readonly PartyKind[];
export const matcherKinds = [
  "domain",
  "asn",
  "registrar_iana_id",
  "tld",
  "abuse_email",
] as const satisfies readonly PartyMatcherKind[];
export const channelKinds = ["email", "webhook", "webform"] as const satisfies readonly ChannelKind[];

export const partyLimits = {
  dsaContactMax: 500,
  legalRepresentativeMax: 500,
  dscMax: 200,
  notesMax: 5000,
  languagesMax: 20,
  responseHoursMax: 8760,
  maxUrlsPerNoticeMax: 1000,
  channelAddressMax: 2000,
  priorityMax: 10_000,
} as const;

type Checked = { ok: true; value: string } | { ok: false; error: string };

// C0 and C1 controls, and the bidi overrides that make text read differently than it is stored.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const LINE_BREAK = /[\r\n\t]/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name as it is matched: lower case, IDN in punycode, no trailing dot, two labels or more. */
export function checkHostname(input: string): Checked {
  const raw = input.trim().replace(/\.$/, "");
  if (raw.length === 0) return { ok: false, error: "Give a host name, e.g. example.org." };
  if (/[\s/:@?#[\]]/.test(raw) || CONTROL.test(raw))
    return { ok: false, error: "A host name has no spaces, slashes, ports or other URL parts." };
  const ascii = domainToASCII(raw).toLowerCase();
  if (!ascii) return { ok: false, error: "This is not a valid host name." };
  if (ascii.length > 253) return { ok: false, error: "A host name has at most 253 characters." };
  const labels = ascii.split(".");
  if (labels.length < 2)
    return { ok: false, error: "A host name has at least two labels, e.g. example.org." };
  if (!labels.every((l) => LABEL.test(l)))
    return { ok: false, error: "Each part of a host name is 1–63 letters, digits or hyphens." };
  if (/^[0-9]+$/.test(labels.at(-1) as string))
    return { ok: false, error: "An IP address is not a domain pattern; use an ASN for a network." };
  return { ok: true, value: ascii };
}

/** `example.org` (the domain and every subdomain) or `*.example.org` (subdomains only). */
export function checkDomainPattern(input: string): Checked {
  const raw = input.trim();
  const wildcard = raw.startsWith("*.");
  const host = checkHostname(wildcard ? raw.slice(2) : raw);
  if (!host.ok) return host;
  return { ok: true, value: wildcard ? `*.${host.value}` : host.value };
}

/** An autonomous system number: `AS64500` or `64500` → `64500`. */
export function checkAsn(input: string): Checked {
  const m = /^(?:AS)?\s*([0-9]{1,10})$/i.exec(input.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 4_294_967_295)
    return { ok: false, error: "An ASN is a number from 1 to 4294967295, e.g. AS64500." };
  return { ok: true, value: String(n) };
}

/** A registrar's IANA id: a positive number. */
export function checkIanaId(input: string): Checked {
  const t = input.trim();
  if (!/^[0-9]{1,10}$/.test(t) || Number(t) < 1 || Number(t) > 2_147_483_647)
    return { ok: false, error: "A registrar IANA id is a positive number, e.g. 1234." };
  return { ok: true, value: String(Number(t)) };
}

/** A top-level domain: `.nl`, `NL` or `nl` → `nl`; an IDN TLD in punycode. */
export function checkTld(input: string): Checked {
  const raw = input.trim().replace(/^\./, "").replace(/\.$/, "");
  if (raw.length === 0 || raw.includes(".") || /\s/.test(raw) || CONTROL.test(raw))
    return { ok: false, error: "A TLD is one label, e.g. nl or test." };
  const ascii = domainToASCII(`x.${raw}`).toLowerCase().slice(2);
  if (!ascii || !LABEL.test(ascii) || /^[0-9]+$/.test(ascii))
    return { ok: false, error: "This is not a valid top-level domain." };
  return { ok: true, value: ascii };
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** An e-mail address: a plain local part, and a host name (lower case, punycode). */
export function checkEmail(input: string): Checked {
  const raw = input.trim();
  const at = raw.lastIndexOf("@");
  if (at < 1 || raw.length > limits.emailMax)
    return { ok: false, error: "This is not a valid e-mail address." };
  const local = raw.slice(0, at);
  if (local.length > 64 || !LOCAL_PART.test(local))
    return { ok: false, error: "This is not a valid e-mail address." };
  const host = checkHostname(raw.slice(at + 1));
  if (!host.ok) return { ok: false, error: "The part after @ is not a valid domain name." };
  return { ok: true, value: `${local}@${host.value}` };
}

/**
 * A web address for a webhook or a web form: http(s), no credentials, no spaces, and no `;`
 * (the CSV list separator; percent-encode it as %3B). Whether plain http is allowed is the
 * service's decision (only in test mode).
 */
export function checkUrl(input: string, opts: { allowLocal?: boolean } = {}): Checked {
  const raw = input.trim();
  if (raw.length === 0) return { ok: false, error: "Give a web address." };
  if (raw.length > partyLimits.channelAddressMax)
    return { ok: false, error: `A web address has at most ${partyLimits.channelAddressMax} characters.` };
  if (/\s/.test(raw) || CONTROL.test(raw))
    return { ok: false, error: "A web address has no spaces or control characters." };
  if (raw.includes(";")) return { ok: false, error: "Percent-encode ; in the web address as %3B." };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: "This is not a valid web address (start with https://)." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { ok: false, error: "Only https web addresses are accepted." };
  if (url.username || url.password)
    return { ok: false, error: "Leave user names and passwords out of the web address." };
  if (!opts.allowLocal) {
    const host = checkHostname(url.hostname);
    if (!host.ok) return { ok: false, error: "The web address needs a public host name." };
  }
  return { ok: true, value: url.href };
}

/** ISO 3166-1 alpha-2, upper case, a region the platform's ICU knows. */
export function checkCountry(input: string): Checked {
  const code = input.trim().toUpperCase();
  const names = new Intl.DisplayNames(["en"], { type: "region" });
  if (!/^[A-Z]{2}$/.test(code) || names.of(code) === code || code === "ZZ")
    return { ok: false, error: "Give a two-letter country code (ISO 3166-1), e.g. NL." };
  return { ok: true, value: code };
}

/** An ISO 639 language code, lower case: nl, en, fy. */
export function checkLanguage(input: string): Checked {
  const code = input.trim().toLowerCase();
  const names = new Intl.DisplayNames(["en"], { type: "language" });
  if (!/^[a-z]{2,3}$/.test(code) || names.of(code) === code)
    return { ok: false, error: "Give language codes (ISO 639-1), e.g. nl or en." };
  return { ok: true, value: code };
}

/** Checks a matcher's value for its kind and returns it in the form it is stored and matched. */
export function checkMatcher(kind: PartyMatcherKind, value: string): Checked {
  switch (kind) {
    case "domain":
      return checkDomainPattern(value);
    case "asn":
      return checkAsn(value);
    case "registrar_iana_id":
      return checkIanaId(value);
    case "tld":
      return checkTld(value);
    case "abuse_email": {
      const e = checkEmail(value);
      return e.ok ? { ok: true, value: e.value.toLowerCase() } : e;
    }
  }
}

/** Checks a channel's address for its kind (URLs: https, or http too when `allowHttp`). */
export function checkChannelAddress(
  kind: ChannelKind,
  address: string,
  opts: { allowHttp: boolean },
): Checked {
  if (kind === "email") return checkEmail(address);
  const url = checkUrl(address, { allowLocal: opts.allowHttp });
  if (!url.ok) return url;
  if (!opts.allowHttp && !url.value.startsWith("https:"))
    return { ok: false, error: "Only https web addresses are accepted." };
  return url;
}

const fromCheck =
  (check: (v: string) => Checked) =>
  (v: string, ctx: z.core.$RefinementCtx<string>): string => {
    const r = check(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  };

/** One line of text: trimmed, no line breaks, no control or bidi characters. */
export const singleLine = (max: number) =>
  z
    .string()
    .max(max * 2)
    .transform((v) => v.trim())
    .pipe(
      z
        .string()
        .max(max, `At most ${max} characters.`)
        .refine((v) => !CONTROL.test(v) && !LINE_BREAK.test(v), "No line breaks or control characters."),
    );

/** Several lines: line ends become \n; other control and bidi characters are refused. */
export const multiLine = (max: number) =>
  z
    .string()
    .max(max * 2)
    .transform((v) => v.replace(/\r\n?/g, "\n").trim())
    .pipe(
      z
        .string()
        .max(max, `At most ${max} characters.`)
        .refine((v) => !CONTROL.test(v), "No control characters."),
    );

/** Optional text: "" and null both mean "none". */
const optionalText = (schema: z.ZodType<string, string>) =>
  z
    .union([z.null(), schema])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === null || v === "" ? null : v));

const country = z.string().max(10).transform(fromCheck(checkCountry));
const language = z.string().max(10).transform(fromCheck(checkLanguage));

const languages = z
  .array(language)
  .min(1, "Give at least one language.")
  .max(partyLimits.languagesMax)
  .transform((ls) => [...new Set(ls)]);

const partyFields = {
  name: singleLine(limits.nameMax).pipe(z.string().min(1, "Give the party's name.")),
  kind: z.enum(partyKinds),
  country: z
    .union([z.null(), z.literal(""), country])
    .optional()
    .transform((v) => (v === undefined ? undefined : v ? v : null)),
  dsaContact: optionalText(multiLine(partyLimits.dsaContactMax)),
  legalRepresentative: optionalText(multiLine(partyLimits.legalRepresentativeMax)),
  veryLarge: z.boolean().optional(),
  dsc: optionalText(singleLine(partyLimits.dscMax)),
  languages: languages.optional(),
  responseHours: z.number().int().min(1).max(partyLimits.responseHoursMax).nullable().optional(),
  maxUrlsPerNotice: z.number().int().min(1).max(partyLimits.maxUrlsPerNoticeMax).optional(),
  notes: optionalText(multiLine(partyLimits.notesMax)),
  partyOrganisationId: z.uuid().nullable().optional(),
};

export const newPartyBody = z.strictObject(partyFields);
export const partyPatchBody = z.strictObject({
  ...partyFields,
  name: partyFields.name.optional(),
  kind: partyFields.kind.optional(),
});
/** A new party's fields as the service takes them (already checked and normalised). */
export interface NewPartyInput {
  name: string;
  kind: PartyKind;
  country?: string | null | undefined;
  dsaContact?: string | null | undefined;
  legalRepresentative?: string | null | undefined;
  veryLarge?: boolean | undefined;
  dsc?: string | null | undefined;
  languages?: string[] | undefined;
  responseHours?: number | null | undefined;
  maxUrlsPerNotice?: number | undefined;
  notes?: string | null | undefined;
  partyOrganisationId?: string | null | undefined;
}
export type PartyPatch = Partial<NewPartyInput>;

export const newMatcherBody = z
  .strictObject({ kind: z.enum(matcherKinds), value: z.string().max(1000) })
  .transform((m, ctx) => {
    const r = checkMatcher(m.kind, m.value);
    if (r.ok) return { kind: m.kind, value: r.value };
    ctx.addIssue({ code: "custom", message: r.error, path: ["value"] });
    return z.NEVER;
  });
export type NewMatcherInput = { kind: PartyMatcherKind; value: string };

const priority = z.number().int().min(0).max(partyLimits.priorityMax);

export const newChannelBody = z.strictObject({
  kind: z.enum(channelKinds),
  // Checked for its kind by the service, which knows whether plain http is allowed.
  address: z.string().trim().min(3).max(partyLimits.channelAddressMax),
  priority: priority.optional(),
});
export type NewChannelInput = z.output<typeof newChannelBody>;

export const channelPatchBody = z.strictObject({
  address: z.string().trim().min(3).max(partyLimits.channelAddressMax).optional(),
  priority: priority.optional(),
});
export type ChannelPatch = z.output<typeof channelPatchBody>;

export const reasonBody = z.strictObject({ reason: z.string().max(limits.reasonMax).optional() }).optional();

export const listQuery = z.strictObject({
  kind: z.enum(partyKinds).optional(),
  q: z.string().trim().max(200).optional(),
  archived: z.enum(["false", "true", "all"]).default("false"),
});

export const idParams = z.strictObject({ id: z.uuid() });
export const matcherParams = z.strictObject({ id: z.uuid(), matcherId: z.uuid() });
export const channelParams = z.strictObject({ id: z.uuid(), channelId: z.uuid() });

// ---------------------------------------------------------------------------------------------
// Responses

export const matcher = z.object({
  id: z.uuid(),
  kind: z.enum(matcherKinds),
  value: z.string(),
  createdAt: z.string(),
});

export const channel = z.object({
  id: z.uuid(),
  kind: z.enum(channelKinds),
  address: z.string(),
  priority: z.number().int(),
  /** A webhook has an HMAC secret; it is shown once, when it is made. */
  hasSecret: z.boolean(),
  failing: z.boolean(),
  failingSince: z.string().nullable(),
  failures: z.number().int(),
  lastFailure: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const party = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(partyKinds),
  country: z.string().nullable(),
  dsaContact: z.string().nullable(),
  legalRepresentative: z.string().nullable(),
  veryLarge: z.boolean(),
  dsc: z.string().nullable(),
  languages: z.array(z.string()),
  responseHours: z.number().int().nullable(),
  maxUrlsPerNotice: z.number().int(),
  partyOrganisationId: z.uuid().nullable(),
  notes: z.string().nullable(),
  archived: z.boolean(),
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Registered by attribution from an RDAP answer: where it came from. */
  autoRegistered: z
    .object({ source: z.literal("rdap"), sourceUrl: z.string().nullable(), rawSha256: z.string().nullable() })
    .nullable(),
  /** Auto-registered and not yet confirmed by a person. */
  needsReview: z.boolean(),
  reviewedAt: z.string().nullable(),
});

export const partySummary = party.extend({
  matchers: z.array(matcher),
  channels: z.number().int(),
  failingChannels: z.number().int(),
});

export const partyDetail = party.extend({
  matchers: z.array(matcher),
  channels: z.array(channel),
});

export const newChannelResponse = z.object({
  channel,
  /** The webhook's HMAC secret: only in this answer, never again. */
  secret: z.string().optional(),
});

export const importResult = z.object({
  line: z.number().int(),
  ok: z.boolean(),
  name: z.string().optional(),
  id: z.uuid().optional(),
  action: z.enum(["created", "updated", "unchanged"]).optional(),
  error: z.string().optional(),
  code: z
    .enum(["cell_too_long", "too_many_cells", "invalid_value", "duplicate_row", "conflict", "not_valid"])
    .optional(),
  params: z.record(z.string(), z.string()).optional(),
  /** Secrets of webhooks this row created: shown once. */
  secrets: z.array(z.object({ address: z.string(), secret: z.string() })).optional(),
});
