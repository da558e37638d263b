// One re-check of one URL, without the database: fetch it through the safe fetcher (GET, the
// policy's bounds, politely through the host gate) and decide. Removed: 404, 410, 451, a
// platform's removal page, or none of the captured images still served. Online: the captured
// images (or the captured page) still served. Changed: it answers, but not with what was
// captured. Error: the check could not decide (timeout, refused, reset, too large, redirect
// loop, 403/429/5xx, garbage); it counts as neither. Never throws.
import { createHash } from "node:crypto";
import { isAppError } from "../../platform/errors.ts";
import type { Fetcher, FetchResult } from "../../platform/fetcher/fetcher.ts";
import type { HostGate } from "./gate.ts";
import { type MonitoringPolicy, removalPageOf } from "./policy.ts";

export type Verdict = "removed" | "online" | "changed" | "error";

export interface CapturedMedia {
  sha256: string;
  pdq: string | null;
  sourceUrl: string | null;
}

/** What the item looked like: its latest capture, else the first check that saw it online. */
export interface Baseline {
  pageSha256: string | null;
  media: CapturedMedia[];
}

export interface CheckTools {
  fetcher: Fetcher;
  gate: HostGate;
  policy: MonitoringPolicy;
  target: (url: string) => string;
  /** SHA-256 and PDQ of image bytes (the hashing module's pipeline). */
  fingerprint: (bytes: Buffer) => Promise<{ sha256: string; pdq: string | null }>;
  /** Bits between two PDQ hashes, and the radius within which they are the same picture. */
  distance: (a: string, b: string) => number;
  radius: number;
  /** The images a page links to (the capture's own rule). */
  imageUrls: (html: string, base: string) => string[];
}

export interface CheckOutcome {
  verdict: Verdict;
  reason: string;
  httpStatus: number | null;
  finalUrl: string | null;
  contentSha256: string | null;
  contentBytes: number | null;
  pdqDistance: number | null;
  durationMs: number;
  error: string | null;
  /** The media compared: how many URLs were fetched, and which captured image was found. */
  media: { fetched: number; matched: string | null } | null;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const TEXT_SCAN_BYTES = 64 * 1024;
const isTextual = (t: string | null) =>
  t === null || t.startsWith("text/") || t.includes("html") || t.includes("xml") || t.includes("json");

/** Why a fetch failed, as a short stable reason. */
export function errorReason(e: unknown): { reason: string; error: string } {
  const message = (e instanceof Error ? e.message : String(e)).slice(0, 500);
  if (!isAppError(e)) return { reason: "fetch_failed", error: message };
  switch (e.code) {
    case "fetch_timeout":
      return { reason: "timeout", error: message };
    case "fetch_too_large":
      return { reason: "too_large", error: message };
    case "fetch_too_many_redirects":
      return { reason: "redirect_loop", error: message };
    case "fetch_blocked":
      return { reason: "blocked_address", error: message };
    case "bad_request":
      return { reason: "invalid_url", error: message };
    default: {
      const cause = (e.cause as { code?: string } | undefined)?.code;
      if (cause === "ECONNREFUSED") return { reason: "connection_refused", error: message };
      if (cause === "ECONNRESET" || /closed the connection|socket hang up/i.test(message))
        return { reason: "connection_reset", error: message };
      if (/does not resolve/.test(message)) return { reason: "dns_failed", error: message };
      if (cause?.startsWith("HPE_") || /parse error/i.test(message))
        return { reason: "bad_response", error: message };
      return { reason: "fetch_failed", error: message };
    }
  }
}

async function gated<T>(tools: CheckTools, url: string, fn: () => Promise<T>): Promise<T> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    host = url;
  }
  const release = await tools.gate.acquire(host);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Checks `url` against `baseline`. Never throws: every failure is an `error` verdict. */
export async function checkUrl(tools: CheckTools, url: string, baseline: Baseline): Promise<CheckOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const base = {
    httpStatus: null,
    finalUrl: null,
    contentSha256: null,
    contentBytes: null,
    pdqDistance: null,
    error: null,
    media: null,
  };
  const f = tools.policy.fetch;
  let page: FetchResult;
  try {
    const target = tools.target(url);
    page = await gated(tools, target, () =>
      tools.fetcher.fetch(target, {
        method: "GET",
        maxBytes: f.maxBytes,
        timeoutMs: f.timeoutMs,
        maxRedirects: f.maxRedirects,
      }),
    );
  } catch (e) {
    const { reason, error } = errorReason(e);
    return { ...base, verdict: "error", reason, error, durationMs: ms() };
  }
  const status = page.status;
  const answered = {
    ...base,
    httpStatus: status,
    finalUrl: page.finalUrl.slice(0, 4000),
    contentSha256: sha256(page.body),
    contentBytes: page.body.length,
  };
  if (status === 404 || status === 410 || status === 451)
    return { ...answered, verdict: "removed", reason: `http_${status}`, durationMs: ms() };
  if (status < 200 || status > 299)
    return {
      ...answered,
      verdict: "error",
      reason: status >= 500 ? "http_5xx" : `http_${status}`,
      error: `HTTP ${status}`,
      durationMs: ms(),
    };

  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    // checked before
  }
  const text = isTextual(page.mediaType) ? page.body.subarray(0, TEXT_SCAN_BYTES).toString("utf8") : "";
  const removal = removalPageOf(tools.policy, host, page.finalUrl, text);
  if (removal)
    return { ...answered, verdict: "removed", reason: `removal_page:${removal}`, durationMs: ms() };

  if (baseline.media.length > 0) {
    const m = await compareMedia(tools, page, baseline.media);
    const media = { fetched: m.fetched, matched: m.matched };
    if (m.matched)
      return {
        ...answered,
        verdict: "online",
        reason: "media_served",
        pdqDistance: m.distance,
        media,
        durationMs: ms(),
      };
    if (m.fetched > 0 && m.answered === 0)
      return {
        ...answered,
        verdict: "error",
        reason: "media_unreachable",
        error: m.lastError,
        media,
        pdqDistance: m.distance,
        durationMs: ms(),
      };
    return {
      ...answered,
      verdict: "removed",
      reason: "media_gone",
      pdqDistance: m.distance,
      media,
      durationMs: ms(),
    };
  }
  if (baseline.pageSha256 === null)
    return { ...answered, verdict: "online", reason: "answers", durationMs: ms() };
  if (baseline.pageSha256 === answered.contentSha256)
    return { ...answered, verdict: "online", reason: "same_content", durationMs: ms() };
  return { ...answered, verdict: "changed", reason: "content_changed", durationMs: ms() };
}

interface MediaComparison {
  /** Media URLs fetched (or the page itself, when it is an image). */
  fetched: number;
  /** Of those, how many gave an answer (any HTTP status). */
  answered: number;
  /** SHA-256 of the captured image found, if any. */
  matched: string | null;
  /** Smallest PDQ distance to a captured image, when compared. */
  distance: number | null;
  lastError: string | null;
}

/** Is any captured image still served: the page itself, an image it links, or a captured image URL? */
async function compareMedia(
  tools: CheckTools,
  page: FetchResult,
  captured: CapturedMedia[],
): Promise<MediaComparison> {
  const out: MediaComparison = { fetched: 0, answered: 0, matched: null, distance: null, lastError: null };
  const bySha = new Set(captured.map((c) => c.sha256));
  const pdqs = captured.filter((c) => c.pdq).map((c) => ({ pdq: c.pdq as string, sha256: c.sha256 }));
  const compare = async (body: Buffer): Promise<boolean> => {
    const digest = sha256(body);
    if (bySha.has(digest)) {
      out.matched = digest;
      out.distance = 0;
      return true;
    }
    if (pdqs.length === 0) return false;
    const fp = await tools.fingerprint(body);
    if (!fp.pdq) return false;
    for (const c of pdqs) {
      const d = tools.distance(fp.pdq, c.pdq);
      if (out.distance === null || d < out.distance) out.distance = d;
      if (d <= tools.radius) {
        out.matched = c.sha256;
        return true;
      }
    }
    return false;
  };

  if (page.mediaType?.startsWith("image/")) {
    out.fetched = 1;
    out.answered = 1;
    await compare(page.body);
    return out;
  }
  // Captured image URLs first (the likeliest to still serve the same file), then what the page links.
  const linked = isTextual(page.mediaType)
    ? tools.imageUrls(page.body.subarray(0, tools.policy.fetch.maxBytes).toString("utf8"), page.finalUrl)
    : [];
  const candidates = [
    ...new Set([...captured.map((c) => c.sourceUrl).filter((u): u is string => !!u), ...linked]),
  ].slice(0, tools.policy.fetch.maxMedia);
  for (const u of candidates) {
    out.fetched++;
    try {
      const target = tools.target(u);
      const r = await gated(tools, target, () =>
        tools.fetcher.fetch(target, {
          method: "GET",
          maxBytes: tools.policy.fetch.mediaMaxBytes,
          timeoutMs: tools.policy.fetch.timeoutMs,
          maxRedirects: tools.policy.fetch.maxRedirects,
        }),
      );
      out.answered++;
      if (r.status >= 200 && r.status <= 299 && (await compare(r.body))) return out;
    } catch (e) {
      out.lastError = errorReason(e).error;
    }
  }
  return out;
}
