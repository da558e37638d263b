-- 0006: who must act and how they are told. The party registry (platforms, hosts, registrars,
-- registries, payment providers) with their notice channels and the patterns that recognise
-- them; attribution of items to parties with provenance; cached RDAP answers; notices, the
-- items they cover and their deadlines; the outbox that delivers them; and the parties'
-- responses.

-- The notifier's identity as it appears in notices (DSA art. 16(2)(c)) and its trusted-flagger
-- designation (art. 22).
alter table organisations add column notice_email text
  check (notice_email is null or length(notice_email) between 3 and 254);
alter table organisations add column trusted_flagger boolean not null default false;
alter table organisations add column trusted_flagger_area text
  check (trusted_flagger_area is null or length(trusted_flagger_area) <= 500);

-- Each hotline keeps its own registry: it decides whom it trusts and how to reach them.
create table parties (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('platform', 'hosting', 'registrar', 'registry', 'payment', 'other')),
  country text check (country ~ '^[A-Z]{2}$'),
  -- DSA art. 11/12 point of contact and art. 13 legal representative, as published by the party.
  dsa_contact text check (length(dsa_contact) <= 500),
  legal_representative text check (length(legal_representative) <= 500),
  very_large boolean not null default false,
  -- The Digital Services Coordinator of establishment (e.g. ACM, Coimisiún na Meán).
  dsc text check (length(dsc) <= 200),
  languages text[] not null default '{en}',
  -- Agreed time to act on a notice, when the party has agreed one; null: the policy's deadline.
  response_hours integer check (response_hours between 1 and 8760),
  -- How many URLs one notice to this party may carry.
  max_urls_per_notice integer not null default 50 check (max_urls_per_notice between 1 and 1000),
  -- The party's own Vangrail organisation, when it answers through an account.
  party_organisation_id uuid references organisations (id),
  notes text check (length(notes) <= 5000),
  archived_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index parties_org_name_key on parties (organisation_id, lower(name));

-- What recognises a party in an attribution: a domain pattern for a platform ("example.com"
-- covers its subdomains), an ASN for a host, a registrar's IANA id, a TLD for a registry.
create table party_matchers (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  party_id uuid not null references parties (id) on delete cascade,
  kind text not null check (kind in ('domain', 'asn', 'registrar_iana_id', 'tld', 'abuse_email')),
  value text not null check (length(value) between 1 and 253),
  created_at timestamptz not null,
  unique (organisation_id, kind, value)
);
create index party_matchers_party_idx on party_matchers (party_id);

-- Ways to reach a party, tried in order of priority; a failing channel is marked and skipped.
create table party_channels (
  id uuid primary key default gen_random_uuid(),
  party_id uuid not null references parties (id) on delete cascade,
  kind text not null check (kind in ('email', 'webhook', 'webform')),
  -- An e-mail address, a webhook URL, or the URL of a form a person fills in by hand.
  address text not null check (length(address) between 3 and 2000),
  priority integer not null default 100,
  -- Webhooks: the HMAC key, sealed with the master key.
  secret_sealed text,
  failing_since timestamptz,
  failures integer not null default 0,
  last_failure text check (length(last_failure) <= 2000),
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index party_channels_party_idx on party_channels (party_id, priority);

-- Cached RDAP answers (and failures, with a shorter life), keyed by query.
create table rdap_cache (
  key text primary key,
  url text,
  status integer,
  raw_sha256 text,
  answer jsonb,
  error text,
  fetched_at timestamptz not null,
  expires_at timestamptz not null
);
create index rdap_cache_expiry_idx on rdap_cache (expires_at);

-- Who is responsible for an item in each role, with where the answer came from. A new
-- attribution supersedes the old one (kept for the record).
create table attributions (
  id uuid primary key default gen_random_uuid(),
  item_id uuid not null references items (id),
  organisation_id uuid not null references organisations (id),
  role text not null check (role in ('platform', 'hosting', 'registrar', 'registry')),
  party_id uuid references parties (id),
  -- What the sources said, whether or not it matched a registered party.
  name text,
  abuse_email text,
  country text,
  asn bigint,
  network text,
  address text,
  -- registry (a matcher), dns, rdap-ip, rdap-domain, tld.
  source text not null,
  source_url text,
  raw_sha256 text,
  error text,
  resolved_at timestamptz not null,
  expires_at timestamptz not null,
  superseded_at timestamptz
);
create unique index attributions_current_key on attributions (item_id, role) where superseded_at is null;
create index attributions_party_idx on attributions (party_id) where superseded_at is null;

-- A notice to one party at one step of the chain, covering one or more items.
create table notices (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  party_id uuid not null references parties (id),
  -- platform, hosting, registrar, registry; reminders and escalations add their own steps.
  step text not null check (length(step) between 1 and 100),
  category text not null,
  language text not null check (language in ('nl', 'en')),
  status text not null check (status in ('queued', 'sent', 'failed', 'acknowledged', 'answered', 'closed')),
  -- The response link's token: found by its SHA-256; sealed with the master key for reminders.
  -- Stored bodies hold a placeholder where the link goes, filled in when a message is sent.
  response_token_hash text not null unique,
  response_token_sealed text not null,
  subject text not null,
  body_text text not null,
  body_html text not null,
  attachment_kind text not null check (attachment_kind in ('xarf', 'vangrail')),
  attachment jsonb not null,
  deadline_at timestamptz not null,
  created_by text,
  created_at timestamptz not null,
  sent_at timestamptz,
  acknowledged_at timestamptz,
  answered_at timestamptz,
  closed_at timestamptz
);
create index notices_org_idx on notices (organisation_id, created_at);
create index notices_party_idx on notices (party_id, created_at);

-- The items a notice covers. One item is noticed to one party once per step.
create table notice_items (
  notice_id uuid not null references notices (id),
  item_id uuid not null references items (id),
  party_id uuid not null references parties (id),
  step text not null,
  deadline_at timestamptz not null,
  -- What the party said about this item, and when.
  outcome text check (outcome in ('removed', 'disabled', 'geo_restricted', 'refused', 'not_responsible')),
  outcome_at timestamptz,
  overdue_at timestamptz,
  reminded_at timestamptz,
  primary key (notice_id, item_id),
  unique (item_id, party_id, step)
);
create index notice_items_deadline_idx on notice_items (deadline_at) where outcome is null and overdue_at is null;

-- Messages to deliver, written in the same transaction as the notice or response that needs
-- them. A row is claimed with a lease; a worker that dies mid-send leaves it to be retried.
create table outbox (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  notice_id uuid references notices (id),
  -- notice, receipt (art. 16(4)-style confirmation to the party), reminder.
  purpose text not null check (purpose in ('notice', 'receipt', 'reminder')),
  channel_id uuid references party_channels (id),
  channel_kind text check (channel_kind in ('email', 'webhook', 'webform')),
  recipient text,
  -- Stable across retries: receivers can drop a duplicate by it.
  message_id text not null unique,
  status text not null check (status in ('pending', 'sending', 'sent', 'failed', 'manual')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  lease_until timestamptz,
  sent_at timestamptz,
  last_error text check (length(last_error) <= 2000),
  -- The delivered message as sent (RFC 5322 source or webhook body), for the record.
  delivered_sha256 text,
  created_at timestamptz not null
);
create index outbox_due_idx on outbox (next_attempt_at) where status in ('pending', 'sending');
create index outbox_notice_idx on outbox (notice_id);

-- Everything a party says back, through the response page or the API.
create table notice_responses (
  id uuid primary key default gen_random_uuid(),
  notice_id uuid not null references notices (id),
  kind text not null check (kind in (
    'acknowledged', 'removed', 'disabled', 'geo_restricted', 'refused', 'not_responsible', 'question'
  )),
  item_ids uuid[] not null default '{}',
  -- Refusals and restrictions: the facts of DSA art. 17(3).
  restriction text check (length(restriction) <= 500),
  ground_kind text check (ground_kind in ('legal', 'contractual')),
  ground text check (length(ground) <= 2000),
  facts text check (length(facts) <= 5000),
  automated boolean,
  countries text[],
  responsible text check (length(responsible) <= 1000),
  message text check (length(message) <= 5000),
  via text not null check (via in ('page', 'api')),
  received_at timestamptz not null
);
create index notice_responses_notice_idx on notice_responses (notice_id, received_at);
