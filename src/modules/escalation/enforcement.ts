// Enforcement requests (handhavingsverzoeken) and reports to the police: drafted per regulator
// and party from a hotline's cases, approved by a supervisor or admin (`escalation:approve`,
// whose name signs it, art. 4:2 Awb), filed with the regulator's Vangrail organisation (its
// portal) and/or announced by e-mail, received, extended, decided or withdrawn. The Awb clock
// (awb.ts) runs from receipt; the clock job marks lapsed terms, drafts the notice of default and
// keeps the penalty of art. 4:17 up to date. Every change writes an audit event in its
// transaction, in the applicant's log (and, for a regulator's own acts, in the regulator's log).
//
// Who sees what: the applicant hotline sees its own requests; a regulator's or the police's
// officers see a request only once it is filed with their organisation. Anything else is "not
// found", so the existence of another organisation's request is never revealed.
import { createHash } from "node:crypto";
import type { Tx } from "../../platform/db.ts";
import { AppError, type FieldError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import * as registry from "../attribution/parties.ts";
import * as audit from "../audit/service.ts";
import * as cases from "../cases/service.ts";
import type { Deps } from "../deps.ts";
import { actorOf, authorize, type Principal } from "../identity/principal.ts";
import * as identity from "../identity/service.ts";
import { noticeEnv } from "../notices/service.ts";
import * as awb from "./awb.ts";
import { dossierJob, emailJob } from "./enforcement-jobspecs.ts";
import * as store from "./enforcement-store.ts";
import { type Language, type Regulator, regulatorById } from "./regulators.ts";

export type { Request } from "./enforcement-store.ts";

export const SUBJECT = "enforcement_request";
const subject = (id: string) => ({ type: SUBJECT, id });

/** Bounds of what a request holds and what its documents may be. */
export const enforcementLimits = {
  casesPerRequest: 100,
  itemsPerRequest: 1000,
  decisionRequestedMax: 5000,
  factsMax: 20_000,
  messageMax: 5000,
  reasonMax: 2000,
  decisionTextMax: 20_000,
  documentMaxBytes: 10 * 1024 * 1024,
  documentsPerRequest: 50,
  fileNameMax: 120,
} as const;

export const requestReference = (id: string): string =>
  `VGE-${id.replace(/-/g, "").slice(0, 10).toUpperCase()}`;

let penaltyTable: awb.PenaltyTable | undefined;
export const penalties = (): awb.PenaltyTable => {
  penaltyTable ??= awb.loadPenaltyTable();
  return penaltyTable;
};

const itemSetKey = (itemIds: string[]): string =>
  createHash("sha256")
    .update([...new Set(itemIds)].sort().join(","))
    .digest("hex");

function invalid(path: string, message: string): AppError {
  return new AppError("validation_failed", {
    detail: message,
    errors: [{ path, pointer: `/${path.replaceAll(".", "/")}`, message }],
  });
}

function regulatorOrFail(id: string): Regulator {
  const r = regulatorById(id);
  if (!r)
    throw invalid(
      "regulator",
      `Unknown regulator "${id.slice(0, 40)}"; see GET /api/v1/enforcement/regulators.`,
    );
  return r;
}

// --- Access -------------------------------------------------------------------------------------

export type Side = "applicant" | "regulator";

async function loadFor(
  deps: Deps,
  by: Principal,
  id: string,
  opts: { db?: Tx; forUpdate?: boolean } = {},
): Promise<{ r: store.Request; side: Side }> {
  authorize(by, "enforcement:read");
  const r = await store.findRequest(opts.db ?? deps.db, id, opts.forUpdate);
  if (r && r.organisationId === by.organisationId) return { r, side: "applicant" };
  if (
    r?.filedAt &&
    r.regulatorOrganisationId === by.organisationId &&
    (by.organisationKind === "regulator" || by.organisationKind === "police")
  )
    return { r, side: "regulator" };
  throw new AppError("not_found");
}

/** The permission a side needs to change a request. */
function authorizeChange(by: Principal, side: Side): void {
  authorize(by, side === "applicant" ? "enforcement:manage" : "enforcement:respond");
}

async function recordBoth(
  tx: Tx,
  deps: Deps,
  by: Principal | audit.Actor,
  r: store.Request,
  action: string,
  data: Record<string, unknown> = {},
  reason?: string,
): Promise<void> {
  const actor = "permissions" in by ? actorOf(by) : by;
  await audit.record(tx, deps.clock, actor, {
    organisationId: r.organisationId,
    action,
    subject: subject(r.id),
    data: { ...data, ...(actor.organisationId !== r.organisationId ? { by: actor.organisationId } : {}) },
    ...(reason ? { reason } : {}),
  });
  // A regulator's own act is in its own log too.
  if (actor.organisationId && actor.organisationId !== r.organisationId)
    await audit.record(tx, deps.clock, actor, {
      action,
      subject: subject(r.id),
      data: { ...data, applicant: r.organisationId },
      ...(reason ? { reason } : {}),
    });
}

// --- Applicant details and regulator contacts (admin, `enforcement:manage`) -------------------

export async function getSettings(deps: Deps, by: Principal) {
  authorize(by, "enforcement:read");
  const s = await store.settingsOf(deps.db, by.organisationId);
  return {
    applicantName: s?.applicantName ?? null,
    postalAddress: s?.postalAddress ?? null,
    email: s?.email ?? null,
    consultationMonths: s?.consultationMonths ?? 3,
  };
}

export async function saveSettings(
  deps: Deps,
  by: Principal,
  input: {
    applicantName: string | null;
    postalAddress: string;
    email: string | null;
    consultationMonths: number;
  },
) {
  authorize(by, "enforcement:manage");
  if (by.organisationKind !== "hotline" && by.organisationKind !== "helpdesk")
    throw new AppError("forbidden");
  await deps.db.transaction().execute(async (tx) => {
    await store.saveSettings(tx, { organisationId: by.organisationId, ...input }, deps.clock.now());
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "enforcement.settings_saved",
      subject: { type: "organisation", id: by.organisationId },
      data: { ...input },
    });
  });
  return getSettings(deps, by);
}

export async function listContacts(deps: Deps, by: Principal) {
  authorize(by, "enforcement:read");
  return store.contactsOf(deps.db, by.organisationId);
}

/** Which organisation and/or address stands for a regulator of the catalogue, for this hotline. */
export async function saveContact(
  deps: Deps,
  by: Principal,
  regulator: string,
  input: { regulatorOrganisationId: string | null; email: string | null },
) {
  authorize(by, "enforcement:manage");
  const reg = regulatorOrFail(regulator);
  if (!input.regulatorOrganisationId && !input.email)
    throw invalid(
      "regulatorOrganisationId",
      "Give the regulator's Vangrail organisation, an e-mail address, or both.",
    );
  if (input.regulatorOrganisationId) {
    const kind = await store.organisationKind(deps.db, input.regulatorOrganisationId);
    if (kind !== reg.organisationKind && !(kind === "regulator" && reg.organisationKind === "police"))
      throw invalid(
        "regulatorOrganisationId",
        `That is not an organisation of kind ${reg.organisationKind}; only such an organisation can stand for ${reg.name.en}.`,
      );
  }
  await deps.db.transaction().execute(async (tx) => {
    await store.saveContact(tx, by.organisationId, { regulator, ...input }, deps.clock.now());
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "enforcement.contact_saved",
      subject: { type: "regulator_contact", id: regulator },
      data: { regulator, ...input },
    });
  });
  return (await store.contactsOf(deps.db, by.organisationId)).find((c) => c.regulator === regulator);
}

export async function removeContact(deps: Deps, by: Principal, regulator: string): Promise<void> {
  authorize(by, "enforcement:manage");
  await deps.db.transaction().execute(async (tx) => {
    if (!(await store.deleteContact(tx, by.organisationId, regulator))) throw new AppError("not_found");
    await audit.record(tx, deps.clock, actorOf(by), {
      action: "enforcement.contact_removed",
      subject: { type: "regulator_contact", id: regulator },
    });
  });
}

// --- Drafting -----------------------------------------------------------------------------------

export interface DraftInput {
  regulator: string;
  partyId: string | null;
  caseIds: string[];
  itemIds: string[];
  step?: string | undefined;
  language?: Language | undefined;
  decisionRequested?: string | undefined;
  facts?: string | undefined;
}

interface Scope {
  cases: NonNullable<Awaited<ReturnType<typeof cases.caseWithItems>>>[];
  itemIds: string[];
  party: registry.Party | undefined;
}

async function scopeOf(deps: Deps, db: Tx, organisationId: string, input: DraftInput): Promise<Scope> {
  const errors: FieldError[] = [];
  const caseIds = [...new Set(input.caseIds)];
  if (caseIds.length === 0)
    errors.push({ path: "caseIds", pointer: "/caseIds", message: "Name at least one case." });
  if (caseIds.length > enforcementLimits.casesPerRequest)
    errors.push({ path: "caseIds", pointer: "/caseIds", message: "Too many cases for one request." });
  if (input.itemIds.length > enforcementLimits.itemsPerRequest)
    errors.push({ path: "itemIds", pointer: "/itemIds", message: "Too many items for one request." });
  if (errors.length > 0) throw new AppError("validation_failed", { errors });
  const found = [];
  for (const id of caseIds) {
    const c = await cases.caseWithItems(deps, organisationId, id, db);
    if (!c) throw new AppError("not_found", { detail: "A case named is not one of this organisation's." });
    found.push(c);
  }
  const known = new Set(found.flatMap((c) => c.items.map((i) => i.id)));
  const itemIds = [...new Set(input.itemIds)];
  for (const [i, id] of itemIds.entries())
    if (!known.has(id))
      throw new AppError("not_found", {
        detail: "An item named is not part of the cases named.",
        errors: [{ path: `itemIds.${i}`, pointer: `/itemIds/${i}`, message: "Not an item of these cases." }],
      });
  let party: registry.Party | undefined;
  if (input.partyId) {
    party = await registry.getParty(db, organisationId, input.partyId);
    if (!party)
      throw new AppError("not_found", { detail: "The party named is not in this organisation's registry." });
  }
  return { cases: found, itemIds: itemIds.sort(), party };
}

/** The facts of a request as Vangrail words them by default; the hotline may rewrite them. */
function defaultFacts(lang: Language, reg: Regulator, scope: Scope): string {
  const items = scope.cases.flatMap((c) => c.items).filter((i) => scope.itemIds.includes(i.id));
  const refs = scope.cases.map((c) => cases.caseReference(c.case.number)).join(", ");
  const party = scope.party?.name;
  if (lang === "nl")
    return [
      `Verzoeker is een meldpunt tegen online seksueel geweld en handelt als betrouwbare flagger.`,
      `Dit verzoek betreft ${items.length} URL('s) uit ${scope.cases.length === 1 ? "zaak" : "zaken"} ${refs}` +
        (party ? `, aangeboden door of via ${party}.` : "."),
      party
        ? `${party} is over deze inhoud gemeld en heeft deze niet (tijdig) verwijderd; de chronologie in dit dossier noemt elke melding, herinnering, reactie en controle.`
        : "De chronologie in dit dossier noemt elke melding, herinnering, reactie en controle.",
      `Het bewijs is vastgelegd, ondertekend en van een tijdstempel voorzien; de bijgevoegde bundels zijn zonder Vangrail te verifiëren (${reg.name.nl}).`,
    ].join("\n\n");
  return [
    "The applicant is a hotline against online sexual violence and acts as a trusted flagger.",
    `This request concerns ${items.length} URL(s) from case${scope.cases.length === 1 ? "" : "s"} ${refs}` +
      (party ? `, provided by or through ${party}.` : "."),
    party
      ? `${party} was notified of this content and did not remove it (in time); the chronology in this dossier lists every notice, reminder, response and check.`
      : "The chronology in this dossier lists every notice, reminder, response and check.",
    `The evidence was captured, signed and time-stamped; the attached bundles can be verified without Vangrail (${reg.name.en}).`,
  ].join("\n\n");
}

async function draftInTx(
  deps: Deps,
  tx: Tx,
  actor: audit.Actor,
  organisationId: string,
  input: DraftInput,
): Promise<{ request: store.Request; created: boolean }> {
  const reg = regulatorOrFail(input.regulator);
  const scope = await scopeOf(deps, tx, organisationId, input);
  const lang = input.language ?? "nl";
  const key = {
    organisationId,
    regulator: reg.id,
    partyId: input.partyId,
    step: input.step ?? "manual",
    itemSetSha256: itemSetKey(scope.itemIds),
  };
  const id = await store.insertRequest(tx, {
    ...key,
    language: lang,
    decisionRequested: input.decisionRequested ?? reg.decisionRequested[lang],
    facts: input.facts ?? defaultFacts(lang, reg, scope),
    termApplies: reg.awbTerm,
    termWeeks: reg.defaultTermWeeks,
    createdBy: actor.type === "user" ? actor.id : null,
    at: deps.clock.now(),
  });
  if (!id) {
    const existing = await store.findByKey(tx, key);
    if (!existing)
      throw new AppError("conflict", { detail: "The request changed while it was drafted; try again." });
    return { request: existing, created: false };
  }
  await store.addLinks(
    tx,
    id,
    scope.cases.map((c) => c.case.id),
    scope.itemIds,
  );
  await audit.record(tx, deps.clock, actor, {
    organisationId,
    action: "enforcement.drafted",
    subject: subject(id),
    data: {
      regulator: reg.id,
      partyId: input.partyId,
      step: key.step,
      caseIds: scope.cases.map((c) => c.case.id),
      itemIds: scope.itemIds,
    },
  });
  for (const c of scope.cases)
    await audit.record(tx, deps.clock, actor, {
      organisationId,
      action: "case.enforcement_requested",
      subject: { type: "case", id: c.case.id },
      data: { requestId: id, regulator: reg.id },
    });
  return { request: (await store.findRequest(tx, id)) as store.Request, created: true };
}

/** A hotline drafts a request by hand (`enforcement:manage`). */
export async function draftRequest(deps: Deps, by: Principal, input: DraftInput) {
  authorize(by, "enforcement:manage");
  if (by.organisationKind !== "hotline" && by.organisationKind !== "helpdesk")
    throw new AppError("forbidden");
  const { request, created } = await deps.db
    .transaction()
    .execute((tx) => draftInTx(deps, tx, actorOf(by), by.organisationId, input));
  return { created, request: await present(deps, request, "applicant") };
}

/** Changes the text of a draft. */
export async function editDraft(
  deps: Deps,
  by: Principal,
  id: string,
  input: {
    decisionRequested?: string | undefined;
    facts?: string | undefined;
    language?: Language | undefined;
  },
) {
  authorize(by, "enforcement:manage");
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    if (side !== "applicant") throw new AppError("not_found");
    if (r.status !== "draft") throw new AppError("conflict", { detail: "Only a draft can be changed." });
    await store.updateRequest(
      tx,
      id,
      {
        ...(input.decisionRequested ? { decision_requested: input.decisionRequested } : {}),
        ...(input.facts ? { facts: input.facts } : {}),
        ...(input.language ? { language: input.language } : {}),
      },
      deps.clock.now(),
    );
    await recordBoth(tx, deps, by, r, "enforcement.draft_edited", { fields: Object.keys(input) });
  });
  return getRequest(deps, by, id);
}

// --- Approval and filing --------------------------------------------------------------------------

async function approveInTx(
  deps: Deps,
  tx: Tx,
  actor: audit.Actor,
  r: store.Request,
  approver: { id: string; name: string },
): Promise<store.Request> {
  const settings = await store.settingsOf(tx, r.organisationId);
  if (!settings)
    throw new AppError("conflict", {
      detail:
        "Record the organisation's postal address first (enforcement settings): a request names the applicant's address (art. 4:2 Awb).",
    });
  const now = deps.clock.now();
  await store.updateRequest(
    tx,
    r.id,
    { status: "approved", approved_by: approver.id, approved_by_name: approver.name, approved_at: now },
    now,
  );
  await audit.record(tx, deps.clock, actor, {
    organisationId: r.organisationId,
    action: "enforcement.approved",
    subject: subject(r.id),
    data: { approvedBy: approver.id, signedAs: approver.name },
  });
  return (await store.findRequest(tx, r.id)) as store.Request;
}

/** What filing needs to know about where the request goes; undefined when nowhere is set up. */
async function destinationOf(tx: Tx, r: store.Request) {
  const contact = (await store.contactsOf(tx, r.organisationId)).find((c) => c.regulator === r.regulator);
  if (!contact) return undefined;
  return { organisationId: contact.regulatorOrganisationId, email: contact.email };
}

async function fileInTx(
  deps: Deps,
  tx: Tx,
  actor: audit.Actor,
  r: store.Request,
): Promise<{ filed: boolean; reason?: string }> {
  const to = await destinationOf(tx, r);
  if (!to) return { filed: false, reason: "no_contact" };
  const now = deps.clock.now();
  await store.updateRequest(
    tx,
    r.id,
    {
      status: "filed",
      filed_at: now,
      regulator_organisation_id: to.organisationId,
      regulator_email: to.email,
      dossier_status: "pending",
    },
    now,
  );
  const via = [...(to.organisationId ? ["portal"] : []), ...(to.email ? ["email"] : [])];
  await audit.record(tx, deps.clock, actor, {
    organisationId: r.organisationId,
    action: "enforcement.filed",
    subject: subject(r.id),
    data: { regulator: r.regulator, via, regulatorOrganisationId: to.organisationId, email: to.email },
  });
  await deps.queue?.send(dossierJob, {}, { tx, singletonKey: "dossiers" });
  if (to.email) await deps.queue?.send(emailJob, {}, { tx, singletonKey: "emails" });
  return { filed: true };
}

/** A supervisor or admin approves a draft (`escalation:approve`); their name signs it. */
export async function approveRequest(deps: Deps, by: Principal, id: string) {
  authorize(by, "escalation:approve");
  if (by.kind !== "user") throw new AppError("forbidden", { detail: "A person approves, not a token." });
  const user = await identity.findUserById(deps, by.userId);
  if (!user) throw new AppError("unauthenticated");
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    if (side !== "applicant") throw new AppError("not_found");
    if (r.status !== "draft")
      throw new AppError("conflict", { detail: `The request is ${r.status}, not a draft.` });
    await approveInTx(deps, tx, actorOf(by), r, { id: user.id, name: user.displayName });
  });
  return getRequest(deps, by, id);
}

/** Files an approved request with the regulator (`enforcement:manage`). */
export async function fileRequest(deps: Deps, by: Principal, id: string) {
  authorize(by, "enforcement:manage");
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    if (side !== "applicant") throw new AppError("not_found");
    if (r.status !== "approved")
      throw new AppError("conflict", {
        detail: `Only an approved request can be filed; this one is ${r.status}.`,
      });
    const out = await fileInTx(deps, tx, actorOf(by), r);
    if (!out.filed)
      throw new AppError("conflict", {
        detail: `No organisation or e-mail address stands for ${r.regulator} yet: set it under the regulator contacts first.`,
      });
  });
  return getRequest(deps, by, id);
}

export interface LadderRequest {
  organisationId: string;
  regulator: string;
  partyId: string | null;
  itemIds: string[];
  caseIds: string[];
  step: string;
  approvedBy: string | null;
}

/**
 * For the escalation ladder: drafts a request in the caller's transaction and, when
 * `approvedBy` (a user id) is set, approves and files it. Idempotent per (organisation,
 * regulator, party, step, item set): asking again returns the same request and moves it on only
 * as far as it has not gone yet. Filing waits (the request stays approved, and an event says
 * why) when no organisation or e-mail stands for the regulator.
 */
export async function fileEnforcementRequest(
  deps: Deps,
  tx: Tx,
  req: LadderRequest,
): Promise<{ requestId: string }> {
  const actor: audit.Actor = { type: "system", id: null, organisationId: req.organisationId };
  const { request } = await draftInTx(deps, tx, actor, req.organisationId, {
    regulator: req.regulator,
    partyId: req.partyId,
    caseIds: req.caseIds,
    itemIds: req.itemIds,
    step: req.step,
  });
  if (!req.approvedBy) return { requestId: request.id };
  let r = (await store.findRequest(tx, request.id, true)) as store.Request;
  if (r.status === "draft") {
    const user = await identity.findUserById({ db: tx }, req.approvedBy);
    if (!user || user.organisationId !== req.organisationId)
      throw new AppError("not_found", { detail: "The approving user is not one of this organisation's." });
    r = await approveInTx(deps, tx, actor, r, { id: user.id, name: user.displayName });
  }
  if (r.status === "approved") {
    const out = await fileInTx(deps, tx, actor, r);
    if (!out.filed)
      await audit.record(tx, deps.clock, actor, {
        organisationId: r.organisationId,
        action: "enforcement.filing_waits",
        subject: subject(r.id),
        reason: `no organisation or e-mail address stands for ${r.regulator}`,
      });
  }
  return { requestId: request.id };
}

// --- Receipt, extensions, decisions, withdrawal, updates ------------------------------------------

function notInFuture(at: Date, now: Date, path: string): void {
  if (at.getTime() > now.getTime()) throw invalid(path, "This date lies in the future.");
}

/** Receipt confirmed by the regulator (now), or recorded by the hotline with its date. */
export async function recordReceipt(
  deps: Deps,
  by: Principal,
  id: string,
  input: { receivedAt?: Date | undefined },
) {
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    authorizeChange(by, side);
    if (r.status !== "filed")
      throw new AppError("conflict", {
        detail: r.receivedAt ? "Receipt is already recorded." : `The request is ${r.status}, not filed.`,
      });
    const now = deps.clock.now();
    const receivedAt = input.receivedAt ?? now;
    if (side === "applicant" && !input.receivedAt) throw invalid("receivedAt", "Give the date of receipt.");
    notInFuture(receivedAt, now, "receivedAt");
    if (r.filedAt && receivedAt.getTime() < awb.startOfDay(awb.dayOf(r.filedAt)).getTime())
      throw invalid("receivedAt", "A request cannot be received before it was filed.");
    const termEndsAt = r.termApplies && r.termWeeks ? awb.decisionTermEnd(receivedAt, r.termWeeks) : null;
    await store.updateRequest(
      tx,
      id,
      { status: "received", received_at: receivedAt, receipt_by: side, term_ends_at: termEndsAt },
      now,
    );
    await recordBoth(tx, deps, by, r, "enforcement.received", {
      receivedAt: receivedAt.toISOString(),
      termEndsAt: termEndsAt?.toISOString() ?? null,
      recordedBy: side,
    });
  });
  return getRequest(deps, by, id);
}

/** Art. 4:14(3): the regulator notified a new term (recorded by either side). */
export async function recordExtension(
  deps: Deps,
  by: Principal,
  id: string,
  input: { termEndsOn: string; reason?: string | undefined },
) {
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    authorizeChange(by, side);
    if (!r.termApplies)
      throw new AppError("conflict", { detail: "No Awb decision term runs for this request." });
    if (r.withdrawnAt) throw new AppError("conflict", { detail: "The request was withdrawn." });
    const now = deps.clock.now();
    const newEnd = awb.notifiedTermEnd(input.termEndsOn);
    const refusal = awb.extensionRefusal({ termEndsAt: r.termEndsAt, decidedAt: r.decidedAt }, newEnd, now);
    if (refusal === "not_received")
      throw new AppError("conflict", { detail: "Record receipt first: the term runs from it." });
    if (refusal === "decided") throw new AppError("conflict", { detail: "The request is decided." });
    if (refusal === "lapsed")
      throw new AppError("conflict", {
        detail:
          "The term has already lapsed: a new term notified after it ended does not revive it (art. 4:14(3) Awb).",
      });
    if (refusal === "not_later") throw invalid("termEndsOn", "The new term must end after the current one.");
    await store.insertExtension(tx, id, {
      previousTermEndsAt: r.termEndsAt as Date,
      termEndsAt: newEnd,
      reason: input.reason ?? null,
      recordedByOrganisationId: by.organisationId,
      recordedAt: now,
    });
    await store.updateRequest(tx, id, { term_ends_at: newEnd }, now);
    await recordBoth(
      tx,
      deps,
      by,
      r,
      "enforcement.term_extended",
      { previousTermEndsAt: r.termEndsAt?.toISOString(), termEndsAt: newEnd.toISOString() },
      input.reason,
    );
  });
  return getRequest(deps, by, id);
}

/** The hotline records when it sent the notice of default and when the regulator received it. */
export async function recordDefaultNotice(
  deps: Deps,
  by: Principal,
  id: string,
  input: { sentAt?: Date | undefined; receivedAt?: Date | undefined },
) {
  authorize(by, "enforcement:manage");
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    if (side !== "applicant") throw new AppError("not_found");
    const notice = await store.defaultNoticeOf(tx, id);
    if (!notice || !r.termEndsAt || !r.lapsedAt)
      throw new AppError("conflict", { detail: "No notice of default: the decision term has not lapsed." });
    if (r.decidedAt || r.withdrawnAt)
      throw new AppError("conflict", { detail: "The request is no longer open." });
    const now = deps.clock.now();
    const errors: FieldError[] = [];
    for (const [k, v] of Object.entries(input) as [string, Date | undefined][]) {
      if (!v) continue;
      if (v.getTime() > now.getTime())
        errors.push({ path: k, pointer: `/${k}`, message: "This date lies in the future." });
      else if (v.getTime() <= r.termEndsAt.getTime())
        errors.push({
          path: k,
          pointer: `/${k}`,
          message: "A notice of default counts only after the decision term has lapsed.",
        });
    }
    const sent = input.sentAt ?? notice.sentAt;
    if (input.receivedAt && sent && input.receivedAt.getTime() < sent.getTime())
      errors.push({
        path: "receivedAt",
        pointer: "/receivedAt",
        message: "It cannot be received before it was sent.",
      });
    if (errors.length > 0) throw new AppError("validation_failed", { errors });
    await store.updateDefaultNotice(tx, id, {
      ...(input.sentAt ? { sent_at: input.sentAt } : {}),
      ...(input.receivedAt ? { received_at: input.receivedAt } : {}),
    });
    await recordBoth(tx, deps, by, r, "enforcement.default_notice_recorded", {
      sentAt: input.sentAt?.toISOString() ?? null,
      receivedAt: input.receivedAt?.toISOString() ?? null,
    });
  });
  await updateClockOf(deps, id);
  return getRequest(deps, by, id);
}

export type DecisionOutcome = store.DecisionOutcome;

/** The regulator's decision (through its portal, or recorded by the hotline): the clock stops. */
export async function recordDecision(
  deps: Deps,
  by: Principal,
  id: string,
  input: { outcome: DecisionOutcome; text: string; decidedAt?: Date | undefined },
) {
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    authorizeChange(by, side);
    if (r.status !== "filed" && r.status !== "received")
      throw new AppError("conflict", {
        detail: `The request is ${r.status}; only a filed request can be decided.`,
      });
    const now = deps.clock.now();
    const decidedAt = input.decidedAt ?? now;
    notInFuture(decidedAt, now, "decidedAt");
    if (r.filedAt && decidedAt.getTime() < awb.startOfDay(awb.dayOf(r.filedAt)).getTime())
      throw invalid("decidedAt", "A decision cannot predate the filing.");
    const clock = clockOf(r, await store.defaultNoticeOf(tx, id), now, decidedAt);
    await store.updateRequest(
      tx,
      id,
      {
        status: "decided",
        decided_at: decidedAt,
        decision_outcome: input.outcome,
        decision_text: input.text,
        penalty_days: clock.penalty?.days ?? 0,
        penalty_cents: clock.penalty?.cents ?? 0,
      },
      now,
    );
    await store.insertUpdate(tx, id, {
      organisationId: by.organisationId,
      authorId: by.kind === "user" ? by.userId : null,
      kind: "decision",
      message: input.text.slice(0, enforcementLimits.messageMax),
      createdAt: now,
    });
    await recordBoth(tx, deps, by, r, "enforcement.decided", {
      outcome: input.outcome,
      decidedAt: decidedAt.toISOString(),
      lapsed: clock.lapsed,
      penaltyDays: clock.penalty?.days ?? 0,
      penaltyCents: clock.penalty?.cents ?? 0,
    });
  });
  return getRequest(deps, by, id);
}

export async function withdrawRequest(deps: Deps, by: Principal, id: string, reason: string) {
  authorize(by, "enforcement:manage");
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    if (side !== "applicant") throw new AppError("not_found");
    if (r.status === "decided" || r.status === "withdrawn")
      throw new AppError("conflict", { detail: `The request is already ${r.status}.` });
    const now = deps.clock.now();
    await store.updateRequest(
      tx,
      id,
      { status: "withdrawn", withdrawn_at: now, withdrawn_reason: reason },
      now,
    );
    await recordBoth(tx, deps, by, r, "enforcement.withdrawn", {}, reason);
  });
  return getRequest(deps, by, id);
}

/** A status update or note from either side. */
export async function addUpdate(
  deps: Deps,
  by: Principal,
  id: string,
  input: { kind: "status" | "note"; message: string },
) {
  const updateId = await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    authorizeChange(by, side);
    const uid = await store.insertUpdate(tx, id, {
      organisationId: by.organisationId,
      authorId: by.kind === "user" ? by.userId : null,
      kind: input.kind,
      message: input.message,
      createdAt: deps.clock.now(),
    });
    await recordBoth(tx, deps, by, r, "enforcement.update_added", { updateId: uid, kind: input.kind });
    return uid;
  });
  return { id: updateId };
}

// --- Documents ----------------------------------------------------------------------------------

const DOCUMENT_TYPES = [
  {
    mediaType: "application/pdf",
    extensions: ["pdf"],
    sniff: (b: Buffer) => b.subarray(0, 5).toString("latin1") === "%PDF-",
  },
  {
    mediaType: "image/png",
    extensions: ["png"],
    sniff: (b: Buffer) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    mediaType: "image/jpeg",
    extensions: ["jpg", "jpeg"],
    sniff: (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  {
    mediaType: "text/plain; charset=utf-8",
    extensions: ["txt"],
    sniff: (b: Buffer) => !b.includes(0) && Buffer.from(b.toString("utf8"), "utf8").equals(b),
  },
] as const;

export const DOCUMENT_EXTENSIONS = DOCUMENT_TYPES.flatMap((t) => [...t.extensions]);

/** Checks a document's name and bytes; returns its media type, or throws a field error. */
export function checkDocument(fileName: string, bytes: Buffer): string {
  const bad = (message: string) => invalid("file", message);
  if (bytes.length === 0) throw bad("The file is empty.");
  if (bytes.length > enforcementLimits.documentMaxBytes)
    throw bad(`The file is larger than ${enforcementLimits.documentMaxBytes / 1024 / 1024} MB.`);
  if (
    fileName.length === 0 ||
    fileName.length > enforcementLimits.fileNameMax ||
    fileName.includes("..") ||
    !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(fileName)
  )
    throw bad(
      "Name the file with letters, digits, dots, dashes and underscores only (no folders, no spaces), at most 120 characters.",
    );
  const ext = fileName.split(".").pop()?.toLowerCase() ?? "";
  const type = DOCUMENT_TYPES.find((t) => (t.extensions as readonly string[]).includes(ext));
  if (!type) throw bad(`Send a PDF, PNG, JPEG or plain-text file (.${DOCUMENT_EXTENSIONS.join(", .")}).`);
  if (!type.sniff(bytes)) throw bad(`The file's content is not what its name says (.${ext}).`);
  return type.mediaType;
}

/** A document either side adds: a decision, a letter, a photo of a stamp. Stored encrypted. */
export async function addDocument(
  deps: Deps,
  by: Principal,
  id: string,
  input: { fileName: string; bytes: Buffer; kind: "decision" | "document" },
) {
  const { r, side } = await loadFor(deps, by, id);
  authorizeChange(by, side);
  const mediaType = checkDocument(input.fileName, input.bytes);
  if ((await store.documentsOf(deps.db, id)).length >= enforcementLimits.documentsPerRequest)
    throw new AppError("conflict", { detail: "This request holds the maximum number of documents." });
  const put = await deps.blobs.put(input.bytes);
  const docId = await deps.db.transaction().execute(async (tx) => {
    const did = await store.insertDocument(tx, {
      requestId: id,
      organisationId: by.organisationId,
      kind: input.kind,
      fileName: input.fileName,
      mediaType,
      sha256: put.sha256,
      sizeBytes: input.bytes.length,
      createdBy: by.kind === "user" ? by.userId : null,
      createdAt: deps.clock.now(),
    });
    await recordBoth(tx, deps, by, r, "enforcement.document_added", {
      documentId: did,
      kind: input.kind,
      fileName: input.fileName,
      sha256: put.sha256,
      size: input.bytes.length,
    });
    return did;
  });
  return { id: docId, sha256: put.sha256, mediaType };
}

/** A document's bytes, for the applicant and the addressed regulator only; each download is audited. */
export async function readDocument(deps: Deps, by: Principal, id: string, documentId: string) {
  const { r } = await loadFor(deps, by, id);
  const doc = (await store.documentsOf(deps.db, id)).find((d) => d.id === documentId);
  if (!doc) throw new AppError("not_found");
  const bytes = await deps.blobs.get(doc.sha256);
  await deps.db.transaction().execute((tx) =>
    recordBoth(tx, deps, by, r, "enforcement.document_downloaded", {
      documentId: doc.id,
      kind: doc.kind,
      sha256: doc.sha256,
    }),
  );
  return { bytes, fileName: doc.fileName, mediaType: doc.mediaType, sha256: doc.sha256 };
}

/** Queues a fresh rendering of the dossier (the hotline, e.g. after editing a draft). */
export async function requestDossier(deps: Deps, by: Principal, id: string) {
  authorize(by, "enforcement:manage");
  await deps.db.transaction().execute(async (tx) => {
    const { r, side } = await loadFor(deps, by, id, { db: tx, forUpdate: true });
    if (side !== "applicant") throw new AppError("not_found");
    if (r.status === "withdrawn") throw new AppError("conflict", { detail: "The request was withdrawn." });
    await store.updateRequest(tx, id, { dossier_status: "pending", dossier_error: null }, deps.clock.now());
    await recordBoth(tx, deps, by, r, "enforcement.dossier_requested");
    await deps.queue?.send(dossierJob, {}, { tx, singletonKey: "dossiers" });
  });
  return getRequest(deps, by, id);
}

// --- The clock ----------------------------------------------------------------------------------

function clockOf(
  r: store.Request,
  notice: store.DefaultNotice | undefined,
  now: Date,
  decidedAt = r.decidedAt,
) {
  return awb.clock(
    penalties(),
    {
      termApplies: r.termApplies,
      receivedAt: r.receivedAt,
      termEndsAt: r.termEndsAt,
      decidedAt,
      withdrawnAt: r.withdrawnAt,
      defaultReceivedAt: notice?.receivedAt ?? null,
    },
    now,
  );
}

/** The notice of default as Vangrail drafts it; the hotline signs and sends it. */
export function defaultNoticeText(
  r: store.Request,
  applicant: { name: string; address: string },
  regulatorName: string,
  now: Date,
): string {
  const ref = requestReference(r.id);
  const day = awb.dayOf(now);
  const filed = r.filedAt ? awb.dayOf(r.filedAt) : "";
  const received = r.receivedAt ? awb.dayOf(r.receivedAt) : "";
  const end = r.termEndsAt ? awb.dayOf(r.termEndsAt) : "";
  if (r.language === "en")
    return [
      `${applicant.name}\n${applicant.address}`,
      `To: ${regulatorName}`,
      `Date: ${day}`,
      `Subject: notice of default (ingebrekestelling) – enforcement request ${ref}`,
      `On ${filed} we filed enforcement request ${ref}, which you received on ${received}. The term for your decision ended on ${end} (art. 4:13 and 4:14 Awb) without a decision.`,
      "We hereby give you notice of default. If you do not decide within two weeks of receiving this letter, you owe us a penalty for every day of further delay (art. 4:17 Awb), and we may appeal against the failure to decide (art. 6:12 and 8:55b Awb).",
      "Yours faithfully,",
      r.approvedByName ?? applicant.name,
    ].join("\n\n");
  return [
    `${applicant.name}\n${applicant.address}`,
    `Aan: ${regulatorName}`,
    `Datum: ${day}`,
    `Onderwerp: ingebrekestelling – handhavingsverzoek ${ref}`,
    `Op ${filed} hebben wij handhavingsverzoek ${ref} ingediend, dat u op ${received} hebt ontvangen. De termijn voor uw beslissing is op ${end} verstreken (art. 4:13 en 4:14 Awb) zonder dat u hebt beslist.`,
    "Hierbij stellen wij u in gebreke. Beslist u niet binnen twee weken na ontvangst van deze brief, dan verbeurt u voor elke dag dat u daarna nog niet beslist een dwangsom (art. 4:17 Awb), en kunnen wij beroep instellen tegen het niet tijdig beslissen (art. 6:12 en 8:55b Awb).",
    "Hoogachtend,",
    r.approvedByName ?? applicant.name,
  ].join("\n\n");
}

async function updateClockOf(
  deps: Deps,
  id: string,
): Promise<{ lapsed: boolean; drafted: boolean; penaltyChanged: boolean }> {
  const out = { lapsed: false, drafted: false, penaltyChanged: false };
  await deps.db.transaction().execute(async (tx) => {
    const r = await store.findRequest(tx, id, true);
    if (!r?.termEndsAt || r.decidedAt || r.withdrawnAt) return;
    const now = deps.clock.now();
    const actor: audit.Actor = { type: "system", id: null, organisationId: r.organisationId };
    if (now.getTime() > r.termEndsAt.getTime() && !r.lapsedAt) {
      await store.updateRequest(tx, id, { lapsed_at: r.termEndsAt }, now);
      await audit.record(tx, deps.clock, actor, {
        action: "enforcement.term_lapsed",
        subject: subject(id),
        data: { termEndsAt: r.termEndsAt.toISOString() },
      });
      out.lapsed = true;
      const org = await identity.findOrganisationById({ db: tx }, r.organisationId);
      const settings = await store.settingsOf(tx, r.organisationId);
      const reg = regulatorById(r.regulator);
      const text = defaultNoticeText(
        r,
        { name: settings?.applicantName ?? org.name, address: settings?.postalAddress ?? "" },
        reg ? reg.name[r.language] : r.regulator,
        now,
      );
      if (await store.insertDefaultNotice(tx, id, text, now)) {
        const bytes = Buffer.from(text, "utf8");
        const put = await deps.blobs.put(bytes);
        await store.insertDocument(tx, {
          requestId: id,
          organisationId: r.organisationId,
          kind: "default_notice",
          fileName: `ingebrekestelling-${requestReference(id)}.txt`,
          mediaType: "text/plain; charset=utf-8",
          sha256: put.sha256,
          sizeBytes: bytes.length,
          createdBy: null,
          createdAt: now,
        });
        await audit.record(tx, deps.clock, actor, {
          action: "enforcement.default_notice_drafted",
          subject: subject(id),
          data: { sha256: put.sha256 },
        });
        out.drafted = true;
      }
    }
    const fresh = (await store.findRequest(tx, id)) as store.Request;
    const c = clockOf(fresh, await store.defaultNoticeOf(tx, id), now);
    const days = c.penalty?.days ?? 0;
    const cents = c.penalty?.cents ?? 0;
    if (days !== fresh.penaltyDays || cents !== fresh.penaltyCents) {
      await store.updateRequest(tx, id, { penalty_days: days, penalty_cents: cents }, now);
      await audit.record(tx, deps.clock, actor, {
        action: "enforcement.penalty_accrued",
        subject: subject(id),
        data: { firstDay: c.penalty?.firstDay ?? null, days, cents, complete: c.penalty?.complete ?? false },
      });
      out.penaltyChanged = true;
    }
  });
  return out;
}

/** The clock job: marks lapsed terms, drafts notices of default, updates penalties. */
export async function runClock(
  deps: Deps,
  batch = 500,
): Promise<{ checked: number; lapsed: number; drafted: number; penalties: number }> {
  const result = { checked: 0, lapsed: 0, drafted: 0, penalties: 0 };
  for (const r of await store.clockCandidates(deps.db, batch)) {
    if (r.termEndsAt && r.termEndsAt.getTime() >= deps.clock.now().getTime()) break;
    result.checked++;
    const o = await updateClockOf(deps, r.id);
    if (o.lapsed) result.lapsed++;
    if (o.drafted) result.drafted++;
    if (o.penaltyChanged) result.penalties++;
  }
  return result;
}

// --- Views --------------------------------------------------------------------------------------

async function itemsOfRequest(deps: Deps, r: store.Request) {
  const links = await store.linksOf(deps.db, r.id);
  const wanted = new Set(links.itemIds);
  const out: {
    caseId: string;
    caseReference: string;
    category: string;
    items: { id: string; url: string; status: string }[];
  }[] = [];
  for (const caseId of links.caseIds) {
    const c = await cases.caseWithItems(deps, r.organisationId, caseId);
    if (!c) continue;
    out.push({
      caseId,
      caseReference: cases.caseReference(c.case.number),
      category: c.case.category,
      items: c.items
        .filter((i) => wanted.has(i.id))
        .map((i) => ({ id: i.id, url: i.value, status: i.status })),
    });
  }
  return out;
}

async function present(deps: Deps, r: store.Request, side: Side) {
  const reg = regulatorById(r.regulator);
  const [applicant, settings, party, notice, extensions, updates, documents, scope] = await Promise.all([
    identity.findOrganisationById(deps, r.organisationId),
    store.settingsOf(deps.db, r.organisationId),
    r.partyId ? registry.getParty(deps.db, r.organisationId, r.partyId) : undefined,
    store.defaultNoticeOf(deps.db, r.id),
    store.extensionsOf(deps.db, r.id),
    store.updatesOf(deps.db, r.id),
    store.documentsOf(deps.db, r.id),
    itemsOfRequest(deps, r),
  ]);
  const regulatorOrg = r.regulatorOrganisationId
    ? await identity.findOrganisationById(deps, r.regulatorOrganisationId).catch(() => undefined)
    : undefined;
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: r.id,
    reference: requestReference(r.id),
    side,
    status: r.status,
    language: r.language,
    regulator: {
      id: r.regulator,
      name: reg?.name ?? { nl: r.regulator, en: r.regulator },
      requestKind: reg?.requestKind ?? "handhavingsverzoek",
      legalBasis: reg?.legalBasis ?? [],
      organisation: regulatorOrg ? { id: regulatorOrg.id, name: regulatorOrg.name } : null,
      email: side === "applicant" ? r.regulatorEmail : null,
    },
    applicant: {
      name: settings?.applicantName ?? applicant.name,
      address: settings?.postalAddress ?? null,
      email: settings?.email ?? null,
    },
    party: party ? { id: party.id, name: party.name, country: party.country } : null,
    step: r.step,
    decisionRequested: r.decisionRequested,
    facts: r.facts,
    cases: scope,
    createdAt: r.createdAt.toISOString(),
    approvedAt: iso(r.approvedAt),
    signedBy: r.approvedByName,
    filedAt: iso(r.filedAt),
    filedVia: r.filedAt
      ? [...(r.regulatorOrganisationId ? ["portal"] : []), ...(r.regulatorEmail ? ["email"] : [])]
      : [],
    emailSentAt: side === "applicant" ? iso(r.emailSentAt) : null,
    emailError: side === "applicant" ? r.emailError : null,
    receivedAt: iso(r.receivedAt),
    receiptBy: r.receiptBy,
    termApplies: r.termApplies,
    termWeeks: r.termWeeks,
    clock: clockOf(r, notice, deps.clock.now()),
    extensions: extensions.map((e) => ({
      previousTermEndsAt: e.previousTermEndsAt.toISOString(),
      termEndsAt: e.termEndsAt.toISOString(),
      reason: e.reason,
      recordedAt: e.recordedAt.toISOString(),
      recordedBy: e.recordedByOrganisationId === r.organisationId ? "applicant" : "regulator",
    })),
    defaultNotice: notice
      ? {
          draftedAt: notice.draftedAt.toISOString(),
          text: notice.bodyText,
          sentAt: iso(notice.sentAt),
          receivedAt: iso(notice.receivedAt),
        }
      : null,
    penalty: { days: r.penaltyDays, cents: r.penaltyCents },
    decidedAt: iso(r.decidedAt),
    decision: r.decidedAt ? { outcome: r.decisionOutcome, text: r.decisionText } : null,
    withdrawnAt: iso(r.withdrawnAt),
    withdrawnReason: r.withdrawnReason,
    dossier: { status: r.dossierStatus, error: side === "applicant" ? r.dossierError : null },
    updates: updates.map((u) => ({
      id: u.id,
      kind: u.kind,
      message: u.message,
      createdAt: u.createdAt.toISOString(),
      from: u.organisationId === r.organisationId ? "applicant" : "regulator",
    })),
    documents: documents.map((d) => ({
      id: d.id,
      kind: d.kind,
      fileName: d.fileName,
      mediaType: d.mediaType,
      sha256: d.sha256,
      size: d.sizeBytes,
      createdAt: d.createdAt.toISOString(),
      from: d.organisationId === r.organisationId ? "applicant" : "regulator",
    })),
  };
}

export type RequestView = Awaited<ReturnType<typeof present>>;

export async function getRequest(deps: Deps, by: Principal, id: string): Promise<RequestView> {
  const { r, side } = await loadFor(deps, by, id);
  return present(deps, r, side);
}

function summary(deps: Deps, r: store.Request, partyName: string | null, applicantName: string | null) {
  const reg = regulatorById(r.regulator);
  return {
    id: r.id,
    reference: requestReference(r.id),
    status: r.status,
    regulator: { id: r.regulator, name: reg?.name ?? { nl: r.regulator, en: r.regulator } },
    party: partyName,
    applicant: applicantName,
    step: r.step,
    createdAt: r.createdAt.toISOString(),
    filedAt: r.filedAt?.toISOString() ?? null,
    receivedAt: r.receivedAt?.toISOString() ?? null,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    termEndsAt: r.termEndsAt?.toISOString() ?? null,
    clock: clockOf(r, undefined, deps.clock.now()),
    penalty: { days: r.penaltyDays, cents: r.penaltyCents },
  };
}

export type RequestSummary = ReturnType<typeof summary>;

/** The applicant's requests. */
export async function listRequests(
  deps: Deps,
  by: Principal,
  f: Omit<store.ListFilter, "limit"> & { limit?: number },
) {
  authorize(by, "enforcement:read");
  if (by.organisationKind === "regulator" || by.organisationKind === "police")
    return portalRequests(deps, by, f);
  if (by.organisationKind !== "hotline" && by.organisationKind !== "helpdesk") return [];
  const rows = await store.listForApplicant(deps.db, by.organisationId, {
    ...f,
    limit: Math.min(f.limit ?? limits.pageSizeMax, limits.pageSizeMax),
  });
  const names = new Map<string, string>();
  for (const r of rows)
    if (r.partyId && !names.has(r.partyId))
      names.set(r.partyId, (await registry.getParty(deps.db, r.organisationId, r.partyId))?.name ?? "");
  return rows.map((r) => summary(deps, r, r.partyId ? (names.get(r.partyId) ?? null) : null, null));
}

/** The requests filed with the caller's regulator or police organisation (its portal). */
export async function portalRequests(
  deps: Deps,
  by: Principal,
  f: { status?: store.EnforcementStatus | undefined; limit?: number } = {},
) {
  authorize(by, "enforcement:read");
  if (by.organisationKind !== "regulator" && by.organisationKind !== "police") return [];
  const rows = await store.listForRegulator(deps.db, by.organisationId, {
    status: f.status,
    limit: Math.min(f.limit ?? limits.pageSizeMax, limits.pageSizeMax),
  });
  const out = [];
  for (const r of rows) {
    const party = r.partyId ? await registry.getParty(deps.db, r.organisationId, r.partyId) : undefined;
    const settings = await store.settingsOf(deps.db, r.organisationId);
    const org = await identity.findOrganisationById(deps, r.organisationId);
    out.push(summary(deps, r, party?.name ?? null, settings?.applicantName ?? org.name));
  }
  return out;
}

/** For the dossier and coordination: a request and who may see it, without a principal. */
export const requestForSystem = (deps: Deps, id: string) => store.findRequest(deps.db, id);
export { itemsOfRequest };

// --- E-mail (the job) ---------------------------------------------------------------------------

const bare = (address: string): string => /<([^<>]+)>/.exec(address)?.[1] ?? address.trim();

/**
 * Announces each filed request by e-mail where an address stands for the regulator, once its
 * dossier is rendered: the reference, the applicant, the decision requested and the dossier's
 * SHA-256. The dossier itself is fetched in the portal (or sent through the regulator's own
 * channel): the mail transport carries text only, and evidence never travels by e-mail.
 */
export async function deliverFilingEmails(
  deps: Deps,
  batch = 100,
): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const from = deps.config.notices.mail.from;
  const domain = bare(from).split("@")[1] ?? "localhost";
  for (const r of await store.pendingEmails(deps.db, batch)) {
    if (r.dossierStatus !== "ready" || !r.regulatorEmail) continue;
    const reg = regulatorById(r.regulator);
    const org = await identity.findOrganisationById(deps, r.organisationId);
    const settings = await store.settingsOf(deps.db, r.organisationId);
    const pdf = (await store.documentsOf(deps.db, r.id)).filter((d) => d.kind === "dossier_pdf").at(-1);
    const applicant = settings?.applicantName ?? org.name;
    const ref = requestReference(r.id);
    const nl = r.language === "nl";
    const portal = r.regulatorOrganisationId
      ? nl
        ? `Het dossier en de bewijsbundels staan voor u klaar in het toezichtportaal: ${deps.config.publicUrl}/portal/requests/${r.id}`
        : `The dossier and the evidence bundles are ready for you in the regulator portal: ${deps.config.publicUrl}/portal/requests/${r.id}`
      : nl
        ? `${applicant} zendt u het dossier via uw kanaal voor aanvragen.`
        : `${applicant} sends you the dossier through your channel for applications.`;
    const text = [
      nl ? `Geachte ${reg?.name.nl ?? r.regulator},` : `Dear ${reg?.name.en ?? r.regulator},`,
      nl
        ? `${applicant} heeft bij u ${ref} ingediend (ondertekend door ${r.approvedByName ?? applicant}).`
        : `${applicant} has filed ${ref} with you (signed by ${r.approvedByName ?? applicant}).`,
      `${nl ? "Verzoek" : "Request"}: ${r.decisionRequested}`,
      pdf ? `${nl ? "Dossier (PDF), SHA-256" : "Dossier (PDF), SHA-256"}: ${pdf.sha256}` : "",
      portal,
      settings
        ? `${applicant}\n${settings.postalAddress}${settings.email ? `\n${settings.email}` : ""}`
        : applicant,
    ]
      .filter(Boolean)
      .join("\n\n");
    const html = `<pre style="font-family:inherit;white-space:pre-wrap">${text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`;
    const result = await noticeEnv(deps).transport.sendMail({
      messageId: `<enforcement-${r.id}@${domain}>`,
      from,
      to: r.regulatorEmail,
      ...(settings?.email ? { replyTo: settings.email } : {}),
      subject: `${nl ? "Handhavingsverzoek" : "Enforcement request"} ${ref} – ${applicant}`,
      text,
      html,
      headers: { "X-Vangrail-Enforcement": ref, "Auto-Submitted": "auto-generated" },
      attachments: [],
      date: deps.clock.now(),
    });
    await deps.db.transaction().execute(async (tx) => {
      const actor: audit.Actor = { type: "system", id: null, organisationId: r.organisationId };
      if (result.ok) {
        sent++;
        await store.updateRequest(tx, r.id, { email_sent_at: deps.clock.now() }, deps.clock.now());
        await audit.record(tx, deps.clock, actor, {
          action: "enforcement.email_sent",
          subject: subject(r.id),
          data: { recipient: r.regulatorEmail, sha256: result.sha256 },
        });
      } else if (result.permanent) {
        failed++;
        await store.updateRequest(tx, r.id, { email_error: result.error.slice(0, 2000) }, deps.clock.now());
        await audit.record(tx, deps.clock, actor, {
          action: "enforcement.email_failed",
          subject: subject(r.id),
          data: { recipient: r.regulatorEmail, error: result.error.slice(0, 500) },
        });
      }
    });
  }
  return { sent, failed };
}
