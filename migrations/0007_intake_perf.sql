-- 0007: the audit chain is extended when a transaction commits, not when the event is written.
--
-- Until now an event was chained by audit_append (0005), which takes the chain lock and holds it
-- until the transaction ends: across the round trip that sends COMMIT, through an application's
-- busy event loop. Every writer in the system queued behind that (bench/intake: 69 ms a report).
--
-- Now an event is first written to audit_pending, in the transaction of the change it records.
-- A deferred constraint trigger moves it into audit_events when the transaction commits: it
-- takes the same lock (key 7270412002), reads the head, computes the same version-2 hash
-- sha256(prev_hash || ':' || seq || ':' || body) and inserts; the lock is released when the
-- commit finishes, microseconds later. Events of one transaction are chained in the order they
-- were written; events of different transactions in the order they commit. A rolled-back
-- transaction leaves nothing, in either table. audit_append stays for callers that need the
-- sequence number at once.

create table audit_pending (
  id uuid primary key,
  occurred_at timestamptz not null,
  actor_type text not null,
  actor_id text,
  organisation_id uuid,
  action text not null,
  subject_type text,
  subject_id text,
  reason text,
  data jsonb not null,
  -- The canonical JSON of the event's fields other than seq and prev_hash (see chain.ts).
  body text not null
);

create function audit_chain_pending() returns trigger
language plpgsql as $$
begin
  -- Outside the lock: the less it covers, the sooner the next writer goes.
  delete from audit_pending where id = new.id;
  -- Its own statement, so that the next one's snapshot sees the event committed before.
  perform pg_advisory_xact_lock(7270412002);
  insert into audit_events (
    seq, id, occurred_at, actor_type, actor_id, organisation_id, action, subject_type, subject_id,
    reason, data, prev_hash, hash, hash_version
  )
  select
    head.seq, new.id, new.occurred_at, new.actor_type, new.actor_id, new.organisation_id,
    new.action, new.subject_type, new.subject_id, new.reason, new.data, head.prev,
    encode(sha256(convert_to(head.prev || ':' || head.seq::text || ':' || new.body, 'UTF8')), 'hex'),
    2
  from (
    select coalesce(last.seq, 0) + 1 as seq, coalesce(last.hash, repeat('0', 64)) as prev
    from (select 1) as one
    left join (select e.seq, e.hash from audit_events e order by e.seq desc limit 1) as last on true
  ) as head;
  return null;
end
$$;

create constraint trigger audit_pending_chain
  after insert on audit_pending
  deferrable initially deferred
  for each row execute function audit_chain_pending();

-- Jobs written as rows by a writer that makes its whole change in one statement (the public
-- report: case, items, report, audit event and capture request in one round trip). The workers
-- move them into pg-boss, each batch in one transaction (src/platform/queue.ts), so a job is
-- never lost and never doubled; until then it waits here, as it would wait in pg-boss's table.
create table job_outbox (
  id bigint generated always as identity primary key,
  name text not null,
  data jsonb not null,
  singleton_key text,
  created_at timestamptz not null
);
