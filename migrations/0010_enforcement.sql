-- 0010: enforcement requests (handhavingsverzoeken) to regulators and reports to the police,
-- with the Awb clock (art. 4:13 decision term, art. 4:14 extensions, the notice of default and
-- the art. 4:17 penalty), the documents of each request (dossier PDFs, decisions, uploads), and
-- per hotline who stands for each regulator in the catalogue (src/modules/escalation/
-- regulators.json): a Vangrail organisation that sees the request in its portal, and/or an
-- e-mail address.

-- The applicant's details an enforcement request must carry (art. 4:2 Awb: name and address),
-- and how often the coordination agenda is drawn up.
create table enforcement_settings (
  organisation_id uuid primary key references organisations (id),
  -- The legal name when it differs from the organisation's name in Vangrail.
  applicant_name text check (length(applicant_name) between 1 and 200),
  postal_address text not null check (length(postal_address) between 1 and 1000),
  email text check (length(email) between 3 and 254),
  consultation_months integer not null default 3 check (consultation_months in (1, 2, 3, 4, 6, 12)),
  updated_at timestamptz not null
);

-- Per hotline: which organisation (kind regulator or police) stands for a regulator of the
-- catalogue, and/or where an e-mail announcing a filing goes.
create table regulator_contacts (
  organisation_id uuid not null references organisations (id),
  regulator text not null check (regulator ~ '^[a-z][a-z0-9_]{1,39}$'),
  regulator_organisation_id uuid references organisations (id),
  email text check (length(email) between 3 and 254),
  updated_at timestamptz not null,
  primary key (organisation_id, regulator),
  check (regulator_organisation_id is not null or email is not null)
);
create index regulator_contacts_regulator_org_idx on regulator_contacts (regulator_organisation_id);

create table enforcement_requests (
  id uuid primary key default gen_random_uuid(),
  -- The applicant: the hotline that drafts and files.
  organisation_id uuid not null references organisations (id),
  regulator text not null check (regulator ~ '^[a-z][a-z0-9_]{1,39}$'),
  party_id uuid references parties (id),
  -- The ladder step that asked for it (or "manual"), and the SHA-256 of its sorted item ids:
  -- together with regulator and party the key that makes filing idempotent.
  step text not null check (length(step) between 1 and 100),
  item_set_sha256 text not null check (item_set_sha256 ~ '^[0-9a-f]{64}$'),
  status text not null check (status in ('draft', 'approved', 'filed', 'received', 'decided', 'withdrawn')),
  language text not null default 'nl' check (language in ('nl', 'en')),
  decision_requested text not null check (length(decision_requested) between 1 and 5000),
  facts text not null check (length(facts) between 1 and 20000),
  created_by uuid references users (id),
  created_at timestamptz not null,
  -- Art. 4:2 Awb: signed by the officer who approved it (the name is kept as signed).
  approved_by uuid references users (id),
  approved_by_name text check (length(approved_by_name) between 1 and 200),
  approved_at timestamptz,
  -- Where it went when filed: the regulator's organisation and/or e-mail at that moment.
  regulator_organisation_id uuid references organisations (id),
  regulator_email text check (length(regulator_email) between 3 and 254),
  filed_at timestamptz,
  email_sent_at timestamptz,
  email_error text check (length(email_error) <= 2000),
  -- Receipt (art. 4:13: the term runs from here): confirmed by the regulator or recorded by
  -- the hotline.
  received_at timestamptz,
  receipt_by text check (receipt_by in ('regulator', 'applicant')),
  -- The Awb clock: whether it applies, the term in weeks, and its end (after extensions).
  term_applies boolean not null,
  term_weeks integer check (term_weeks between 1 and 52),
  term_ends_at timestamptz,
  lapsed_at timestamptz,
  -- The penalty for late decision (art. 4:17) as the clock job last computed it.
  penalty_days integer not null default 0 check (penalty_days between 0 and 42),
  penalty_cents integer not null default 0 check (penalty_cents >= 0),
  decided_at timestamptz,
  decision_outcome text check (decision_outcome in ('granted', 'partly_granted', 'refused', 'inadmissible', 'other')),
  decision_text text check (length(decision_text) <= 20000),
  withdrawn_at timestamptz,
  withdrawn_reason text check (length(withdrawn_reason) <= 2000),
  -- The dossier is rendered by a job: 'pending' until it is, then 'ready' (or 'failed').
  dossier_status text check (dossier_status in ('pending', 'ready', 'failed')),
  dossier_error text check (length(dossier_error) <= 2000),
  updated_at timestamptz not null
);
create unique index enforcement_requests_key on enforcement_requests
  (organisation_id, regulator, party_id, step, item_set_sha256) nulls not distinct;
create index enforcement_requests_org_idx on enforcement_requests (organisation_id, created_at);
create index enforcement_requests_regulator_org_idx on enforcement_requests (regulator_organisation_id, filed_at);
create index enforcement_requests_clock_idx on enforcement_requests (term_ends_at)
  where decided_at is null and withdrawn_at is null and term_ends_at is not null;
create index enforcement_requests_dossier_idx on enforcement_requests (dossier_status)
  where dossier_status = 'pending';

create table enforcement_request_cases (
  request_id uuid not null references enforcement_requests (id),
  case_id uuid not null references cases (id),
  primary key (request_id, case_id)
);

create table enforcement_request_items (
  request_id uuid not null references enforcement_requests (id),
  item_id uuid not null references items (id),
  primary key (request_id, item_id)
);
create index enforcement_request_items_item_idx on enforcement_request_items (item_id);

-- Art. 4:14(3): the regulator notified a new term. Each extension is kept; the request holds
-- the current end.
create table enforcement_extensions (
  id uuid primary key default gen_random_uuid(),
  request_id uuid not null references enforcement_requests (id),
  previous_term_ends_at timestamptz not null,
  term_ends_at timestamptz not null,
  reason text check (length(reason) <= 2000),
  recorded_by_organisation_id uuid not null references organisations (id),
  recorded_at timestamptz not null
);
create index enforcement_extensions_request_idx on enforcement_extensions (request_id);

-- The notice of default (ingebrekestelling): drafted by Vangrail when the term lapses; the
-- hotline records when it was sent and when the regulator received it (the art. 4:17 clock).
create table enforcement_default_notices (
  request_id uuid primary key references enforcement_requests (id),
  drafted_at timestamptz not null,
  body_text text not null check (length(body_text) between 1 and 20000),
  sent_at timestamptz,
  received_at timestamptz
);

-- Status updates from either side (the regulator's portal or the hotline).
create table enforcement_updates (
  id uuid primary key default gen_random_uuid(),
  request_id uuid not null references enforcement_requests (id),
  organisation_id uuid not null references organisations (id),
  author_id uuid references users (id),
  kind text not null check (kind in ('status', 'decision', 'note')),
  message text not null check (length(message) between 1 and 5000),
  created_at timestamptz not null
);
create index enforcement_updates_request_idx on enforcement_updates (request_id, created_at);

-- Documents of a request, stored as encrypted blobs (by SHA-256): the rendered dossier (PDF
-- and HTML), the notice of default, decisions and other documents either side uploads.
create table enforcement_documents (
  id uuid primary key default gen_random_uuid(),
  request_id uuid not null references enforcement_requests (id),
  -- The organisation that added it (the hotline, or the regulator through its portal).
  organisation_id uuid not null references organisations (id),
  kind text not null check (kind in ('dossier_pdf', 'dossier_html', 'evidence_bundle', 'default_notice', 'decision', 'document')),
  file_name text not null check (file_name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$'),
  media_type text not null check (length(media_type) between 3 and 100),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint not null check (size_bytes > 0),
  update_id uuid references enforcement_updates (id),
  created_by uuid references users (id),
  created_at timestamptz not null
);
create index enforcement_documents_request_idx on enforcement_documents (request_id, created_at);
