-- 0005: appending to the audit chain in one statement. The chain lock is held only while this
-- function runs and the transaction commits, not across round trips to the application, so
-- writers queue for microseconds rather than milliseconds.
--
-- From here on an event's hash is sha256(prev_hash || ':' || seq || ':' || body), where body is
-- the canonical JSON of the event's other fields, computed by the application (see
-- src/modules/audit/chain.ts). Events written before this migration keep their version-1 hash
-- (sha256 of the canonical JSON including seq and prevHash); `hash_version` says which.

alter table audit_events add column hash_version smallint not null default 1;

create function audit_append(
  p_id uuid,
  p_occurred_at timestamptz,
  p_actor_type text,
  p_actor_id text,
  p_organisation_id uuid,
  p_action text,
  p_subject_type text,
  p_subject_id text,
  p_reason text,
  p_data jsonb,
  p_body text
) returns table (out_seq bigint, out_prev_hash text, out_hash text)
language plpgsql as $$
declare
  last_seq bigint;
  last_hash text;
  new_hash text;
begin
  perform pg_advisory_xact_lock(7270412002);
  select e.seq, e.hash into last_seq, last_hash from audit_events e order by e.seq desc limit 1;
  last_seq := coalesce(last_seq, 0);
  last_hash := coalesce(last_hash, repeat('0', 64));
  new_hash := encode(sha256(convert_to(last_hash || ':' || (last_seq + 1)::text || ':' || p_body, 'UTF8')), 'hex');
  insert into audit_events (
    seq, id, occurred_at, actor_type, actor_id, organisation_id, action, subject_type, subject_id,
    reason, data, prev_hash, hash, hash_version
  ) values (
    last_seq + 1, p_id, p_occurred_at, p_actor_type, p_actor_id, p_organisation_id, p_action,
    p_subject_type, p_subject_id, p_reason, p_data, last_hash, new_hash, 2
  );
  return query select last_seq + 1, last_hash, new_hash;
end
$$;
