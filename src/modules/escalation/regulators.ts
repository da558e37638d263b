// The catalogue of regulators, the police and the public prosecutor that an enforcement request
// (handhavingsverzoek) or a report of a crime can go to: each with its legal basis (nl/en),
// whether the Awb decision term runs (art. 4:13), its default term, and the decision the
// request asks for by default. Kept as JSON so a change of the law is a data change.
import { readFileSync } from "node:fs";
import { z } from "zod";

const text = z.object({ nl: z.string().min(1), en: z.string().min(1) });

const regulatorSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/),
  name: text,
  role: text,
  /** The kind of Vangrail organisation that may stand for it. */
  organisationKind: z.enum(["regulator", "police"]),
  requestKind: z.enum(["handhavingsverzoek", "complaint", "crime_report"]),
  awbTerm: z.boolean(),
  defaultTermWeeks: z.number().int().min(1).max(52).nullable(),
  legalBasis: z.array(z.object({ ref: z.string().min(1), text })).min(1),
  decisionRequested: text,
});

export type Regulator = z.infer<typeof regulatorSchema>;
export type Language = "nl" | "en";

const catalogueSchema = z
  .object({ version: z.string(), regulators: z.array(regulatorSchema).min(1) })
  .refine((c) => new Set(c.regulators.map((r) => r.id)).size === c.regulators.length, "duplicate id")
  .refine(
    (c) => c.regulators.every((r) => r.awbTerm === (r.defaultTermWeeks !== null)),
    "a regulator with the Awb term has a default term, one without has none",
  );

const catalogue = catalogueSchema.parse(
  JSON.parse(readFileSync(new URL("./regulators.json", import.meta.url), "utf8")),
);

export const catalogueVersion = catalogue.version;
export const regulators: readonly Regulator[] = catalogue.regulators;
export const regulatorIds = regulators.map((r) => r.id);

export function regulatorById(id: string): Regulator | undefined {
  return regulators.find((r) => r.id === id);
}
