// The public report: shapes of the public API, the checks the form makes before sending, and
// the help that must show the moment someone ticks an urgent answer.
import { limits } from "../../../src/platform/limits.ts";

export interface Bilingual {
  nl: string;
  en: string;
}

export interface FormCategory {
  id: string;
  label: Bilingual;
  description: Bilingual;
}

export interface HelpRoute {
  id: string;
  title: Bilingual;
  text: Bilingual;
  phone?: string | undefined;
  phoneAlt?: string | undefined;
  url?: string | undefined;
  urgent: boolean;
}

export interface ReportFormLimits {
  urlsPerReport: number;
  accountsPerReport: number;
  descriptionMax: number;
  filesPerReport: number;
  fileMaxBytes: number;
}

/** GET /public/report-form */
export interface ReportForm {
  categories: FormCategory[];
  taxonomyVersion: string;
  consent: { version: string; nl: string; en: string };
  helpRoutes: HelpRoute[];
  limits: ReportFormLimits;
}

/** 201 of POST /public/reports */
export interface ReportReceipt {
  receipt: string;
  secret: string;
  urgent: boolean;
  helpRoutes: HelpRoute[];
}

export type PublicStatus = "received" | "in_review" | "in_progress" | "closed";

/** POST /public/reports/status */
export interface ReportStatus {
  receipt: string;
  receivedAt: string;
  status: PublicStatus;
  updatedAt: string;
  items: number;
  removed: number;
}

export const PUBLIC_STATUSES: readonly PublicStatus[] = ["received", "in_review", "in_progress", "closed"];

export const REPORTER_ROLES = ["depicted", "parent", "bystander", "professional"] as const;
export type ReporterRole = (typeof REPORTER_ROLES)[number];

export const AGE_BANDS = ["under_13", "13_15", "16_17", "18_24", "25_plus", "unknown"] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const ANSWER_KEYS = [
  "immediateDanger",
  "selfHarm",
  "minorInvolved",
  "ongoingThreat",
  "paid",
  "physicalViolence",
] as const;
export type AnswerKey = (typeof ANSWER_KEYS)[number];
export type Answers = Record<AnswerKey, boolean>;

export const NO_ANSWERS: Answers = {
  immediateDanger: false,
  selfHarm: false,
  minorInvolved: false,
  ongoingThreat: false,
  paid: false,
  physicalViolence: false,
};

/**
 * Categories for which the form offers no upload at all: nobody should ever send, keep or
 * pass on such images, not even to a hotline. The report takes the link only.
 */
export const NO_UPLOAD_CATEGORIES: ReadonlySet<string> = new Set(["csam", "grooming"]);

/** The same limits the API uses; the form's own copy from the server wins when it is loaded. */
export const DEFAULT_LIMITS: ReportFormLimits = {
  urlsPerReport: limits.urlsPerReport,
  accountsPerReport: limits.accountsPerReport,
  descriptionMax: limits.descriptionMax,
  filesPerReport: limits.filesPerReport,
  fileMaxBytes: limits.fileMaxBytes,
};
export const URL_MAX_LENGTH = limits.urlMax;
export const NAME_MAX_LENGTH = limits.nameMax;
export const CONTACT_FIELD_MAX = limits.contactFieldMax;

/** Screenshots the server can read; iOS turns a HEIC photo into JPEG for this list. */
export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;

export const isMinorAge = (band: string): boolean =>
  band === "under_13" || band === "13_15" || band === "16_17";

/**
 * Whether a link looks like one the server accepts: http(s), a host with a dot, no spaces.
 * A missing scheme is fine ("instagram.com/x"), as on the server.
 */
export function looksLikeUrl(input: string): boolean {
  const text = input.trim();
  if (!text || text.length > URL_MAX_LENGTH || /\s/.test(text)) return false;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    return url.hostname.includes(".") || url.hostname.startsWith("[");
  } catch {
    return false;
  }
}

/** Several links pasted at once: one per line or separated by spaces. */
export function splitLinks(text: string): string[] {
  return text
    .split(/\s+/)
    .map((part) => part.trim())
    .filter(Boolean);
}

/** Phone numbers as the API accepts them: digits, spaces, brackets, dashes, an optional +. */
export const looksLikePhone = (value: string): boolean => /^\+?[0-9 ()-]{6,20}$/.test(value.trim());

/**
 * Help to show on the form itself, before anything is sent, for one answer: 112 for danger
 * now, 113 for thoughts of self-harm, the sextortion advice for ongoing threats.
 */
export const IMMEDIATE_HELP: Partial<Record<AnswerKey, string>> = {
  immediateDanger: "emergency",
  selfHarm: "suicide_prevention",
  ongoingThreat: "sextortion_advice",
};

/** Urgent routes first, in the server's order otherwise. */
export function urgentFirst(routes: readonly HelpRoute[]): HelpRoute[] {
  return [...routes.filter((r) => r.urgent), ...routes.filter((r) => !r.urgent)];
}

/** "https://www.113.nl/x" → "113.nl", for a link's visible text. */
export function displayHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return url;
  }
}

// The codes move from the confirmation to the status page in memory only: never in the
// address, history or storage, where someone else using the same phone could find them.
let handedOff: { receipt: string; secret: string } | null = null;

export function handOffCodes(codes: { receipt: string; secret: string }): void {
  handedOff = codes;
}

export function peekHandedOffCodes(): { receipt: string; secret: string } | null {
  return handedOff;
}

export function clearHandedOffCodes(): void {
  handedOff = null;
}

/** A file size in words a person knows: "2,4 MB", "830 kB". */
export function formatSize(bytes: number, locale: string): string {
  const tag = locale === "nl" ? "nl-NL" : "en-GB";
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) {
    return new Intl.NumberFormat(tag, { style: "unit", unit: "megabyte", maximumFractionDigits: 1 }).format(
      mb,
    );
  }
  return new Intl.NumberFormat(tag, { style: "unit", unit: "kilobyte", maximumFractionDigits: 0 }).format(
    Math.max(1, Math.round(bytes / 1024)),
  );
}
