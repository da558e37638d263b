// zod schemas of intake: the public report, the partner report, the status check, the import.
import { z } from "zod";
import { limits } from "../../platform/limits.ts";
import { categoryIds } from "../cases/taxonomy.ts";

/**
 * Free text from outside: invalid UTF-16 (lone surrogates) becomes U+FFFD, NUL and other
 * control characters except tab and newline are dropped, and the text is NFC-normalised.
 */
export const cleanText = (max: number) =>
  z
    .string()
    .max(max * 2)
    .transform((s) =>
      s
        .toWellFormed()
        // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
        .normalize("NFC")
        .trim(),
    )
    .pipe(z.string().max(max));

export const reporterRoles = ["depicted", "parent", "bystander", "professional"] as const;
export const ageBands = ["under_13", "13_15", "16_17", "18_24", "25_plus", "unknown"] as const;

export const answers = z
  .strictObject({
    immediateDanger: z.boolean().default(false),
    selfHarm: z.boolean().default(false),
    minorInvolved: z.boolean().default(false),
    ongoingThreat: z.boolean().default(false),
    paid: z.boolean().default(false),
    physicalViolence: z.boolean().default(false),
  })
  .default({
    immediateDanger: false,
    selfHarm: false,
    minorInvolved: false,
    ongoingThreat: false,
    paid: false,
    physicalViolence: false,
  });

const account = z.strictObject({
  platform: cleanText(limits.nameMax).optional(),
  handle: cleanText(limits.nameMax).pipe(z.string().min(1)),
});

const contact = z.strictObject({
  name: cleanText(limits.contactFieldMax).optional(),
  email: z.email().max(limits.emailMax).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()-]{6,20}$/, "Enter a phone number with digits only.")
    .optional(),
  preferred: z.enum(["email", "phone"]).optional(),
});

export const reportFields = {
  category: z.enum(categoryIds),
  urls: z
    .array(z.string().max(limits.urlMax))
    .max(limits.urlsPerReport, `At most ${limits.urlsPerReport} links per report.`),
  accounts: z.array(account).max(limits.accountsPerReport).default([]),
  platform: cleanText(limits.nameMax).optional(),
  description: cleanText(limits.descriptionMax),
  reporterRole: z.enum(reporterRoles),
  ageBand: z.enum(ageBands),
  answers,
  contact: contact.optional(),
  language: z.enum(["nl", "en"]).default("nl"),
};

export const publicReport = z.strictObject({
  ...reportFields,
  consent: z.strictObject({ given: z.literal(true), version: z.string().max(50) }),
  /** Honeypot: a field people never see; bots fill it. */
  website: z.string().max(1000).optional(),
});

export const partnerReport = z.strictObject({
  ...reportFields,
  /** The partner's own mandate from the reporter. */
  consent: z.strictObject({ given: z.literal(true), version: z.string().min(1).max(100) }),
  partnerReference: cleanText(200).optional(),
});

export type PublicReport = z.output<typeof publicReport>;
export type PartnerReport = z.output<typeof partnerReport>;

export const statusQuery = z.strictObject({
  receipt: z.string().min(4).max(40),
  secret: z.string().min(4).max(60),
});

/** The secret handed out with one submission of device hashes (base64url, 24 random bytes). */
export const withdrawalSecretQuery = z.strictObject({
  withdrawalSecret: z.string().trim().min(16).max(100),
});

export const reportReceipt = z.object({
  receipt: z.string(),
  secret: z.string(),
  urgent: z.boolean(),
  helpRoutes: z.array(
    z.object({
      id: z.string(),
      title: z.object({ nl: z.string(), en: z.string() }),
      text: z.object({ nl: z.string(), en: z.string() }),
      phone: z.string().optional(),
      phoneAlt: z.string().optional(),
      url: z.string().optional(),
      urgent: z.boolean(),
    }),
  ),
});

export const importBody = z.strictObject({
  csv: z.string().max(limits.importBytesMax),
  caseId: z.uuid().optional(),
  category: z.enum(categoryIds).optional(),
});
