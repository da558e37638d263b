// Attribution: for each reported URL (or domain), who must act, and where that answer came
// from. Four roles: the platform (a party whose domain pattern matches the host), the hosting
// provider (DNS → IP → RDAP for the network → its abuse contact), the registrar (domain RDAP at
// the TLD's registry → the registrar entity and its nested abuse contact) and the registry (a
// party claiming the TLD, else the operator of the TLD's RDAP server). Every role is stored
// with its source, time, the SHA-256 of the raw RDAP answer and an expiry; a lookup that fails
// is stored too, with its error, so it is seen rather than lost.
//
// A batch shares its lookups: items on one host cost one DNS query, one IP RDAP query and one
// domain RDAP query, and those answers come from the RDAP cache while it is fresh.
import { createHash } from "node:crypto";
import type { Tx } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { denyReason, isLoopback } from "../../platform/fetcher/addresses.ts";
import { loopbackAllowed } from "../../platform/fetcher/guard.ts";
import { sendThroughOutbox } from "../../platform/queue.ts";
import { type Actor, record, systemActor } from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { actorOf, authorize, type Principal } from "../identity/principal.ts";
import { attributeItemsJob, ITEMS_PER_JOB } from "./attribute-job.ts";
import { registryOperator } from "./bootstrap.ts";
import { resolveHost } from "./dns.ts";
import { hostAndParents, registrableDomain, tldOf } from "./domains.ts";
import { attributionEnv } from "./env.ts";
import * as parties from "./parties.ts";
import { isTransient, type RdapOutcome } from "./rdap.ts";
import { summariseDomain, summariseNetwork } from "./rdap-parse.ts";
import * as store from "./store.ts";

export type { Attribution, AttributionRole } from "./store.ts";

/** Items written in one transaction. */
const WRITE_CHUNK = 100;

export interface AttributeOptions {
  /** Attribute again even where the current attribution has not expired. */
  force?: boolean;
  /** Ask the RDAP servers again instead of using cached answers. */
  refresh?: boolean;
  /** Who asked; default: the system, for the organisation. */
  actor?: Actor;
}

export interface RoleSummary {
  role: store.AttributionRole;
  partyId: string | null;
  name: string | null;
  abuseEmail: string | null;
  error: string | null;
}

/** What happened to one item (bulk operations report per item). */
export interface ItemOutcome {
  itemId: string;
  /** False when the item could not be attributed at all (not found, not written). */
  ok: boolean;
  /** Why nothing was done, when nothing needed doing. */
  skipped?: "fresh" | "not_attributable";
  /** Attributed again with the same answer: the rows were confirmed, not replaced. */
  unchanged?: true;
  /** Why `ok` is false: the item is not the organisation's, or its attribution could not be stored. */
  code?: "not_found" | "not_stored";
  /** At least one role has someone to send a notice to. */
  reachable?: boolean;
  roles?: RoleSummary[];
  error?: string;
  /** When a transient failure (rate limit, timeout, 5xx) may have cleared: ask again then. */
  retryAt?: Date;
}

// ---------------------------------------------------------------------------------------------
// Matching against the party registry

interface PartyRef {
  partyId: string;
  partyName: string;
  reachable: boolean;
}

interface MatcherIndex {
  domain: Map<string, PartyRef>;
  asn: Map<string, PartyRef>;
  registrar: Map<string, PartyRef>;
  tld: Map<string, PartyRef>;
  email: Map<string, PartyRef>;
}

/** A matcher's value in the form lookups use ("*.Example.com" → "example.com", "AS64500" → "64500"). */
export function normaliseMatcher(kind: store.Matcher["kind"], value: string): string {
  const v = value.trim().toLowerCase();
  switch (kind) {
    case "domain":
      return v
        .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
        .replace(/[/?#].*$/, "")
        .replace(/^\*?\./, "")
        .replace(/\.$/, "");
    case "asn":
      return v.replace(/^as/, "");
    case "tld":
      return v.replace(/^\./, "");
    default:
      return v;
  }
}

function indexMatchers(matchers: store.Matcher[]): MatcherIndex {
  const idx: MatcherIndex = {
    domain: new Map(),
    asn: new Map(),
    registrar: new Map(),
    tld: new Map(),
    email: new Map(),
  };
  const table = {
    domain: idx.domain,
    asn: idx.asn,
    registrar_iana_id: idx.registrar,
    tld: idx.tld,
    abuse_email: idx.email,
  } as const;
  for (const m of matchers)
    table[m.kind].set(normaliseMatcher(m.kind, m.value), {
      partyId: m.partyId,
      partyName: m.partyName,
      reachable: m.reachable,
    });
  return idx;
}

// ---------------------------------------------------------------------------------------------
// Finding each role for a host

type Finding = Omit<store.NewAttribution, "itemId"> & { transient: boolean; reachable: boolean };

interface HostFacts {
  findings: Finding[];
}

interface Batch {
  deps: Deps;
  idx: MatcherIndex;
  now: Date;
  refresh: boolean;
  hosts: Map<string, Promise<HostFacts>>;
  rdap: Map<string, Promise<RdapOutcome>>;
}

const after = (now: Date, ms: number) => new Date(now.getTime() + ms);

const blank = {
  partyId: null,
  name: null,
  abuseEmail: null,
  country: null,
  asn: null,
  network: null,
  address: null,
  sourceUrl: null,
  rawSha256: null,
  error: null,
} as const;

function withParty(party: PartyRef | undefined | null) {
  return party ? { partyId: party.partyId, reachable: party.reachable } : { partyId: null, reachable: false };
}

/** A finding from a failed RDAP lookup: what was asked, where, and why it failed. */
function rdapFailure(
  role: store.AttributionRole,
  source: string,
  out: Extract<RdapOutcome, { ok: false }>,
  address: string,
): Finding {
  return {
    ...blank,
    role,
    source,
    address,
    sourceUrl: out.url,
    rawSha256: out.rawSha256,
    error: out.error,
    expiresAt: out.expiresAt,
    transient: isTransient(out.code),
    reachable: false,
  };
}

async function hostingOf(b: Batch, host: string): Promise<Finding> {
  const env = attributionEnv(b.deps);
  const failMs = env.rdap.failureMs;
  const dns = await resolveHost(env.resolver, host, env.dnsTimeoutMs);
  if (!dns.ok)
    return {
      ...blank,
      role: "hosting",
      source: "dns",
      address: host,
      error: dns.error,
      expiresAt: after(b.now, dns.code === "not_found" ? failMs : Math.min(failMs, 15 * 60_000)),
      transient: dns.code !== "not_found",
      reachable: false,
    };
  const address = (dns.addresses[0] as { address: string }).address;
  const deny = denyReason(address);
  if (deny && !(env.loopbackHosts && loopbackAllowed() && isLoopback(address)))
    return {
      ...blank,
      role: "hosting",
      source: "dns",
      address,
      error: `${host} resolves to ${address} (${deny.replace("_", " ")}), which is not on the public internet.`,
      expiresAt: after(b.now, failMs),
      transient: false,
      reachable: false,
    };
  const out = await env.rdap.lookup({ kind: "ip", address }, { memo: b.rdap, refresh: b.refresh });
  if (!out.ok) return rdapFailure("hosting", "rdap-ip", out, address);
  const net = summariseNetwork(out.answer);
  const asn = net.asns[0] ?? null;
  const abuseEmail = net.abuse?.emails[0] ?? null;
  const party =
    (asn !== null ? b.idx.asn.get(String(asn)) : undefined) ??
    (abuseEmail ? b.idx.email.get(abuseEmail.toLowerCase()) : undefined);
  const range =
    net.cidrs.length > 0
      ? net.cidrs.join(", ")
      : net.startAddress && net.endAddress
        ? `${net.startAddress} - ${net.endAddress}`
        : null;
  return {
    ...blank,
    ...withParty(party),
    role: "hosting",
    source: "rdap-ip",
    name: net.holder?.name ?? net.name,
    abuseEmail,
    country: net.country,
    asn,
    network: [net.name, range].filter((x) => x).join(" ") || null,
    address,
    sourceUrl: out.url,
    rawSha256: out.rawSha256,
    error:
      abuseEmail || party ? null : "The network's RDAP record names no abuse contact with an e-mail address.",
    expiresAt: out.expiresAt,
    transient: false,
  };
}

async function registrarOf(b: Batch, domain: string | null, host: string): Promise<Finding> {
  const env = attributionEnv(b.deps);
  if (!domain)
    return {
      ...blank,
      role: "registrar",
      source: "rdap-domain",
      address: host,
      error: `${host} is a public suffix, not a registered domain.`,
      expiresAt: after(b.now, env.rdap.failureMs),
      transient: false,
      reachable: false,
    };
  const out = await env.rdap.lookup({ kind: "domain", name: domain }, { memo: b.rdap, refresh: b.refresh });
  if (!out.ok) return rdapFailure("registrar", "rdap-domain", out, domain);
  const reg = summariseDomain(out.answer).registrar;
  const party =
    (reg?.ianaId ? b.idx.registrar.get(reg.ianaId) : undefined) ??
    (reg?.abuseEmail ? b.idx.email.get(reg.abuseEmail.toLowerCase()) : undefined);
  return {
    ...blank,
    ...withParty(party),
    role: "registrar",
    source: "rdap-domain",
    name: reg?.name ?? null,
    abuseEmail: reg?.abuseEmail ?? null,
    country: reg?.country ?? null,
    address: domain,
    sourceUrl: out.url,
    rawSha256: out.rawSha256,
    error: !reg
      ? "The registry's RDAP record names no registrar."
      : reg.abuseEmail || party
        ? null
        : "The registry's RDAP record names no abuse contact for the registrar.",
    expiresAt: out.expiresAt,
    transient: false,
  };
}

function registryOf(b: Batch, domain: string | null, host: string, tld: string): Finding {
  const env = attributionEnv(b.deps);
  const cacheMs = b.deps.config.attribution.rdapCacheHours * 3_600_000;
  const party = b.idx.tld.get(tld);
  if (party)
    return {
      ...blank,
      ...withParty(party),
      role: "registry",
      source: "registry",
      name: party.partyName,
      address: domain ?? host,
      expiresAt: after(b.now, cacheMs),
      transient: false,
    };
  const match = env.bootstrap().forDomain(domain ?? host);
  if (match)
    return {
      ...blank,
      role: "registry",
      source: "tld",
      name: registryOperator(match.urls[0] as string),
      address: domain ?? host,
      sourceUrl: match.urls[0] as string,
      expiresAt: after(b.now, cacheMs),
      transient: false,
      reachable: false,
    };
  return {
    ...blank,
    role: "registry",
    source: "tld",
    address: domain ?? host,
    error: `No registry is known for .${tld}: no party claims the TLD and the RDAP bootstrap names no server for it.`,
    expiresAt: after(b.now, env.rdap.failureMs),
    transient: false,
    reachable: false,
  };
}

function platformOf(b: Batch, host: string): Finding | null {
  for (const name of hostAndParents(host)) {
    const party = b.idx.domain.get(name);
    if (party)
      return {
        ...blank,
        ...withParty(party),
        role: "platform",
        source: "registry",
        name: party.partyName,
        address: host,
        expiresAt: after(b.now, b.deps.config.attribution.rdapCacheHours * 3_600_000),
        transient: false,
      };
  }
  return null;
}

async function factsOf(b: Batch, host: string): Promise<HostFacts> {
  const findings: Finding[] = [];
  const platform = platformOf(b, host);
  if (platform) findings.push(platform);
  const tld = tldOf(host);
  const domain = tld ? registrableDomain(host) : null;
  const [hosting, registrar] = await Promise.all([
    hostingOf(b, host),
    tld ? registrarOf(b, domain, host) : Promise.resolve(null),
  ]);
  findings.push(hosting);
  if (registrar) findings.push(registrar);
  if (tld) findings.push(registryOf(b, domain, host, tld));
  return { findings };
}

function hostFacts(b: Batch, host: string): Promise<HostFacts> {
  let p = b.hosts.get(host);
  if (!p) {
    p = factsOf(b, host);
    b.hosts.set(host, p);
  }
  return p;
}

/** Runs `fn` over `xs`, at most `limit` at a time. */
async function eachLimit<T>(xs: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < xs.length) await fn(xs[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
}

const hostOfItem = (item: store.ItemRef): string | null => {
  const h = item.host ?? (item.kind === "url" ? safeHost(item.normalized) : item.normalized);
  return h
    ? h
        .toLowerCase()
        .replace(/^\[|\]$/g, "")
        .replace(/\.$/, "")
    : null;
};

const safeHost = (url: string): string | null => {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
};

// ---------------------------------------------------------------------------------------------
// The service functions

/**
 * Attributes a batch of items of one organisation: for each, the platform, hosting provider,
 * registrar and registry, each stored as the item's current attribution (earlier ones are
 * superseded, not deleted), with an audit event per item. Items move to `attributed` when a
 * role has someone to notify (an abuse address, or a registered party with a channel).
 * Items whose attribution has not expired are skipped unless `force`. Lookups are shared
 * across the batch; nothing a DNS or RDAP server does makes this throw. Reports per item.
 */
export async function attributeItems(
  deps: Deps,
  organisationId: string,
  itemIds: string[],
  opts: AttributeOptions = {},
): Promise<ItemOutcome[]> {
  const env = attributionEnv(deps);
  const now = deps.clock.now();
  const ids = [...new Set(itemIds)];
  const items = await store.itemsByIds(deps.db, organisationId, ids);
  const byId = new Map(items.map((i) => [i.id, i]));
  const fresh = opts.force ? new Set<string>() : await store.freshItemIds(deps.db, organisationId, ids, now);
  const outcomes = new Map<string, ItemOutcome>();
  const todo: { item: store.ItemRef; host: string }[] = [];
  for (const id of ids) {
    const item = byId.get(id);
    const host = item && (item.kind === "url" || item.kind === "domain") ? hostOfItem(item) : null;
    if (!item)
      outcomes.set(id, {
        itemId: id,
        ok: false,
        code: "not_found",
        error: "No such item in this organisation.",
      });
    else if (!host) outcomes.set(id, { itemId: id, ok: true, skipped: "not_attributable" });
    else if (fresh.has(id)) outcomes.set(id, { itemId: id, ok: true, skipped: "fresh" });
    else todo.push({ item, host });
  }
  if (todo.length === 0) return ids.map((id) => outcomes.get(id) as ItemOutcome);

  const batch: Batch = {
    deps,
    idx: indexMatchers(await store.matchersOf(deps.db, organisationId)),
    now,
    refresh: opts.refresh === true,
    hosts: new Map(),
    rdap: new Map(),
  };
  const hosts = [...new Set(todo.map((t) => t.host))];
  await eachLimit(hosts, env.concurrency, async (h) => {
    await hostFacts(batch, h);
  });

  const actor = opts.actor ?? { ...systemActor, organisationId };
  for (let i = 0; i < todo.length; i += WRITE_CHUNK) {
    const chunk = todo.slice(i, i + WRITE_CHUNK);
    const planned = await Promise.all(
      chunk.map(async ({ item, host }) => ({ item, findings: (await hostFacts(batch, host)).findings })),
    );
    try {
      const written = await deps.db
        .transaction()
        .execute((tx) => write(deps, tx, organisationId, planned, actor));
      for (const o of written) outcomes.set(o.itemId, o);
    } catch (e) {
      deps.logger.error({ err: e, organisationId }, "attributions could not be written");
      for (const { item } of chunk)
        outcomes.set(item.id, {
          itemId: item.id,
          ok: false,
          code: "not_stored",
          error: `The attribution could not be stored: ${(e as Error).message.slice(0, 200)}`,
        });
    }
  }
  return ids.map((id) => outcomes.get(id) as ItemOutcome);
}

const STORED_TEXT: Record<string, number> = { name: 500, network: 300, address: 300, error: 1000 };

/** Text fit for the database: lengths bounded, no NUL (PostgreSQL refuses it in text). */
function tidyText<F extends Omit<Finding, "reachable">>(f: F): F {
  const cut = (v: string | null, max: number) =>
    v === null ? null : v.replaceAll("\u0000", "").slice(0, max).toWellFormed() || null;
  return {
    ...f,
    name: cut(f.name, STORED_TEXT.name as number),
    network: cut(f.network, STORED_TEXT.network as number),
    address: cut(f.address, STORED_TEXT.address as number),
    error: cut(f.error, STORED_TEXT.error as number),
    abuseEmail: f.abuseEmail && f.abuseEmail.length <= 254 ? f.abuseEmail : null,
    country: f.country && /^[A-Z]{2}$/.test(f.country) ? f.country : null,
    asn: f.asn !== null && Number.isInteger(f.asn) && f.asn > 0 && f.asn <= 0xffffffff ? f.asn : null,
  };
}

const tidy = (f: Finding): store.NewAttribution & { transient: boolean; reachable: boolean } => ({
  ...tidyText(f),
  itemId: "",
});

// What makes two attributions of a role the same answer (times aside).
const SAME: readonly (keyof store.NewAttribution & keyof store.Attribution)[] = [
  "partyId",
  "name",
  "abuseEmail",
  "country",
  "asn",
  "network",
  "address",
  "source",
  "sourceUrl",
  "rawSha256",
  "error",
];

/** The current rows of an item, if they say exactly what was found now; else null. */
function unchangedRows(
  current: store.Attribution[],
  found: store.NewAttribution[],
): store.Attribution[] | null {
  if (current.length !== found.length) return null;
  const out: store.Attribution[] = [];
  for (const f of found) {
    const c = current.find((x) => x.role === f.role);
    if (!c || SAME.some((k) => c[k] !== f[k])) return null;
    out.push(c);
  }
  return out;
}

/** A hosting or registrar finding with an abuse address and no party: who to register. */
function unknownHolderKey(f: Omit<Finding, "itemId">): string | null {
  return f.partyId === null && f.abuseEmail && (f.role === "hosting" || f.role === "registrar")
    ? `${f.role}:${f.abuseEmail.toLowerCase()}`
    : null;
}

/**
 * Registers, in `tx`, a party for each host and registrar of the chunk whose abuse address no
 * party has (see parties.registerFromRdap); returns the party of each, by `unknownHolderKey`.
 */
async function registerUnknown(
  deps: Deps,
  tx: Tx,
  organisationId: string,
  planned: { findings: Finding[] }[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const seen = new Set<string>();
  for (const { findings } of planned)
    for (const raw of findings) {
      const f = tidy(raw);
      const key = unknownHolderKey(f);
      if (!key || seen.has(key)) continue;
      seen.add(key);
      const got = await parties.registerFromRdap(tx, deps, organisationId, {
        kind: f.role as "hosting" | "registrar",
        name: f.name,
        abuseEmail: f.abuseEmail as string,
        country: f.country,
        asn: f.asn,
        sourceUrl: f.sourceUrl,
        rawSha256: f.rawSha256,
      });
      if (got) out.set(key, got.partyId);
    }
  return out;
}

/**
 * Stores a chunk's findings in one transaction. An item whose findings differ from its
 * current rows gets new rows (the old ones superseded) and an audit event; an item whose
 * findings are the same answer again keeps its rows, confirmed with a new time and expiry, and
 * needs no event unless its status moves.
 */
async function write(
  deps: Deps,
  tx: Tx,
  organisationId: string,
  planned: { item: store.ItemRef; findings: Finding[] }[],
  actor: Actor,
): Promise<ItemOutcome[]> {
  const now = deps.clock.now();
  const existing = new Map<string, store.Attribution[]>();
  const ids = planned.map((p) => p.item.id);
  for (const a of await store.current(tx, organisationId, ids)) {
    const list = existing.get(a.itemId);
    if (list) list.push(a);
    else existing.set(a.itemId, [a]);
  }
  const registered = deps.config.attribution.autoRegister
    ? await registerUnknown(deps, tx, organisationId, planned)
    : new Map<string, string>();
  const rows: store.NewAttribution[] = [];
  const changedIds: string[] = [];
  const confirmed: { id: string; expiresAt: Date }[] = [];
  const reachableIds: string[] = [];
  const perItem = planned.map(({ item, findings }) => {
    const tidied = findings.map(tidy).map((f) => {
      const key = unknownHolderKey(f);
      const partyId = key ? registered.get(key) : undefined;
      return partyId ? { ...f, partyId, reachable: true } : f;
    });
    const found = tidied.map(({ transient: _t, reachable: _r, ...row }) => ({ ...row, itemId: item.id }));
    const same = unchangedRows(existing.get(item.id) ?? [], found);
    if (same)
      for (const [i, c] of same.entries())
        confirmed.push({ id: c.id, expiresAt: (found[i] as store.NewAttribution).expiresAt });
    else {
      changedIds.push(item.id);
      rows.push(...found);
    }
    const reachable = tidied.some((f) => f.abuseEmail !== null || f.reachable);
    if (reachable) reachableIds.push(item.id);
    const retry = tidied.filter((f) => f.transient).map((f) => f.expiresAt.getTime());
    return {
      item,
      tidied,
      changed: !same,
      reachable,
      retryAt: retry.length > 0 ? new Date(Math.max(...retry)) : undefined,
    };
  });
  await store.replaceCurrent(tx, organisationId, changedIds, rows, now);
  await store.confirmCurrent(tx, confirmed, now);
  const moved = new Map((await store.markAttributed(tx, reachableIds, now)).map((m) => [m.id, m.from]));
  const out: ItemOutcome[] = [];
  for (const p of perItem) {
    const roles: RoleSummary[] = p.tidied.map((f) => ({
      role: f.role,
      partyId: f.partyId,
      name: f.name,
      abuseEmail: f.abuseEmail,
      error: f.error,
    }));
    const from = moved.get(p.item.id);
    if (p.changed || from)
      await record(tx, deps.clock, actor, {
        action: "item.attributed",
        subject: { type: "item", id: p.item.id },
        organisationId,
        data: {
          roles: p.tidied.map((f) => ({
            role: f.role,
            party: f.partyId,
            name: f.name,
            abuseEmail: f.abuseEmail,
            asn: f.asn,
            source: f.source,
            sourceUrl: f.sourceUrl,
            rawSha256: f.rawSha256,
            error: f.error,
          })),
          reachable: p.reachable,
          ...(p.changed ? {} : { unchanged: true }),
          ...(from ? { status: { from, to: "attributed" } } : {}),
        },
      });
    out.push({
      itemId: p.item.id,
      ok: true,
      reachable: p.reachable,
      ...(p.changed ? {} : { unchanged: true }),
      roles,
      ...(p.retryAt ? { retryAt: p.retryAt } : {}),
    });
  }
  return out;
}

/** Attributes one item; see `attributeItems`. */
export async function attributeItem(
  deps: Deps,
  organisationId: string,
  itemId: string,
  opts: AttributeOptions = {},
): Promise<ItemOutcome> {
  return (await attributeItems(deps, organisationId, [itemId], opts))[0] as ItemOutcome;
}

/**
 * The current attribution of each item, one row per role found (platform, hosting, registrar,
 * registry), ordered by item and role. Rows with `error` set are failures to show, not to
 * notify. The notices module reads this.
 */
export function currentAttributions(
  db: Deps["db"],
  organisationId: string,
  itemIds: string[],
): Promise<store.Attribution[]> {
  return store.current(db, organisationId, [...new Set(itemIds)]);
}

/**
 * Queues attribution jobs for items (in `tx` when given, so they exist only if the caller's
 * change commits), in batches of at most 500 items. Returns the number of jobs queued.
 */
export async function queueAttribution(
  deps: Deps,
  organisationId: string,
  itemIds: string[],
  opts: { tx?: Tx; force?: boolean; refresh?: boolean; startAfter?: Date; attempt?: number } = {},
): Promise<number> {
  if (!deps.queue) throw new AppError("service_unavailable", { detail: "The job queue is not running." });
  const ids = [...new Set(itemIds)];
  let jobs = 0;
  for (let i = 0; i < ids.length; i += ITEMS_PER_JOB) {
    const chunk = ids.slice(i, i + ITEMS_PER_JOB);
    const key = createHash("sha256")
      .update(
        `${organisationId}:${opts.force === true}:${opts.refresh === true}:${opts.attempt ?? 0}:${chunk.join(",")}`,
      )
      .digest("hex")
      .slice(0, 32);
    await deps.queue.send(
      attributeItemsJob,
      {
        organisationId,
        itemIds: chunk,
        force: opts.force === true,
        refresh: opts.refresh === true,
        attempt: opts.attempt ?? 0,
      },
      {
        singletonKey: `attribute:${key}`,
        ...(opts.tx ? { tx: opts.tx } : {}),
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
      },
    );
    jobs++;
  }
  return jobs;
}

/** The job name intake writes into the job outbox with each new report (see intake/store.ts). */
export const autoAttributionJob = attributeItemsJob.name;

/**
 * Queues attribution of items just added to a case, without anyone asking: a `job_outbox` row
 * per batch of 500, written in the caller's transaction `tx`, so the job exists exactly when
 * the items do and is never lost (it needs no running queue; workers relay it). The key names
 * the case and the items, so two additions to one case never swallow each other.
 */
export async function queueAutoAttribution(
  deps: Pick<Deps, "clock">,
  tx: Tx,
  organisationId: string,
  caseId: string,
  itemIds: string[],
): Promise<number> {
  const ids = [...new Set(itemIds)];
  let jobs = 0;
  for (let i = 0; i < ids.length; i += ITEMS_PER_JOB) {
    const chunk = ids.slice(i, i + ITEMS_PER_JOB);
    const key = createHash("sha256").update(chunk.join(",")).digest("hex").slice(0, 16);
    await sendThroughOutbox(
      tx,
      attributeItemsJob,
      { organisationId, itemIds: chunk },
      { singletonKey: `attribute:${caseId}:${key}`, at: deps.clock.now() },
    );
    jobs++;
  }
  return jobs;
}

/**
 * Attribution of a case's URL and domain items, asked for by a person or token: queued as jobs
 * (lookups leave the system, so they never run inside a request), forced so every item is
 * attributed again; `refresh` also skips cached RDAP answers. Audited on the case.
 */
export async function requestCaseAttribution(
  deps: Deps,
  by: Principal,
  caseId: string,
  opts: { refresh?: boolean; reason?: string } = {},
): Promise<{ items: number; jobs: number }> {
  authorize(by, "attribution:run");
  const ids = await store.attributableItemsOfCase(deps.db, by.organisationId, caseId);
  if (ids === null) throw new AppError("not_found");
  if (!deps.queue) throw new AppError("service_unavailable", { detail: "The job queue is not running." });
  return deps.db.transaction().execute(async (tx) => {
    const jobs =
      ids.length === 0
        ? 0
        : await queueAttribution(deps, by.organisationId, ids, {
            tx,
            force: true,
            refresh: opts.refresh === true,
          });
    await record(tx, deps.clock, actorOf(by), {
      action: "case.attribution_requested",
      subject: { type: "case", id: caseId },
      reason: opts.reason,
      data: { items: ids.length, jobs, refresh: opts.refresh === true },
    });
    return { items: ids.length, jobs };
  });
}

/** An item's attributions for the case page: current, and with `history` the superseded too. */
export async function itemAttributions(
  deps: Deps,
  by: Principal,
  itemId: string,
  opts: { history?: boolean } = {},
): Promise<{ current: store.Attribution[]; history: store.Attribution[] | null }> {
  authorize(by, "cases:read");
  if (!(await store.itemExists(deps.db, by.organisationId, itemId))) throw new AppError("not_found");
  const current = await store.current(deps.db, by.organisationId, [itemId]);
  const history = opts.history ? await store.history(deps.db, by.organisationId, itemId, 200) : null;
  return { current, history };
}

export type HostFinding = Omit<store.NewAttribution, "itemId"> & { transient: boolean };

/**
 * What attribution finds for a host (or the host of a URL) now, without storing anything:
 * the operator's `vangrail attribution lookup`. With an organisation, its party registry is
 * matched too. RDAP answers are cached as usual.
 */
export async function lookupHost(
  deps: Deps,
  hostOrUrl: string,
  opts: { organisationId?: string; refresh?: boolean } = {},
): Promise<HostFinding[]> {
  const host = (/^[a-z][a-z0-9+.-]*:\/\//i.test(hostOrUrl) ? safeHost(hostOrUrl) : hostOrUrl)
    ?.toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (!host)
    throw new AppError("bad_request", { detail: `Not a host name or URL: ${hostOrUrl.slice(0, 200)}` });
  const batch: Batch = {
    deps,
    idx: indexMatchers(opts.organisationId ? await store.matchersOf(deps.db, opts.organisationId) : []),
    now: deps.clock.now(),
    refresh: opts.refresh === true,
    hosts: new Map(),
    rdap: new Map(),
  };
  return (await hostFacts(batch, host)).findings.map(({ reachable: _r, ...f }) => tidyText(f));
}

/** Deletes RDAP cache rows that expired more than a week ago (the nightly job). */
export async function purgeRdapCache(deps: Deps): Promise<{ deleted: number }> {
  const before = new Date(deps.clock.now().getTime() - 7 * 24 * 3_600_000);
  return { deleted: await store.cachePurge(deps.db, before) };
}
