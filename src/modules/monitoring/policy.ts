// The monitoring policy: how often an item is re-checked, for how long, how politely per host,
// what the fetcher may spend on one check, and the pages by which platforms say "removed".
// Shipped as data (policy.json); MONITORING_POLICY_FILE replaces it. Validated when first used,
// so a typo in the file is a configuration error, not a silent schedule.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { AppError } from "../../platform/errors.ts";

const HOUR = 3_600_000;
const hours = z
  .number()
  .positive()
  .max(24 * 365);

const removalPage = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
    /** Matched against the text of an answer's body (its first 64 KiB). */
    pattern: z.string().min(1).max(500).optional(),
    /** Matched against the final URL after redirects (a platform's "removed" landing page). */
    urlPattern: z.string().min(1).max(500).optional(),
    flags: z
      .string()
      .regex(/^[imsu]*$/)
      .max(4)
      .optional(),
    /** Only for these host names (and their subdomains); default every host. */
    hosts: z.array(z.string().min(1).max(253)).max(100).optional(),
  })
  .strict()
  .refine((p) => p.pattern !== undefined || p.urlPattern !== undefined, {
    message: "give pattern or urlPattern",
  });

const schema = z
  .object({
    version: z.string().min(1).max(100),
    note: z.string().max(5000).optional(),
    /** From `fromHours` after monitoring started, a check every `everyHours`. */
    cadence: z
      .array(
        z
          .object({
            fromHours: z
              .number()
              .min(0)
              .max(24 * 365),
            everyHours: hours,
          })
          .strict(),
      )
      .min(1)
      .max(20),
    endAfterDays: z.number().positive().max(3650),
    claimCheckMinutes: z
      .number()
      .min(0)
      .max(24 * 60),
    confirmAfterRemovalHours: z.array(hours).max(20),
    errorBackoff: z
      .object({
        firstMinutes: z
          .number()
          .positive()
          .max(24 * 60),
        maxHours: hours,
      })
      .strict(),
    politeness: z
      .object({
        perHostConcurrency: z.number().int().min(1).max(64),
        minSpacingMs: z.number().int().min(0).max(600_000),
        perHostPerBatch: z.number().int().min(1).max(10_000),
      })
      .strict(),
    worker: z
      .object({
        batch: z.number().int().min(1).max(5000),
        /** Checks in flight per batch. */
        concurrency: z.number().int().min(1).max(1000),
        /** Batches in flight at once in one worker. */
        lanes: z.number().int().min(1).max(32),
        leaseMinutes: z
          .number()
          .positive()
          .max(24 * 60),
      })
      .strict(),
    fetch: z
      .object({
        timeoutMs: z.number().int().min(100).max(600_000),
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 ** 3),
        maxRedirects: z.number().int().min(0).max(20),
        maxMedia: z.number().int().min(0).max(100),
        mediaMaxBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 ** 3),
      })
      .strict(),
    removalPages: z.array(removalPage).max(200),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.cadence[0]?.fromHours !== 0)
      ctx.addIssue({
        code: "custom",
        path: ["cadence", 0, "fromHours"],
        message: "the first step starts at 0",
      });
    for (let i = 1; i < p.cadence.length; i++)
      if ((p.cadence[i]?.fromHours ?? 0) <= (p.cadence[i - 1]?.fromHours ?? 0))
        ctx.addIssue({ code: "custom", path: ["cadence", i], message: "steps must start later and later" });
    const ids = p.removalPages.map((r) => r.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: "custom", path: ["removalPages"], message: "duplicate id" });
    for (const [i, r] of p.removalPages.entries())
      for (const key of ["pattern", "urlPattern"] as const) {
        const source = r[key];
        if (source === undefined) continue;
        try {
          new RegExp(source, r.flags);
        } catch (e) {
          ctx.addIssue({
            code: "custom",
            path: ["removalPages", i, key],
            message: `not a valid regular expression: ${(e as Error).message}`,
          });
        }
      }
  });

export type MonitoringPolicyInput = z.input<typeof schema>;

export interface RemovalPage {
  id: string;
  text: RegExp | undefined;
  url: RegExp | undefined;
  hosts: string[] | undefined;
}

export type MonitoringPolicy = Omit<z.infer<typeof schema>, "removalPages"> & { removalPages: RemovalPage[] };

/** Checks and compiles a policy; throws validation_failed naming every problem. */
export function parsePolicy(json: unknown): MonitoringPolicy {
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new AppError("validation_failed", {
      detail: `Monitoring policy is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    });
  const p = parsed.data;
  return {
    ...p,
    removalPages: p.removalPages.map((r) => ({
      id: r.id,
      text: r.pattern === undefined ? undefined : new RegExp(r.pattern, r.flags),
      url: r.urlPattern === undefined ? undefined : new RegExp(r.urlPattern, r.flags),
      hosts: r.hosts?.map((h) => h.toLowerCase()),
    })),
  };
}

const cache = new Map<string, MonitoringPolicy>();

/** The policy in force: `file` when given (MONITORING_POLICY_FILE), else the shipped one. */
export function loadPolicy(file?: string): MonitoringPolicy {
  const key = file ?? "";
  let p = cache.get(key);
  if (!p) {
    const source = file ?? new URL("./policy.json", import.meta.url);
    p = parsePolicy(JSON.parse(readFileSync(source, "utf8")));
    cache.set(key, p);
  }
  return p;
}

/** The shipped policy as data, for tests and the benchmark to adjust. */
export function shippedPolicyInput(): MonitoringPolicyInput {
  return JSON.parse(readFileSync(new URL("./policy.json", import.meta.url), "utf8")) as MonitoringPolicyInput;
}

/** The interval in force `ageMs` after monitoring started. */
export function intervalAt(policy: MonitoringPolicy, ageMs: number): number {
  let every = policy.cadence[0]?.everyHours ?? 24;
  for (const step of policy.cadence) if (ageMs >= step.fromHours * HOUR) every = step.everyHours;
  return every * HOUR;
}

/**
 * When the next regular check is due after a check at `at`, or `undefined` when the schedule
 * has run out (`expired`).
 */
export function nextRegularCheck(policy: MonitoringPolicy, startedAt: Date, at: Date): Date | undefined {
  const next = at.getTime() + intervalAt(policy, at.getTime() - startedAt.getTime());
  const end = startedAt.getTime() + policy.endAfterDays * 24 * HOUR;
  return at.getTime() >= end ? undefined : new Date(Math.min(next, end));
}

/** The delay after the `n`-th error in a row (1-based): doubling from the first, capped. */
export function errorDelay(policy: MonitoringPolicy, n: number): number {
  const first = policy.errorBackoff.firstMinutes * 60_000;
  const max = policy.errorBackoff.maxHours * HOUR;
  return Math.min(max, first * 2 ** Math.min(30, Math.max(0, n - 1)));
}

/** The removal page that `text` (or the final URL) shows for `host`, if any. */
export function removalPageOf(
  policy: MonitoringPolicy,
  host: string,
  finalUrl: string,
  text: string,
): string | undefined {
  const h = host.toLowerCase();
  for (const r of policy.removalPages) {
    if (r.hosts && !r.hosts.some((x) => h === x || h.endsWith(`.${x}`))) continue;
    if (r.url?.test(finalUrl)) return r.id;
    if (r.text?.test(text)) return r.id;
  }
  return undefined;
}
