-- 0012: parties that attribution registered by itself. When RDAP names a network's (or a
-- registrar's) abuse address that no party in the registry has, attribution registers the
-- holder as a party with an e-mail channel to that address, so the chain goes on; a person
-- reviews it later. Where it came from is kept: the RDAP answer's URL and the SHA-256 of its
-- raw bytes (as attributions keep them).
alter table parties add column auto_source text check (auto_source in ('rdap'));
alter table parties add column auto_source_url text check (length(auto_source_url) <= 2000);
alter table parties add column auto_raw_sha256 text check (auto_raw_sha256 ~ '^[0-9a-f]{64}$');
-- When a person confirmed an auto-registered party; null while it waits for review.
alter table parties add column reviewed_at timestamptz;
create index parties_review_idx on parties (organisation_id) where auto_source is not null and reviewed_at is null;
