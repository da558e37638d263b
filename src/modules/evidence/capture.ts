// The capture itself, without the database: fetch the URL through the safe fetcher, record the
// HTTP exchange, take the HTML, a full-page screenshot and the linked images (within limits),
// and hash every artefact. With retention `hash_only` no body ever leaves memory: each is hashed
// and dropped, and no screenshot is taken.
import { createHash } from "node:crypto";
import { AppError, isAppError } from "../../platform/errors.ts";
import { FETCHER_VERSION, type Fetcher, type FetchResult } from "../../platform/fetcher/fetcher.ts";
import type { Screenshotter } from "./browser.ts";
import type { Retention } from "./store.ts";

export interface CapturedArtefact {
  name: string;
  sha256: string;
  size: number;
  mediaType: string;
  /** The bytes when they may be kept; `null` for hash-only material. */
  bytes: Buffer | null;
  sourceUrl: string | null;
  pdq: string | null;
}

/** PDQ for images, provided by the hashing module when it is wired in (see env.ts). */
export type ImageHasher = (bytes: Buffer, mediaType: string) => Promise<{ pdq: string } | null>;

export interface CaptureLimits {
  maxMedia: number;
  mediaMaxBytes: number;
  screenshots: boolean;
  screenshotTimeoutMs: number;
}

export interface CaptureTools {
  fetcher: Fetcher;
  screenshotter: Screenshotter | undefined;
  hashImage: ImageHasher | undefined;
  limits: CaptureLimits;
}

export interface MediaRecord {
  url: string;
  outcome: "captured" | "refused" | "failed" | "skipped";
  artefact?: string;
  error?: string;
}

export interface CaptureOutcome {
  requestedUrl: string;
  finalUrl: string;
  status: number;
  startedAt: string;
  completedAt: string;
  fetcher: string;
  userAgent: string;
  /** The HTTP exchange as recorded: request headers, every hop's answer, addresses, TLS. */
  exchange: Record<string, unknown>;
  artefacts: CapturedArtefact[];
  media: MediaRecord[];
  screenshot: { taken: boolean; reason?: string; browserRequests?: unknown[] };
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

const EXT: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/avif": "avif",
  "image/svg+xml": "svg",
  "image/bmp": "bmp",
  "image/x-icon": "ico",
};

/** The `src` of every <img> in a page, resolved against its URL, unique, http(s) only. */
export function imageUrls(html: string, base: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const re = /<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
  for (const m of html.matchAll(re)) {
    const raw = (m[1] ?? m[2] ?? m[3] ?? "").trim().replaceAll("&amp;", "&");
    if (!raw) continue;
    let u: URL;
    try {
      u = new URL(raw, base);
    } catch {
      continue;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") continue;
    u.hash = "";
    const s = u.toString();
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

function exchangeOf(r: FetchResult): Record<string, unknown> {
  const first = r.hops[0];
  const last = r.hops.at(-1);
  return {
    request: first ? { method: first.method, url: first.url, headers: first.requestHeaders } : null,
    redirects: r.hops.slice(0, -1).map((h) => ({
      url: h.url,
      status: h.status,
      location: h.headers.find(([k]) => k.toLowerCase() === "location")?.[1] ?? null,
      address: h.address,
    })),
    hops: r.hops.map((h) => ({
      url: h.url,
      method: h.method,
      startedAt: h.startedAt,
      address: h.address,
      family: h.family,
      port: h.port,
      httpVersion: h.httpVersion,
      status: h.status,
      statusText: h.statusText,
      headers: h.headers,
      tls: h.tls,
    })),
    response: last
      ? {
          url: r.finalUrl,
          status: r.status,
          mediaType: r.mediaType,
          contentEncoding: r.contentEncoding,
          encodedBytes: r.encodedBytes,
          decodedBytes: r.body.length,
          address: last.address,
          tls: last.tls,
        }
      : null,
  };
}

/** Captures `url`. Throws AppError when the page itself cannot be fetched. */
export async function captureUrlOnce(
  tools: CaptureTools,
  url: string,
  retention: Retention,
  clock: () => Date = () => new Date(),
): Promise<CaptureOutcome> {
  const keep = retention === "keep";
  const startedAt = clock().toISOString();
  const page = await tools.fetcher.fetch(url);
  const artefacts: CapturedArtefact[] = [];
  const add = async (name: string, body: Buffer, mediaType: string, sourceUrl: string | null) => {
    const isImage = mediaType.startsWith("image/");
    const pdq =
      isImage && tools.hashImage
        ? ((await tools.hashImage(body, mediaType).catch(() => null))?.pdq ?? null)
        : null;
    artefacts.push({
      name,
      sha256: sha256(body),
      size: body.length,
      mediaType,
      bytes: keep ? body : null,
      sourceUrl,
      pdq,
    });
  };

  const pageType = page.mediaType ?? "application/octet-stream";
  const pageName =
    pageType === "text/html" || pageType === "application/xhtml+xml" ? "page.html" : "page.bin";
  await add(pageName, page.body, pageType, page.finalUrl);

  // Linked images, a few at a time, each through the guard like the page.
  const media: MediaRecord[] = [];
  const html = pageName === "page.html" ? page.body.toString("utf8") : "";
  const urls = html ? imageUrls(html, page.finalUrl) : [];
  const wanted = urls.slice(0, tools.limits.maxMedia);
  for (const skipped of urls.slice(tools.limits.maxMedia))
    media.push({ url: skipped, outcome: "skipped", error: "media limit" });
  let n = 0;
  const queue = [...wanted];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const u = next;
      try {
        const r = await tools.fetcher.fetch(u, { maxBytes: tools.limits.mediaMaxBytes });
        const type = r.mediaType ?? "application/octet-stream";
        if (r.status !== 200 || !type.startsWith("image/")) {
          media.push({ url: u, outcome: "failed", error: `HTTP ${r.status} ${type}` });
          continue;
        }
        const digest = sha256(r.body).slice(0, 12);
        const name = `media/${String(++n).padStart(3, "0")}-${digest}.${EXT[type] ?? "bin"}`;
        await add(name, r.body, type, u);
        media.push({ url: u, outcome: "captured", artefact: name });
      } catch (e) {
        const code = isAppError(e) ? e.code : "fetch_failed";
        media.push({
          url: u,
          outcome: code === "fetch_blocked" ? "refused" : "failed",
          error: isAppError(e) ? `${code}: ${e.message}` : code,
        });
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  media.sort((a, b) => urls.indexOf(a.url) - urls.indexOf(b.url));

  let screenshot: CaptureOutcome["screenshot"] = { taken: false, reason: "disabled" };
  if (!keep) screenshot = { taken: false, reason: "material must not be kept: no screenshot is made" };
  else if (!tools.limits.screenshots || !tools.screenshotter)
    screenshot = { taken: false, reason: "screenshots are off" };
  else if (pageName !== "page.html") screenshot = { taken: false, reason: "not an HTML page" };
  else {
    try {
      const shot = await tools.screenshotter.take({
        url: page.finalUrl,
        html: page.body,
        contentType:
          page.hops.at(-1)?.headers.find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "text/html",
        maxRequests: Math.max(10, tools.limits.maxMedia * 3),
        maxBytesPerRequest: tools.limits.mediaMaxBytes,
        timeoutMs: tools.limits.screenshotTimeoutMs,
      });
      artefacts.push({
        name: "screenshot.png",
        sha256: sha256(shot.png),
        size: shot.png.length,
        mediaType: "image/png",
        bytes: shot.png,
        sourceUrl: page.finalUrl,
        pdq: null,
      });
      screenshot = { taken: true, browserRequests: shot.requests };
    } catch (e) {
      screenshot = { taken: false, reason: `browser failed: ${(e as Error).message.split("\n")[0]}` };
    }
  }

  if (page.hops.length === 0) throw new AppError("fetch_failed");
  return {
    requestedUrl: url,
    finalUrl: page.finalUrl,
    status: page.status,
    startedAt,
    completedAt: clock().toISOString(),
    fetcher: FETCHER_VERSION,
    userAgent: tools.fetcher.userAgent,
    exchange: exchangeOf(page),
    artefacts,
    media,
    screenshot,
  };
}
