-- Analytics (spec 1.2): the seven warehouse tables, computed by PostgreSQL.
--
-- Each table is a function of a moment, rpm_analytics.<table>_at(as_of), so
-- the cockpit, the API and the tests ask the same query (tests pin the
-- moment); the materialized view rpm_analytics.<table> is its snapshot,
-- refreshed hourly (rpm_analytics.refresh) and exported to Parquet for
-- BigQuery. Formulas: docs/metrics.md. Dates are UTC days. Rates are
-- percentages (0-100, two decimals); estimation accuracy is a ratio.

create schema if not exists rpm_analytics;

-- 100 * part / whole, null for an empty whole.
create or replace function rpm_analytics.pct(part numeric, whole numeric)
returns float8 language sql immutable as $$
    select case when whole > 0 then round(100 * part / whole, 2)::float8 end
$$;

create or replace function rpm_analytics.day_start(d date)
returns timestamptz language sql immutable as $$
    select d::timestamp at time zone 'UTC'
$$;

create or replace function rpm_analytics.utc_day(t timestamptz)
returns date language sql immutable as $$
    select (t at time zone 'UTC')::date
$$;

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
$$;

-- Days of [start, end] elapsed at as_of: 1 on the first day, all once over.
create or replace function rpm_analytics.elapsed_days(start_day date, end_day date, as_of timestamptz)
returns integer language sql immutable as $$
    select least(greatest(rpm_analytics.utc_day(as_of), start_day), end_day) - start_day + 1
$$;

-- action_completion_metrics: per planned day (due date, else week start),
-- owner and funnel stage.
create or replace function rpm_analytics.action_completion_metrics_at(as_of timestamptz)
returns table (
    date date, owner text, funnel_stage text, total_actions bigint,
    completed_actions bigint, completion_rate float8, avg_hours_to_complete float8,
    blocked_actions bigint, avg_estimated_hours float8, avg_actual_hours float8,
    estimation_accuracy float8)
language sql stable as $$
    select f.action_date, coalesce(f.owner, 'unassigned'), f.funnel_stage,
           count(*),
           count(*) filter (where f.status = 'completed'),
           rpm_analytics.pct(count(*) filter (where f.status = 'completed'), count(*)),
           round(avg(extract(epoch from f.completion_date - f.planned_at) / 3600.0)
                 filter (where f.status = 'completed')::numeric, 2)::float8,
           count(*) filter (where f.status = 'blocked'),
           round(avg(f.estimated_hours)::numeric, 2)::float8,
           round(avg(f.actual_hours) filter (where f.status = 'completed')::numeric, 2)::float8,
           round((sum(f.actual_hours) filter (where f.status = 'completed' and f.estimated_hours > 0)
                  / nullif(sum(f.estimated_hours) filter (
                        where f.status = 'completed' and f.estimated_hours > 0
                          and f.actual_hours is not null), 0))::numeric, 3)::float8
    from rpm_analytics.action_facts(as_of) f
    group by 1, 2, 3
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
        from rpm_action_items a where a.result_id = r.id
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
                           * count(*) filter (where f.status <> 'completed')
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
              and exists (select 1 from rpm_action_items a where a.result_id = r.id)
              and not exists (select 1 from rpm_action_items a
                              where a.result_id = r.id and a.status <> 'completed')),
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

-- agent_performance: per UTC day and agent. Status segments run from one
-- AGENT_STATUS_CHANGE to the next (the last to as_of); active and idle
-- hours are their parts within the day.
create or replace function rpm_analytics.agent_performance_at(as_of timestamptz)
returns table (
    date date, agent_name text, actions_completed bigint,
    avg_completion_time_hours float8, health_score_avg float8, health_score_min float8,
    error_count bigint, idle_time_hours float8, active_time_hours float8,
    utilization_rate float8)
language sql stable as $$
    with changes as (
        select e.payload->>'agent_name' as agent, e.created_at as at,
               e.payload->>'status' as status, (e.payload->>'health_score')::float8 as health
        from events e
        where e.event_type = 'AGENT_STATUS_CHANGE' and e.created_at <= as_of
    ), segments as (
        select agent, status, at as starts,
               coalesce(lead(at) over (partition by agent order by at), as_of) as ends
        from changes
    ), hours as (
        select s.agent, d.day, s.status,
               extract(epoch from least(s.ends, rpm_analytics.day_start(d.day + 1))
                                - greatest(s.starts, rpm_analytics.day_start(d.day))) / 3600.0 as h
        from segments s
        cross join lateral (
            select g::date as day
            from generate_series(rpm_analytics.utc_day(s.starts), rpm_analytics.utc_day(s.ends),
                                 interval '1 day') g
        ) d
        where s.ends > s.starts
    ), done as (
        select a.owner as agent, rpm_analytics.utc_day(a.completion_date) as day,
               count(*) as n, avg(a.actual_hours)::float8 as avg_hours
        from rpm_action_items a
        join agent_status ag on ag.agent_name = a.owner
        where a.status = 'completed' and a.completion_date <= as_of
        group by 1, 2
    ), health as (
        select agent, rpm_analytics.utc_day(at) as day, avg(health) as avg_h, min(health) as min_h,
               count(*) filter (where status = 'error') as errors
        from changes group by 1, 2
    ), time_use as (
        select agent, day,
               sum(h) filter (where status = 'active') as active,
               sum(h) filter (where status = 'idle') as idle
        from hours group by 1, 2
    ), days as (
        select agent, day from done
        union select agent, day from health
        union select agent, day from time_use
    )
    select k.day, k.agent, coalesce(done.n, 0), round(done.avg_hours::numeric, 2)::float8,
           round(health.avg_h::numeric, 2)::float8, health.min_h,
           coalesce(health.errors, 0),
           round(coalesce(t.idle, 0)::numeric, 2)::float8,
           round(coalesce(t.active, 0)::numeric, 2)::float8,
           rpm_analytics.pct(coalesce(t.active, 0)::numeric,
                             (coalesce(t.active, 0) + coalesce(t.idle, 0))::numeric)
    from days k
    left join done on done.agent = k.agent and done.day = k.day
    left join health on health.agent = k.agent and health.day = k.day
    left join time_use t on t.agent = k.agent and t.day = k.day
$$;

-- deliverable_metrics: per UTC day and type; created counts by creation
-- day, everything else by publication day.
create or replace function rpm_analytics.deliverable_metrics_at(as_of timestamptz)
returns table (
    date date, deliverable_type text, deliverables_created bigint,
    deliverables_published bigint, revenue_target numeric, revenue_actual numeric,
    revenue_achievement_rate float8, avg_time_to_publish_days float8)
language sql stable as $$
    with created as (
        select rpm_analytics.utc_day(created_at) as day, deliverable_type as kind, count(*) as n
        from deliverables where created_at <= as_of group by 1, 2
    ), published as (
        select rpm_analytics.utc_day(published_at) as day, deliverable_type as kind,
               count(*) as n, sum(coalesce(revenue_target, 0)) as target,
               sum(coalesce(revenue_actual, 0)) as actual,
               avg(greatest(0, extract(epoch from published_at - created_at) / 86400.0)) as days
        from deliverables
        where status = 'published' and published_at <= as_of group by 1, 2
    )
    select coalesce(c.day, p.day), coalesce(c.kind, p.kind), coalesce(c.n, 0), coalesce(p.n, 0),
           coalesce(p.target, 0), coalesce(p.actual, 0),
           rpm_analytics.pct(p.actual, p.target), round(p.days::numeric, 2)::float8
    from created c full join published p on p.day = c.day and p.kind = c.kind
$$;

-- suno_album_analytics: each album's state on as_of's day.
create or replace function rpm_analytics.suno_album_analytics_at(as_of timestamptz)
returns table (
    date date, album_name text, songs_generated bigint, songs_mastered bigint,
    songs_released bigint, total_duration_minutes float8, avg_bpm float8,
    genre_distribution text, revenue_target numeric, revenue_actual numeric)
language sql stable as $$
    select rpm_analytics.utc_day(as_of), coalesce(s.album_assignment, 'unassigned'),
           count(*),
           count(*) filter (where s.status in ('mastered', 'released')),
           count(*) filter (where s.status = 'released'),
           round(coalesce(sum(s.duration_seconds), 0) / 60.0, 2)::float8,
           round(avg(s.bpm), 1)::float8,
           coalesce((select jsonb_object_agg(g.genre, g.n)::text from (
                select coalesce(s2.genre, 'unknown') as genre, count(*) as n
                from suno_songs s2
                where coalesce(s2.album_assignment, 'unassigned') = coalesce(s.album_assignment, 'unassigned')
                  and s2.created_at <= as_of
                group by 1) g), '{}'),
           coalesce(sum(s.revenue_target), 0), coalesce(sum(s.revenue_actual), 0)
    from suno_songs s
    where s.created_at <= as_of
    group by s.album_assignment
$$;

-- Estimation accuracy per owner: actual / estimated hours over completed
-- actions that have both.
create or replace function rpm_analytics.estimation_accuracy_at(as_of timestamptz)
returns table (owner text, actions_measured bigint, estimated_hours float8,
               actual_hours float8, accuracy float8)
language sql stable as $$
    select coalesce(f.owner, 'unassigned'), count(*),
           sum(f.estimated_hours), sum(f.actual_hours),
           round((sum(f.actual_hours) / sum(f.estimated_hours))::numeric, 3)::float8
    from rpm_analytics.action_facts(as_of) f
    where f.status = 'completed' and f.estimated_hours > 0 and f.actual_hours is not null
      and f.completion_date <= as_of
    group by 1
$$;

-- rpm_dna_periods' rows for one period type. Weekly periods are the plans'
-- weeks; daily, monthly and quarterly ones are calendar periods of each
-- action's day (due date, else its week's start). Velocity: actions
-- completed within the period per elapsed day.
create or replace function rpm_analytics.dna_periods_at(kind text, as_of timestamptz)
returns table (
    period_type text, period_start date, period_end date, total_actions bigint,
    completed_actions bigint, completion_rate float8, velocity_score float8,
    revenue_target numeric, revenue_actual numeric, jesse_completion_rate float8)
language sql stable as $$
    with facts as (
        select f.*,
               case kind
                   when 'weekly' then f.week_start
                   when 'daily' then f.action_date
                   when 'monthly' then date_trunc('month', f.action_date)::date
                   when 'quarterly' then date_trunc('quarter', f.action_date)::date
               end as p_start,
               case kind
                   when 'weekly' then f.week_end
                   when 'daily' then f.action_date
                   when 'monthly' then (date_trunc('month', f.action_date) + interval '1 month - 1 day')::date
                   when 'quarterly' then (date_trunc('quarter', f.action_date) + interval '3 months - 1 day')::date
               end as p_end
        from rpm_analytics.action_facts(as_of) f
        where kind in ('daily', 'weekly', 'monthly', 'quarterly')
    ), periods as (
        select p_start, p_end, count(*) as total,
               count(*) filter (where status = 'completed') as completed,
               count(*) filter (where is_jesse) as jesse_total,
               count(*) filter (where is_jesse and status = 'completed') as jesse_completed,
               count(*) filter (where status = 'completed'
                   and completion_date >= rpm_analytics.day_start(p_start)
                   and completion_date < rpm_analytics.day_start(p_end + 1)) as completed_within
        from facts group by 1, 2
    )
    select kind, p.p_start, p.p_end, p.total, p.completed,
           rpm_analytics.pct(p.completed, p.total),
           round(p.completed_within::numeric
                 / rpm_analytics.elapsed_days(p.p_start, p.p_end, as_of), 2)::float8,
           coalesce((select sum(r.revenue_target) from rpm_results r
                     join rpm_weekly_plans w on w.id = r.weekly_plan_id
                     where w.week_start_date between p.p_start and p.p_end), 0),
           coalesce((select sum(d.revenue_actual) from deliverables d
                     where d.published_at >= rpm_analytics.day_start(p.p_start)
                       and d.published_at < rpm_analytics.day_start(p.p_end + 1)
                       and d.published_at <= as_of), 0),
           rpm_analytics.pct(p.jesse_completed, p.jesse_total)
    from periods p
$$;

-- The snapshots that are exported, refreshed hourly.
create materialized view if not exists rpm_analytics.action_completion_metrics as
    select * from rpm_analytics.action_completion_metrics_at(now());
create unique index if not exists action_completion_metrics_key
    on rpm_analytics.action_completion_metrics (date, owner, funnel_stage);
create materialized view if not exists rpm_analytics.revenue_correlation as
    select * from rpm_analytics.revenue_correlation_at(now());
create unique index if not exists revenue_correlation_key
    on rpm_analytics.revenue_correlation (result_id);
create materialized view if not exists rpm_analytics.agent_performance as
    select * from rpm_analytics.agent_performance_at(now());
create unique index if not exists agent_performance_key
    on rpm_analytics.agent_performance (date, agent_name);
create materialized view if not exists rpm_analytics.funnel_velocity as
    select * from rpm_analytics.funnel_velocity_at(now());
create unique index if not exists funnel_velocity_key
    on rpm_analytics.funnel_velocity (week_start, funnel_stage);
create materialized view if not exists rpm_analytics.rpm_plan_effectiveness as
    select * from rpm_analytics.rpm_plan_effectiveness_at(now());
create unique index if not exists rpm_plan_effectiveness_key
    on rpm_analytics.rpm_plan_effectiveness (week_start);
create materialized view if not exists rpm_analytics.deliverable_metrics as
    select * from rpm_analytics.deliverable_metrics_at(now());
create unique index if not exists deliverable_metrics_key
    on rpm_analytics.deliverable_metrics (date, deliverable_type);
create materialized view if not exists rpm_analytics.suno_album_analytics as
    select * from rpm_analytics.suno_album_analytics_at(now());
create unique index if not exists suno_album_analytics_key
    on rpm_analytics.suno_album_analytics (date, album_name);

-- Refreshes every snapshot and rolls rpm_dna_periods up, in one
-- transaction (the caller's). Readers are not blocked (concurrently).
create or replace function rpm_analytics.refresh(as_of timestamptz default now())
returns void language plpgsql as $$
declare
    name text;
begin
    foreach name in array array['action_completion_metrics', 'revenue_correlation',
        'agent_performance', 'funnel_velocity', 'rpm_plan_effectiveness',
        'deliverable_metrics', 'suno_album_analytics'] loop
        execute format('refresh materialized view concurrently rpm_analytics.%I', name);
    end loop;
    insert into rpm_dna_periods as d
        (period_type, period_start, period_end, total_actions, completed_actions,
         completion_rate, velocity_score, revenue_target, revenue_actual, jesse_completion_rate)
    select k.kind, rpm_analytics.day_start(p.period_start), rpm_analytics.day_start(p.period_end),
           p.total_actions, p.completed_actions, p.completion_rate, p.velocity_score,
           p.revenue_target, p.revenue_actual, p.jesse_completion_rate
    from unnest(array['daily', 'weekly', 'monthly', 'quarterly']) k(kind)
    cross join lateral rpm_analytics.dna_periods_at(k.kind, as_of) p
    on conflict (period_type, period_start) do update set
        period_end = excluded.period_end, total_actions = excluded.total_actions,
        completed_actions = excluded.completed_actions,
        completion_rate = excluded.completion_rate, velocity_score = excluded.velocity_score,
        revenue_target = excluded.revenue_target, revenue_actual = excluded.revenue_actual,
        jesse_completion_rate = excluded.jesse_completion_rate;
end;
$$;
