// What the API shows of banks and entries. Entries are shown only to their bank's organisation;
// partners matching against shared banks see the bank and entry ids, never the provenance.
import type { Bank, BankWithCounts, Entry } from "./store.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentBank = (b: Bank | BankWithCounts) => ({
  id: b.id,
  name: b.name,
  kind: b.kind,
  description: b.description,
  shared: b.shared,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
  ...("entries" in b && { entries: b.entries, enabledEntries: b.enabledEntries }),
});

export const presentEntry = (e: Entry) => ({
  id: e.id,
  bankId: e.bankId,
  signalType: e.signalType,
  value: e.value,
  quality: e.quality,
  pipeline: e.pipeline,
  enabled: e.enabled,
  expiresAt: iso(e.expiresAt),
  provenance: {
    createdByType: e.createdByType,
    createdBy: e.createdBy,
    createdAt: e.createdAt.toISOString(),
    caseId: e.caseId,
    reportId: e.reportId,
    source: e.source,
    note: e.note,
  },
  /** Cursor for the next page. */
  no: e.no,
});
