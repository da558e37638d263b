// Figures and the transparency page: addresses, the shapes the API returns, and formatting
// shared by the dashboard and the public page.

export const FIGURES_PATH = "/figures";
export const TRANSPARENCY_PATHS = ["/transparantie", "/transparency"] as const;
export const isTransparencyPath = (path: string): boolean =>
  (TRANSPARENCY_PATHS as readonly string[]).includes(path);

export const REMOVAL_BUCKETS = ["1h", "6h", "24h", "48h", "7d", "later", "notRemoved"] as const;
export type Bucket = (typeof REMOVAL_BUCKETS)[number];

export interface Measures {
  notices: number;
  acknowledged: number;
  ackMedianSeconds: number | null;
  ackP90Seconds: number | null;
  due: number;
  neverAnswered: number;
  neverAnsweredShare: number | null;
  items: number;
  removedBeforeNotice: number;
  removed: number;
  removalMedianSeconds: number | null;
  removalP90Seconds: number | null;
  within24h: number;
  within48h: number;
  within7d: number;
  byDeadline: number;
  within24hShare: number | null;
  within48hShare: number | null;
  within7dShare: number | null;
  byDeadlineShare: number | null;
  removedShare: number | null;
  refused: number;
  claimsContradicted: number;
  buckets: Record<Bucket, number>;
}

export interface Figures {
  generatedAt: string;
  total: Measures;
  parties: { partyId: string; name: string; kind: string; country: string | null; measures: Measures }[];
  categories: { category: string; dsaCategory: string | null; measures: Measures }[];
  months: { month: string; measures: Measures }[];
  partyMonths: { partyId: string; month: string; measures: Measures }[];
  regulators: {
    total: RegulatorMeasures;
    items: { regulator: string; name: { nl: string; en: string } | null; measures: RegulatorMeasures }[];
    months: { regulator: string; month: string; measures: RegulatorMeasures }[];
  };
}

/** Per-regulator figures (docs/REPORTING.md, "Regulators"); times in seconds. */
export interface RegulatorMeasures {
  filed: number;
  received: number;
  notReceived: number;
  ackMedianSeconds: number | null;
  ackP90Seconds: number | null;
  decided: number;
  decisionMedianSeconds: number | null;
  decisionP90Seconds: number | null;
  decidedInTerm: number;
  lapsed: number;
  withdrawn: number;
  open: number;
  extended: number;
  defaultNotices: number;
  decisions: Record<"granted" | "partly_granted" | "refused" | "inadmissible" | "other", number>;
}

export interface FilterParty {
  id: string;
  name: string;
}

export interface ReportingSettings {
  transparencyPublished: boolean;
  transparencyPublishedAt: string | null;
  independenceStatement: string | null;
}

export type PublicCount = number | "<10";

export interface Scorecard {
  party: string;
  kind: string;
  country: string | null;
  notices: PublicCount;
  items: PublicCount;
  acknowledgementMedianHours: number | null;
  removalMedianHours: number | null;
  removalP90Hours: number | null;
  removedWithin24hShare: number | null;
  removedWithin48hShare: number | null;
  removedWithin7dShare: number | null;
  neverAnsweredShare: number | null;
  refused: PublicCount;
}

export interface TransparencyData {
  organisation: string;
  year: number;
  generatedAt: string;
  suppressBelow: number;
  scorecards: Scorecard[];
}

/** Hours with one decimal, from seconds; null stays null. */
export const hoursOf = (seconds: number | null): number | null =>
  seconds === null ? null : Math.round((seconds / 3600) * 10) / 10;
