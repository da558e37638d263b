// What the API shows of an attribution: who, how to reach them, and where the answer came from.
import type { Attribution } from "./store.ts";

export function presentAttribution(a: Attribution) {
  return {
    id: a.id,
    itemId: a.itemId,
    role: a.role,
    party: a.partyId ? { id: a.partyId, name: a.partyName ?? "", reachable: a.partyReachable } : null,
    name: a.name,
    abuseEmail: a.abuseEmail,
    country: a.country,
    asn: a.asn,
    network: a.network,
    address: a.address,
    source: a.source,
    sourceUrl: a.sourceUrl,
    rawSha256: a.rawSha256,
    error: a.error,
    resolvedAt: a.resolvedAt.toISOString(),
    expiresAt: a.expiresAt.toISOString(),
    supersededAt: a.supersededAt?.toISOString() ?? null,
  };
}
