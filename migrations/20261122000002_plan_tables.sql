-- The transactional schema of the specification (section 1.1): seven tables
-- and their indexes. Deliberate differences from the spec's text:
--   * timestamps are timestamptz (an instant, not a wall-clock reading), and
--     created_at/updated_at are not null;
--   * status-like columns carry check constraints listing the spec's values;
--   * rpm_action_items has a version column for conflict-safe updates.
-- Written with "if not exists" so that re-running it is harmless.

-- One row per planning week.
create table if not exists rpm_weekly_plans (
    id uuid primary key default gen_random_uuid(),
    week_start_date date not null unique,
    week_end_date date not null,
    status varchar(50) not null default 'active'
        check (status in ('active', 'completed', 'archived')),
    classification varchar(100),          -- e.g. "TIER 1 ABSOLUTE STANDARD"
    owner varchar(255) not null,          -- Jesse CEO, team member
    version varchar(50),                  -- the plan document's own version
    completion_rate decimal(5,2)          -- % of actions completed
        check (completion_rate between 0 and 100),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    metadata jsonb,                       -- free-form fields of the plan header
    check (week_end_date >= week_start_date)
);

-- Results: what the week is committed to achieving, and why.
create table if not exists rpm_results (
    id uuid primary key default gen_random_uuid(),
    weekly_plan_id uuid references rpm_weekly_plans(id) on delete cascade,
    result_code varchar(100) not null,    -- R1, R2, ...
    result_text text not null,
    purpose text not null,                -- WHY this matters
    priority integer default 0,           -- 1 = highest
    category varchar(100),                -- ARCH, DEV, DOCS, PLAN, ...
    status varchar(50) not null default 'in_progress'
        check (status in ('not_started', 'in_progress', 'blocked', 'completed')),
    completion_date timestamptz,
    revenue_target decimal(12,2),         -- beyond the spec: per-result revenue goal
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (weekly_plan_id, result_code)
);

-- Action items: the massive action plan behind each result.
create table if not exists rpm_action_items (
    id uuid primary key default gen_random_uuid(),
    result_id uuid references rpm_results(id) on delete cascade,
    action_code varchar(100) not null,    -- ARCH-BOOT-001a, ...
    action_text text not null,
    owner varchar(255),                   -- agent name or "Jesse"
    due_date timestamptz,
    funnel_stage varchar(50) not null default 'top'
        check (funnel_stage in ('top', 'middle', 'bottom')),
    status varchar(50) not null default 'pending'
        check (status in ('pending', 'in_progress', 'blocked', 'completed')),
    completion_date timestamptz,
    estimated_hours decimal(5,2) check (estimated_hours >= 0),
    actual_hours decimal(5,2) check (actual_hours >= 0),
    dependencies jsonb,                   -- array of action_code strings
    blocker_description text,
    verification_criteria text,
    evidence_path text,                   -- object-store path to evidence
    version integer not null default 1,   -- bumped by trigger on every update
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (action_code),
    -- A blocked action always says why.
    check (status <> 'blocked' or coalesce(btrim(blocker_description), '') <> '')
);

-- Agents and their health, as reported by heartbeats.
create table if not exists agent_status (
    id uuid primary key default gen_random_uuid(),
    agent_name varchar(100) not null unique,
    status varchar(50) not null
        check (status in ('active', 'idle', 'error', 'offline')),
    health_score integer not null default 100 check (health_score between 0 and 100),
    last_heartbeat timestamptz not null default now(),
    current_action_id uuid references rpm_action_items(id) on delete set null,
    session_start timestamptz,
    total_actions_completed integer not null default 0,
    total_hours_worked decimal(8,2) not null default 0,
    error_log text,
    metadata jsonb,                       -- cpu, memory, process_id, ...
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- Deliverables: songs, code, documents, albums, videos.
create table if not exists deliverables (
    id uuid primary key default gen_random_uuid(),
    action_item_id uuid references rpm_action_items(id) on delete set null,
    deliverable_type varchar(100) not null
        check (deliverable_type in ('song', 'code', 'document', 'album', 'video')),
    title text not null,
    description text,
    cloud_storage_path text not null,     -- gs://bucket/path or a local path
    status varchar(50) not null default 'draft'
        check (status in ('draft', 'review', 'approved', 'published')),
    revenue_target decimal(12,2),
    revenue_actual decimal(12,2),
    metadata jsonb,                       -- genre, duration, links, ...
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    published_at timestamptz
);

-- Roll-ups per period (daily, weekly, monthly, quarterly).
create table if not exists rpm_dna_periods (
    id uuid primary key default gen_random_uuid(),
    period_type varchar(50) not null
        check (period_type in ('daily', 'weekly', 'monthly', 'quarterly')),
    period_start timestamptz not null,
    period_end timestamptz not null,
    total_actions integer not null default 0,
    completed_actions integer not null default 0,
    completion_rate decimal(5,2),
    velocity_score decimal(8,2),          -- actions per day
    revenue_target decimal(12,2),
    revenue_actual decimal(12,2),
    jesse_completion_rate decimal(5,2),
    created_at timestamptz not null default now(),
    unique (period_type, period_start),
    check (period_end >= period_start)
);

-- The song catalog.
create table if not exists suno_songs (
    id uuid primary key default gen_random_uuid(),
    song_id varchar(255) unique not null, -- the generator's id
    title varchar(500) not null,
    genre varchar(200),
    bpm integer check (bpm > 0),
    key varchar(50),
    groove varchar(100),
    duration_seconds integer check (duration_seconds >= 0),
    cloud_storage_path text,
    album_assignment varchar(255),
    lyrics text,
    prompt_used text,
    status varchar(50) not null default 'generated'
        check (status in ('generated', 'reviewed', 'mastered', 'released')),
    revenue_target decimal(12,2),
    revenue_actual decimal(12,2),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    released_at timestamptz
);

-- Indexes of the specification.
create index if not exists idx_weekly_plans_date on rpm_weekly_plans (week_start_date desc);
create index if not exists idx_weekly_plans_status on rpm_weekly_plans (status);
create index if not exists idx_results_status on rpm_results (status);
create index if not exists idx_results_priority on rpm_results (priority);
create index if not exists idx_results_category on rpm_results (category);
create index if not exists idx_action_items_status on rpm_action_items (status);
create index if not exists idx_action_items_owner on rpm_action_items (owner);
create index if not exists idx_action_items_due_date on rpm_action_items (due_date);
create index if not exists idx_action_items_funnel_stage on rpm_action_items (funnel_stage);
create index if not exists idx_agent_status_name on agent_status (agent_name);
create index if not exists idx_agent_status_last_heartbeat on agent_status (last_heartbeat desc);
create index if not exists idx_deliverables_type on deliverables (deliverable_type);
create index if not exists idx_deliverables_status on deliverables (status);
create index if not exists idx_suno_songs_album on suno_songs (album_assignment);
create index if not exists idx_suno_songs_status on suno_songs (status);

-- Foreign keys the cockpit joins on (PostgreSQL does not index them itself).
create index if not exists idx_results_plan on rpm_results (weekly_plan_id);
create index if not exists idx_action_items_result on rpm_action_items (result_id);
create index if not exists idx_deliverables_action on deliverables (action_item_id);

-- updated_at and version triggers.
create or replace trigger rpm_weekly_plans_updated_at before update on rpm_weekly_plans
    for each row execute function set_updated_at();
create or replace trigger rpm_results_updated_at before update on rpm_results
    for each row execute function set_updated_at();
create or replace trigger rpm_action_items_updated_at before update on rpm_action_items
    for each row execute function set_updated_at();
create or replace trigger rpm_action_items_version before update on rpm_action_items
    for each row execute function bump_version();
create or replace trigger agent_status_updated_at before update on agent_status
    for each row execute function set_updated_at();
create or replace trigger deliverables_updated_at before update on deliverables
    for each row execute function set_updated_at();
create or replace trigger suno_songs_updated_at before update on suno_songs
    for each row execute function set_updated_at();

comment on table rpm_weekly_plans is 'One RPM plan per week (spec 1.1).';
comment on table rpm_results is 'Committed results of a week, each with its purpose.';
comment on table rpm_action_items is 'Massive action plan items; version guards concurrent edits.';
comment on table agent_status is 'Latest heartbeat and health of each agent.';
comment on table deliverables is 'Songs, code, documents, albums and videos, with revenue.';
comment on table rpm_dna_periods is 'Completion, velocity and revenue rolled up per period.';
comment on table suno_songs is 'The song catalog, organised into albums.';
