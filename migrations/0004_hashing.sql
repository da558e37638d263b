-- 0004: hash banks (lists of PDQ, MD5 and SHA-256 hashes), their entries with provenance, and
-- the change log that keeps each replica's in-memory match index fresh.

create table hash_banks (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('victim_submitted', 'hotline_confirmed', 'partner_list')),
  description text check (length(description) <= 2000),
  -- Matched for other organisations' API tokens with scope `match`, not only the owner's.
  shared boolean not null default false,
  created_by text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index hash_banks_org_name_key on hash_banks (organisation_id, name);

create table hash_entries (
  id uuid primary key default gen_random_uuid(),
  -- Dense number: the entry's key in the in-memory match index and in the change log.
  no bigint generated always as identity unique,
  bank_id uuid not null references hash_banks (id),
  signal_type text not null check (signal_type in ('pdq', 'md5', 'sha256')),
  value text not null,
  quality smallint check (quality between 0 and 100),
  -- The decoding pipeline that produced a PDQ hash (e.g. vg-pdq-1); null when imported.
  pipeline text check (length(pipeline) <= 100),
  enabled boolean not null default true,
  expires_at timestamptz,
  -- Provenance: who added it, when, for which case or report, from where.
  created_by_type text not null check (created_by_type in ('user', 'token', 'system', 'public')),
  created_by text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  case_id text check (length(case_id) <= 100),
  report_id text check (length(report_id) <= 100),
  source text check (length(source) <= 200),
  note text check (length(note) <= 2000),
  -- SHA-256 of the secret a victim holds to withdraw the entries of one submission.
  withdrawal_hash text,
  constraint hash_entries_value_format check (
    (signal_type = 'pdq' and value ~ '^[0-9a-f]{64}$')
    or (signal_type = 'md5' and value ~ '^[0-9a-f]{32}$')
    or (signal_type = 'sha256' and value ~ '^[0-9a-f]{64}$')
  )
);
create unique index hash_entries_bank_value_key on hash_entries (bank_id, signal_type, value);
create index hash_entries_bank_no_idx on hash_entries (bank_id, no);
create index hash_entries_report_idx on hash_entries (report_id) where report_id is not null;
create index hash_entries_withdrawal_idx on hash_entries (withdrawal_hash) where withdrawal_hash is not null;

-- Every insert, enable/disable, expiry change and delete of an entry appends its `no` here.
-- Writers take one advisory lock before appending, so sequence order is commit order and a
-- replica that has read up to seq N has seen every change up to N.
create table hash_entry_changes (
  seq bigint generated always as identity primary key,
  entry_no bigint not null,
  changed_at timestamptz not null
);
