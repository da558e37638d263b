// The deadline policy: hours to act per category, and when reminders go. Shipped as data
// (policy.json); NOTICE_POLICY_FILE replaces it. Validated at start, so a typo in the file is a
// configuration error, not a missed deadline.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { AppError } from "../../platform/errors.ts";
import { categoryIds } from "../cases/taxonomy.ts";

const hours = z
  .number()
  .positive()
  .max(24 * 365);

const reminder = z.union([
  z.object({ id: z.string().regex(/^[a-z0-9_-]{1,40}$/), hoursBeforeDeadline: hours }).strict(),
  z
    .object({
      id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
      hoursAfterDeadline: z
        .number()
        .min(0)
        .max(24 * 365),
    })
    .strict(),
]);

const schema = z
  .object({
    version: z.string().min(1).max(100),
    note: z.string().max(5000).optional(),
    defaultHours: hours,
    categories: z.record(z.string(), hours),
    reminders: z.array(reminder).max(10),
  })
  .strict()
  .superRefine((p, ctx) => {
    for (const id of Object.keys(p.categories))
      if (!(categoryIds as readonly string[]).includes(id))
        ctx.addIssue({ code: "custom", path: ["categories", id], message: "not a taxonomy category" });
    const ids = p.reminders.map((r) => r.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: "custom", path: ["reminders"], message: "duplicate id" });
  });

export type NoticePolicy = z.infer<typeof schema>;
export type Reminder = NoticePolicy["reminders"][number];

export function parsePolicy(json: unknown): NoticePolicy {
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new AppError("validation_failed", {
      detail: `Notice policy is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    });
  return parsed.data;
}

const cache = new Map<string, NoticePolicy>();

/** The policy in force: `file` when given (NOTICE_POLICY_FILE), else the shipped one. */
export function loadPolicy(file?: string): NoticePolicy {
  const key = file ?? "";
  let p = cache.get(key);
  if (!p) {
    const source = file ?? new URL("./policy.json", import.meta.url);
    p = parsePolicy(JSON.parse(readFileSync(source, "utf8")));
    cache.set(key, p);
  }
  return p;
}

/** Hours a party has to act on a notice of `category`; an agreed shorter time wins. */
export function deadlineHours(policy: NoticePolicy, category: string, agreedHours?: number | null): number {
  const h = policy.categories[category] ?? policy.defaultHours;
  return agreedHours && agreedHours < h ? agreedHours : h;
}

/** When reminder `r` is due for a notice sent at `sentAt` with deadline `deadline`. */
export function reminderDueAt(r: Reminder, deadline: Date): Date {
  const ms =
    "hoursBeforeDeadline" in r ? -r.hoursBeforeDeadline * 3_600_000 : r.hoursAfterDeadline * 3_600_000;
  return new Date(deadline.getTime() + ms);
}
