// The outside-world tools monitoring needs beyond `Deps`: its own safe fetcher (GET only, the
// policy's time and size bounds, the private-address guard on), the per-host politeness gate and
// the policy. Built once per `Deps`; tests, the benchmark and the simulation replace parts (the
// loopback exception for their local sites, a policy with other numbers).
import { Fetcher, type FetcherConfig } from "../../platform/fetcher/fetcher.ts";
import type { Deps } from "../deps.ts";
import { HostGate } from "./gate.ts";
import { loadPolicy, type MonitoringPolicy, parsePolicy } from "./policy.ts";

export interface MonitoringEnv {
  fetcher: Fetcher;
  gate: HostGate;
  policy: MonitoringPolicy;
  /**
   * Where a URL is fetched from, when that differs from the URL itself: the simulation's
   * fictional sites all listen on one local port. Identity in production.
   */
  target: (url: string) => string;
}

export interface MonitoringEnvOptions {
  fetcher?: Partial<FetcherConfig>;
  /** A policy (as data) instead of the configured one. */
  policy?: unknown;
  target?: (url: string) => string;
}

export function buildMonitoringEnv(deps: Deps, o: MonitoringEnvOptions = {}): MonitoringEnv {
  const policy =
    o.policy === undefined ? loadPolicy(deps.config.monitoring.policyFile) : parsePolicy(o.policy);
  const f = deps.config.evidence.fetcher;
  const fetcher = new Fetcher({
    contactUrl: f.contactUrl,
    maxBytes: policy.fetch.maxBytes,
    timeoutMs: policy.fetch.timeoutMs,
    headerTimeoutMs: policy.fetch.timeoutMs,
    maxRedirects: policy.fetch.maxRedirects,
    // The gate below is the politeness limit; the fetcher's own is a backstop above it.
    perHostConcurrency: Math.max(policy.politeness.perHostConcurrency, f.perHostConcurrency),
    ...o.fetcher,
  });
  return {
    fetcher,
    gate: new HostGate(policy.politeness.perHostConcurrency, policy.politeness.minSpacingMs),
    policy,
    target: o.target ?? ((u) => u),
  };
}

const envs = new WeakMap<Deps, MonitoringEnv>();

export function monitoringEnv(deps: Deps): MonitoringEnv {
  let env = envs.get(deps);
  if (!env) {
    env = buildMonitoringEnv(deps);
    envs.set(deps, env);
  }
  return env;
}

/** Replaces the tools used for `deps` (tests, the benchmark, the simulated world). */
export function setMonitoringEnv(deps: Deps, env: MonitoringEnv): void {
  envs.set(deps, env);
}
