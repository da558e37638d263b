// Notices in the web front end: the shapes the notices API returns (src/modules/notices/
// service.ts), the limits of a party's response (responseBody in src/modules/notices/routes.ts),
// and small helpers for the party's response page.

export const RESPOND_PATH = /^\/respond\/([^/]+)$/;
/** The form of a response token; anything else is not worth asking the server about. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;

export const OUTCOMES = ["removed", "disabled", "geo_restricted", "refused", "not_responsible"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const RESPONSE_KINDS = ["acknowledged", ...OUTCOMES, "question"] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

/** The lengths responseBody allows; the form counts against the same numbers. */
export const RESPONSE_LIMITS = {
  restriction: 500,
  ground: 2000,
  facts: 5000,
  responsible: 1000,
  message: 5000,
  countries: 250,
} as const;

/** The header that tells the server a response came through this page, not the API. */
export const RESPONSE_PAGE_HEADER = { "x-vangrail-response-page": "1" } as const;

// ---------- the party's view (GET /public/notices/:token) ----------

export interface PublicNotice {
  reference: string;
  language: "nl" | "en";
  party: string;
  category: { id: string; label: { nl: string; en: string } };
  /** null: withheld under DSA art. 16(2)(c) (child sexual abuse material). */
  notifier: { name: string; email: string | null; trustedFlagger: boolean } | null;
  subject: string;
  text: string;
  deadlineAt: string;
  sentAt: string | null;
  acknowledgedAt: string | null;
  items: { id: string; url: string; outcome: Outcome | null; outcomeAt: string | null }[];
  responses: { id: string; kind: ResponseKind; itemIds: string[]; receivedAt: string }[];
}

export interface ResponseReceipt {
  responseId: string;
  reference: string;
  kind: ResponseKind;
  receivedAt: string;
  itemIds: string[];
}

/** "nl, be de" → ["NL", "BE", "DE"]; the invalid entries separately, as typed. */
export function parseCountries(text: string): { codes: string[]; invalid: string[] } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const codes = [...new Set(parts.filter((p) => /^[A-Za-z]{2}$/.test(p)).map((p) => p.toUpperCase()))];
  return { codes, invalid: parts.filter((p) => !/^[A-Za-z]{2}$/.test(p)) };
}

/** The URL as a link target only when it is http(s): never javascript:, data: or the like. */
export function safeHttpUrl(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The field a server problem points at: "facts", "itemIds.0" → "itemIds", "(body)" → "". */
export function fieldOfPath(path: string): string {
  const first = path.replace(/^[/#]+/, "").split(/[./]/)[0] ?? "";
  return first === "(body)" ? "" : first;
}
