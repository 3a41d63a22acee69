-- The deliverables page lists the newest first: published, else created.
create index if not exists idx_deliverables_newest
    on deliverables ((coalesce(published_at, created_at)) desc, id);
