// The RDAP client: asks the server the bootstrap names (RFC 7480 over the safe fetcher, so a
// redirect to a private address is refused like any other), follows the RIRs' redirects to
// each other, and turns every answer into an outcome, never an exception: an answer (with the
// SHA-256 of its raw bytes and where it finally came from), or a failure with a code and a
// sentence. Both are cached in `rdap_cache`; failures for less time (a tenth of the cache time;
// transient ones at most 15 minutes; a 429 until its Retry-After). A 429 with a short
// Retry-After is waited out once; a longer one puts the whole server in back-off, so the rest
// of a batch does not hammer it.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.ts";
import type { Executor } from "../../platform/db.ts";
import { isAppError } from "../../platform/errors.ts";
import type { Fetcher, FetchResult } from "../../platform/fetcher/fetcher.ts";
import type { Bootstrap } from "./bootstrap.ts";
import { parseIp } from "./ip.ts";
import { errorOf, jsonDepth, storable } from "./rdap-parse.ts";
import * as store from "./store.ts";

export type RdapQuery =
  | { kind: "ip"; address: string }
  | { kind: "domain"; name: string }
  | { kind: "autnum"; asn: number };

export type RdapFailureCode =
  /** No RDAP server is known for it in the bootstrap. */
  | "no_service"
  /** The server has no record (404). */
  | "not_found"
  | "rate_limited"
  /** 5xx, or an RDAP error document. */
  | "server_error"
  /** Another 4xx. */
  | "refused"
  /** Not JSON, not an object, too deep, the wrong object class, HTML. */
  | "bad_answer"
  | "too_large"
  | "timeout"
  /** The server (or a redirect) points at an address Vangrail does not connect to. */
  | "blocked"
  | "unreachable";

interface OutcomeBase {
  key: string;
  /** Where the answer finally came from, after redirects. */
  url: string | null;
  status: number | null;
  rawSha256: string | null;
  fetchedAt: Date;
  expiresAt: Date;
  /** Read from the cache rather than asked now. */
  cached: boolean;
}

export interface RdapAnswer extends OutcomeBase {
  ok: true;
  url: string;
  rawSha256: string;
  answer: Record<string, unknown>;
}

export interface RdapFailure extends OutcomeBase {
  ok: false;
  code: RdapFailureCode;
  error: string;
}

export type RdapOutcome = RdapAnswer | RdapFailure;

export interface RdapClientOptions {
  fetcher: Fetcher;
  bootstrap: () => Bootstrap;
  db: Executor;
  clock: Clock;
  logger?: Logger | undefined;
  /** How long an answer is reused. */
  cacheMs: number;
  timeoutMs: number;
  maxBytes: number;
  /** Deepest JSON nesting accepted; RFC 9083 answers need a few dozen levels at most. */
  maxDepth?: number;
  /** A 429 whose Retry-After is at most this long is waited out once. */
  maxWaitMs?: number;
  maxRedirects?: number;
}

const TRANSIENT_MAX_MS = 15 * 60_000;
const RETRY_AFTER_DEFAULT_MS = 60_000;
const TRANSIENT: ReadonlySet<RdapFailureCode> = new Set([
  "rate_limited",
  "server_error",
  "timeout",
  "unreachable",
]);

/** Whether a failure may go away by asking again later. */
export const isTransient = (code: RdapFailureCode): boolean => TRANSIENT.has(code);

/** The cache key of a query: `ip:<address>`, `domain:<name>`, `autnum:<n>`. */
export function cacheKey(q: RdapQuery): string {
  switch (q.kind) {
    case "ip":
      return `ip:${q.address.toLowerCase()}`;
    case "domain":
      return `domain:${q.name.toLowerCase().replace(/\.$/, "")}`;
    case "autnum":
      return `autnum:${q.asn}`;
  }
}

const EXPECTED_CLASS: Record<RdapQuery["kind"], string> = {
  ip: "ip network",
  domain: "domain",
  autnum: "autnum",
};

const pathOf = (q: RdapQuery): string =>
  q.kind === "ip"
    ? `ip/${encodeURIComponent(q.address)}`
    : q.kind === "domain"
      ? `domain/${encodeURIComponent(q.name)}`
      : `autnum/${q.asn}`;

/** Seconds or an HTTP date (RFC 9110 §10.2.3) → milliseconds from `now`; null if neither. */
export function retryAfterMs(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

const header = (r: FetchResult, name: string): string | undefined =>
  r.hops[r.hops.length - 1]?.headers.find(([k]) => k.toLowerCase() === name)?.[1];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RdapClient {
  readonly #o: Required<Omit<RdapClientOptions, "logger">> & { logger: Logger | undefined };
  /** RDAP servers in back-off after a 429: host → until (clock time, ms). */
  readonly #backoff = new Map<string, number>();

  constructor(o: RdapClientOptions) {
    this.#o = { maxDepth: 100, maxWaitMs: 3000, maxRedirects: 5, ...o, logger: o.logger };
  }

  get failureMs(): number {
    return Math.max(60_000, Math.round(this.#o.cacheMs / 10));
  }

  /**
   * The answer to `q`: from `memo` (one batch), else from the cache unless `refresh`, else
   * from the server. Never throws for anything a server does.
   */
  lookup(
    q: RdapQuery,
    opts: { memo?: Map<string, Promise<RdapOutcome>>; refresh?: boolean } = {},
  ): Promise<RdapOutcome> {
    const key = cacheKey(q);
    const hit = opts.memo?.get(key);
    if (hit) return hit;
    const p = this.#lookup(q, key, opts.refresh === true);
    opts.memo?.set(key, p);
    return p;
  }

  async #lookup(q: RdapQuery, key: string, refresh: boolean): Promise<RdapOutcome> {
    const now = this.#o.clock.now();
    if (!refresh) {
      const row = await store.cacheGet(this.#o.db, key);
      if (row && row.expiresAt.getTime() > now.getTime()) return fromCache(row);
    }
    const outcome = await this.#ask(q, key);
    if (outcome.code !== "no_service")
      try {
        await store.cachePut(this.#o.db, {
          key,
          url: outcome.url,
          status: outcome.status,
          rawSha256: outcome.rawSha256,
          answer: outcome.ok ? outcome.answer : null,
          error: outcome.ok ? null : `${outcome.code}: ${outcome.error}`,
          fetchedAt: outcome.fetchedAt,
          expiresAt: outcome.expiresAt,
        });
      } catch (e) {
        // The answer is still good for this batch; the next one asks again.
        this.#o.logger?.warn({ err: e, key }, "rdap answer could not be cached");
      }
    return outcome;
  }

  async #ask(q: RdapQuery, key: string): Promise<RdapOutcome & { code?: RdapFailureCode }> {
    const o = this.#o;
    const now = () => o.clock.now();
    const started = now();
    const fail = (
      code: RdapFailureCode,
      error: string,
      extra: { url?: string | null; status?: number | null; rawSha256?: string | null; ttlMs?: number } = {},
    ): RdapFailure => ({
      ok: false,
      key,
      code,
      error,
      url: extra.url ?? null,
      status: extra.status ?? null,
      rawSha256: extra.rawSha256 ?? null,
      fetchedAt: started,
      expiresAt: new Date(
        started.getTime() +
          (extra.ttlMs ?? (isTransient(code) ? Math.min(this.failureMs, TRANSIENT_MAX_MS) : this.failureMs)),
      ),
      cached: false,
    });

    const bs = o.bootstrap();
    const match =
      q.kind === "ip"
        ? parseIp(q.address)
          ? bs.forIp(q.address)
          : null
        : q.kind === "domain"
          ? bs.forDomain(q.name)
          : bs.forAsn(q.asn);
    const what = q.kind === "ip" ? q.address : q.kind === "domain" ? q.name : `AS${q.asn}`;
    if (!match)
      return fail("no_service", `The RDAP bootstrap names no server for ${what}; update it or add a party.`);
    const url = `${match.urls[0]}${pathOf(q)}`;
    const host = new URL(url).host;
    const until = this.#backoff.get(host);
    if (until !== undefined && until > now().getTime())
      return fail(
        "rate_limited",
        `${host} asked to slow down; asking again after ${new Date(until).toISOString()}.`,
        {
          url,
          ttlMs: until - started.getTime(),
        },
      );

    for (let attempt = 0; ; attempt++) {
      let r: FetchResult;
      try {
        r = await o.fetcher.fetch(url, {
          headers: { accept: "application/rdap+json, application/json;q=0.9" },
          maxBytes: o.maxBytes,
          timeoutMs: o.timeoutMs,
          maxRedirects: o.maxRedirects,
        });
      } catch (e) {
        const code = isAppError(e) ? e.code : "fetch_failed";
        const msg = `${host}: ${(e as Error).message}`.slice(0, 500);
        if (code === "fetch_timeout")
          return fail("timeout", `${host} did not answer within ${o.timeoutMs} ms.`, { url });
        if (code === "fetch_too_large")
          return fail("too_large", `The answer from ${host} is larger than ${o.maxBytes} bytes.`, { url });
        if (code === "fetch_blocked") return fail("blocked", msg, { url });
        if (code === "fetch_too_many_redirects")
          return fail("bad_answer", `${host} redirected more than ${o.maxRedirects} times.`, { url });
        return fail("unreachable", msg, { url });
      }
      const finalUrl = r.finalUrl;
      const status = r.status;
      const rawSha256 = createHash("sha256").update(r.body).digest("hex");
      const at = { url: finalUrl, status, rawSha256 };
      if (status === 429) {
        const wait = retryAfterMs(header(r, "retry-after"), now()) ?? RETRY_AFTER_DEFAULT_MS;
        if (attempt === 0 && wait <= o.maxWaitMs) {
          await sleep(wait);
          continue;
        }
        const ttl = Math.min(Math.max(wait, 1000), this.failureMs);
        this.#backoff.set(host, now().getTime() + ttl);
        return fail(
          "rate_limited",
          `${new URL(finalUrl).host} answered 429 Too Many Requests; retry after ${Math.ceil(wait / 1000)} s.`,
          { ...at, ttlMs: ttl },
        );
      }
      if (status === 404) return fail("not_found", `${new URL(finalUrl).host} has no record of ${what}.`, at);
      if (status >= 500) return fail("server_error", `${new URL(finalUrl).host} answered ${status}.`, at);
      if (status < 200 || status >= 300)
        return fail("refused", `${new URL(finalUrl).host} answered ${status}.`, at);
      return this.#parse(q, r, key, started, fail);
    }
  }

  #parse(
    q: RdapQuery,
    r: FetchResult,
    key: string,
    started: Date,
    fail: (
      code: RdapFailureCode,
      error: string,
      extra?: { url?: string; status?: number; rawSha256?: string },
    ) => RdapFailure,
  ): RdapOutcome {
    const rawSha256 = createHash("sha256").update(r.body).digest("hex");
    const at = { url: r.finalUrl, status: r.status, rawSha256 };
    const from = new URL(r.finalUrl).host;
    if (r.mediaType && /html|xml|^image\//.test(r.mediaType))
      return fail("bad_answer", `${from} answered ${r.mediaType}, not RDAP JSON.`, at);
    const textBody = r.body.toString("utf8");
    if (jsonDepth(textBody, this.#o.maxDepth) > this.#o.maxDepth)
      return fail(
        "bad_answer",
        `The answer from ${from} is nested deeper than ${this.#o.maxDepth} levels.`,
        at,
      );
    let data: unknown;
    try {
      data = JSON.parse(textBody);
    } catch {
      return fail("bad_answer", `The answer from ${from} is not valid JSON.`, at);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data))
      return fail("bad_answer", `The answer from ${from} is not a JSON object.`, at);
    const err = errorOf(data);
    if (err) {
      if (err.code === 404) return fail("not_found", `${from}: ${err.title ?? "not found"}.`, at);
      if (err.code === 429) return fail("rate_limited", `${from}: ${err.title ?? "too many requests"}.`, at);
      return fail(
        "server_error",
        `${from} answered with error ${err.code}${err.title ? `: ${err.title}` : ""}.`,
        at,
      );
    }
    const cls = (data as Record<string, unknown>).objectClassName;
    if (cls !== undefined && cls !== EXPECTED_CLASS[q.kind])
      return fail(
        "bad_answer",
        `${from} answered a ${JSON.stringify(cls).slice(0, 40)} object, not ${EXPECTED_CLASS[q.kind]}.`,
        at,
      );
    return {
      ok: true,
      key,
      url: r.finalUrl,
      status: r.status,
      rawSha256,
      answer: storable(data) as Record<string, unknown>,
      fetchedAt: started,
      expiresAt: new Date(started.getTime() + this.#o.cacheMs),
      cached: false,
    };
  }
}

function fromCache(row: store.CacheRow): RdapOutcome {
  const base = {
    key: row.key,
    url: row.url,
    status: row.status,
    rawSha256: row.rawSha256,
    fetchedAt: row.fetchedAt,
    expiresAt: row.expiresAt,
    cached: true,
  };
  if (row.error === null && typeof row.answer === "object" && row.answer !== null && row.url && row.rawSha256)
    return {
      ...base,
      ok: true,
      url: row.url,
      rawSha256: row.rawSha256,
      answer: row.answer as Record<string, unknown>,
    };
  const m = /^([a-z_]+): (.*)$/s.exec(row.error ?? "");
  return {
    ...base,
    ok: false,
    code: (m?.[1] as RdapFailureCode | undefined) ?? "server_error",
    error: m?.[2] ?? row.error ?? "The cached answer is not readable.",
  };
}
