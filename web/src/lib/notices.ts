// Notices in the web front end: the shapes the notices API returns (src/modules/notices/
// service.ts), the limits of a party's response (responseBody in src/modules/notices/routes.ts),
// and small helpers shared by the party's response page and the case page.
import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import type { Resource } from "./useResource.ts";

export const RESPOND_PATH = /^\/respond\/([^/]+)$/;
/** The form of a response token; anything else is not worth asking the server about. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;

export const OUTCOMES = ["removed", "disabled", "geo_restricted", "refused", "not_responsible"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const RESPONSE_KINDS = ["acknowledged", ...OUTCOMES, "question"] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

export const CSAM_CLASSIFICATIONS = ["baseline", "A1", "A2", "B1", "B2"] as const;
export type CsamClassification = (typeof CSAM_CLASSIFICATIONS)[number];

/** The lengths responseBody allows; the form counts against the same numbers. */
export const RESPONSE_LIMITS = {
  restriction: 500,
  ground: 2000,
  facts: 5000,
  responsible: 1000,
  message: 5000,
  countries: 250,
} as const;
export const MANUAL_REASON_MAX = 1000;

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

// ---------- the hotline's view (GET /cases/:id/notices) ----------

export interface NoticeResponse {
  id: string;
  kind: ResponseKind;
  itemIds: string[];
  restriction: string | null;
  groundKind: "legal" | "contractual" | null;
  ground: string | null;
  facts: string | null;
  automated: boolean | null;
  countries: string[] | null;
  responsible: string | null;
  message: string | null;
  via: "page" | "api";
  receivedAt: string;
}

export interface NoticeDelivery {
  purpose: "notice" | "receipt" | "reminder";
  channel: "email" | "webhook" | "webform" | null;
  recipient: string | null;
  status: "pending" | "sending" | "sent" | "failed" | "manual";
  attempts: number;
  sentAt: string | null;
  error: string | null;
}

export interface CaseNotice {
  id: string;
  reference: string;
  step: string;
  status: "queued" | "sent" | "failed" | "acknowledged" | "answered" | "closed";
  category: string;
  language: "nl" | "en";
  subject: string;
  party: { id: string; name: string };
  deadlineAt: string;
  createdAt: string;
  sentAt: string | null;
  acknowledgedAt: string | null;
  answeredAt: string | null;
  items: { itemId: string; outcome: Outcome | null; outcomeAt: string | null; overdueAt: string | null }[];
  deliveries: NoticeDelivery[];
  responses: NoticeResponse[];
}

export interface CreatedNotices {
  created: {
    noticeId: string;
    reference: string;
    partyId: string;
    partyName: string;
    step: string;
    itemIds: string[];
    delivery: "queued" | "manual";
  }[];
  /** `code` is stable (translated here); `reason` is the server's English sentence. */
  skipped: { itemId: string; url: string; code?: string; params?: Record<string, string>; reason: string }[];
}

/** The notices of a case, or an idle resource when this person may not read them. */
export function useCaseNotices(
  caseId: string,
  enabled: boolean,
): [Resource<{ items: CaseNotice[] }> | null, () => Promise<void>] {
  const [resource, setResource] = useState<Resource<{ items: CaseNotice[] }>>({
    status: "loading",
    data: null,
    error: null,
  });
  const load = useCallback(async () => {
    if (!enabled) return;
    try {
      setResource({
        status: "ready",
        data: await api.get<{ items: CaseNotice[] }>(`/cases/${caseId}/notices`),
        error: null,
      });
    } catch (error) {
      setResource({ status: "failed", data: null, error });
    }
  }, [caseId, enabled]);
  useEffect(() => {
    void load();
  }, [load]);
  return [enabled ? resource : null, load];
}

/** An item of a notice that has no answer and whose deadline has passed (or was marked so). */
export function isOverdue(
  item: { outcome: string | null; overdueAt?: string | null },
  deadlineAt: string,
  now = Date.now(),
): boolean {
  return !item.outcome && (Boolean(item.overdueAt) || new Date(deadlineAt).getTime() < now);
}

export interface ItemNoticeState {
  party: string;
  outcome: Outcome | null;
  at: string | null;
  deadlineAt: string;
  overdue: boolean;
}

/** Per item, what its latest notice says: the newest outcome, else the newest open notice. */
export function latestByItem(notices: readonly CaseNotice[], now = Date.now()): Map<string, ItemNoticeState> {
  const out = new Map<string, ItemNoticeState>();
  const rank = (s: ItemNoticeState) => new Date(s.at ?? 0).getTime();
  for (const n of notices) {
    for (const i of n.items) {
      const next: ItemNoticeState = {
        party: n.party.name,
        outcome: i.outcome,
        at: i.outcome ? i.outcomeAt : (n.sentAt ?? n.createdAt),
        deadlineAt: n.deadlineAt,
        overdue: isOverdue(i, n.deadlineAt, now),
      };
      const had = out.get(i.itemId);
      if (
        !had ||
        (next.outcome && !had.outcome) ||
        (Boolean(next.outcome) === Boolean(had.outcome) && rank(next) >= rank(had))
      )
        out.set(i.itemId, next);
    }
  }
  return out;
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
