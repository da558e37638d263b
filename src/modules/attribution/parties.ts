// The party registry: the platforms, hosts, registrars, registries and payment providers a
// hotline sends notices to — their legal facts (country, DSA contact, legal representative,
// very large platform, Digital Services Coordinator), the matchers that recognise them (domain
// patterns, ASNs, registrar IANA ids, TLDs, abuse addresses) and the channels that reach them
// (e-mail, signed webhook, a web form filled in by hand). Each hotline keeps its own registry:
// every read and change is checked against the caller's organisation, and every change writes an
// audit event in its transaction. A webhook's HMAC secret is made here, sealed with the master
// key, shown once and never again; audit events and answers carry no secret.
//
// The notices module reads the registry through the functions at the end of this file
// (`getParty`, `deliveryChannels`, `markChannelFailed`, `markChannelHealthy`, `webhookSecret`,
// `partyByMatcher`), which take an organisation id instead of a principal.
import { randomUUID } from "node:crypto";
import type { ChannelKind, PartyMatcherKind } from "../../../migrations/schema.ts";
import { open, openWithAny, randomToken, seal } from "../../platform/crypto.ts";
import type { Executor, Tx } from "../../platform/db.ts";
import { AppError, type FieldError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import * as audit from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { authorize, type Principal, actorOf as principalActor } from "../identity/principal.ts";
import * as identity from "../identity/service.ts";
import {
  type ChannelPatch,
  checkChannelAddress,
  checkHostname,
  checkMatcher,
  type NewChannelInput,
  type NewMatcherInput,
  type NewPartyInput,
  type PartyPatch,
} from "./parties-schemas.ts";
import * as store from "./parties-store.ts";

export type { Party, PartyChannel, PartyMatcher, PartyValues } from "./parties-store.ts";

export interface PartyDetail extends store.Party {
  matchers: store.PartyMatcher[];
  channels: store.PartyChannel[];
}

export interface PartySummary extends store.Party {
  matchers: store.PartyMatcher[];
  channels: number;
  failingChannels: number;
}

/** A party found by one of its matchers, with the matcher that found it. */
export interface PartyMatch {
  party: store.Party;
  matcher: store.PartyMatcher;
}

// The operator's command line (`vangrail parties`) acts for one organisation with both party
// permissions, and is recorded in the audit log as the system.
const OPERATOR = "operator-cli";

/** A principal for `vangrail parties --org`, acting for an organisation. */
export function operatorFor(organisationId: string): Principal {
  return {
    kind: "token",
    tokenId: OPERATOR,
    organisationId,
    organisationKind: "hotline",
    permissions: new Set(["parties:read", "parties:manage"]),
  };
}

const actorOf = (p: Principal): audit.Actor =>
  p.kind === "token" && p.tokenId === OPERATOR
    ? { type: "system", id: null, organisationId: p.organisationId }
    : principalActor(p);

const secretContext = (channelId: string) => `party_channel:${channelId}:webhook`;
const keysOf = (deps: Deps): Buffer[] => [
  deps.masterKey,
  ...(deps.config.evidence?.previousMasterKeys ?? []),
];
/** Plain-http webhooks and web forms, and local hosts, only in test mode (fixture servers). */
const allowHttp = (deps: Deps) => deps.config.env === "test";

const invalid = (path: string, message: string) =>
  new AppError("validation_failed", {
    errors: [{ path, pointer: `/${path.replaceAll(".", "/")}`, message }],
  });

/** What an audit event says about a channel's address: URLs only by origin (paths may hold tokens). */
function auditAddress(kind: ChannelKind, address: string): string {
  if (kind === "email") return address;
  try {
    return new URL(address).origin;
  } catch {
    return "(invalid)";
  }
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "23505";
}

async function partyFor(
  deps: Deps,
  by: Principal,
  partyId: string,
  permission: "parties:read" | "parties:manage",
  db: Executor = deps.db,
): Promise<store.Party> {
  authorize(by, permission);
  const party = await store.findParty(db, partyId);
  if (!party || party.organisationId !== by.organisationId) throw new AppError("not_found");
  return party;
}

/** A party's own Vangrail organisation must exist and be a platform organisation. */
async function checkPartyOrganisation(deps: Deps, by: Principal, id: string | null | undefined) {
  if (!id) return;
  const fail = () =>
    invalid("partyOrganisationId", "Give the id of an existing platform organisation in Vangrail.");
  if (id === by.organisationId) throw fail();
  try {
    const org = await identity.findOrganisationById(deps, id);
    if (org.kind !== "platform") throw fail();
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") throw fail();
    throw e;
  }
}

/** Two requests that take the same name at once: the database's unique index decides. */
async function nameConflictAsProblem<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("conflict", {
        detail: "A party with this name already exists.",
        errors: [{ path: "name", pointer: "/name", message: "This name is taken." }],
      });
    throw e;
  }
}

async function assertNameFree(tx: Tx, organisationId: string, name: string, except?: string) {
  const other = await store.findPartyByName(tx, organisationId, name);
  if (other && other.id !== except)
    throw new AppError("conflict", {
      detail: `A party named "${other.name}" already exists; choose another name or edit that party.`,
      errors: [{ path: "name", pointer: "/name", message: "This name is taken." }],
    });
}

const SHORT_FIELDS = [
  "name",
  "kind",
  "country",
  "veryLarge",
  "dsc",
  "languages",
  "responseHours",
  "maxUrlsPerNotice",
  "partyOrganisationId",
] as const;

/** The audit data of a change: short fields with their new value; long text only by name. */
function changeData(before: store.Party | undefined, after: store.Party): Record<string, unknown> {
  const changed: string[] = [];
  const values: Record<string, unknown> = {};
  const all = [...SHORT_FIELDS, "dsaContact", "legalRepresentative", "notes"] as const;
  for (const f of all) {
    const a = before?.[f];
    const b = after[f];
    if (before && JSON.stringify(a) === JSON.stringify(b)) continue;
    if (!before && (b === null || (Array.isArray(b) && b.length === 0))) continue;
    changed.push(f);
    if ((SHORT_FIELDS as readonly string[]).includes(f)) values[f] = b;
  }
  return { changed, ...values };
}

const defaults = (input: NewPartyInput): store.PartyValues => ({
  name: input.name,
  kind: input.kind,
  country: input.country ?? null,
  dsaContact: input.dsaContact ?? null,
  legalRepresentative: input.legalRepresentative ?? null,
  veryLarge: input.veryLarge ?? false,
  dsc: input.dsc ?? null,
  languages: input.languages ?? ["en"],
  responseHours: input.responseHours ?? null,
  maxUrlsPerNotice: input.maxUrlsPerNotice ?? 50,
  partyOrganisationId: input.partyOrganisationId ?? null,
  notes: input.notes ?? null,
});

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

// ---------------------------------------------------------------------------------------------
// Parties

/** The organisation's parties by name, filtered by kind, a search text and archived state. */
export async function listParties(
  deps: Deps,
  by: Principal,
  filter: {
    kind?: store.Party["kind"] | undefined;
    q?: string | undefined;
    archived?: "false" | "true" | "all";
  },
): Promise<PartySummary[]> {
  authorize(by, "parties:read");
  const rows = await store.listParties(deps.db, by.organisationId, {
    kind: filter.kind,
    q: filter.q || undefined,
    archived: filter.archived ?? "false",
    limit: 1000,
  });
  const matchers = await store.matchersOf(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, matchers: matchers.filter((m) => m.partyId === r.id) }));
}

/** One party with its matchers and channels (channels without their secrets). */
export async function getPartyDetail(deps: Deps, by: Principal, partyId: string): Promise<PartyDetail> {
  const party = await partyFor(deps, by, partyId, "parties:read");
  return detailOf(deps.db, party);
}

async function detailOf(db: Executor, party: store.Party): Promise<PartyDetail> {
  const [matchers, channels] = await Promise.all([
    store.matchersOf(db, [party.id]),
    store.channelsOf(db, [party.id]),
  ]);
  channels.sort((a, b) => a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime());
  return { ...party, matchers, channels };
}

/** Registers a party for the caller's organisation; its name is unique there (any case). */
export async function createParty(deps: Deps, by: Principal, input: NewPartyInput): Promise<PartyDetail> {
  authorize(by, "parties:manage");
  await checkPartyOrganisation(deps, by, input.partyOrganisationId);
  return nameConflictAsProblem(
    deps.db.transaction().execute(async (tx) => {
      await assertNameFree(tx, by.organisationId, input.name);
      const party = await store.insertParty(tx, by.organisationId, defaults(input), deps.clock.now());
      await audit.record(tx, deps.clock, actorOf(by), {
        action: "parties.created",
        subject: { type: "party", id: party.id },
        data: changeData(undefined, party),
      });
      return { ...party, matchers: [], channels: [] };
    }),
  );
}

/** Changes a party's fields; only what the patch names changes. */
export async function updateParty(
  deps: Deps,
  by: Principal,
  partyId: string,
  patch: PartyPatch,
  reason?: string,
): Promise<PartyDetail> {
  await partyFor(deps, by, partyId, "parties:manage");
  await checkPartyOrganisation(deps, by, patch.partyOrganisationId);
  const party = await nameConflictAsProblem(
    deps.db.transaction().execute(async (tx) => {
      const before = await store.findParty(tx, partyId, true);
      if (!before) throw new AppError("not_found");
      if (patch.name !== undefined) await assertNameFree(tx, by.organisationId, patch.name, partyId);
      const values = definedOnly(patch) as Partial<store.PartyValues>;
      if (Object.keys(values).length === 0) return before;
      const after = await store.updateParty(tx, partyId, values, deps.clock.now());
      const data = changeData(before, after);
      if ((data.changed as string[]).length > 0)
        await audit.record(tx, deps.clock, actorOf(by), {
          action: "parties.updated",
          subject: { type: "party", id: partyId },
          ...(reason && { reason }),
          data,
        });
      return after;
    }),
  );
  return detailOf(deps.db, party);
}

/**
 * Archives a party: it stays on record (notices refer to it) but no matcher finds it and it
 * leaves the default list. Restoring undoes it.
 */
export async function archiveParty(
  deps: Deps,
  by: Principal,
  partyId: string,
  archived: boolean,
  reason?: string,
): Promise<PartyDetail> {
  await partyFor(deps, by, partyId, "parties:manage");
  const party = await deps.db.transaction().execute(async (tx) => {
    const before = await store.findParty(tx, partyId, true);
    if (!before) throw new AppError("not_found");
    if ((before.archivedAt !== null) === archived) return before;
    const now = deps.clock.now();
    const after = await store.setArchived(tx, partyId, archived ? now : null, now);
    await audit.record(tx, deps.clock, actorOf(by), {
      action: archived ? "parties.archived" : "parties.restored",
      subject: { type: "party", id: partyId },
      ...(reason && { reason }),
      data: { name: after.name },
    });
    return after;
  });
  return detailOf(deps.db, party);
}

// ---------------------------------------------------------------------------------------------
// Matchers

async function assertMatcherFree(tx: Tx, organisationId: string, kind: PartyMatcherKind, value: string) {
  const [holder] = await store.matcherHolders(tx, organisationId, kind, [value]);
  if (holder)
    throw new AppError("conflict", {
      detail: `${value} already points to ${holder.archived ? "the archived party " : ""}"${holder.partyName}"; remove it there first.`,
      errors: [{ path: "value", pointer: "/value", message: "Already in use by another party." }],
    });
}

/** Adds a matcher (its value already normalised by the schema, or checked again here). */
export async function addMatcher(
  deps: Deps,
  by: Principal,
  partyId: string,
  input: NewMatcherInput,
): Promise<store.PartyMatcher> {
  await partyFor(deps, by, partyId, "parties:manage");
  const checked = checkMatcher(input.kind, input.value);
  if (!checked.ok) throw invalid("value", checked.error);
  try {
    return await deps.db.transaction().execute(async (tx) => {
      await store.findParty(tx, partyId, true);
      const existing = await store.matchersOf(tx, [partyId]);
      if (existing.length >= limits.partyMatchersMax)
        throw new AppError("conflict", {
          detail: `A party has at most ${limits.partyMatchersMax} matchers.`,
        });
      await assertMatcherFree(tx, by.organisationId, input.kind, checked.value);
      const m = await store.insertMatcher(
        tx,
        by.organisationId,
        partyId,
        { kind: input.kind, value: checked.value },
        deps.clock.now(),
      );
      await audit.record(tx, deps.clock, actorOf(by), {
        action: "parties.matcher_added",
        subject: { type: "party", id: partyId },
        data: { matcherId: m.id, kind: m.kind, value: m.value },
      });
      return m;
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("conflict", { detail: `${checked.value} already points to another party.` });
    throw e;
  }
}

export async function removeMatcher(deps: Deps, by: Principal, partyId: string, matcherId: string) {
  await partyFor(deps, by, partyId, "parties:manage");
  const m = await store.findMatcher(deps.db, matcherId);
  if (!m || m.partyId !== partyId) throw new AppError("not_found");
  await deps.db.transaction().execute(async (tx) => {
    await store.deleteMatcher(tx, matcherId);
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "parties.matcher_removed",
      subject: { type: "party", id: partyId },
      data: { matcherId, kind: m.kind, value: m.value },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Channels

function checkAddress(deps: Deps, kind: ChannelKind, address: string): string {
  const r = checkChannelAddress(kind, address, { allowHttp: allowHttp(deps) });
  if (!r.ok) throw invalid("address", r.error);
  return r.value;
}

async function channelFor(
  deps: Deps,
  by: Principal,
  partyId: string,
  channelId: string,
  permission: "parties:read" | "parties:manage",
) {
  await partyFor(deps, by, partyId, permission);
  const c = await store.findChannel(deps.db, channelId);
  if (!c || c.partyId !== partyId) throw new AppError("not_found");
  return c;
}

async function insertChannelInTx(
  tx: Tx,
  deps: Deps,
  partyId: string,
  c: { kind: ChannelKind; address: string; priority: number },
): Promise<{ channel: store.PartyChannel; secret?: string }> {
  const id = randomUUID();
  const secret = c.kind === "webhook" ? randomToken(32) : undefined;
  const channel = await store.insertChannel(
    tx,
    {
      id,
      partyId,
      kind: c.kind,
      address: c.address,
      priority: c.priority,
      secretSealed: secret ? seal(deps.masterKey, secret, secretContext(id)) : null,
    },
    deps.clock.now(),
  );
  return { channel, ...(secret && { secret }) };
}

/**
 * Adds a way to reach a party. A webhook gets a new HMAC secret, returned here once: it is
 * stored only sealed and never shown again (rotate it to get a new one).
 */
export async function addChannel(
  deps: Deps,
  by: Principal,
  partyId: string,
  input: NewChannelInput,
): Promise<{ channel: store.PartyChannel; secret?: string }> {
  await partyFor(deps, by, partyId, "parties:manage");
  const address = checkAddress(deps, input.kind, input.address);
  return deps.db.transaction().execute(async (tx) => {
    await store.findParty(tx, partyId, true);
    const existing = await store.channelsOf(tx, [partyId]);
    if (existing.length >= limits.partyChannelsMax)
      throw new AppError("conflict", { detail: `A party has at most ${limits.partyChannelsMax} channels.` });
    if (existing.some((c) => c.kind === input.kind && c.address === address))
      throw new AppError("conflict", {
        detail: "This party already has this channel.",
        errors: [{ path: "address", pointer: "/address", message: "Already a channel of this party." }],
      });
    const priority = input.priority ?? Math.max(0, ...existing.map((c) => c.priority + 10), 100);
    const out = await insertChannelInTx(tx, deps, partyId, { kind: input.kind, address, priority });
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "parties.channel_added",
      subject: { type: "party", id: partyId },
      data: {
        channelId: out.channel.id,
        kind: input.kind,
        address: auditAddress(input.kind, address),
        priority,
        ...(out.secret && { secretCreated: true }),
      },
    });
    return out;
  });
}

/** Changes a channel's address or priority; a webhook keeps its secret. */
export async function updateChannel(
  deps: Deps,
  by: Principal,
  partyId: string,
  channelId: string,
  patch: ChannelPatch,
): Promise<store.PartyChannel> {
  const c = await channelFor(deps, by, partyId, channelId, "parties:manage");
  const address = patch.address === undefined ? undefined : checkAddress(deps, c.kind, patch.address);
  return deps.db.transaction().execute(async (tx) => {
    if (address !== undefined && address !== c.address) {
      const others = await store.channelsOf(tx, [partyId]);
      if (others.some((o) => o.id !== c.id && o.kind === c.kind && o.address === address))
        throw new AppError("conflict", { detail: "This party already has this channel." });
    }
    const updated = await store.updateChannel(
      tx,
      channelId,
      definedOnly({ address, priority: patch.priority }),
      deps.clock.now(),
    );
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "parties.channel_updated",
      subject: { type: "party", id: partyId },
      data: {
        channelId,
        kind: c.kind,
        ...(address !== undefined && { address: auditAddress(c.kind, address) }),
        ...(patch.priority !== undefined && { priority: patch.priority }),
      },
    });
    return updated;
  });
}

export async function removeChannel(deps: Deps, by: Principal, partyId: string, channelId: string) {
  const c = await channelFor(deps, by, partyId, channelId, "parties:manage");
  await deps.db.transaction().execute(async (tx) => {
    await store.deleteChannel(tx, channelId);
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "parties.channel_removed",
      subject: { type: "party", id: partyId },
      data: { channelId, kind: c.kind, address: auditAddress(c.kind, c.address) },
    });
  });
}

/** Clears a channel's failure mark after someone fixed the address: it is tried first again. */
export async function resetChannel(
  deps: Deps,
  by: Principal,
  partyId: string,
  channelId: string,
  reason?: string,
): Promise<store.PartyChannel> {
  const c = await channelFor(deps, by, partyId, channelId, "parties:manage");
  return deps.db.transaction().execute(async (tx) => {
    await store.markHealthy(tx, channelId, { keepLast: false, at: deps.clock.now() });
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "parties.channel_reset",
      subject: { type: "party", id: partyId },
      ...(reason && { reason }),
      data: { channelId, kind: c.kind, failures: c.failures },
    });
    const after = await store.findChannel(tx, channelId);
    if (!after) throw new AppError("not_found");
    const { organisationId: _o, ...channel } = after;
    return channel;
  });
}

/** Gives a webhook a new HMAC secret, returned once; the old one stops working at once. */
export async function rotateWebhookSecret(
  deps: Deps,
  by: Principal,
  partyId: string,
  channelId: string,
): Promise<{ channel: store.PartyChannel; secret: string }> {
  const c = await channelFor(deps, by, partyId, channelId, "parties:manage");
  if (c.kind !== "webhook") throw new AppError("conflict", { detail: "Only a webhook has a secret." });
  const secret = randomToken(32);
  return deps.db.transaction().execute(async (tx) => {
    const channel = await store.updateChannel(
      tx,
      channelId,
      { secretSealed: seal(deps.masterKey, secret, secretContext(channelId)) },
      deps.clock.now(),
    );
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "parties.channel_secret_rotated",
      subject: { type: "party", id: partyId },
      data: { channelId, kind: c.kind },
    });
    return { channel, secret };
  });
}

// ---------------------------------------------------------------------------------------------
// Whole-party upsert: the CSV import and the demo data

/** A party as a CSV row or the demo describes it. Absent parts are left as they are. */
export interface PartySpec {
  fields: NewPartyInput;
  /** Which fields the source named; others keep their value on an existing party. */
  named: ReadonlySet<keyof NewPartyInput>;
  /** When given: exactly these matchers (others are removed) … */
  matchers?: { kind: PartyMatcherKind; value: string }[] | undefined;
  /** … of these kinds only, when given (matchers of other kinds are kept). */
  matcherKinds?: ReadonlySet<PartyMatcherKind> | undefined;
  /** When given: exactly these channels, in priority order (others are removed). */
  channels?: { kind: ChannelKind; address: string }[] | undefined;
  archived?: boolean | undefined;
}

export interface UpsertResult {
  id: string;
  action: "created" | "updated" | "unchanged";
  /** Webhooks this upsert created, with their secrets (shown once). */
  secrets: { address: string; secret: string }[];
}

/**
 * Creates the party named in `spec` or brings the existing one (same name, any case) in line
 * with it, in one transaction: fields it names, its matchers and its channels (kept channels
 * keep their failure marks and webhook secrets; priorities follow the order given). Throws
 * validation or conflict errors; changes nothing then.
 */
export async function upsertParty(
  deps: Deps,
  by: Principal,
  spec: PartySpec,
  opts: { source: string },
): Promise<UpsertResult> {
  authorize(by, "parties:manage");
  const errors: FieldError[] = [];
  const channels = (spec.channels ?? []).map((c, i) => {
    const r = checkChannelAddress(c.kind, c.address, { allowHttp: allowHttp(deps) });
    if (!r.ok)
      errors.push({ path: `channels.${i}`, pointer: `/channels/${i}`, message: `${c.address}: ${r.error}` });
    return { kind: c.kind, address: r.ok ? r.value : c.address };
  });
  const matchers = (spec.matchers ?? []).map((m, i) => {
    const r = checkMatcher(m.kind, m.value);
    if (!r.ok)
      errors.push({ path: `matchers.${i}`, pointer: `/matchers/${i}`, message: `${m.value}: ${r.error}` });
    return { kind: m.kind, value: r.ok ? r.value : m.value };
  });
  if (errors.length > 0) throw new AppError("validation_failed", { errors });
  const dedupe = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
  const wantMatchers = dedupe(matchers, (m) => `${m.kind}:${m.value}`);
  const wantChannels = dedupe(channels, (c) => `${c.kind}:${c.address}`);
  if (wantMatchers.length > limits.partyMatchersMax)
    throw new AppError("validation_failed", {
      errors: [{ path: "matchers", message: `At most ${limits.partyMatchersMax} matchers.` }],
    });
  if (wantChannels.length > limits.partyChannelsMax)
    throw new AppError("validation_failed", {
      errors: [{ path: "channels", message: `At most ${limits.partyChannelsMax} channels.` }],
    });
  await checkPartyOrganisation(deps, by, spec.fields.partyOrganisationId);

  const actor = actorOf(by);
  try {
    return await deps.db.transaction().execute(async (tx): Promise<UpsertResult> => {
      const now = deps.clock.now();
      const found = await store.findPartyByName(tx, by.organisationId, spec.fields.name);
      let party: store.Party;
      let action: UpsertResult["action"] = "unchanged";
      if (!found) {
        party = await store.insertParty(tx, by.organisationId, defaults(spec.fields), now);
        await audit.record(tx, deps.clock, actor, {
          action: "parties.created",
          subject: { type: "party", id: party.id },
          data: { ...changeData(undefined, party), source: opts.source },
        });
        action = "created";
      } else {
        const before = (await store.findParty(tx, found.id, true)) as store.Party;
        const all = defaults(spec.fields);
        const patch = Object.fromEntries(
          // The name finds the party (in any case); its spelling stays as it is.
          [...spec.named]
            .filter((k) => k in all && k !== "name")
            .map((k) => [k, all[k as keyof store.PartyValues]]),
        ) as Partial<store.PartyValues>;
        party = before;
        const data = changeData(before, { ...before, ...patch });
        if ((data.changed as string[]).length > 0) {
          party = await store.updateParty(tx, before.id, patch, now);
          await audit.record(tx, deps.clock, actor, {
            action: "parties.updated",
            subject: { type: "party", id: party.id },
            data: { ...data, source: opts.source },
          });
          action = "updated";
        }
      }
      if (spec.archived !== undefined && (party.archivedAt !== null) !== spec.archived) {
        party = await store.setArchived(tx, party.id, spec.archived ? now : null, now);
        await audit.record(tx, deps.clock, actor, {
          action: spec.archived ? "parties.archived" : "parties.restored",
          subject: { type: "party", id: party.id },
          data: { name: party.name, source: opts.source },
        });
        if (action === "unchanged") action = "updated";
      }

      if (spec.matchers !== undefined) {
        const inScope = (k: PartyMatcherKind) => !spec.matcherKinds || spec.matcherKinds.has(k);
        const have = (await store.matchersOf(tx, [party.id])).filter((m) => inScope(m.kind));
        const key = (m: { kind: string; value: string }) => `${m.kind}:${m.value}`;
        const wanted = new Set(wantMatchers.map(key));
        const removed = have.filter((m) => !wanted.has(key(m)));
        for (const m of removed) await store.deleteMatcher(tx, m.id);
        const present = new Set(have.map(key));
        const added: store.PartyMatcher[] = [];
        for (const m of wantMatchers.filter((x) => !present.has(key(x)))) {
          await assertMatcherFree(tx, by.organisationId, m.kind, m.value);
          added.push(await store.insertMatcher(tx, by.organisationId, party.id, m, now));
        }
        if ((await store.matchersOf(tx, [party.id])).length > limits.partyMatchersMax)
          throw new AppError("validation_failed", {
            errors: [{ path: "matchers", message: `At most ${limits.partyMatchersMax} matchers.` }],
          });
        if (added.length + removed.length > 0) {
          await audit.record(tx, deps.clock, actor, {
            action: "parties.matchers_replaced",
            subject: { type: "party", id: party.id },
            data: {
              added: added.map((m) => ({ kind: m.kind, value: m.value })),
              removed: removed.map((m) => ({ kind: m.kind, value: m.value })),
              source: opts.source,
            },
          });
          if (action === "unchanged") action = "updated";
        }
      }

      const secrets: UpsertResult["secrets"] = [];
      if (spec.channels !== undefined) {
        const have = await store.channelsOf(tx, [party.id]);
        const key = (c: { kind: string; address: string }) => `${c.kind}:${c.address}`;
        const wanted = new Set(wantChannels.map(key));
        const removed = have.filter((c) => !wanted.has(key(c)));
        for (const c of removed) await store.deleteChannel(tx, c.id);
        const byKey = new Map(have.map((c) => [key(c), c]));
        const added: store.PartyChannel[] = [];
        let reordered = 0;
        // Priorities already in the wanted order are kept; otherwise they become 10, 20, 30…
        const kept = wantChannels.map((c) => byKey.get(key(c)));
        const inOrder =
          kept.every((c) => c !== undefined) &&
          kept.every(
            (c, i) =>
              i === 0 || (c as store.PartyChannel).priority > (kept[i - 1] as store.PartyChannel).priority,
          );
        for (const [i, c] of wantChannels.entries()) {
          const priority = (i + 1) * 10;
          const existing = byKey.get(key(c));
          if (existing) {
            if (!inOrder && existing.priority !== priority) {
              await store.updateChannel(tx, existing.id, { priority }, now);
              reordered++;
            }
            continue;
          }
          const out = await insertChannelInTx(tx, deps, party.id, { ...c, priority });
          added.push(out.channel);
          if (out.secret) secrets.push({ address: c.address, secret: out.secret });
        }
        if (added.length + removed.length + reordered > 0) {
          await audit.record(tx, deps.clock, actor, {
            action: "parties.channels_replaced",
            subject: { type: "party", id: party.id },
            data: {
              added: added.map((c) => ({ kind: c.kind, address: auditAddress(c.kind, c.address) })),
              removed: removed.map((c) => ({ kind: c.kind, address: auditAddress(c.kind, c.address) })),
              reordered,
              ...(secrets.length > 0 && { secretsCreated: secrets.length }),
              source: opts.source,
            },
          });
          if (action === "unchanged") action = "updated";
        }
      }
      return { id: party.id, action, secrets };
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("conflict", { detail: "A name or matcher is already in use; try again." });
    throw e;
  }
}

/** Everything about every party of the organisation, archived ones too: for the CSV export. */
export async function exportParties(deps: Deps, by: Principal): Promise<PartyDetail[]> {
  authorize(by, "parties:read");
  const parties = await store.allParties(deps.db, by.organisationId);
  const ids = parties.map((p) => p.id);
  const [matchers, channels] = await Promise.all([
    store.matchersOf(deps.db, ids),
    store.channelsOf(deps.db, ids),
  ]);
  await deps.db.transaction().execute((tx) =>
    audit.record(tx, deps.clock, actorOf(by), {
      action: "parties.exported",
      data: { parties: parties.length },
    }),
  );
  return parties.map((p) => ({
    ...p,
    matchers: matchers.filter((m) => m.partyId === p.id),
    channels: channels
      .filter((c) => c.partyId === p.id)
      .sort((a, b) => a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime()),
  }));
}

/** Records that an import ran (the per-party changes have their own events). */
export async function recordImport(
  deps: Deps,
  by: Principal,
  summary: {
    rows: number;
    created: number;
    updated: number;
    unchanged: number;
    failed: number;
    source: string;
  },
): Promise<void> {
  await deps.db
    .transaction()
    .execute((tx) =>
      audit.record(tx, deps.clock, actorOf(by), { action: "parties.imported", data: { ...summary } }),
    );
}

// ---------------------------------------------------------------------------------------------
// Parties registered by attribution itself

/** What an RDAP answer said about a network's holder or a registrar, as attribution found it. */
export interface RdapHolder {
  kind: "hosting" | "registrar";
  name: string | null;
  abuseEmail: string;
  country: string | null;
  asn: number | null;
  sourceUrl: string | null;
  rawSha256: string | null;
}

// Bidirectional overrides and isolates, zero-width characters, BOM: a name must read as it is.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const AUTO_NAME_MAX = 150;

/** A party name from a remote answer: visible characters, one line, bounded; null if nothing is left. */
export function cleanRemoteName(v: string | null): string | null {
  if (!v) return null;
  const t = v.replace(CONTROL, " ").replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
  if (!/[\p{L}\p{N}]/u.test(t)) return null;
  const cut = t.length > AUTO_NAME_MAX ? `${t.slice(0, AUTO_NAME_MAX - 1).trimEnd()}…` : t;
  return cut.toWellFormed();
}

/**
 * The party for an abuse address RDAP named and the registry does not know: found by its
 * `abuse_email` matcher if one exists (null if that party is archived: the hotline set it
 * aside), else registered now in `tx` as a party of `kind` marked as auto-registered from RDAP
 * (the answer's URL and raw SHA-256 kept; waiting for review), with an e-mail channel to the
 * address and `abuse_email` and (for a network with an origin AS nobody claims) `asn`
 * matchers. Everything from the answer is checked first: an address that is not a plain
 * e-mail address, or a name with nothing readable in it, registers nothing (null). Audited as
 * the system, in `tx`.
 */
export async function registerFromRdap(
  tx: Tx,
  deps: Pick<Deps, "clock" | "config">,
  organisationId: string,
  found: RdapHolder,
): Promise<{ partyId: string; created: boolean } | null> {
  const email = checkMatcher("abuse_email", found.abuseEmail);
  const channel = checkChannelAddress("email", found.abuseEmail, { allowHttp: false });
  if (!email.ok || !channel.ok) return null;
  const [holder] = await store.matcherHolders(tx, organisationId, "abuse_email", [email.value]);
  if (holder) return holder.archived ? null : { partyId: holder.partyId, created: false };

  const domain = email.value.slice(email.value.lastIndexOf("@") + 1);
  const base =
    cleanRemoteName(found.name) ??
    (found.kind === "registrar" ? `Registrar at ${domain}` : `Network at ${domain}`);
  // A name someone already uses (a party added by hand, say) is not taken over.
  let name = base;
  for (let n = 1; await store.findPartyByName(tx, organisationId, name); n++) {
    const suffix = n === 1 ? ` (${email.value})` : ` (${email.value}, ${n})`;
    name = `${base.slice(0, 200 - suffix.length)}${suffix}`;
    if (n > 5) return null;
  }
  const country = found.country && /^[A-Z]{2}$/.test(found.country) ? found.country : null;
  const now = deps.clock.now();
  const party = await store.insertParty(
    tx,
    organisationId,
    defaults({ name, kind: found.kind, country, languages: ["en"] }),
    now,
  );
  await store.setAutoSource(tx, party.id, {
    sourceUrl: found.sourceUrl ? found.sourceUrl.slice(0, 2000) : null,
    rawSha256: found.rawSha256 && /^[0-9a-f]{64}$/.test(found.rawSha256) ? found.rawSha256 : null,
  });
  await store.insertChannel(
    tx,
    {
      id: randomUUID(),
      partyId: party.id,
      kind: "email",
      address: channel.value,
      priority: 10,
      secretSealed: null,
    },
    now,
  );
  const matchers: { kind: PartyMatcherKind; value: string }[] = [{ kind: "abuse_email", value: email.value }];
  if (found.kind === "hosting" && found.asn !== null) {
    const asn = checkMatcher("asn", String(found.asn));
    if (asn.ok && (await store.matcherHolders(tx, organisationId, "asn", [asn.value])).length === 0)
      matchers.push({ kind: "asn", value: asn.value });
  }
  for (const m of matchers) await store.insertMatcher(tx, organisationId, party.id, m, now);
  await audit.record(
    tx,
    deps.clock,
    { type: "system", id: null, organisationId },
    {
      organisationId,
      action: "parties.auto_registered",
      subject: { type: "party", id: party.id },
      reason: "RDAP named an abuse contact that no party in the registry has",
      data: {
        name,
        kind: found.kind,
        country,
        channel: channel.value,
        matchers,
        source: "rdap",
        sourceUrl: found.sourceUrl,
        rawSha256: found.rawSha256,
      },
    },
  );
  return { partyId: party.id, created: true };
}

/** A person confirms a party that attribution registered (it loses its "review" mark). */
export async function reviewParty(
  deps: Deps,
  by: Principal,
  partyId: string,
  reason?: string,
): Promise<PartyDetail> {
  const party = await partyFor(deps, by, partyId, "parties:manage");
  if (!party.autoRegistered)
    throw new AppError("conflict", { detail: "Only parties registered from RDAP wait for review." });
  const after = await deps.db.transaction().execute(async (tx) => {
    const locked = (await store.findParty(tx, partyId, true)) as store.Party;
    if (locked.reviewedAt) return locked;
    const updated = await store.setReviewed(tx, partyId, deps.clock.now());
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "parties.reviewed",
      subject: { type: "party", id: partyId },
      ...(reason && { reason }),
      data: { name: updated.name },
    });
    return updated;
  });
  return detailOf(deps.db, after);
}

// ---------------------------------------------------------------------------------------------
// For the notices and attribution modules: no principal, an organisation id instead.

/** A party of an organisation, or undefined (also when it belongs to another organisation). */
export async function getParty(
  db: Executor,
  organisationId: string,
  partyId: string,
): Promise<store.Party | undefined> {
  const party = await store.findParty(db, partyId);
  return party && party.organisationId === organisationId ? party : undefined;
}

/**
 * The channels to try for a party, in order: healthy channels by priority, then the failing
 * ones by priority (a failing channel is the last resort, not skipped for good).
 */
export function deliveryChannels(db: Executor, partyId: string): Promise<store.PartyChannel[]> {
  return store.channelsOf(db, [partyId]);
}

/**
 * Marks a channel failing after a bounce or a failed delivery (failures + 1, failing since the
 * first failure, the error kept, cut to 2,000 characters). Call it in the transaction that
 * records the failed send; that transaction's audit event is the record of it.
 */
export async function markChannelFailed(
  tx: Executor,
  channelId: string,
  error: string,
  at: Date,
): Promise<void> {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters from a remote server are dropped
  const clean = error.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").slice(0, 2000);
  await store.markFailed(tx, channelId, clean || "delivery failed", at);
}

/** Clears a channel's failure mark after a successful delivery (the last error stays on record). */
export async function markChannelHealthy(tx: Executor, channelId: string): Promise<void> {
  await store.markHealthy(tx, channelId, { keepLast: true });
}

/** The HMAC secret of a webhook channel, unsealed (current master key, or an earlier one). */
export async function webhookSecret(
  deps: Pick<Deps, "db" | "masterKey" | "config">,
  channelId: string,
): Promise<string> {
  const sealed = await store.sealedSecret(deps.db, channelId);
  if (!sealed) throw new AppError("not_found", { detail: "This channel has no webhook secret." });
  try {
    return openWithAny(
      [deps.masterKey, ...(deps.config.evidence?.previousMasterKeys ?? [])],
      sealed,
      secretContext(channelId),
    );
  } catch (cause) {
    throw new AppError("internal", {
      detail: "A webhook secret cannot be opened with any configured master key.",
      cause,
    });
  }
}

/** The host names a domain pattern for `host` could be: itself and its parents, exact and `*.`. */
function domainCandidates(host: string): string[] {
  const labels = host.split(".");
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) {
    const suffix = labels.slice(i).join(".");
    out.push(suffix);
    if (i > 0) out.push(`*.${suffix}`);
  }
  return out;
}

/**
 * The current (not archived) party of an organisation that a matcher recognises, with the
 * matcher. For `domain`, `value` is a host name: `example.org` matches the pattern
 * `example.org` and, for `www.example.org`, also `*.example.org`; the most specific pattern
 * wins. Other kinds match exactly, after the same normalisation as when they were stored
 * (AS64500 → 64500, .NL → nl, e-mail lower case). Undefined when nothing matches or the value
 * is not valid for its kind.
 */
export async function partyByMatcher(
  db: Executor,
  organisationId: string,
  kind: PartyMatcherKind,
  value: string,
): Promise<PartyMatch | undefined> {
  if (kind === "domain") {
    const host = checkHostname(value);
    if (!host.ok) return undefined;
    const hits = await store.activeMatches(db, organisationId, "domain", domainCandidates(host.value));
    const specificity = (v: string) => v.replace(/^\*\./, "").length * 2 + (v.startsWith("*.") ? 0 : 1);
    hits.sort((a, b) => specificity(b.matcher.value) - specificity(a.matcher.value));
    return hits[0];
  }
  const checked = checkMatcher(kind, value);
  if (!checked.ok) return undefined;
  const [hit] = await store.activeMatches(db, organisationId, kind, [checked.value]);
  return hit;
}

/**
 * After a master-key change (`vangrail keys rotate`): seals every webhook secret under the
 * current key. Secrets that no configured key opens are reported, not changed.
 */
export async function resealWebhookSecrets(
  deps: Deps,
): Promise<{ checked: number; resealed: number; failed: string[] }> {
  let resealed = 0;
  const failed: string[] = [];
  const rows = await store.allSealedSecrets(deps.db);
  for (const row of rows) {
    try {
      open(deps.masterKey, row.sealed, secretContext(row.id));
      continue;
    } catch {
      // sealed under an earlier key
    }
    try {
      const plain = openWithAny(keysOf(deps), row.sealed, secretContext(row.id));
      await store.setSealedSecret(deps.db, row.id, seal(deps.masterKey, plain, secretContext(row.id)));
      resealed++;
    } catch {
      failed.push(`party_channel:${row.id}`);
    }
  }
  return { checked: rows.length, resealed, failed };
}
