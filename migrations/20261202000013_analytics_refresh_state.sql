-- When the analytics were last refreshed, so that of several instances
-- (Cloud Run runs up to 10) only one refreshes per interval.
create table if not exists rpm_analytics.refresh_state (
    id int primary key default 1 check (id = 1),
    refreshed_at timestamptz not null
);
comment on table rpm_analytics.refresh_state is 'The last scheduled analytics refresh (one row).';
