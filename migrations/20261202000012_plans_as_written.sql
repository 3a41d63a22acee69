-- Plans as people write them (issue 16): carried actions, two more
-- statuses, the fields of Obsidian Tasks and Logseq, and each file's sync
-- status. Nothing of an earlier migration is edited; functions it defined
-- are replaced here with the same signatures.

-- 1. Carry-over. An action code may appear in several weeks: the same
-- action, carried forward. Each week keeps its own row (its status as that
-- week left it), so an action is (week, code) instead of code; the row of
-- a later week points at the row of the week before (carried_from_id).
-- weekly_plan_id repeats the result's plan so that the pair can be unique;
-- a trigger keeps it, whoever writes the row.
alter table rpm_action_items add column if not exists weekly_plan_id uuid
    references rpm_weekly_plans(id) on delete cascade;
update rpm_action_items a set weekly_plan_id = r.weekly_plan_id
from rpm_results r where r.id = a.result_id and a.weekly_plan_id is distinct from r.weekly_plan_id;

create or replace function rpm_action_items_set_plan() returns trigger
language plpgsql as $$
begin
    -- The importer inserts the plan with the row (one lookup per row
    -- cost a cold sync of 1,000 plans a second); any other insert, and
    -- every update, takes it from the result.
    if new.weekly_plan_id is null or tg_op = 'UPDATE' then
        new.weekly_plan_id := (select weekly_plan_id from rpm_results where id = new.result_id);
    end if;
    return new;
end;
$$;
create or replace trigger rpm_action_items_plan
    before insert or update of result_id, weekly_plan_id on rpm_action_items
    for each row execute function rpm_action_items_set_plan();

alter table rpm_action_items drop constraint if exists rpm_action_items_action_code_key;
create unique index if not exists rpm_action_items_plan_code_key
    on rpm_action_items (weekly_plan_id, action_code);
-- Every instance of a code, for carry links, deliverables and agents.
create index if not exists idx_action_items_code on rpm_action_items (action_code);

alter table rpm_action_items add column if not exists carried_from_id uuid
    references rpm_action_items(id) on delete set null;
create index if not exists idx_action_items_carried_from
    on rpm_action_items (carried_from_id) where carried_from_id is not null;
-- The week an action was carried from, and the week it was carried to
-- (one definition for the cockpit, the feed and the API).
create or replace function rpm_carried_from_week(from_id uuid) returns date
language sql stable as $$
    select p.week_start_date from rpm_action_items f
    join rpm_weekly_plans p on p.id = f.weekly_plan_id
    where f.id = from_id
$$;
create or replace function rpm_carried_to_week(action_id uuid) returns date
language sql stable as $$
    select p.week_start_date from rpm_action_items t
    join rpm_weekly_plans p on p.id = t.weekly_plan_id
    where t.carried_from_id = action_id
    order by p.week_start_date limit 1
$$;
-- A code is no longer unique, so the action list's page order ends on the
-- id (a carried action keeps its code and often its due date); the
-- indexes that hold that order gain it.
drop index if exists idx_action_items_due_order;
drop index if exists idx_action_items_status_due_order;
drop index if exists idx_action_items_owner_due_order;
create index if not exists idx_action_items_due_order_id
    on rpm_action_items (due_date desc nulls last, action_code, id);
create index if not exists idx_action_items_status_due_order_id
    on rpm_action_items (status, due_date desc nulls last, action_code, id);
create index if not exists idx_action_items_owner_due_order_id
    on rpm_action_items (owner, due_date desc nulls last, action_code, id);

comment on column rpm_action_items.weekly_plan_id is 'The plan of the action''s result (kept by a trigger).';
comment on column rpm_action_items.carried_from_id is 'The same action (code) in the week before, when carried forward.';

-- 2. Statuses: cancelled (dropped on purpose; counted nowhere) and
-- deferred (pushed out of its week; counted as not completed).
alter table rpm_action_items drop constraint if exists rpm_action_items_status_check;
alter table rpm_action_items add constraint rpm_action_items_status_check
    check (status in ('pending', 'in_progress', 'blocked', 'completed', 'deferred', 'cancelled'));

-- 3. Fields of Obsidian Tasks and Logseq: priority (1 highest … 5 lowest,
-- none = normal), scheduled day, start day.
alter table rpm_action_items add column if not exists priority smallint
    check (priority between 1 and 5);
alter table rpm_action_items add column if not exists scheduled_date date;
alter table rpm_action_items add column if not exists start_date date;

-- 4. The last sync of each plan file: when, its hash, the outcome
-- (failed: the database or the lake failed, not the file), and
-- its warnings and errors with line numbers ({line, message, text}).
create table if not exists plan_sync_status (
    source_path text primary key,
    synced_at timestamptz not null,
    content_hash text not null,
    outcome text not null check (outcome in ('imported', 'unchanged', 'refused', 'failed')),
    warnings jsonb not null default '[]',
    errors jsonb not null default '[]',
    imported_at timestamptz
);
comment on table plan_sync_status is 'Each plan file''s last sync: outcome, warnings and errors (docs/plan-format.md).';

-- 5. The analytics with the new statuses (docs/metrics.md, "Statuses and
-- carried actions").
-- Every action with its week. An action is planned from its week's start
-- (or its creation, if earlier); its days in stage run from the week's start
-- to its completion, or to as_of while open, at most to the week's end.
create or replace function rpm_analytics.action_facts(as_of timestamptz)
returns table (
    action_id uuid, plan_id uuid, week_start date, week_end date, result_id uuid,
    owner text, is_jesse boolean, funnel_stage text, status text,
    planned_at timestamptz, action_date date, due_date timestamptz,
    completion_date timestamptz, estimated_hours float8, actual_hours float8,
    days_in_stage float8)
language sql stable as $$
    select a.id, p.id, p.week_start_date, p.week_end_date, a.result_id, a.owner,
           coalesce(a.owner ilike 'jesse%', false), a.funnel_stage, a.status,
           least(a.created_at, rpm_analytics.day_start(p.week_start_date)),
           coalesce(rpm_analytics.utc_day(a.due_date), p.week_start_date),
           a.due_date, a.completion_date,
           a.estimated_hours::float8, a.actual_hours::float8,
           greatest(0, extract(epoch from
               least(coalesce(a.completion_date, as_of), as_of,
                     rpm_analytics.day_start(p.week_end_date + 1))
               - rpm_analytics.day_start(p.week_start_date)) / 86400.0)::float8
    from rpm_action_items a
    join rpm_results r on r.id = a.result_id
    join rpm_weekly_plans p on p.id = r.weekly_plan_id
    -- Cancelled actions were dropped on purpose: no figure counts them.
    where a.status <> 'cancelled'
$$;
-- revenue_correlation: per result. Revenue actual is what the deliverables
-- of its actions earned. No costs are recorded, so profit_margin is null.
create or replace function rpm_analytics.revenue_correlation_at(as_of timestamptz)
returns table (
    week_start date, result_id text, result_text text, action_items_completed bigint,
    action_items_total bigint, completion_rate float8, revenue_target numeric,
    revenue_actual numeric, revenue_achievement_rate float8, profit_margin float8)
language sql stable as $$
    select p.week_start_date, r.id::text, r.result_text,
           counted.completed, counted.total,
           rpm_analytics.pct(counted.completed, counted.total),
           coalesce(r.revenue_target, 0),
           coalesce(earned.actual, 0),
           rpm_analytics.pct(coalesce(earned.actual, 0), r.revenue_target),
           null::float8
    from rpm_results r
    join rpm_weekly_plans p on p.id = r.weekly_plan_id
    cross join lateral (
        select count(*) filter (where a.status = 'completed') as completed, count(*) as total
        from rpm_action_items a where a.result_id = r.id and a.status <> 'cancelled'
    ) counted
    left join lateral (
        select sum(d.revenue_actual) as actual
        from deliverables d join rpm_action_items a on a.id = d.action_item_id
        where a.result_id = r.id and (d.published_at is null or d.published_at <= as_of)
    ) earned on true
$$;
-- funnel_velocity: per week and stage (all three stages of every week).
-- bottleneck_score = average days in stage x share of the stage still open.
create or replace function rpm_analytics.funnel_velocity_at(as_of timestamptz)
returns table (
    week_start date, funnel_stage text, actions_entered bigint, actions_completed bigint,
    actions_blocked bigint, avg_days_in_stage float8, bottleneck_score float8,
    completion_rate float8)
language sql stable as $$
    select p.week_start_date, s.stage,
           count(f.action_id),
           count(*) filter (where f.status = 'completed'),
           count(*) filter (where f.status = 'blocked'),
           round(avg(f.days_in_stage)::numeric, 2)::float8,
           coalesce(round((avg(f.days_in_stage)
                           * count(*) filter (where f.status not in ('completed', 'deferred'))
                           / nullif(count(f.action_id), 0))::numeric, 2)::float8, 0),
           rpm_analytics.pct(count(*) filter (where f.status = 'completed'), count(f.action_id))
    from rpm_weekly_plans p
    cross join unnest(array['top', 'middle', 'bottom']) with ordinality s(stage, i)
    left join rpm_analytics.action_facts(as_of) f
           on f.plan_id = p.id and f.funnel_stage = s.stage
    group by p.week_start_date, s.stage, s.i
$$;
-- rpm_plan_effectiveness: per week. A result is achieved when it has
-- actions and all are completed; on time = completed by its due date.
create or replace function rpm_analytics.rpm_plan_effectiveness_at(as_of timestamptz)
returns table (
    week_start date, total_results bigint, results_achieved bigint, total_actions bigint,
    actions_completed bigint, on_time_completion_rate float8,
    jesse_completion_rate float8, team_completion_rate float8,
    avg_cycle_time_days float8, velocity_score float8)
language sql stable as $$
    select p.week_start_date,
           (select count(*) from rpm_results r where r.weekly_plan_id = p.id),
           (select count(*) from rpm_results r where r.weekly_plan_id = p.id
              and exists (select 1 from rpm_action_items a
                          where a.result_id = r.id and a.status <> 'cancelled')
              and not exists (select 1 from rpm_action_items a
                              where a.result_id = r.id
                                and a.status not in ('completed', 'cancelled'))),
           count(f.action_id),
           count(*) filter (where f.status = 'completed'),
           rpm_analytics.pct(
               count(*) filter (where f.status = 'completed' and f.completion_date <= f.due_date),
               count(*) filter (where f.status = 'completed' and f.due_date is not null)),
           rpm_analytics.pct(count(*) filter (where f.is_jesse and f.status = 'completed'),
                             count(*) filter (where f.is_jesse)),
           rpm_analytics.pct(count(*) filter (where not f.is_jesse and f.status = 'completed'),
                             count(*) filter (where not f.is_jesse)),
           round(avg(extract(epoch from f.completion_date - f.planned_at) / 86400.0)
                 filter (where f.status = 'completed')::numeric, 2)::float8,
           round(count(*) filter (where f.status = 'completed')::numeric
                 / rpm_analytics.elapsed_days(p.week_start_date, p.week_end_date, as_of), 2)::float8
    from rpm_weekly_plans p
    left join rpm_analytics.action_facts(as_of) f on f.plan_id = p.id
    group by p.id, p.week_start_date, p.week_end_date
$$;
