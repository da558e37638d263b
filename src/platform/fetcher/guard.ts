// The private-address guard: resolves a host name itself and returns the one address the
// fetcher (and the capture browser, through the fetcher) will connect to. Every address the
// name resolves to must be public: a name that answers with one public and one private address
// is refused, so a DNS answer cannot steer a request inside.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { AppError } from "../errors.ts";
import { type DenyReason, denyReason, isLoopback } from "./addresses.ts";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address; tests inject their own. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const all = await lookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface GuardOptions {
  resolver?: Resolver;
  /**
   * Let loopback addresses through, for the local fixture servers of tests. Honoured only when
   * `VANGRAIL_TEST_MODE=1` and NODE_ENV is not production (see `loopbackAllowed`).
   */
  allowLoopback?: boolean;
}

/**
 * Whether the loopback exception may be used at all. Read from the process environment at the
 * moment of use, so no configuration file or request can switch it on in production.
 */
export function loopbackAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.VANGRAIL_TEST_MODE === "1" && env.NODE_ENV !== "production";
}

export class BlockedAddressError extends AppError {
  readonly hostname: string;
  readonly address: string;
  readonly reason: DenyReason;
  constructor(hostname: string, address: string, reason: DenyReason) {
    super("fetch_blocked", {
      detail: `${hostname} resolves to ${address} (${reason.replace("_", " ")}); Vangrail only fetches from the public internet.`,
    });
    this.hostname = hostname;
    this.address = address;
    this.reason = reason;
  }
}

/** Resolves `hostname` and returns the address to connect to, or throws BlockedAddressError. */
export async function resolveSafe(hostname: string, opts: GuardOptions = {}): Promise<ResolvedAddress> {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  let addresses: ResolvedAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (opts.resolver ?? systemResolver)(host);
    } catch (e) {
      throw new AppError("fetch_failed", { detail: `${host} does not resolve.`, cause: e });
    }
  }
  if (addresses.length === 0) throw new AppError("fetch_failed", { detail: `${host} does not resolve.` });
  const mayLoopback = opts.allowLoopback === true && loopbackAllowed();
  for (const a of addresses) {
    const reason = denyReason(a.address);
    if (reason && !(mayLoopback && isLoopback(a.address)))
      throw new BlockedAddressError(host, a.address, reason);
  }
  return addresses[0] as ResolvedAddress;
}
