// A host's addresses for attribution: A and AAAA records asked of DNS directly (not the
// system's hosts file), within a time limit. Tests inject their own resolver.
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import type { ResolvedAddress } from "../../platform/fetcher/guard.ts";

/** All addresses of a host; throws when it has none or DNS fails. */
export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

export class DnsError extends Error {
  readonly code: "not_found" | "timeout" | "failed";
  constructor(code: DnsError["code"], message: string) {
    super(message);
    this.name = "DnsError";
    this.code = code;
  }
}

const NO_ANSWER = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN", "ENONAME"]);

/** A resolver on node:dns asking A and AAAA together. */
export function systemHostResolver(timeoutMs: number): HostResolver {
  const resolver = new Resolver({ timeout: Math.max(500, Math.floor(timeoutMs / 2)), tries: 2 });
  return async (host) => {
    const [a, aaaa] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const out: ResolvedAddress[] = [
      ...(a.status === "fulfilled" ? a.value.map((address) => ({ address, family: 4 as const })) : []),
      ...(aaaa.status === "fulfilled" ? aaaa.value.map((address) => ({ address, family: 6 as const })) : []),
    ];
    if (out.length > 0) return out;
    const codes = [a, aaaa].map((r) =>
      r.status === "rejected" ? (r.reason as { code?: string }).code : "ENODATA",
    );
    if (codes.every((c) => c && NO_ANSWER.has(c)))
      throw new DnsError("not_found", `${host} has no A or AAAA record.`);
    if (codes.includes("ETIMEOUT")) throw new DnsError("timeout", `DNS did not answer for ${host} in time.`);
    throw new DnsError("failed", `DNS lookup of ${host} failed (${codes.join(", ")}).`);
  };
}

export type HostAddresses =
  | { ok: true; addresses: ResolvedAddress[] }
  | { ok: false; code: DnsError["code"]; error: string };

/**
 * The addresses of `host` (an IP literal is its own answer), IPv4 first, within `timeoutMs`.
 * Never throws: a failure is a result that attribution records.
 */
export async function resolveHost(
  resolver: HostResolver,
  host: string,
  timeoutMs: number,
): Promise<HostAddresses> {
  const bare = host.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family) return { ok: true, addresses: [{ address: bare, family: family === 6 ? 6 : 4 }] };
  let timer: NodeJS.Timeout | undefined;
  try {
    const all = await Promise.race([
      resolver(host),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DnsError("timeout", `DNS did not answer for ${host} within ${timeoutMs} ms.`)),
          timeoutMs,
        );
      }),
    ]);
    const valid = all.filter((a) => isIP(a.address));
    if (valid.length === 0)
      return { ok: false, code: "not_found", error: `${host} has no A or AAAA record.` };
    valid.sort((x, y) => x.family - y.family);
    return { ok: true, addresses: valid };
  } catch (e) {
    if (e instanceof DnsError) return { ok: false, code: e.code, error: e.message };
    const code = (e as { code?: string }).code;
    return code && NO_ANSWER.has(code)
      ? { ok: false, code: "not_found", error: `${host} does not resolve.` }
      : {
          ok: false,
          code: "failed",
          error: `DNS lookup of ${host} failed: ${String((e as Error).message ?? e).slice(0, 200)}`,
        };
  } finally {
    clearTimeout(timer);
  }
}
