// The safe fetcher: every outgoing HTTP request of Vangrail to a site under investigation goes
// through here. It resolves the host itself, checks every address (guard.ts), connects only to
// the address it checked (Host header and TLS server name stay the host name), and does the
// same again on every redirect hop. Time, size (counted after decompression, so a gzip or
// brotli bomb stops at the limit), redirects and concurrency per host are bounded, and the
// User-Agent says who is asking and where to complain.
import { readFileSync } from "node:fs";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import zlib from "node:zlib";
import { AppError } from "../errors.ts";
import { type GuardOptions, type ResolvedAddress, type Resolver, resolveSafe } from "./guard.ts";
import { KeyedSemaphore } from "./semaphore.ts";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** Named in every manifest, so a verifier knows which fetcher made the record. */
export const FETCHER_VERSION = `vangrail-fetcher/1 (vangrail ${pkg.version}; node ${process.versions.node})`;

export interface FetcherConfig {
  /** Where a site operator learns who is fetching and how to reach them. */
  contactUrl: string;
  maxBytes: number;
  timeoutMs: number;
  headerTimeoutMs: number;
  maxRedirects: number;
  perHostConcurrency: number;
  resolver?: Resolver;
  /** Test fixtures on 127.0.0.1 only; see guard.ts for when this is honoured. */
  allowLoopback?: boolean;
  /** Extra trusted CA certificates (PEM), for a test HTTPS fixture. */
  ca?: string | undefined;
}

export const defaultFetcherConfig: FetcherConfig = {
  contactUrl: "https://vangrail.org/fetcher",
  maxBytes: 25 * 1024 * 1024,
  timeoutMs: 30_000,
  headerTimeoutMs: 15_000,
  maxRedirects: 5,
  perHostConcurrency: 4,
};

export interface TlsFacts {
  subject: string;
  issuer: string;
  fingerprint256: string;
  serialNumber: string;
  validFrom: string;
  validTo: string;
  protocol: string | null;
}

/** One request and its answer; a redirect chain is several hops. */
export interface Hop {
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  status: number;
  statusText: string;
  /** Raw header pairs as received, order and case preserved. */
  headers: [string, string][];
  address: string;
  family: 4 | 6;
  port: number;
  tls: TlsFacts | null;
  startedAt: string;
  httpVersion: string;
}

export interface FetchResult {
  requestedUrl: string;
  finalUrl: string;
  status: number;
  hops: Hop[];
  /** The body after content decoding. */
  body: Buffer;
  /** Bytes on the wire before decoding. */
  encodedBytes: number;
  contentEncoding: string | null;
  mediaType: string | null;
}

export interface FetchOptions {
  /** POST (webhooks) sends `body` and never follows a redirect: a 3xx answer is returned as is. */
  method?: "GET" | "HEAD" | "POST";
  body?: Buffer;
  headers?: Record<string, string>;
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  signal?: AbortSignal;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const headerOf = (headers: [string, string][], name: string): string | undefined =>
  headers.find(([k]) => k.toLowerCase() === name)?.[1];

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

const dn = (o: Record<string, unknown> | undefined): string =>
  o
    ? Object.entries(o)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : String(v)}`)
        .join(", ")
    : "";

export class Fetcher {
  readonly config: FetcherConfig;
  readonly userAgent: string;
  readonly #hosts: KeyedSemaphore;

  constructor(config: Partial<FetcherConfig> = {}) {
    this.config = { ...defaultFetcherConfig, ...config };
    this.userAgent = `Vangrail/${pkg.version} (evidence capture; +${this.config.contactUrl})`;
    this.#hosts = new KeyedSemaphore(this.config.perHostConcurrency);
  }

  get guard(): GuardOptions {
    return { resolver: this.config.resolver, allowLoopback: this.config.allowLoopback };
  }

  /** Resolves and checks a URL's host without fetching (the capture browser asks this). */
  async check(url: string): Promise<ResolvedAddress> {
    return resolveSafe(parseTarget(url).hostname, this.guard);
  }

  /** Fetches `url`, following redirects, each hop checked. Throws AppError on every refusal. */
  async fetch(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
    const maxBytes = opts.maxBytes ?? this.config.maxBytes;
    const maxRedirects = opts.maxRedirects ?? this.config.maxRedirects;
    const timeoutMs = opts.timeoutMs ?? this.config.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AppError("fetch_timeout")), timeoutMs);
    const onAbort = () => controller.abort(opts.signal?.reason ?? new AppError("fetch_timeout"));
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const hops: Hop[] = [];
    let current = parseTarget(url);
    let method = opts.method ?? "GET";
    try {
      for (;;) {
        const address = await resolveSafe(current.hostname, this.guard);
        if (controller.signal.aborted) throw controller.signal.reason;
        const release = await this.#hosts.acquire(current.hostname.toLowerCase());
        try {
          const answer = await this.#once(
            current,
            method,
            address,
            opts.headers ?? {},
            controller.signal,
            method === "POST" ? opts.body : undefined,
          );
          hops.push(answer.hop);
          const location = headerOf(answer.hop.headers, "location");
          if (REDIRECTS.has(answer.hop.status) && location && method !== "POST") {
            answer.res.resume();
            answer.res.destroy();
            if (hops.length > maxRedirects) throw new AppError("fetch_too_many_redirects");
            let next: URL;
            try {
              next = new URL(location, current);
            } catch (e) {
              throw new AppError("fetch_failed", {
                detail: "The site redirected to a URL that is not valid.",
                cause: e,
              });
            }
            current = parseTarget(next.toString());
            if (answer.hop.status === 303) method = "GET";
            continue;
          }
          const { body, encodedBytes, encoding } = await readBody(answer.res, maxBytes, controller.signal);
          return {
            requestedUrl: url,
            finalUrl: current.toString(),
            status: answer.hop.status,
            hops,
            body,
            encodedBytes,
            contentEncoding: encoding,
            mediaType:
              headerOf(answer.hop.headers, "content-type")?.split(";")[0]?.trim().toLowerCase() ?? null,
          };
        } finally {
          release();
        }
      }
    } catch (e) {
      if (controller.signal.aborted && !(e instanceof AppError)) throw controller.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  #once(
    url: URL,
    method: string,
    address: ResolvedAddress,
    extra: Record<string, string>,
    signal: AbortSignal,
    body?: Buffer,
  ): Promise<{ hop: Hop; res: IncomingMessage }> {
    const secure = url.protocol === "https:";
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    const requestHeaders: Record<string, string> = {
      "user-agent": this.userAgent,
      accept: "text/html,application/xhtml+xml,image/*,*/*;q=0.8",
      "accept-encoding": "gzip, deflate, br",
      ...lower(extra),
      ...(body ? { "content-length": String(body.length) } : {}),
      host: url.host,
    };
    const startedAt = new Date().toISOString();
    return new Promise((resolve, reject) => {
      const options: https.RequestOptions = {
        method,
        // The checked address, never the name: nothing resolves it again behind our back.
        host: address.address,
        family: address.family,
        port,
        path: `${url.pathname}${url.search}`,
        headers: requestHeaders,
        agent: false,
        signal,
        ...(secure
          ? {
              servername: isIpLiteral(hostname) ? undefined : hostname,
              ...(this.config.ca ? { ca: this.config.ca } : {}),
            }
          : {}),
      };
      const req = (secure ? https : http).request(options);
      const headerTimer = setTimeout(
        () => req.destroy(new AppError("fetch_timeout", { detail: "The site did not answer in time." })),
        this.config.headerTimeoutMs,
      );
      req.on("response", (res) => {
        clearTimeout(headerTimer);
        let tls: TlsFacts | null = null;
        if (secure) {
          const socket = res.socket as TLSSocket;
          const cert = socket.getPeerCertificate?.(false);
          if (cert && Object.keys(cert).length > 0)
            tls = {
              subject: dn(cert.subject as unknown as Record<string, unknown>),
              issuer: dn(cert.issuer as unknown as Record<string, unknown>),
              fingerprint256: cert.fingerprint256,
              serialNumber: cert.serialNumber,
              validFrom: cert.valid_from,
              validTo: cert.valid_to,
              protocol: socket.getProtocol?.() ?? null,
            };
        }
        resolve({
          res,
          hop: {
            url: url.toString(),
            method,
            requestHeaders,
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            headers: pairs(res.rawHeaders),
            address: address.address,
            family: address.family,
            port,
            tls,
            startedAt,
            httpVersion: res.httpVersion,
          },
        });
      });
      req.on("error", (e) => {
        clearTimeout(headerTimer);
        if (e instanceof AppError) reject(e);
        else if (signal.aborted) reject(signal.reason);
        else
          reject(new AppError("fetch_failed", { detail: `${url.host}: ${(e as Error).message}`, cause: e }));
      });
      req.end(body);
    });
  }
}

const lower = (h: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

const isIpLiteral = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(":");

/** Parses a URL the fetcher accepts: http(s), no credentials. */
export function parseTarget(input: string): URL {
  let u: URL;
  try {
    u = new URL(input);
  } catch (e) {
    throw new AppError("bad_request", { detail: `Not a valid URL: ${input.slice(0, 200)}`, cause: e });
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new AppError("fetch_blocked", {
      detail: `Only http and https URLs are fetched, not ${u.protocol}`,
    });
  if (u.username || u.password)
    throw new AppError("bad_request", { detail: "URLs with a user name or password are not fetched." });
  u.hash = "";
  return u;
}

function decoderFor(encoding: string | null): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  switch (encoding) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      return zlib.createInflate();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

/** Reads a body, decoded, and stops the moment either count passes `maxBytes`. */
function readBody(
  res: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
): Promise<{ body: Buffer; encodedBytes: number; encoding: string | null }> {
  const encoding = (res.headers["content-encoding"] as string | undefined)?.trim().toLowerCase() || null;
  const declared = Number(res.headers["content-length"]);
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new AppError("fetch_too_large", { detail: `The response is larger than ${maxBytes} bytes.` });
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      reject(tooLarge());
      return;
    }
    const decoder = decoderFor(encoding);
    const chunks: Buffer[] = [];
    let encodedBytes = 0;
    let decodedBytes = 0;
    let done = false;
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      res.destroy();
      decoder?.destroy();
      reject(
        e instanceof AppError
          ? e
          : signal.aborted
            ? signal.reason
            : new AppError("fetch_failed", { cause: e }),
      );
    };
    const onAbort = () => fail(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    const take = (chunk: Buffer) => {
      decodedBytes += chunk.length;
      if (decodedBytes > maxBytes) return fail(tooLarge());
      chunks.push(chunk);
    };
    const finish = () => {
      if (done) return;
      done = true;
      signal.removeEventListener("abort", onAbort);
      resolve({ body: Buffer.concat(chunks), encodedBytes, encoding });
    };
    res.on("data", (chunk: Buffer) => {
      encodedBytes += chunk.length;
      if (encodedBytes > maxBytes) return fail(tooLarge());
      if (decoder) decoder.write(chunk);
      else take(chunk);
    });
    res.on("error", fail);
    res.on("aborted", () =>
      fail(new AppError("fetch_failed", { detail: "The site closed the connection." })),
    );
    if (decoder) {
      decoder.on("data", take);
      decoder.on("error", (e) =>
        fail(new AppError("fetch_failed", { detail: `The ${encoding} body is corrupt.`, cause: e })),
      );
      decoder.on("end", finish);
      res.on("end", () => decoder.end());
    } else res.on("end", finish);
  });
}
