// The taxonomy of categories, read from taxonomy.json (data, versioned) and checked at load:
// every category maps to a DSA statement-of-reasons category and keywords and to Dutch offences.
import { readFileSync } from "node:fs";
import { z } from "zod";

const bilingual = z.strictObject({ nl: z.string().min(1), en: z.string().min(1) });

const schema = z.strictObject({
  version: z.string().min(1),
  note: z.string(),
  categories: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z_]+$/),
        label: bilingual,
        description: bilingual,
        dsa: z.strictObject({
          category: z.string().regex(/^STATEMENT_CATEGORY_[A-Z_]+$/),
          keywords: z.array(z.string().regex(/^KEYWORD_[A-Z_]+$/)).min(1),
          additions: z.array(z.string().regex(/^STATEMENT_CATEGORY_[A-Z_]+$/)).optional(),
          other: z.string().optional(),
        }),
        offences: z.array(z.string()).min(1),
        /** Possessing the material is an offence: media is hashed in memory and never stored. */
        mustNotStoreMedia: z.boolean(),
      }),
    )
    .min(1),
  offences: z.record(z.string(), bilingual),
});

export type Taxonomy = z.infer<typeof schema>;
export type Category = Taxonomy["categories"][number];

export const categoryIds = [
  "ncii",
  "sextortion",
  "deepfake",
  "nudify_service",
  "csam",
  "grooming",
  "sexual_harassment",
  "doxing",
  "exposure_list",
] as const;
export type CategoryId = (typeof categoryIds)[number];

function load(): Taxonomy {
  const raw = JSON.parse(readFileSync(new URL("./taxonomy.json", import.meta.url), "utf8"));
  const t = schema.parse(raw);
  const ids = t.categories.map((c) => c.id);
  if (ids.join() !== [...categoryIds].join())
    throw new Error(`taxonomy.json categories ${ids} != ${categoryIds}`);
  for (const c of t.categories) {
    for (const o of c.offences)
      if (!t.offences[o]) throw new Error(`taxonomy: offence ${o} of ${c.id} is not described`);
  }
  return t;
}

export const taxonomy: Taxonomy = load();

export function category(id: string): Category | undefined {
  return taxonomy.categories.find((c) => c.id === id);
}

/** Categories whose media must never be stored (possession is an offence). */
export const mustNotStoreMedia = (id: string): boolean => category(id)?.mustNotStoreMedia ?? false;

/** Categories that by themselves concern a minor. */
export const concernsMinor = (id: string): boolean => id === "csam" || id === "grooming";
