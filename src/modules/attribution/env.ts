// The outside-world tools attribution needs beyond `Deps`: the bootstrap registry, the RDAP
// client over the safe fetcher and the DNS resolver. Built once per `Deps` from its
// configuration; tests and the CLI replace parts (a fixture resolver, a local bootstrap, the
// loopback exception for the local RDAP server).
import { join } from "node:path";
import type { Logger } from "pino";
import { Fetcher, type FetcherConfig } from "../../platform/fetcher/fetcher.ts";
import { loopbackAllowed } from "../../platform/fetcher/guard.ts";
import type { Deps } from "../deps.ts";
import {
  type Bootstrap,
  bootstrapStamp,
  hasBootstrap,
  loadBootstrap,
  SHIPPED_BOOTSTRAP_DIR,
} from "./bootstrap.ts";
import { type HostResolver, systemHostResolver } from "./dns.ts";
import { RdapClient } from "./rdap.ts";

export interface AttributionEnv {
  rdap: RdapClient;
  resolver: HostResolver;
  dnsTimeoutMs: number;
  /** The current bootstrap registry (reloaded when its files change). */
  bootstrap: () => Bootstrap;
  /** Where the bootstrap was loaded from. */
  bootstrapDir: string;
  /** Hosts looked up at the same time within one batch. */
  concurrency: number;
  /**
   * Attribute hosts on loopback addresses (the simulation's fictional networks). Honoured only
   * where the fetcher's loopback exception is (`VANGRAIL_TEST_MODE=1`, not production).
   */
  loopbackHosts: boolean;
}

export interface AttributionEnvOptions {
  /** Folder of the bootstrap files; default: RDAP_BOOTSTRAP_DIR, else the data folder's copy, else the shipped one. */
  bootstrapDir?: string;
  resolver?: HostResolver;
  fetcher?: Partial<FetcherConfig>;
  /** A 429 whose Retry-After is at most this long is waited out once. */
  maxWaitMs?: number;
  dnsTimeoutMs?: number;
  concurrency?: number;
  loopbackHosts?: boolean;
}

/** Where `vangrail attribution bootstrap` writes when RDAP_BOOTSTRAP_DIR is not set. */
export const dataBootstrapDir = (deps: Pick<Deps, "config">): string =>
  join(deps.config.dataDir, "rdap-bootstrap");

/**
 * The bootstrap folder in use: RDAP_BOOTSTRAP_DIR when set (it must be valid), else the copy
 * `vangrail attribution bootstrap` left in the data folder, else the shipped one.
 */
export function bootstrapDirFor(deps: Pick<Deps, "config">, explicit?: string): string {
  const configured = explicit ?? deps.config.attribution.bootstrapDir;
  if (configured) return configured;
  const local = dataBootstrapDir(deps);
  return hasBootstrap(local) ? local : SHIPPED_BOOTSTRAP_DIR;
}

/**
 * A bootstrap that notices new files (the CLI replaced them) and reloads, checking at most
 * once a minute. A folder that turns invalid keeps the last good tables and logs why.
 */
function reloadingBootstrap(dir: string, logger: Logger | undefined): () => Bootstrap {
  let current = loadBootstrap(dir);
  let stamp = bootstrapStamp(dir);
  let checkedAt = Date.now();
  return () => {
    if (Date.now() - checkedAt < 60_000) return current;
    checkedAt = Date.now();
    const now = bootstrapStamp(dir);
    if (now === stamp) return current;
    stamp = now;
    try {
      current = loadBootstrap(dir);
      logger?.info({ dir, publication: current.publications() }, "rdap bootstrap reloaded");
    } catch (err) {
      logger?.error(
        { err, dir },
        "rdap bootstrap files changed but are not valid; keeping the previous ones",
      );
    }
    return current;
  };
}

export function buildAttributionEnv(deps: Deps, o: AttributionEnvOptions = {}): AttributionEnv {
  const a = deps.config.attribution;
  const dir = bootstrapDirFor(deps, o.bootstrapDir);
  let bootstrap: () => Bootstrap;
  try {
    bootstrap = reloadingBootstrap(dir, deps.logger);
  } catch (err) {
    // A broken copy in the data folder must not stop attribution; a configured folder must.
    if (dir !== dataBootstrapDir(deps)) throw err;
    deps.logger.error({ err, dir }, "rdap bootstrap in the data folder is not valid; using the shipped copy");
    bootstrap = reloadingBootstrap(SHIPPED_BOOTSTRAP_DIR, deps.logger);
  }
  const f = deps.config.evidence.fetcher;
  const fetcher = new Fetcher({
    contactUrl: f.contactUrl,
    maxBytes: a.rdapMaxBytes,
    timeoutMs: a.rdapTimeoutMs,
    headerTimeoutMs: Math.min(15_000, a.rdapTimeoutMs),
    maxRedirects: 5,
    // RDAP servers rate-limit eagerly: a few requests at a time to each.
    perHostConcurrency: 4,
    ...o.fetcher,
  });
  const dnsTimeoutMs = o.dnsTimeoutMs ?? Math.min(10_000, a.rdapTimeoutMs);
  return {
    rdap: new RdapClient({
      fetcher,
      bootstrap,
      db: deps.db,
      clock: deps.clock,
      logger: deps.logger,
      cacheMs: a.rdapCacheHours * 3_600_000,
      timeoutMs: a.rdapTimeoutMs,
      maxBytes: a.rdapMaxBytes,
      ...(o.maxWaitMs !== undefined ? { maxWaitMs: o.maxWaitMs } : {}),
    }),
    resolver: o.resolver ?? systemHostResolver(dnsTimeoutMs),
    dnsTimeoutMs,
    bootstrap,
    bootstrapDir: dir,
    concurrency: o.concurrency ?? 16,
    loopbackHosts: o.loopbackHosts === true && loopbackAllowed(),
  };
}

const envs = new WeakMap<Deps, AttributionEnv>();

export function attributionEnv(deps: Deps): AttributionEnv {
  let env = envs.get(deps);
  if (!env) {
    env = buildAttributionEnv(deps);
    envs.set(deps, env);
  }
  return env;
}

/** Replaces the tools used for `deps` (tests, the simulated world). */
export function setAttributionEnv(deps: Deps, env: AttributionEnv): void {
  envs.set(deps, env);
}
