// Enforcement requests in the web front end: the shapes the API returns (src/modules/escalation/
// enforcement.ts), the paths of the hotline's pages and the regulator portal, and the limits of
// the forms (enforcementLimits and the route schemas in enforcement-routes.ts).

export const ENFORCEMENT_PATH = "/enforcement";
export const COORDINATION_PATH = "/enforcement/coordination";
export const ENFORCEMENT_REQUEST_PATH = /^\/enforcement\/requests\/([0-9a-f-]{36})$/;
export const PORTAL_PATH = "/portal";
export const PORTAL_REQUEST_PATH = /^\/portal\/requests\/([0-9a-f-]{36})$/;

export const requestPath = (id: string, portal: boolean): string =>
  portal ? `/portal/requests/${id}` : `/enforcement/requests/${id}`;

export const ENFORCEMENT_LIMITS = {
  message: 5000,
  reason: 2000,
  decisionText: 20_000,
  documentBytes: 10 * 1024 * 1024,
} as const;
export const DOCUMENT_ACCEPT = ".pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain";

export const OUTCOMES = ["granted", "partly_granted", "refused", "inadmissible", "other"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type Status = "draft" | "approved" | "filed" | "received" | "decided" | "withdrawn";
export type ClockState = "not_applicable" | "not_received" | "running" | "lapsed" | "decided" | "withdrawn";

export interface Clock {
  state: ClockState;
  termEndsAt: string | null;
  daysLeft: number | null;
  lapsed: boolean;
  defaultNoticeDue: boolean;
  penalty: {
    firstDay: string | null;
    days: number;
    cents: number;
    maxDays: number;
    complete: boolean;
  } | null;
  objectionUntil: string | null;
}

type Text = { nl: string; en: string };

export interface RequestSummary {
  id: string;
  reference: string;
  status: Status;
  regulator: { id: string; name: Text };
  party: string | null;
  applicant: string | null;
  step: string;
  createdAt: string;
  filedAt: string | null;
  receivedAt: string | null;
  decidedAt: string | null;
  termEndsAt: string | null;
  clock: Clock;
  penalty: { days: number; cents: number };
}

export interface RequestDocument {
  id: string;
  kind: "dossier_pdf" | "dossier_html" | "evidence_bundle" | "default_notice" | "decision" | "document";
  fileName: string;
  mediaType: string;
  sha256: string;
  size: number;
  createdAt: string;
  from: "applicant" | "regulator";
}

export interface RequestDetail {
  id: string;
  reference: string;
  side: "applicant" | "regulator";
  status: Status;
  language: "nl" | "en";
  regulator: {
    id: string;
    name: Text;
    requestKind: "handhavingsverzoek" | "complaint" | "crime_report";
    legalBasis: { ref: string; text: Text }[];
    organisation: { id: string; name: string } | null;
    email: string | null;
  };
  applicant: { name: string; address: string | null; email: string | null };
  party: { id: string; name: string; country: string | null } | null;
  decisionRequested: string;
  facts: string;
  cases: {
    caseId: string;
    caseReference: string;
    category: string;
    items: { id: string; url: string; status: string }[];
  }[];
  approvedAt: string | null;
  signedBy: string | null;
  filedAt: string | null;
  filedVia: string[];
  receivedAt: string | null;
  termApplies: boolean;
  clock: Clock;
  extensions: { previousTermEndsAt: string; termEndsAt: string; reason: string | null; recordedAt: string }[];
  defaultNotice: { draftedAt: string; text: string; sentAt: string | null; receivedAt: string | null } | null;
  decision: { outcome: Outcome | null; text: string | null } | null;
  decidedAt: string | null;
  withdrawnAt: string | null;
  dossier: { status: "pending" | "ready" | "failed" | null; error: string | null };
  updates: {
    id: string;
    kind: "status" | "decision" | "note";
    message: string;
    createdAt: string;
    from: "applicant" | "regulator";
  }[];
  documents: RequestDocument[];
}

export interface Agenda {
  period: { from: string; to: string };
  overdue: { request: RequestSummary; reason: "term_lapsed" | "no_receipt" | "no_decision" }[];
  sharedParties: { party: { id: string; name: string }; regulators: { id: string; name: Text }[] }[];
  leastCompliant: {
    partyId: string;
    partyName: string;
    items: number;
    refused: number;
    overdue: number;
    share: number;
  }[];
}

export const euros = (cents: number, locale: string): string =>
  new Intl.NumberFormat(locale === "en" ? "en-GB" : "nl-NL", { style: "currency", currency: "EUR" }).format(
    cents / 100,
  );

/** A calendar date from a date input as an instant: noon UTC is the same day in Amsterdam. */
export const dateToInstant = (day: string): string => `${day}T12:00:00Z`;
