-- 0002: cases, the items they concern (shared between cases: one URL is one item however often
-- it is reported), case notes, public and partner reports, reporters' contact data (sealed and
-- kept apart from the case), idempotency keys and the per-analyst exposure log.

create sequence case_number_seq;

create table cases (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  number bigint not null default nextval('case_number_seq'),
  category text not null,
  taxonomy_version text not null,
  priority text not null check (priority in ('urgent', 'high', 'normal', 'low')),
  -- Why a case is urgent: minor, ongoing_sextortion, self_harm, category.
  urgent_reasons text[] not null default '{}',
  status text not null check (status in ('new', 'triage', 'in_progress', 'waiting', 'closed')),
  source text not null check (source in ('public', 'partner', 'import', 'staff')),
  assignee_id uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  closed_at timestamptz,
  unique (number)
);
create index cases_queue_idx on cases (organisation_id, status, priority, created_at);
create index cases_assignee_idx on cases (assignee_id) where assignee_id is not null;

-- A URL, file, account or domain. Unique per organisation by its normalised key, so the same
-- URL in two cases is one item linked to both, with one status along the chain.
create table items (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  kind text not null check (kind in ('url', 'file', 'account', 'domain')),
  value text not null,
  normalized text not null,
  host text,
  platform text,
  status text not null check (status in (
    'reported', 'triaged', 'evidence_captured', 'attributed', 'notice_sent',
    'removed', 'still_online', 'escalated', 'not_actionable', 'closed'
  )),
  -- Files: hashes always; the encrypted blob only when the category allows keeping media.
  sha256 text,
  md5 text,
  blob_ref text,
  media_type text,
  size_bytes integer,
  width integer,
  height integer,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (organisation_id, kind, normalized)
);
create index items_host_idx on items (organisation_id, host) where host is not null;
create index items_sha256_idx on items (organisation_id, sha256) where sha256 is not null;

create table case_items (
  case_id uuid not null references cases (id),
  item_id uuid not null references items (id),
  added_at timestamptz not null,
  primary key (case_id, item_id)
);
create index case_items_item_idx on case_items (item_id);

create table case_notes (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  author_id uuid not null references users (id),
  body text not null check (length(body) between 1 and 10000),
  created_at timestamptz not null
);
create index case_notes_case_idx on case_notes (case_id, created_at);

-- A report as filed, publicly (no account) or by a partner through the API.
create table reports (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id),
  organisation_id uuid not null references organisations (id),
  channel text not null check (channel in ('public', 'partner', 'import')),
  -- Public reports: the receipt code shown to the reporter and the SHA-256 of its secret.
  receipt text unique,
  secret_hash text,
  partner_token_id uuid references api_tokens (id),
  partner_reference text,
  reporter_role text not null check (reporter_role in ('depicted', 'parent', 'bystander', 'professional')),
  age_band text not null check (age_band in ('under_13', '13_15', '16_17', '18_24', '25_plus', 'unknown')),
  -- Structured answers only (booleans and enums), used for urgency and help routes.
  answers jsonb not null,
  -- The reporter's own account of what happened, sealed with the master key.
  description_sealed text not null,
  language text not null check (language in ('nl', 'en')),
  consent_version text not null,
  consent_sha256 text not null,
  consent_given_at timestamptz not null,
  created_at timestamptz not null
);
create index reports_case_idx on reports (case_id);

-- Contact details only when the reporter asks for contact: sealed, separate from case data,
-- deleted when the case is closed and its retention ends.
create table reporter_contacts (
  report_id uuid primary key references reports (id) on delete cascade,
  sealed text not null,
  created_at timestamptz not null
);

-- One result per Idempotency-Key per organisation (partner API): a retry gets the same answer.
create table idempotency_keys (
  organisation_id uuid not null references organisations (id),
  key text not null,
  request_sha256 text not null,
  response jsonb not null,
  created_at timestamptz not null,
  primary key (organisation_id, key)
);

-- Every time a person revealed material (wellbeing: a daily exposure counter per analyst).
create table exposures (
  id bigint generated always as identity primary key,
  user_id uuid not null references users (id),
  item_id uuid not null references items (id),
  at timestamptz not null
);
create index exposures_user_idx on exposures (user_id, at);
