// Reading RDAP answers (RFC 9083) as they come from registries and RIRs, trusting nothing:
// entities with roles, nested to any depth (a registrar holding its abuse contact, an ARIN
// organisation holding its abuse POC), jCard `vcardArray`s (RFC 7095), public ids, network
// ranges and the RIRs' extensions. Every walk is bounded in depth and count, every string in
// length; a value of the wrong type is ignored, never thrown on.

/** What one entity says about itself. */
export interface Contact {
  handle: string | null;
  roles: string[];
  /** The vCard's `fn`, else its `org`. */
  name: string | null;
  kind: string | null;
  emails: string[];
  phones: string[];
  /** ISO 3166-1 alpha-2, when the answer gives one. */
  country: string | null;
  /** The postal address as one line. */
  address: string | null;
  ianaRegistrarId: string | null;
  entities: Contact[];
}

export interface ParseLimits {
  /** Nesting of entities within entities. */
  maxEntityDepth: number;
  /** Entities read in one answer, all levels together. */
  maxEntities: number;
}

export const defaultParseLimits: ParseLimits = { maxEntityDepth: 8, maxEntities: 500 };

const MAX_TEXT = 500;
const MAX_VCARD_PROPERTIES = 200;
const MAX_VALUES = 10;

const text = (v: unknown, max = MAX_TEXT): string | null => {
  if (typeof v !== "string") return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const t = v.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  // Cut first, then mend: a cut can split a surrogate pair, and jsonb refuses a lone half.
  return t === "" ? null : t.slice(0, max).toWellFormed();
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

// Addresses registries print where they withhold the real one, and addresses that say so.
const PLACEHOLDER =
  /redacted|withheld|not[-_. ]?disclosed|data[-_. ]?protected|gdpr[-_. ]?masked|please[-_. ]?query|contact[-_. ]?form|no[-_. ]?reply|do[-_. ]?not[-_. ]?reply|placeholder|^unknown@/i;
const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * An e-mail address fit to send a notice to, or null: syntax checked, `mailto:` removed,
 * placeholders of registries that withhold contacts ("REDACTED FOR PRIVACY", "please query the
 * RDAP service of the registrar", invalid TLDs) refused.
 */
export function usableEmail(v: unknown): string | null {
  const t = text(v, 320);
  if (!t) return null;
  const e = t.replace(/^mailto:/i, "").trim();
  if (e.length > 254 || !EMAIL.test(e) || PLACEHOLDER.test(e) || /\.invalid$/i.test(e)) return null;
  const at = e.lastIndexOf("@");
  return `${e.slice(0, at)}@${e.slice(at + 1).toLowerCase()}`;
}

export interface VcardFacts {
  name: string | null;
  kind: string | null;
  emails: string[];
  phones: string[];
  country: string | null;
  address: string | null;
}

const empty: VcardFacts = { name: null, kind: null, emails: [], phones: [], country: null, address: null };

/** Reads a jCard: ["vcard", [[name, params, type, value, …], …]]. */
export function parseVcard(v: unknown): VcardFacts {
  if (!Array.isArray(v) || v[0] !== "vcard" || !Array.isArray(v[1])) return { ...empty };
  let fn: string | null = null;
  let org: string | null = null;
  let kind: string | null = null;
  const emails: string[] = [];
  const phones: string[] = [];
  let country: string | null = null;
  let address: string | null = null;
  for (const prop of (v[1] as unknown[]).slice(0, MAX_VCARD_PROPERTIES)) {
    if (!Array.isArray(prop) || typeof prop[0] !== "string") continue;
    const name = prop[0].toLowerCase();
    const params = isObject(prop[1]) ? prop[1] : {};
    const value = prop[3];
    switch (name) {
      case "fn":
        fn ??= text(value);
        break;
      case "org":
        org ??= text(Array.isArray(value) ? value.find((x) => typeof x === "string") : value);
        break;
      case "kind":
        kind ??= text(value, 20)?.toLowerCase() ?? null;
        break;
      case "email": {
        const e = usableEmail(value);
        if (e && emails.length < MAX_VALUES && !emails.includes(e)) emails.push(e);
        break;
      }
      case "tel": {
        const t = text(value, 50)?.replace(/^tel:/i, "") ?? null;
        if (t && phones.length < MAX_VALUES && !phones.includes(t)) phones.push(t);
        break;
      }
      case "adr": {
        if (address === null) {
          const label = text(params.label);
          const parts = Array.isArray(value)
            ? value
                .slice(0, 7)
                .flatMap((p) => (Array.isArray(p) ? p.slice(0, MAX_VALUES) : [p]))
                .map((p) => text(p))
                .filter((p): p is string => p !== null)
            : [];
          address = label ?? (parts.length > 0 ? parts.join(", ").slice(0, MAX_TEXT) : null);
        }
        if (country === null) {
          // RFC 8605's "cc" parameter, else a two-letter country field.
          const cc = text(params.cc, 10) ?? (Array.isArray(value) ? text(value[6], 10) : null);
          if (cc && /^[a-z]{2}$/i.test(cc)) country = cc.toUpperCase();
        }
        break;
      }
    }
  }
  return { name: fn ?? org, kind, emails, phones, country, address };
}

const ianaIdOf = (publicIds: unknown): string | null => {
  if (!Array.isArray(publicIds)) return null;
  for (const p of publicIds.slice(0, MAX_VALUES))
    if (isObject(p) && typeof p.type === "string" && /iana registrar id/i.test(p.type)) {
      const id = text(p.identifier, 20);
      if (id && /^\d+$/.test(id)) return id;
    }
  return null;
};

const rolesOf = (v: unknown): string[] => {
  const list = Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  return list
    .slice(0, 20)
    .map((r) => text(r, 40)?.toLowerCase())
    .filter((r): r is string => !!r);
};

/**
 * Reads an `entities` array into contacts, nested entities included. Stops at the depth and
 * count limits, and does not descend into an entity whose handle an ancestor already has (a
 * hostile answer can repeat one entity inside itself without end).
 */
export function parseEntities(list: unknown, limits: ParseLimits = defaultParseLimits): Contact[] {
  let budget = limits.maxEntities;
  const walk = (v: unknown, depth: number, ancestors: string[]): Contact[] => {
    if (!Array.isArray(v) || depth > limits.maxEntityDepth) return [];
    const out: Contact[] = [];
    for (const e of v) {
      if (budget <= 0) break;
      if (!isObject(e)) continue;
      budget--;
      const handle = text(e.handle, 100);
      const card = parseVcard(e.vcardArray);
      const loop = handle !== null && ancestors.includes(handle);
      out.push({
        handle,
        roles: rolesOf(e.roles),
        name: card.name,
        kind: card.kind,
        emails: card.emails,
        phones: card.phones,
        country: card.country,
        address: card.address,
        ianaRegistrarId: ianaIdOf(e.publicIds),
        entities: loop ? [] : walk(e.entities, depth + 1, handle ? [...ancestors, handle] : ancestors),
      });
    }
    return out;
  };
  return walk(list, 1, []);
}

/** Entities with `role`, shallowest first (breadth-first), within `entities` and below. */
export function withRole(entities: Contact[], role: string): Contact[] {
  const out: Contact[] = [];
  let level = entities;
  while (level.length > 0) {
    for (const e of level) if (e.roles.includes(role)) out.push(e);
    level = level.flatMap((e) => e.entities);
  }
  return out;
}

/** The first usable abuse contact: an entity with role `abuse` that has an e-mail address. */
export function abuseContactOf(entities: Contact[]): Contact | null {
  return withRole(entities, "abuse").find((e) => e.emails.length > 0) ?? null;
}

/** Where an RDAP error document names itself (RFC 9083 §6), if the answer is one. */
export function errorOf(answer: unknown): { code: number; title: string | null } | null {
  if (!isObject(answer) || typeof answer.errorCode !== "number") return null;
  return { code: answer.errorCode, title: text(answer.title, 200) };
}

export interface NetworkSummary {
  handle: string | null;
  /** The network's name (RIPE's netname, ARIN's NetName). */
  name: string | null;
  startAddress: string | null;
  endAddress: string | null;
  /** CIDR blocks from the `cidr0` extension, where the server provides it. */
  cidrs: string[];
  country: string | null;
  /**
   * Origin AS numbers, where the answer says: ARIN's `arin_originas0_originautnums`, LACNIC's
   * `lacnic_originAutnum`, NIC.br's `nicbr_autnum`, an `originAutnums` list, embedded `autnums`
   * objects, or a link to an `/autnum/N` object, in that order. RIPE NCC, APNIC and AFRINIC
   * give none in an ip network answer: empty then.
   */
  asns: number[];
  /** Which of those the AS numbers came from (null when none). */
  asnSource: string | null;
  /** The organisation the network is registered to (the `registrant` entity). */
  holder: Contact | null;
  abuse: Contact | null;
  port43: string | null;
}

/** AS numbers from a number, a string ("AS64500", "64500", "64500, 64501") or a list of them. */
const asnList = (v: unknown): number[] => {
  const values = Array.isArray(v) ? v.slice(0, MAX_VALUES) : [v];
  const out: number[] = [];
  for (const x of values) {
    const parts =
      typeof x === "number"
        ? [x]
        : typeof x === "string"
          ? x
              .slice(0, 200)
              .split(/[\s,;]+/)
              .filter((p) => /^(AS)?\d{1,10}$/i.test(p))
              .map((p) => Number(p.replace(/^AS/i, "")))
          : [];
    for (const n of parts)
      if (Number.isInteger(n) && n > 0 && n <= 0xffffffff && !out.includes(n) && out.length < MAX_VALUES)
        out.push(n);
  }
  return out;
};

/** `autnums` objects embedded in the answer: their startAutnum, or a handle like "AS64500". */
const embeddedAutnums = (v: unknown): number[] =>
  Array.isArray(v)
    ? asnList(
        v
          .slice(0, MAX_VALUES)
          .filter(isObject)
          .map((a) => (typeof a.startAutnum === "number" ? a.startAutnum : a.handle)),
      )
    : [];

/** AS numbers from links to autnum objects (`…/autnum/64500`). */
const linkedAutnums = (v: unknown): number[] =>
  Array.isArray(v)
    ? asnList(
        v
          .slice(0, 50)
          .filter(isObject)
          .map((l) =>
            typeof l.href === "string" ? /\/autnum\/(\d{1,10})(?:[/?#]|$)/.exec(l.href)?.[1] : null,
          )
          .filter((x) => x),
      )
    : [];

/** The origin AS numbers of an ip network answer, from the first source that has any. */
function originAsns(a: Record<string, unknown>): { asns: number[]; source: string | null } {
  const sources: [string, () => number[]][] = [
    ["arin_originas0", () => asnList(a.arin_originas0_originautnums)],
    ["lacnic_originAutnum", () => asnList(a.lacnic_originAutnum)],
    ["nicbr_autnum", () => asnList(a.nicbr_autnum)],
    ["originAutnums", () => asnList(a.originAutnums)],
    ["autnums", () => embeddedAutnums(a.autnums)],
    ["autnum link", () => linkedAutnums(a.links)],
  ];
  for (const [source, read] of sources) {
    const asns = read();
    if (asns.length > 0) return { asns, source };
  }
  return { asns: [], source: null };
}

/** The facts of an `ip network` answer that attribution needs. */
export function summariseNetwork(answer: unknown, limits: ParseLimits = defaultParseLimits): NetworkSummary {
  const a = isObject(answer) ? answer : {};
  const entities = parseEntities(a.entities, limits);
  const cidrs: string[] = [];
  if (Array.isArray(a.cidr0_cidrs))
    for (const c of a.cidr0_cidrs.slice(0, MAX_VALUES)) {
      if (!isObject(c)) continue;
      const prefix = text(c.v4prefix, 50) ?? text(c.v6prefix, 50);
      const len = c.length;
      if (prefix && typeof len === "number" && Number.isInteger(len) && len >= 0 && len <= 128)
        cidrs.push(`${prefix}/${len}`);
    }
  const country = text(a.country, 10);
  const holder = withRole(entities, "registrant")[0] ?? null;
  return {
    handle: text(a.handle, 100),
    name: text(a.name, 200),
    startAddress: text(a.startAddress, 50),
    endAddress: text(a.endAddress, 50),
    cidrs,
    country: country && /^[a-z]{2}$/i.test(country) ? country.toUpperCase() : (holder?.country ?? null),
    ...(({ asns, source }) => ({ asns, asnSource: source }))(originAsns(a)),
    holder,
    abuse: abuseContactOf(entities),
    port43: text(a.port43, 200),
  };
}

export interface RegistrarSummary {
  name: string | null;
  handle: string | null;
  ianaId: string | null;
  /** The nested abuse contact's address (ICANN's profile), else the registrar's own. */
  abuseEmail: string | null;
  abusePhone: string | null;
  country: string | null;
}

export interface DomainSummary {
  ldhName: string | null;
  handle: string | null;
  registrar: RegistrarSummary | null;
  status: string[];
  port43: string | null;
}

/** The facts of a `domain` answer that attribution needs. */
export function summariseDomain(answer: unknown, limits: ParseLimits = defaultParseLimits): DomainSummary {
  const a = isObject(answer) ? answer : {};
  const entities = parseEntities(a.entities, limits);
  const reg = withRole(entities, "registrar")[0];
  let registrar: RegistrarSummary | null = null;
  if (reg) {
    // The abuse contact nested in the registrar; some registries put it beside it instead.
    const abuse = abuseContactOf(reg.entities) ?? abuseContactOf(entities);
    registrar = {
      name: reg.name,
      handle: reg.handle,
      ianaId: reg.ianaRegistrarId,
      abuseEmail: abuse?.emails[0] ?? reg.emails[0] ?? null,
      abusePhone: abuse?.phones[0] ?? reg.phones[0] ?? null,
      country: reg.country,
    };
  }
  return {
    ldhName: text(a.ldhName, 253)?.toLowerCase() ?? null,
    handle: text(a.handle, 100),
    registrar,
    status: Array.isArray(a.status)
      ? a.status
          .slice(0, 20)
          .map((s) => text(s, 60))
          .filter((s): s is string => s !== null)
      : [],
    port43: text(a.port43, 200),
  };
}

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing it, so an
 * answer nested a million levels deep is refused before anything recursive touches it. Stops
 * counting once `limit` is passed.
 */
export function jsonDepth(json: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

const clean = (s: string): string => {
  const w = s.isWellFormed() ? s : s.toWellFormed();
  return w.includes("\u0000") ? w.replaceAll("\u0000", "\uFFFD") : w;
};

/**
 * A copy of parsed JSON that PostgreSQL's jsonb accepts: no NUL characters and no lone
 * surrogates in strings or keys (jsonb refuses both). Depth was bounded before parsing, so
 * recursion is safe here.
 */
export function storable(v: unknown): unknown {
  if (typeof v === "string") return clean(v);
  if (Array.isArray(v)) return v.map(storable);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[clean(k)] = storable(x);
    return out;
  }
  return v;
}
