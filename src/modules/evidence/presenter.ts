// What the API shows of a capture: metadata, hashes and the manifest; never bytes inline.
import type { Artefact, Capture } from "./store.ts";

export function presentCapture(c: Capture) {
  return {
    id: c.id,
    url: c.url,
    finalUrl: c.finalUrl,
    category: c.category,
    retention: c.retention,
    status: c.status,
    error: c.errorCode ? { code: c.errorCode, detail: c.errorDetail } : null,
    caseId: c.caseId,
    itemId: c.itemId,
    requestedAt: c.requestedAt.toISOString(),
    capturedAt: c.capturedAt?.toISOString() ?? null,
    manifestSha256: c.manifestSha256,
    timestampedAt: c.timestampGenTime?.toISOString() ?? null,
  };
}

export function presentArtefact(a: Artefact) {
  return {
    name: a.name,
    sha256: a.sha256,
    size: a.size,
    mediaType: a.mediaType,
    kept: a.kept,
    sourceUrl: a.sourceUrl,
    pdq: a.pdq,
  };
}
