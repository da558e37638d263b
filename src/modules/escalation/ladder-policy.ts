// The escalation ladder policy: per taxonomy category, and per jurisdiction (the country of the
// hosting party), the ordered steps an item climbs while it stays online — notices to the next
// party, then requests to a regulator or the police — each with the legal reason for it. Shipped
// as data (ladder.json) and validated when loaded, so a typo is a configuration error that names
// the field, not an item that silently never escalates.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { AppError } from "../../platform/errors.ts";
import { categoryIds } from "../cases/taxonomy.ts";

export const ROLES = ["platform", "hosting", "registrar", "registry"] as const;
export type Role = (typeof ROLES)[number];

/** Where a regulator step goes: the authorities of docs/ESCALATION.md. */
export const REGULATORS = ["acm", "ap", "cvdm", "atkm", "police", "ec"] as const;
export type Regulator = (typeof REGULATORS)[number];

const hours = z
  .number()
  .min(0)
  .max(24 * 365);
const reason = z
  .string()
  .trim()
  .min(20, "give the legal reason for this step (at least 20 characters)")
  .max(2000);

const noticeStep = z.strictObject({
  /** e.g. platform, platform_reminder, hosting; recorded as the notice's step. */
  id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "a notice step id is lower-case letters, digits and _"),
  kind: z.literal("notice"),
  /** Whose attribution receives the notice. */
  role: z.enum(ROLES),
  /** Hours after the previous step's deadline (or filing) at which this step fires. */
  afterHours: hours,
  reason,
});

const regulatorStep = z.strictObject({
  id: z.string().regex(/^regulator:[a-z]+$/, "a regulator step id is regulator:<code>"),
  kind: z.literal("regulator"),
  regulator: z.enum(REGULATORS),
  /** The party the request is about: the first of these roles with an attributed party; [] for none. */
  against: z.array(z.enum(ROLES)).max(4),
  /** Only for a party designated a very large online platform (the Commission's competence). */
  onlyVeryLarge: z.boolean().optional(),
  afterHours: hours,
  /** Regulator and police steps wait for an analyst's approval unless this is false. */
  approval: z.boolean().optional(),
  reason,
});

const step = z.discriminatedUnion("kind", [noticeStep, regulatorStep]);
const ladder = z.array(step).min(1).max(20);

const schema = z
  .strictObject({
    version: z.string().min(1).max(100),
    note: z.string().max(10_000).optional(),
    /** How long a stuck item (no step can act) waits before the engine tries again. */
    stuckRetryHours: z
      .number()
      .positive()
      .max(24 * 30),
    /** category (or "default") → jurisdiction (ISO 3166 alpha-2, or "default") → steps. */
    ladders: z.record(z.string(), z.record(z.string(), ladder)),
  })
  .superRefine((p, ctx) => {
    if (!p.ladders.default?.default)
      ctx.addIssue({
        code: "custom",
        path: ["ladders", "default", "default"],
        message: "the default ladder (category default, jurisdiction default) is required",
      });
    for (const [category, byCountry] of Object.entries(p.ladders)) {
      if (category !== "default" && !(categoryIds as readonly string[]).includes(category))
        ctx.addIssue({
          code: "custom",
          path: ["ladders", category],
          message: "not a taxonomy category (or default)",
        });
      for (const [country, steps] of Object.entries(byCountry)) {
        const at = ["ladders", category, country];
        if (country !== "default" && !/^[A-Z]{2}$/.test(country))
          ctx.addIssue({
            code: "custom",
            path: at,
            message: "a jurisdiction is an ISO 3166 alpha-2 code in capitals, or default",
          });
        if (steps[0]?.kind !== "notice")
          ctx.addIssue({
            code: "custom",
            path: [...at, 0],
            message: "a ladder starts with a notice (an item enters it when its first notice exists)",
          });
        const seen = new Set<string>();
        steps.forEach((s, i) => {
          if (seen.has(s.id))
            ctx.addIssue({ code: "custom", path: [...at, i, "id"], message: `step ${s.id} appears twice` });
          seen.add(s.id);
          if (s.kind === "regulator" && s.id !== `regulator:${s.regulator}`)
            ctx.addIssue({
              code: "custom",
              path: [...at, i, "id"],
              message: `a regulator step's id is regulator:${s.regulator}`,
            });
          if (s.kind === "regulator" && s.onlyVeryLarge && s.against.length === 0)
            ctx.addIssue({
              code: "custom",
              path: [...at, i, "onlyVeryLarge"],
              message: "onlyVeryLarge needs a party to be against",
            });
        });
      }
    }
  });

export type LadderPolicy = z.infer<typeof schema>;
export type LadderStep = z.infer<typeof step>;
export type NoticeStep = z.infer<typeof noticeStep>;
export type RegulatorStep = z.infer<typeof regulatorStep>;

export interface Ladder {
  /** "<category or default>/<country or default>". */
  key: string;
  steps: LadderStep[];
}

/** Parses a policy; the error lists every problem with its place in the file. */
export function parseLadderPolicy(json: unknown): LadderPolicy {
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new AppError("validation_failed", {
      detail: `Escalation ladder policy is not valid: ${parsed.error.issues
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("; ")}`,
    });
  return parsed.data;
}

const cache = new Map<string, LadderPolicy>();

/** The policy in force: `file` when given, else the shipped ladder.json. */
export function loadLadderPolicy(file?: string): LadderPolicy {
  const key = file ?? "";
  let p = cache.get(key);
  if (!p) {
    const source = file ?? new URL("./ladder.json", import.meta.url);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(source, "utf8"));
    } catch (e) {
      throw new AppError("validation_failed", {
        detail: `Escalation ladder policy ${String(source)} cannot be read as JSON: ${(e as Error).message}`,
      });
    }
    p = parseLadderPolicy(json);
    cache.set(key, p);
  }
  return p;
}

/**
 * The ladder for a category and a jurisdiction: the category's ladder for that country, else the
 * category's default, else the default category's ladder for that country, else the default.
 */
export function ladderFor(policy: LadderPolicy, category: string, country: string | null): Ladder {
  const c = country && /^[A-Z]{2}$/.test(country) ? country : null;
  const own = policy.ladders[category];
  const fallback = policy.ladders.default as Record<string, LadderStep[]>;
  const pick: [string, string, LadderStep[] | undefined][] = [
    [category, c ?? "default", c ? own?.[c] : undefined],
    [category, "default", own?.default],
    ["default", c ?? "default", c ? fallback[c] : undefined],
    ["default", "default", fallback.default],
  ];
  for (const [cat, j, steps] of pick) if (steps) return { key: `${cat}/${j}`, steps };
  /* c8 ignore next */
  throw new AppError("internal", { detail: "the ladder policy has no default ladder" });
}

/** The ladder stored under `key` (an item keeps the ladder it entered), if the policy still has it. */
export function ladderByKey(policy: LadderPolicy, key: string): Ladder | undefined {
  const [cat, j] = key.split("/");
  const steps = cat && j ? policy.ladders[cat]?.[j] : undefined;
  return steps ? { key, steps } : undefined;
}

/** Where a notice's step stands on a ladder: by step id, else the first notice step of that role; -1 if neither. */
export function indexOfStep(ladder: Ladder, stepId: string): number {
  const exact = ladder.steps.findIndex((s) => s.id === stepId);
  if (exact >= 0) return exact;
  return ladder.steps.findIndex((s) => s.kind === "notice" && s.role === stepId);
}

/** Whether two steps address the same party: notice steps of the same role. */
export const sameParty = (a: LadderStep | undefined, b: LadderStep): boolean =>
  a?.kind === "notice" && b.kind === "notice" && a.role === b.role;

/** Regulator and police steps need an analyst's approval unless the step says otherwise. */
export const needsApproval = (s: RegulatorStep): boolean => s.approval ?? true;
