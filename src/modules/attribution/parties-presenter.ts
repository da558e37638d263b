// What the API shows of parties, matchers and channels. A channel never shows its sealed secret,
// only whether it has one; the secret itself appears once, in the answer that made it.
import type { PartyDetail, PartySummary } from "./parties.ts";
import type { Party, PartyChannel, PartyMatcher } from "./parties-store.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentMatcher = (m: PartyMatcher) => ({
  id: m.id,
  kind: m.kind,
  value: m.value,
  createdAt: m.createdAt.toISOString(),
});

export const presentChannel = (c: PartyChannel) => ({
  id: c.id,
  kind: c.kind,
  address: c.address,
  priority: c.priority,
  hasSecret: c.hasSecret,
  failing: c.failingSince !== null,
  failingSince: iso(c.failingSince),
  failures: c.failures,
  lastFailure: c.lastFailure,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export const presentParty = (p: Party) => ({
  id: p.id,
  name: p.name,
  kind: p.kind,
  country: p.country,
  dsaContact: p.dsaContact,
  legalRepresentative: p.legalRepresentative,
  veryLarge: p.veryLarge,
  dsc: p.dsc,
  languages: p.languages,
  responseHours: p.responseHours,
  maxUrlsPerNotice: p.maxUrlsPerNotice,
  partyOrganisationId: p.partyOrganisationId,
  notes: p.notes,
  archived: p.archivedAt !== null,
  archivedAt: iso(p.archivedAt),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
  autoRegistered: p.autoRegistered,
  needsReview: p.autoRegistered !== null && p.reviewedAt === null,
  reviewedAt: iso(p.reviewedAt),
});

export const presentSummary = (p: PartySummary) => ({
  ...presentParty(p),
  matchers: p.matchers.map(presentMatcher),
  channels: p.channels,
  failingChannels: p.failingChannels,
});

export const presentDetail = (p: PartyDetail) => ({
  ...presentParty(p),
  matchers: p.matchers.map(presentMatcher),
  channels: p.channels.map(presentChannel),
});
