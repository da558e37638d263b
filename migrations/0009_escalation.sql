-- 0009: the escalation ladder. Each item that has been noticed stands on one step of its
-- ladder (ladder.json: per category, with an override per jurisdiction); the engine moves it up
-- when the step's deadline passes and the item is still online, at once when the party refuses
-- or says it is not responsible. Steps towards a regulator or the police wait for an analyst's
-- approval (unless the step or the organisation auto-approves); an approved step is ready to be
-- filed as an enforcement request. Every move is a row in escalation_transitions.

-- The organisation's setting: regulator and police steps need no analyst's approval.
alter table organisations add column escalation_auto_approve boolean not null default false;

-- One approval request per regulator step and party: the items it covers and the decision.
create table escalation_approvals (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  -- The ladder step, e.g. regulator:acm, and the regulator code it addresses.
  step text not null check (length(step) between 1 and 100),
  regulator text not null check (regulator in ('acm', 'ap', 'cvdm', 'atkm', 'police', 'ec')),
  -- The party the request is about (null: the request concerns the content, not a party).
  party_id uuid references parties (id),
  category text not null,
  item_ids uuid[] not null check (cardinality(item_ids) between 1 and 10000),
  case_ids uuid[] not null default '{}',
  -- withdrawn: every item was removed before anyone decided.
  status text not null check (status in ('pending', 'approved', 'rejected', 'withdrawn')),
  -- Approved by the ladder step or the organisation's setting, not by a person.
  auto boolean not null default false,
  requested_at timestamptz not null,
  decided_at timestamptz,
  decided_by uuid references users (id),
  note text check (length(note) <= 2000),
  -- Set when the enforcement module took the request.
  filed_at timestamptz,
  request_id uuid
);
create index escalation_approvals_pending_idx on escalation_approvals (organisation_id, requested_at)
  where status = 'pending';
create index escalation_approvals_unfiled_idx on escalation_approvals (requested_at)
  where status = 'approved' and filed_at is null;

-- Where each item stands. One row per item, created when its first notice exists.
create table escalation_items (
  item_id uuid primary key references items (id),
  organisation_id uuid not null references organisations (id),
  category text not null,
  -- The country of the hosting party (or of the hosting attribution) when the item entered.
  jurisdiction text check (jurisdiction ~ '^[A-Z]{2}$'),
  -- Which ladder: "<category or default>/<country or default>".
  ladder text not null check (length(ladder) between 1 and 100),
  step text not null check (length(step) between 1 and 100),
  -- waiting: for the step's deadline; held: the party claims removal and no check contradicts
  -- it; awaiting_approval; ready: approved, to be filed; filed: an enforcement request exists;
  -- rejected: an analyst rejected the step; stuck: no later step can act (see stuck_reason);
  -- resolved: verifiably removed (or closed); ended: the ladder has no further step.
  state text not null check (state in (
    'waiting', 'held', 'awaiting_approval', 'ready', 'filed', 'rejected', 'stuck', 'resolved', 'ended'
  )),
  party_id uuid references parties (id),
  notice_id uuid references notices (id),
  approval_id uuid references escalation_approvals (id),
  deadline_at timestamptz,
  -- When the engine looks at the item again (null: only when something happens to it).
  next_at timestamptz,
  stuck_reason text check (length(stuck_reason) <= 2000),
  -- A tick claims rows with a lease; a tick that dies leaves them to the next.
  lease_until timestamptz,
  entered_at timestamptz not null,
  updated_at timestamptz not null
);
create index escalation_items_due_idx on escalation_items (next_at)
  where state not in ('resolved', 'ended');
create index escalation_items_org_idx on escalation_items (organisation_id, state);
create index escalation_items_approval_idx on escalation_items (approval_id) where approval_id is not null;

-- Every move of an item on its ladder, in order.
create table escalation_transitions (
  id uuid primary key default gen_random_uuid(),
  -- The order of moves, also within one transaction.
  seq bigint generated always as identity,
  organisation_id uuid not null references organisations (id),
  item_id uuid not null references items (id),
  from_step text,
  to_step text not null,
  -- The state the item reached; stuck rows record a step that could not act, and why.
  state text not null,
  from_party_id uuid references parties (id),
  party_id uuid references parties (id),
  notice_id uuid references notices (id),
  approval_id uuid references escalation_approvals (id),
  request_id uuid,
  reason text not null check (length(reason) between 1 and 2000),
  at timestamptz not null
);
create index escalation_transitions_item_idx on escalation_transitions (item_id, seq);
create index escalation_transitions_org_party_idx on escalation_transitions (organisation_id, from_party_id);
