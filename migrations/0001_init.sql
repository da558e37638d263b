-- 0001: identity (organisations, users, sessions, API tokens) and the hash-chained audit log.

create table organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('hotline', 'regulator', 'police', 'platform', 'helpdesk')),
  created_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  email text not null check (email = lower(email) and length(email) between 3 and 254),
  display_name text not null check (length(display_name) between 1 and 200),
  role text not null check (role in ('admin', 'analyst', 'supervisor', 'regulator_officer', 'platform_agent', 'auditor')),
  password_hash text not null,
  -- TOTP secret, encrypted with the master key (AES-256-GCM); null until enrolment starts.
  mfa_secret text,
  mfa_enabled boolean not null default false,
  -- The last TOTP time step accepted: a code is never accepted twice.
  mfa_last_step bigint,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (email);
create index users_organisation_idx on users (organisation_id);

-- Failed logins per e-mail address, known or not: the lockout answers the same for an address
-- that has no account, so it does not reveal which ones exist. key = sha256 of the address.
create table login_throttle (
  key text primary key,
  failures integer not null default 0,
  locked_until timestamptz,
  updated_at timestamptz not null
);

-- Server-side sessions. The cookie holds a random token; only its SHA-256 is stored.
create table sessions (
  id text primary key,
  user_id uuid not null references users (id) on delete cascade,
  csrf_token text not null,
  mfa_passed boolean not null default false,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  ip text,
  user_agent text
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expires_idx on sessions (expires_at);

-- Scoped API tokens for machines. Only the SHA-256 of the token is stored; it is shown once.
create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  name text not null check (length(name) between 1 and 100),
  token_hash text not null unique,
  prefix text not null,
  scopes text[] not null,
  created_by uuid references users (id),
  created_at timestamptz not null,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_organisation_idx on api_tokens (organisation_id);

-- The audit log: append-only and hash-chained. Each event's hash covers its fields and the
-- previous event's hash; seq is gap-free, so a removed event shows as a gap.
create table audit_events (
  seq bigint primary key,
  id uuid not null unique,
  occurred_at timestamptz not null,
  actor_type text not null check (actor_type in ('user', 'token', 'system', 'public')),
  actor_id text,
  organisation_id uuid,
  action text not null,
  subject_type text,
  subject_id text,
  reason text,
  data jsonb not null default '{}'::jsonb,
  prev_hash text not null,
  hash text not null unique
);
create index audit_events_org_idx on audit_events (organisation_id, seq);
create index audit_events_subject_idx on audit_events (subject_type, subject_id);

create function audit_events_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_events is append-only: % is refused', tg_op using errcode = '42501';
end
$$;

create trigger audit_events_no_update_delete
  before update or delete on audit_events
  for each row execute function audit_events_append_only();

create trigger audit_events_no_truncate
  before truncate on audit_events
  for each statement execute function audit_events_append_only();
