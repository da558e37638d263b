// The evidence manifest: one JSON document per capture that lists every artefact (name,
// SHA-256, size, media type, whether the bytes are included), when and how it was captured,
// and the network facts. Its exact bytes are what the organisation signs and the TSA stamps.
import type { CaptureOutcome } from "./capture.ts";
import type { Retention } from "./store.ts";

export const MANIFEST_TYPE = "vangrail-evidence-manifest";
export const MANIFEST_VERSION = 1;

export interface ManifestArtefact {
  name: string;
  sha256: string;
  size: number;
  mediaType: string;
  /** False: the material must not be kept or passed on; only its hash is recorded. */
  included: boolean;
  sourceUrl: string | null;
  pdq: string | null;
}

export interface Manifest {
  type: typeof MANIFEST_TYPE;
  version: typeof MANIFEST_VERSION;
  captureId: string;
  organisation: { id: string; name: string };
  url: string;
  finalUrl: string;
  status: number;
  category: string | null;
  retention: Retention;
  retentionReason: string;
  capturedAt: string;
  completedAt: string;
  fetcher: string;
  userAgent: string;
  network: {
    address: string | null;
    family: number | null;
    port: number | null;
    tls: unknown;
    redirects: unknown;
  };
  screenshot: CaptureOutcome["screenshot"];
  media: CaptureOutcome["media"];
  artefacts: ManifestArtefact[];
  signature: { algorithm: "Ed25519"; publicKeyFingerprint: string; publicKeyFile: string };
}

export interface ManifestInput {
  captureId: string;
  organisation: { id: string; name: string };
  category: string | null;
  retention: Retention;
  retentionReason: string;
  outcome: CaptureOutcome;
  /** exchange.json first, then the captured artefacts. */
  artefacts: ManifestArtefact[];
  publicKeyFingerprint: string;
}

export function buildManifest(i: ManifestInput): Manifest {
  const o = i.outcome;
  const exchange = o.exchange as {
    hops?: { address: string; family: number; port: number }[];
    redirects?: unknown;
    response?: { tls?: unknown };
  };
  const last = exchange.hops?.at(-1);
  return {
    type: MANIFEST_TYPE,
    version: MANIFEST_VERSION,
    captureId: i.captureId,
    organisation: i.organisation,
    url: o.requestedUrl,
    finalUrl: o.finalUrl,
    status: o.status,
    category: i.category,
    retention: i.retention,
    retentionReason: i.retentionReason,
    capturedAt: o.startedAt,
    completedAt: o.completedAt,
    fetcher: o.fetcher,
    userAgent: o.userAgent,
    network: {
      address: last?.address ?? null,
      family: last?.family ?? null,
      port: last?.port ?? null,
      tls: exchange.response?.tls ?? null,
      redirects: exchange.redirects ?? [],
    },
    screenshot: o.screenshot,
    media: o.media,
    artefacts: i.artefacts,
    signature: {
      algorithm: "Ed25519",
      publicKeyFingerprint: i.publicKeyFingerprint,
      publicKeyFile: "signing-key.pem",
    },
  };
}

/** The bytes that are signed: stable, readable JSON ending in a newline. */
export const serializeManifest = (m: Manifest): Buffer =>
  Buffer.from(`${JSON.stringify(m, null, 2)}\n`, "utf8");
