-- 0011: reporting. Each organisation's publication settings (the public transparency page is
-- off until an admin turns it on; the trusted flagger's statement of how it keeps its
-- independence, printed in the yearly report), and indexes for the figures, which are computed
-- from notices, their items, the items' verified removal and the cases, never stored.

create table reporting_settings (
  organisation_id uuid primary key references organisations (id),
  -- When the transparency page was turned on; null: off (the public page answers 404).
  transparency_published_at timestamptz,
  -- DSA art. 22(3): the explanation of the procedures that keep the trusted flagger independent.
  independence_statement text check (length(independence_statement) between 1 and 10000),
  updated_at timestamptz not null
);

-- Notices by the time they went out: the period filters and the yearly report select on it.
create index notices_org_sent_idx on notices (organisation_id, sent_at) where sent_at is not null;
-- Cases by creation time per organisation, for the registration export.
create index cases_org_created_idx on cases (organisation_id, created_at);
