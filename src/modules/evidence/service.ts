// Evidence: capture a URL (a job per URL item), keep the artefacts encrypted, sign and
// time-stamp the manifest, and hand out bundles a regulator can verify. Every view, export
// and transfer is an audit event, which is the chain of custody.
import { createHash } from "node:crypto";
import type { Tx } from "../../platform/db.ts";
import { AppError, isAppError } from "../../platform/errors.ts";
import { parseTarget } from "../../platform/fetcher/fetcher.ts";
import * as audit from "../audit/service.ts";
import { type Actor, record, systemActor } from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { actorOf, assertSameOrganisation, authorize, type Principal } from "../identity/principal.ts";
import { bundleToBuffer } from "./bundle.ts";
import { captureUrlOnce, imageUrls } from "./capture.ts";
import { captureJob } from "./capture-job.ts";
import { evidenceEnv } from "./env.ts";
import { buildManifest, type ManifestArtefact, serializeManifest } from "./manifest.ts";
import { policyFor } from "./policy.ts";
import { signingKeyFor, signWith } from "./signing.ts";
import * as store from "./store.ts";
import { checkToken, requestTimestamp } from "./timestamp.ts";

export type { Artefact, Capture } from "./store.ts";

const SUBJECT = "evidence_capture";
const subject = (id: string) => ({ type: SUBJECT, id });
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export interface CaptureRequest {
  url: string;
  organisationId: string;
  category?: string | null;
  caseId?: string | null;
  itemId?: string | null;
}

/**
 * Records a capture request and queues its job (in `tx` when given, so it exists only if the
 * caller's change commits). The cases module calls this for each URL item. Returns the id;
 * without a queue (the CLI) the caller runs `runCapture` itself.
 */
export async function captureUrl(
  deps: Deps,
  input: CaptureRequest,
  opts: { tx?: Tx; actor?: Actor; reason?: string } = {},
): Promise<{ captureId: string }> {
  const url = parseTarget(input.url).toString();
  const policy = policyFor(input.category);
  const actor = opts.actor ?? { ...systemActor, organisationId: input.organisationId };
  const run = async (tx: Tx) => {
    const c = await store.insertCapture(tx, {
      organisationId: input.organisationId,
      caseId: input.caseId ?? null,
      itemId: input.itemId ?? null,
      url,
      category: input.category ?? null,
      retention: policy.retention,
      requestedBy: { type: actor.type, id: actor.id },
      requestedAt: deps.clock.now(),
    });
    await record(tx, deps.clock, actor, {
      action: "evidence.capture_requested",
      subject: subject(c.id),
      organisationId: input.organisationId,
      reason: opts.reason,
      data: { url, category: c.category, retention: c.retention, caseId: c.caseId, itemId: c.itemId },
    });
    if (deps.queue) await deps.queue.send(captureJob, { captureId: c.id }, { tx, singletonKey: c.id });
    return { captureId: c.id };
  };
  return opts.tx ? run(opts.tx) : deps.db.transaction().execute(run);
}

/** A capture requested by a person or token through the API. */
export async function requestCapture(
  deps: Deps,
  by: Principal,
  input: Omit<CaptureRequest, "organisationId">,
  reason?: string,
): Promise<{ captureId: string }> {
  authorize(by, "evidence:capture");
  return captureUrl(deps, { ...input, organisationId: by.organisationId }, { actor: actorOf(by), reason });
}

export type RunResult =
  | { skipped: string }
  | { status: "captured"; manifestSha256: string }
  | { status: "failed"; code: string };

/** Performs a capture (the job). Idempotent: a finished capture is not captured again. */
export async function runCapture(deps: Deps, captureId: string): Promise<RunResult> {
  const c = await store.captureById(deps.db, captureId);
  if (!c) return { skipped: "no such capture" };
  if (c.status === "captured") return { skipped: "already captured" };
  const env = evidenceEnv(deps);
  const policy = policyFor(c.category);
  const actor: Actor = { ...systemActor, organisationId: c.organisationId };

  let outcome: Awaited<ReturnType<typeof captureUrlOnce>>;
  try {
    outcome = await captureUrlOnce(
      {
        fetcher: env.fetcher,
        screenshotter: policy.screenshot ? env.screenshotter : undefined,
        hashImage: env.hashImage,
        limits: env.limits,
      },
      c.url,
      policy.retention,
      () => deps.clock.now(),
    );
  } catch (e) {
    const code = isAppError(e) ? e.code : "fetch_failed";
    const detail = (e as Error).message;
    await deps.db.transaction().execute(async (tx) => {
      await store.failCapture(tx, c.id, code, detail);
      await record(tx, deps.clock, actor, {
        action: "evidence.capture_failed",
        subject: subject(c.id),
        data: { url: c.url, code, detail: detail.slice(0, 500) },
      });
    });
    return { status: "failed", code };
  }

  // The exchange record is metadata, never the material: it is always kept.
  const exchange = Buffer.from(`${JSON.stringify(outcome.exchange, null, 2)}\n`);
  const all = [
    {
      name: "exchange.json",
      sha256: sha256(exchange),
      size: exchange.length,
      mediaType: "application/json",
      bytes: exchange as Buffer | null,
      sourceUrl: null,
      pdq: null,
    },
    ...outcome.artefacts,
  ];
  for (const a of all) if (a.bytes) await env.blobs.put(a.bytes);

  const key = await signingKeyFor(deps.db, env.ring, deps.clock, c.organisationId);
  const org = await store.organisationName(deps.db, c.organisationId);
  const manifestArtefacts: ManifestArtefact[] = all.map((a) => ({
    name: a.name,
    sha256: a.sha256,
    size: a.size,
    mediaType: a.mediaType,
    included: a.bytes !== null,
    sourceUrl: a.sourceUrl,
    pdq: a.pdq,
  }));
  const manifest = buildManifest({
    captureId: c.id,
    organisation: { id: c.organisationId, name: org ?? "" },
    category: c.category,
    retention: policy.retention,
    retentionReason: policy.why,
    outcome,
    artefacts: manifestArtefacts,
    publicKeyFingerprint: key.fingerprint,
  });
  const bytes = serializeManifest(manifest);
  const digest = createHash("sha256").update(bytes).digest();
  const signature = signWith(env.ring, key, bytes);
  let token: Buffer | null = null;
  let genTime: Date | null = null;
  if (env.tsaUrl) {
    token = await requestTimestamp(env.tsaUrl, digest);
    genTime = new Date(checkToken(token, digest).genTime);
  }
  const manifestSha256 = digest.toString("hex");
  await deps.db.transaction().execute(async (tx) => {
    const locked = await store.captureById(tx, c.id, true);
    if (locked?.status === "captured") return;
    await store.completeCapture(
      tx,
      c.id,
      {
        capturedAt: new Date(outcome.startedAt),
        finalUrl: outcome.finalUrl,
        manifest: bytes.toString("utf8"),
        manifestSha256,
        signature: signature.toString("base64"),
        signingKeyId: key.id,
        timestampToken: token ? token.toString("base64") : null,
        timestampGenTime: genTime,
      },
      manifestArtefacts.map((a) => ({
        name: a.name,
        sha256: a.sha256,
        size: a.size,
        mediaType: a.mediaType,
        kept: a.included,
        sourceUrl: a.sourceUrl,
        pdq: a.pdq,
      })),
    );
    await record(tx, deps.clock, actor, {
      action: "evidence.captured",
      subject: subject(c.id),
      data: {
        manifestSha256,
        url: c.url,
        finalUrl: outcome.finalUrl,
        status: outcome.status,
        artefacts: manifestArtefacts.length,
        withheld: manifestArtefacts.filter((a) => !a.included).length,
        signingKey: key.fingerprint,
        timestamped: token !== null,
      },
    });
  });
  return { status: "captured", manifestSha256 };
}

async function loadFor(deps: Deps, by: Principal, id: string): Promise<store.Capture> {
  const c = await store.captureById(deps.db, id);
  assertSameOrganisation(by, c?.organisationId);
  return c as store.Capture;
}

/** One capture with its artefacts; viewing is recorded (chain of custody). */
export async function getCapture(deps: Deps, by: Principal, id: string) {
  authorize(by, "evidence:read");
  const c = await loadFor(deps, by, id);
  const artefacts = await store.artefactsOf(deps.db, id);
  await deps.db
    .transaction()
    .execute((tx) =>
      record(tx, deps.clock, actorOf(by), { action: "evidence.viewed", subject: subject(id) }),
    );
  return { capture: c, artefacts };
}

export async function listCaptures(
  deps: Deps,
  by: Principal,
  opts: { limit: number; itemId?: string; caseId?: string },
): Promise<store.Capture[]> {
  authorize(by, "evidence:read");
  return store.listCaptures(deps.db, by.organisationId, opts);
}

/** The bytes of one kept artefact; recorded as a view of the material. */
export async function readArtefact(
  deps: Deps,
  by: Principal,
  id: string,
  name: string,
): Promise<{ bytes: Buffer; mediaType: string }> {
  authorize(by, "evidence:read");
  await loadFor(deps, by, id);
  const a = (await store.artefactsOf(deps.db, id)).find((x) => x.name === name);
  if (!a) throw new AppError("not_found");
  if (!a.kept)
    throw new AppError("not_found", { detail: "This material is not kept; only its hash exists." });
  const bytes = await evidenceEnv(deps).blobs.get(a.sha256);
  await deps.db.transaction().execute((tx) =>
    record(tx, deps.clock, actorOf(by), {
      action: "evidence.artefact_viewed",
      subject: subject(id),
      data: { artefact: name, sha256: a.sha256 },
    }),
  );
  return { bytes, mediaType: a.mediaType };
}

export interface ExportRequest {
  /** To whom the bundle goes (a regulator, the police): an export with a recipient is a transfer. */
  recipient?: string;
  reason?: string;
}

/**
 * Builds the evidence bundle. The export (or transfer) is recorded before the bundle is built,
 * so the custody log inside the bundle includes it; the blobs are re-verified on the way.
 */
export async function exportBundle(
  deps: Deps,
  by: Principal | Actor,
  id: string,
  req: ExportRequest = {},
): Promise<{ bundle: Buffer; fileName: string; manifestSha256: string }> {
  let actor: Actor;
  let c: store.Capture | undefined;
  if ("permissions" in by) {
    authorize(by, "evidence:export");
    c = await loadFor(deps, by, id);
    actor = actorOf(by);
  } else {
    c = await store.captureById(deps.db, id);
    actor = by;
  }
  if (!c) throw new AppError("not_found");
  if (c.status !== "captured" || !c.manifest || !c.signature || !c.signingKeyId || !c.manifestSha256)
    throw new AppError("conflict", {
      detail: `Capture ${id} is ${c.status}; only finished captures can be exported.`,
    });
  const key = await store.signingKeyById(deps.db, c.signingKeyId);
  if (!key) throw new AppError("internal", { detail: "The capture's signing key is missing." });
  const env = evidenceEnv(deps);
  const manifestBytes = Buffer.from(c.manifest, "utf8");
  const manifest = JSON.parse(c.manifest) as ReturnType<typeof buildManifest>;
  const artefacts = new Map<string, Buffer>();
  for (const a of manifest.artefacts) if (a.included) artefacts.set(a.name, await env.blobs.get(a.sha256));
  const capture = c;
  await deps.db.transaction().execute((tx) =>
    record(tx, deps.clock, actor, {
      action: req.recipient ? "evidence.transferred" : "evidence.exported",
      subject: subject(id),
      organisationId: capture.organisationId,
      reason: req.reason,
      data: {
        manifestSha256: capture.manifestSha256,
        ...(req.recipient ? { recipient: req.recipient } : {}),
      },
    }),
  );
  const custody = await audit.listForOrganisation(deps.db, c.organisationId, {
    limit: 1000,
    subject: subject(id),
  });
  const bundle = await bundleToBuffer({
    manifestBytes,
    manifest,
    signature: Buffer.from(c.signature, "base64"),
    publicKeyPem: key.publicKeyPem,
    timestampToken: c.timestampToken ? Buffer.from(c.timestampToken, "base64") : null,
    artefacts,
    custody: custody.reverse().map((e) => ({
      seq: e.seq,
      at: e.occurredAt,
      action: e.action,
      actor: { type: e.actorType, id: e.actorId },
      reason: e.reason,
      data: e.data,
      hash: e.hash,
    })),
  });
  return { bundle, fileName: `evidence-${id}.zip`, manifestSha256: c.manifestSha256 };
}

/** The organisation's public signing key (made on first use), for regulators to pin. */
export async function publicSigningKey(
  deps: Deps,
  by: Principal,
): Promise<{ publicKeyPem: string; fingerprint: string; createdAt: Date }> {
  authorize(by, "evidence:read");
  const k = await signingKeyFor(deps.db, evidenceEnv(deps).ring, deps.clock, by.organisationId);
  return { publicKeyPem: k.publicKeyPem, fingerprint: k.fingerprint, createdAt: k.createdAt };
}

/** A capture as the operator's command line sees it (no principal: the operator runs the host). */
export function captureForOperator(deps: Deps, id: string): Promise<store.Capture | undefined> {
  return store.captureById(deps.db, id);
}

/** An organisation's public signing key for the operator's `vangrail keys export-public`. */
export async function publicSigningKeyFor(deps: Deps, organisationId: string) {
  const k = await signingKeyFor(deps.db, evidenceEnv(deps).ring, deps.clock, organisationId);
  return { publicKeyPem: k.publicKeyPem, fingerprint: k.fingerprint, createdAt: k.createdAt };
}

/** For notices: the latest signed capture of each item (time and manifest hash). */
export function latestCapturedOfItems(deps: Deps, organisationId: string, itemIds: string[]) {
  return store.latestCapturedOfItems(deps.db, organisationId, itemIds);
}

/** For monitoring: the latest signed capture of each item, with its page and image hashes. */
export function latestCapturedMediaOfItems(deps: Deps, organisationId: string, itemIds: string[]) {
  return store.latestCapturedMediaOfItems(deps.db, organisationId, itemIds);
}

/** For the re-upload watch: other items' captured images that are the same file or picture. */
export function capturedMediaMatching(
  deps: Deps,
  organisationId: string,
  hashes: { sha256: string; pdq: string | null },
  radius: number,
  exceptItemId: string,
) {
  return store.capturedMediaMatching(deps.db, organisationId, hashes, radius, exceptItemId);
}

/** A capture with its artefacts, for another module's job (no principal: the caller is the system). */
export async function captureWithArtefacts(deps: Deps, captureId: string) {
  const capture = await store.captureById(deps.db, captureId);
  if (!capture) return undefined;
  return { capture, artefacts: await store.artefactsOf(deps.db, captureId) };
}

/** The images a page links to (as the capture takes them): monitoring checks they are still served. */
export { imageUrls };
