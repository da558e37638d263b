-- 0003: evidence — per-organisation signing keys, captures with their signed (and time-stamped)
-- manifests, and the artefacts each capture lists. Artefact bytes live in the encrypted blob
-- store, named by their SHA-256; material that must not be kept has a hash here and no blob.

-- Ed25519 keys that sign evidence manifests. The private key is sealed with the master key
-- (AES-256-GCM; `sealed` names the master key id, so `vangrail keys rotate` can re-wrap it).
create table evidence_signing_keys (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  algorithm text not null default 'Ed25519' check (algorithm = 'Ed25519'),
  public_key_pem text not null,
  -- SHA-256 of the DER SubjectPublicKeyInfo, hex: what a regulator compares.
  fingerprint text not null unique,
  sealed_private_key text not null,
  created_at timestamptz not null,
  retired_at timestamptz
);
-- One active key per organisation; a second process creating one at the same time loses.
create unique index evidence_signing_keys_active_idx on evidence_signing_keys (organisation_id)
  where retired_at is null;

create table evidence_captures (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  -- Links to the cases module (0002); no foreign key, so evidence does not depend on its order.
  case_id uuid,
  item_id uuid,
  url text not null check (length(url) between 1 and 8192),
  category text,
  -- keep: artefacts are stored; hash_only: material that must not be kept (e.g. csam).
  retention text not null check (retention in ('keep', 'hash_only')),
  status text not null check (status in ('pending', 'captured', 'failed')),
  error_code text,
  error_detail text,
  requested_by_type text not null,
  requested_by_id uuid,
  requested_at timestamptz not null,
  captured_at timestamptz,
  final_url text,
  -- The exact bytes that were signed and time-stamped (UTF-8 JSON).
  manifest text,
  manifest_sha256 text check (manifest_sha256 ~ '^[0-9a-f]{64}$'),
  signature text,
  signing_key_id uuid references evidence_signing_keys (id),
  -- DER TimeStampResp from the TSA, base64; null when no TSA_URL was configured.
  timestamp_token text,
  timestamp_gen_time timestamptz
);
create index evidence_captures_org_idx on evidence_captures (organisation_id, requested_at desc);
create index evidence_captures_item_idx on evidence_captures (item_id) where item_id is not null;
create index evidence_captures_case_idx on evidence_captures (case_id) where case_id is not null;

create table evidence_artefacts (
  capture_id uuid not null references evidence_captures (id),
  name text not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null check (size >= 0),
  media_type text not null,
  -- False: hashed in memory and discarded; the blob store never had it.
  kept boolean not null,
  source_url text,
  pdq text,
  primary key (capture_id, name)
);
create index evidence_artefacts_sha_idx on evidence_artefacts (sha256);
