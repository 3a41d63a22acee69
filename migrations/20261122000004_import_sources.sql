-- What the importer needs to be idempotent (issue: plan import).

-- Which file a plan was read from, and the hash of what was read: a re-run
-- over an unchanged file is recognised without parsing or writing anything.
alter table rpm_weekly_plans add column if not exists source_path text;
alter table rpm_weekly_plans add column if not exists source_hash text;
comment on column rpm_weekly_plans.source_path is 'The plan file this week was imported from.';
comment on column rpm_weekly_plans.source_hash is 'sha256 of the imported file (with the format version).';

-- The live fields of an action (status, actual hours, blocker, evidence,
-- completion date) as the plan file last stated them. An import changes the
-- live fields only when the file's statement changed since the last import,
-- so a completion made in the cockpit survives a re-import of an unchanged
-- action.
alter table rpm_action_items add column if not exists source_state jsonb;
comment on column rpm_action_items.source_state is 'Live fields as last imported; see docs/plan-format.md.';

-- Deliverables are identified by where they are stored: a re-import of the
-- same catalog updates rows instead of adding new ones.
create unique index if not exists deliverables_storage_path_key
    on deliverables (cloud_storage_path);
