// The escalation ladder in the web front end: the shapes GET /cases/:id/escalation and
// GET /escalation/approvals return (src/modules/escalation/ladder.ts), and the limit of an
// approval's note (decisionBody in src/modules/escalation/ladder-routes.ts).
import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import type { Resource } from "./useResource.ts";

export const DECISION_NOTE_MAX = 2000;

export const LADDER_STATES = [
  "not_started",
  "waiting",
  "held",
  "awaiting_approval",
  "ready",
  "filed",
  "rejected",
  "stuck",
  "resolved",
  "ended",
] as const;
export type LadderState = (typeof LADDER_STATES)[number];

export interface LadderStep {
  id: string;
  kind: "notice" | "regulator";
  role: string | null;
  regulator: string | null;
  afterHours: number;
  approval: boolean;
  reason: string;
}

export interface LadderApproval {
  id: string;
  status: "pending" | "approved" | "rejected" | "withdrawn";
  regulator: string;
  auto: boolean;
  requestedAt: string;
  decidedAt: string | null;
  note: string | null;
  filedAt: string | null;
  requestId: string | null;
}

export interface LadderHistoryEntry {
  at: string;
  fromStep: string | null;
  toStep: string;
  state: LadderState;
  party: { id: string; name: string | null } | null;
  noticeId: string | null;
  approvalId: string | null;
  requestId: string | null;
  reason: string;
}

export interface ItemLadder {
  itemId: string;
  url: string;
  state: LadderState;
  ladder: string | null;
  jurisdiction: string | null;
  step: LadderStep | null;
  party: { id: string; name: string | null } | null;
  noticeId: string | null;
  deadlineAt: string | null;
  outcome: string | null;
  claimContradictedAt: string | null;
  stuckReason: string | null;
  nextStep: LadderStep | null;
  nextAt: string | null;
  approval: LadderApproval | null;
  steps: LadderStep[];
  history: LadderHistoryEntry[];
}

export interface PendingApproval {
  id: string;
  step: string;
  regulator: string;
  party: { id: string; name: string | null } | null;
  category: string;
  itemIds: string[];
  caseIds: string[];
  status: string;
  requestedAt: string;
  reason: string | null;
}

/** The ladder of every item of a case; null when the user may not read it. */
export function useCaseLadder(
  caseId: string,
  enabled: boolean,
): [Resource<{ items: ItemLadder[] }> | null, () => Promise<void>] {
  const [resource, setResource] = useState<Resource<{ items: ItemLadder[] }>>({
    status: "loading",
    data: null,
    error: null,
  });
  const load = useCallback(async () => {
    if (!enabled) return;
    try {
      setResource({
        status: "ready",
        data: await api.get<{ items: ItemLadder[] }>(`/cases/${caseId}/escalation`),
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

/** Approves or rejects a regulator or police step. */
export function decide(approvalId: string, decision: "approve" | "reject", note: string) {
  return api.post<LadderApproval>(`/escalation/approvals/${approvalId}`, {
    decision,
    ...(note.trim() ? { note: note.trim() } : {}),
  });
}
