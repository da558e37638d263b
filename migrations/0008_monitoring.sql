-- 0008: monitoring. Every open item is re-checked on a schedule; each check is a record of its
-- own (evidence: what was fetched, when, what it answered, and a hash of the record). An item's
-- removal time is the first check that saw it gone, not what a party claims; a claim that a
-- later check contradicts is flagged on the notice item. A re-upload (an item whose media
-- matches a bank or an earlier item) is marked fast-tracked.

-- When each monitored item is next due. One row per item; the schedule ends when the item is
-- seen removed, its cases close, or the schedule runs out.
create table monitor_schedule (
  item_id uuid primary key references items (id),
  organisation_id uuid not null references organisations (id),
  -- Checks are polite per host: the scheduler spreads and limits them by this.
  host text not null check (length(host) between 1 and 253),
  started_at timestamptz not null,
  next_check_at timestamptz not null,
  checks integer not null default 0,
  consecutive_errors integer not null default 0,
  -- A worker claims due rows with a lease; one that dies leaves them to be retried.
  lease_until timestamptz,
  ended_at timestamptz,
  end_reason text check (end_reason in ('removed', 'closed', 'expired', 'not_checkable')),
  -- Checks still owed although the schedule ended or may end: an analyst's "check now", and the
  -- confirmation checks after a verified removal (which would see a re-appearance).
  extra_checks integer not null default 0 check (extra_checks between 0 and 100)
);
create index monitor_schedule_due_idx on monitor_schedule (next_check_at) where ended_at is null;
create index monitor_schedule_extra_idx on monitor_schedule (next_check_at) where extra_checks > 0;
create index monitor_schedule_org_idx on monitor_schedule (organisation_id);

-- One re-check of one item.
create table item_checks (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations (id),
  item_id uuid not null references items (id),
  checked_at timestamptz not null,
  -- removed: gone (404, 410, 451, a platform's removal page, the captured media no longer
  -- served); online: still there; changed: answers, but not with what was captured; error: the
  -- check could not decide (timeout, refused, too large) and counts as neither.
  verdict text not null check (verdict in ('removed', 'online', 'changed', 'error')),
  -- Why: http_404, http_410, http_451, removal_page, media_gone, same_content, media_served,
  -- content_changed, timeout, blocked_address, too_large, redirect_loop, …
  reason text not null check (length(reason) between 1 and 100),
  http_status integer,
  final_url text check (length(final_url) <= 4000),
  content_sha256 text check (content_sha256 ~ '^[0-9a-f]{64}$'),
  content_bytes bigint,
  -- When the captured media was compared: the PDQ distance to the nearest served image.
  pdq_distance integer,
  duration_ms integer,
  error text check (length(error) <= 2000),
  -- The fetcher's version string, so a check can be reproduced.
  fetcher text not null,
  -- SHA-256 of the check's canonical JSON record.
  record_sha256 text not null check (record_sha256 ~ '^[0-9a-f]{64}$')
);
create index item_checks_item_idx on item_checks (item_id, checked_at);
create index item_checks_org_time_idx on item_checks (organisation_id, checked_at);

-- The verified removal: the first check that saw the item gone.
alter table items add column removed_at timestamptz;
alter table items add column removal_check_id uuid references item_checks (id);
-- A re-upload of known material: linked to the earlier case and put first in the queue.
alter table items add column fast_tracked_at timestamptz;

-- A party said it removed (or disabled) the item, and a later check still found it online.
alter table notice_items add column claim_contradicted_at timestamptz;
alter table notice_items add column contradicting_check_id uuid references item_checks (id);
