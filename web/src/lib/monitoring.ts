// Monitoring in the web front end: the shape GET /cases/:id/monitoring returns
// (src/modules/monitoring/routes.ts) and the hook that loads it for the case page.
import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import type { Resource } from "./useResource.ts";

export type Verdict = "removed" | "online" | "changed" | "error";

export interface ItemCheck {
  id: string;
  checkedAt: string;
  verdict: Verdict;
  reason: string;
  httpStatus: number | null;
  finalUrl: string | null;
  contentSha256: string | null;
  contentBytes: number | null;
  pdqDistance: number | null;
  durationMs: number | null;
  error: string | null;
  recordSha256: string;
}

export interface ItemMonitoring {
  itemId: string;
  kind: string;
  url: string | null;
  status: string;
  schedule: {
    startedAt: string;
    nextCheckAt: string | null;
    checks: number;
    consecutiveErrors: number;
    endedAt: string | null;
    endReason: "removed" | "closed" | "expired" | "not_checkable" | null;
    extraChecks: number;
  } | null;
  removal: { at: string; checkId: string | null } | null;
  reappearances: { at: string; checkId: string; verdict: string; removedAt: string }[];
  fastTrackedAt: string | null;
  checkCount: number;
  lastChecks: ItemCheck[];
  claims: {
    noticeId: string;
    party: string;
    outcome: "removed" | "disabled";
    claimedAt: string | null;
    contradictedAt: string | null;
    contradictingCheckId: string | null;
  }[];
}

export interface CaseMonitoring {
  caseId: string;
  items: ItemMonitoring[];
}

/** The monitoring of a case, or null when this person may not read it. */
export function useCaseMonitoring(
  caseId: string,
  enabled: boolean,
): [Resource<CaseMonitoring> | null, () => Promise<void>] {
  const [resource, setResource] = useState<Resource<CaseMonitoring>>({
    status: "loading",
    data: null,
    error: null,
  });
  const load = useCallback(async () => {
    if (!enabled) return;
    try {
      setResource({
        status: "ready",
        data: await api.get<CaseMonitoring>(`/cases/${caseId}/monitoring`),
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
