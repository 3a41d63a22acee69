-- The cockpit's panels read deliverables by publication time (last 7 days,
-- a week's revenue, the 8-week trend) and songs by album and status.
create index if not exists idx_deliverables_published_at on deliverables (published_at desc);
create index if not exists idx_deliverables_action_revenue on deliverables (action_item_id)
    include (revenue_actual);
create index if not exists idx_suno_songs_album_status on suno_songs (album_assignment, status);
