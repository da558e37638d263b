// SQL of evidence: signing keys, captures and their artefacts. Returns domain types.
import { sql } from "kysely";
import type { Executor } from "../../platform/db.ts";

export interface SigningKey {
  id: string;
  organisationId: string;
  publicKeyPem: string;
  fingerprint: string;
  sealedPrivateKey: string;
  createdAt: Date;
  retiredAt: Date | null;
}

export type Retention = "keep" | "hash_only";
export type CaptureStatus = "pending" | "captured" | "failed";

export interface Capture {
  id: string;
  organisationId: string;
  caseId: string | null;
  itemId: string | null;
  url: string;
  category: string | null;
  retention: Retention;
  status: CaptureStatus;
  errorCode: string | null;
  errorDetail: string | null;
  requestedBy: { type: string; id: string | null };
  requestedAt: Date;
  capturedAt: Date | null;
  finalUrl: string | null;
  manifest: string | null;
  manifestSha256: string | null;
  signature: string | null;
  signingKeyId: string | null;
  timestampToken: string | null;
  timestampGenTime: Date | null;
}

export interface Artefact {
  name: string;
  sha256: string;
  size: number;
  mediaType: string;
  kept: boolean;
  sourceUrl: string | null;
  pdq: string | null;
}

type KeyRow = {
  id: string;
  organisation_id: string;
  public_key_pem: string;
  fingerprint: string;
  sealed_private_key: string;
  created_at: Date;
  retired_at: Date | null;
};

const toKey = (r: KeyRow): SigningKey => ({
  id: r.id,
  organisationId: r.organisation_id,
  publicKeyPem: r.public_key_pem,
  fingerprint: r.fingerprint,
  sealedPrivateKey: r.sealed_private_key,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
});

const keyCols = [
  "id",
  "organisation_id",
  "public_key_pem",
  "fingerprint",
  "sealed_private_key",
  "created_at",
  "retired_at",
] as const;

export async function activeSigningKey(
  db: Executor,
  organisationId: string,
): Promise<SigningKey | undefined> {
  const r = await db
    .selectFrom("evidence_signing_keys")
    .select(keyCols)
    .where("organisation_id", "=", organisationId)
    .where("retired_at", "is", null)
    .executeTakeFirst();
  return r ? toKey(r) : undefined;
}

export async function signingKeyById(db: Executor, id: string): Promise<SigningKey | undefined> {
  const r = await db
    .selectFrom("evidence_signing_keys")
    .select(keyCols)
    .where("id", "=", id)
    .executeTakeFirst();
  return r ? toKey(r) : undefined;
}

/** Inserts a key unless the organisation already has an active one; returns whether it did. */
export async function insertSigningKey(
  db: Executor,
  k: Omit<SigningKey, "id" | "retiredAt">,
): Promise<SigningKey | undefined> {
  const r = await db
    .insertInto("evidence_signing_keys")
    .values({
      organisation_id: k.organisationId,
      public_key_pem: k.publicKeyPem,
      fingerprint: k.fingerprint,
      sealed_private_key: k.sealedPrivateKey,
      created_at: k.createdAt,
    })
    .onConflict((oc) => oc.column("organisation_id").where("retired_at", "is", null).doNothing())
    .returning(keyCols)
    .executeTakeFirst();
  return r ? toKey(r) : undefined;
}

export async function allSigningKeys(db: Executor): Promise<SigningKey[]> {
  return (await db.selectFrom("evidence_signing_keys").select(keyCols).orderBy("created_at").execute()).map(
    toKey,
  );
}

export async function updateSealedKey(db: Executor, id: string, sealed: string): Promise<void> {
  await db
    .updateTable("evidence_signing_keys")
    .set({ sealed_private_key: sealed })
    .where("id", "=", id)
    .execute();
}

const captureCols = [
  "id",
  "organisation_id",
  "case_id",
  "item_id",
  "url",
  "category",
  "retention",
  "status",
  "error_code",
  "error_detail",
  "requested_by_type",
  "requested_by_id",
  "requested_at",
  "captured_at",
  "final_url",
  "manifest",
  "manifest_sha256",
  "signature",
  "signing_key_id",
  "timestamp_token",
  "timestamp_gen_time",
] as const;

type CaptureRow = {
  id: string;
  organisation_id: string;
  case_id: string | null;
  item_id: string | null;
  url: string;
  category: string | null;
  retention: Retention;
  status: CaptureStatus;
  error_code: string | null;
  error_detail: string | null;
  requested_by_type: string;
  requested_by_id: string | null;
  requested_at: Date;
  captured_at: Date | null;
  final_url: string | null;
  manifest: string | null;
  manifest_sha256: string | null;
  signature: string | null;
  signing_key_id: string | null;
  timestamp_token: string | null;
  timestamp_gen_time: Date | null;
};

const toCapture = (r: CaptureRow): Capture => ({
  id: r.id,
  organisationId: r.organisation_id,
  caseId: r.case_id,
  itemId: r.item_id,
  url: r.url,
  category: r.category,
  retention: r.retention,
  status: r.status,
  errorCode: r.error_code,
  errorDetail: r.error_detail,
  requestedBy: { type: r.requested_by_type, id: r.requested_by_id },
  requestedAt: r.requested_at,
  capturedAt: r.captured_at,
  finalUrl: r.final_url,
  manifest: r.manifest,
  manifestSha256: r.manifest_sha256,
  signature: r.signature,
  signingKeyId: r.signing_key_id,
  timestampToken: r.timestamp_token,
  timestampGenTime: r.timestamp_gen_time,
});

export async function insertCapture(
  db: Executor,
  c: {
    organisationId: string;
    caseId: string | null;
    itemId: string | null;
    url: string;
    category: string | null;
    retention: Retention;
    requestedBy: { type: string; id: string | null };
    requestedAt: Date;
  },
): Promise<Capture> {
  const r = await db
    .insertInto("evidence_captures")
    .values({
      organisation_id: c.organisationId,
      case_id: c.caseId,
      item_id: c.itemId,
      url: c.url,
      category: c.category,
      retention: c.retention,
      status: "pending",
      requested_by_type: c.requestedBy.type,
      requested_by_id: c.requestedBy.id,
      requested_at: c.requestedAt,
    })
    .returning(captureCols)
    .executeTakeFirstOrThrow();
  return toCapture(r);
}

export async function captureById(db: Executor, id: string, forUpdate = false): Promise<Capture | undefined> {
  let q = db.selectFrom("evidence_captures").select(captureCols).where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? toCapture(r) : undefined;
}

export async function listCaptures(
  db: Executor,
  organisationId: string,
  opts: { limit: number; itemId?: string; caseId?: string },
): Promise<Capture[]> {
  let q = db
    .selectFrom("evidence_captures")
    .select(captureCols)
    .where("organisation_id", "=", organisationId)
    .orderBy("requested_at", "desc")
    .orderBy("id")
    .limit(opts.limit);
  if (opts.itemId) q = q.where("item_id", "=", opts.itemId);
  if (opts.caseId) q = q.where("case_id", "=", opts.caseId);
  return (await q.execute()).map(toCapture);
}

export async function completeCapture(
  db: Executor,
  id: string,
  c: {
    capturedAt: Date;
    finalUrl: string;
    manifest: string;
    manifestSha256: string;
    signature: string;
    signingKeyId: string;
    timestampToken: string | null;
    timestampGenTime: Date | null;
  },
  artefacts: Artefact[],
): Promise<void> {
  await db
    .updateTable("evidence_captures")
    .set({
      status: "captured",
      captured_at: c.capturedAt,
      final_url: c.finalUrl,
      manifest: c.manifest,
      manifest_sha256: c.manifestSha256,
      signature: c.signature,
      signing_key_id: c.signingKeyId,
      timestamp_token: c.timestampToken,
      timestamp_gen_time: c.timestampGenTime,
      error_code: null,
      error_detail: null,
    })
    .where("id", "=", id)
    .execute();
  if (artefacts.length > 0)
    await db
      .insertInto("evidence_artefacts")
      .values(
        artefacts.map((a) => ({
          capture_id: id,
          name: a.name,
          sha256: a.sha256,
          size: a.size,
          media_type: a.mediaType,
          kept: a.kept,
          source_url: a.sourceUrl,
          pdq: a.pdq,
        })),
      )
      .onConflict((oc) => oc.columns(["capture_id", "name"]).doNothing())
      .execute();
}

export async function failCapture(db: Executor, id: string, code: string, detail: string): Promise<void> {
  await db
    .updateTable("evidence_captures")
    .set({ status: "failed", error_code: code, error_detail: detail.slice(0, 2000) })
    .where("id", "=", id)
    .execute();
}

export async function artefactsOf(db: Executor, captureId: string): Promise<Artefact[]> {
  const rows = await db
    .selectFrom("evidence_artefacts")
    .select(["name", "sha256", "size", "media_type", "kept", "source_url", "pdq"])
    .where("capture_id", "=", captureId)
    .orderBy("name")
    .execute();
  return rows.map((r) => ({
    name: r.name,
    sha256: r.sha256,
    size: r.size,
    mediaType: r.media_type,
    kept: r.kept,
    sourceUrl: r.source_url,
    pdq: r.pdq,
  }));
}

/** The organisation's name, for the manifest (read-only; identity owns the table). */
export async function organisationName(db: Executor, id: string): Promise<string | undefined> {
  return (await db.selectFrom("organisations").select("name").where("id", "=", id).executeTakeFirst())?.name;
}

/** Organisations a command-line capture may sign for. */
export async function organisations(db: Executor): Promise<{ id: string; name: string; kind: string }[]> {
  return db.selectFrom("organisations").select(["id", "name", "kind"]).orderBy("created_at").execute();
}

/** The latest completed capture of each item: when, and the SHA-256 of its signed manifest. */
export async function latestCapturedOfItems(
  db: Executor,
  organisationId: string,
  itemIds: string[],
): Promise<{ itemId: string; capturedAt: Date; manifestSha256: string }[]> {
  if (itemIds.length === 0) return [];
  const rows = await db
    .selectFrom("evidence_captures")
    .select(["item_id", "captured_at", "manifest_sha256"])
    .distinctOn("item_id")
    .where("organisation_id", "=", organisationId)
    .where("item_id", "in", itemIds)
    .where("status", "=", "captured")
    .orderBy("item_id")
    .orderBy("captured_at", "desc")
    .execute();
  return rows
    .filter((r) => r.item_id && r.captured_at && r.manifest_sha256)
    .map((r) => ({
      itemId: r.item_id as string,
      capturedAt: new Date(r.captured_at as Date),
      manifestSha256: r.manifest_sha256 as string,
    }));
}

/** For monitoring: the latest signed capture of each item, with its page and image artefacts. */
export async function latestCapturedMediaOfItems(
  db: Executor,
  organisationId: string,
  itemIds: string[],
): Promise<
  {
    itemId: string;
    captureId: string;
    capturedAt: Date;
    page: { sha256: string; mediaType: string } | null;
    media: { sha256: string; pdq: string | null; sourceUrl: string | null }[];
  }[]
> {
  if (itemIds.length === 0) return [];
  const captures = await db
    .selectFrom("evidence_captures")
    .select(["id", "item_id", "captured_at"])
    .distinctOn("item_id")
    .where("organisation_id", "=", organisationId)
    .where("item_id", "in", itemIds)
    .where("status", "=", "captured")
    .orderBy("item_id")
    .orderBy("captured_at", "desc")
    .execute();
  if (captures.length === 0) return [];
  const artefacts = await db
    .selectFrom("evidence_artefacts")
    .select(["capture_id", "name", "sha256", "media_type", "pdq", "source_url"])
    .where(
      "capture_id",
      "in",
      captures.map((c) => c.id),
    )
    .execute();
  return captures.map((c) => {
    const mine = artefacts.filter((a) => a.capture_id === c.id);
    const page = mine.find((a) => a.name === "page.html" || a.name === "page.bin");
    return {
      itemId: c.item_id as string,
      captureId: c.id,
      capturedAt: new Date(c.captured_at as Date),
      page: page ? { sha256: page.sha256, mediaType: page.media_type } : null,
      media: mine
        .filter(
          (a) =>
            a.name.startsWith("media/") || (a.name.startsWith("page.") && a.media_type.startsWith("image/")),
        )
        .map((a) => ({ sha256: a.sha256, pdq: a.pdq, sourceUrl: a.source_url })),
    };
  });
}

/**
 * For the re-upload watch: captured images of other items of the organisation that are the same
 * file (SHA-256) or the same picture (PDQ within `radius`). PDQ is compared in the database
 * (bit strings, XOR and bit_count), over the organisation's captured images.
 */
export async function capturedMediaMatching(
  db: Executor,
  organisationId: string,
  hashes: { sha256: string; pdq: string | null },
  radius: number,
  exceptItemId: string,
  limit = 50,
): Promise<{ itemId: string; captureId: string; sha256: string; distance: number }[]> {
  const pdq = hashes.pdq && /^[0-9a-f]{64}$/.test(hashes.pdq) ? hashes.pdq : null;
  const { rows } = await sql<{ item_id: string; capture_id: string; sha256: string; distance: number }>`
    select c.item_id, a.capture_id, a.sha256,
      case when a.sha256 = ${hashes.sha256} then 0
           else bit_count(('x' || a.pdq)::bit(256) # ('x' || ${pdq ?? "0".repeat(64)})::bit(256))::int end as distance
    from evidence_artefacts a
    join evidence_captures c on c.id = a.capture_id
    where c.organisation_id = ${organisationId}
      and c.item_id is not null and c.item_id <> ${exceptItemId}
      and c.status = 'captured'
      and a.media_type like 'image/%'
      and (a.sha256 = ${hashes.sha256}
        or (${pdq}::text is not null and a.pdq is not null and a.pdq ~ '^[0-9a-f]{64}$'
            and bit_count(('x' || a.pdq)::bit(256) # ('x' || ${pdq ?? "0".repeat(64)})::bit(256)) <= ${radius}))
    order by distance
    limit ${limit}`.execute(db);
  return rows.map((r) => ({
    itemId: r.item_id,
    captureId: r.capture_id,
    sha256: r.sha256,
    distance: Number(r.distance),
  }));
}
