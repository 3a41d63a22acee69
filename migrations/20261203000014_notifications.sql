-- Notifications (issue 20): who wants to hear about what, and an outbox of
-- what is to be told. Rows of `notifications` are written by triggers in the
-- same transaction as the change that causes them (an event, a sync) or by
-- the server's periodic checks (overdue actions, stale heartbeats); the
-- server's delivery worker sends them (src/server/notify/).

-- The rules a person can choose. Defaults by role: notification_default().
create or replace function notification_rules() returns text[]
language sql immutable as $$
    select array['action_blocked', 'action_overdue', 'agent_health', 'sync_problem',
                 'result_completed', 'deliverable_published', 'bottleneck_moved']
$$;

-- Whether a rule is on for a role when the person has not chosen. A rule's
-- audience (whom it may reach at all) is in notify_enqueue().
create or replace function notification_default(role text, rule text) returns boolean
language sql immutable as $$
    select case rule
        when 'action_blocked' then true
        when 'action_overdue' then true
        when 'agent_health' then role = 'admin'
        when 'sync_problem' then role = 'admin'
        when 'bottleneck_moved' then role = 'admin'
        -- VIPs opt in.
        when 'result_completed' then false
        when 'deliverable_published' then false
        else false
    end
$$;

-- A person's choice for one rule on one channel; no row means the default.
create table if not exists notification_prefs (
    user_id uuid not null references users(id) on delete cascade,
    rule text not null check (rule = any (notification_rules())),
    channel text not null check (channel in ('email', 'webhook', 'push')),
    enabled boolean not null,
    updated_at timestamptz not null default now(),
    primary key (user_id, rule, channel)
);
comment on table notification_prefs is 'Each person''s choice of notification rules per channel (none: the role''s default).';

-- A person's time zone, quiet hours and the token of their unsubscribe links.
create table if not exists notification_settings (
    user_id uuid primary key references users(id) on delete cascade,
    time_zone text not null default 'UTC'
        check (now() at time zone time_zone is not null),
    quiet_start time,
    quiet_end time,
    unsubscribe_token uuid not null default gen_random_uuid() unique,
    updated_at timestamptz not null default now(),
    check ((quiet_start is null) = (quiet_end is null))
);
comment on table notification_settings is 'Each person''s time zone, quiet hours and unsubscribe token.';

-- A person's settings row, made with the defaults the first time it is read.
create or replace function notification_settings_of(p_user uuid) returns notification_settings
language plpgsql as $$
declare
    s notification_settings;
begin
    select * into s from notification_settings where user_id = p_user;
    if not found then
        insert into notification_settings (user_id) values (p_user) on conflict (user_id) do nothing;
        select * into s from notification_settings where user_id = p_user;
    end if;
    return s;
end $$;

-- The outbox. One row per person and channel; the idempotency key makes a
-- cause enqueue at most once (an action overdue is told once).
create table if not exists notifications (
    id bigint generated always as identity primary key,
    idempotency_key text not null unique,
    user_id uuid not null references users(id) on delete cascade,
    rule text not null check (rule = any (notification_rules())),
    channel text not null check (channel in ('email', 'webhook', 'push')),
    event_id bigint references events(id),
    subject text not null,
    body text not null,
    -- The cockpit page it is about, from the mount path's root ("/", "/sync").
    link text not null default '/',
    -- queued: not tried yet; failed: the last try failed, tried again at
    -- next_attempt_at; sent; dead: given up after the last try.
    state text not null default 'queued' check (state in ('queued', 'failed', 'sent', 'dead')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    -- The notification whose message carried this one (a burst is one message).
    sent_with bigint references notifications(id),
    created_at timestamptz not null default now(),
    sent_at timestamptz
);
create index if not exists notifications_due on notifications (next_attempt_at)
    where state in ('queued', 'failed');
create index if not exists notifications_recent on notifications (created_at desc);
comment on table notifications is 'Outbox of notifications, written with the change that causes them; sent by the server''s worker.';

-- Wakes the delivery worker (with nothing but a nudge).
create or replace function notifications_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('rpm_notifications', '');
    return null;
end $$;
create or replace trigger notifications_notify after insert on notifications
    for each statement execute function notifications_notify();

-- If `at` falls in the quiet hours [qs, qe) of time zone tz (they may wrap
-- midnight: 22:00-07:00), the instant they end; else null.
create or replace function notification_quiet_until(at timestamptz, tz text, qs time, qe time)
returns timestamptz
language sql stable as $$
    select case
        when qs is null or qe is null or qs = qe then null
        when qs < qe and local::time >= qs and local::time < qe
            then (local::date + qe) at time zone tz
        when qs > qe and local::time >= qs
            then (local::date + 1 + qe) at time zone tz
        when qs > qe and local::time < qe
            then (local::date + qe) at time zone tz
    end
    from (select at at time zone tz as local) l
$$;

-- Enqueues one notification for everyone in the rule's audience who has
-- the rule on, on each channel they can be reached by. `owner` is the
-- action's owner (for the owner rules), `actor` the person who made the
-- change (never told about their own change).
create or replace function notify_enqueue(
    p_rule text, p_key text, p_subject text, p_body text, p_link text,
    p_event bigint, p_owner text default null, p_actor text default null)
returns void
language plpgsql as $$
begin
    insert into notifications (idempotency_key, user_id, rule, channel, event_id, subject, body, link)
    select p_key || ':' || u.id || ':' || c.channel, u.id, p_rule, c.channel, p_event,
           left(p_subject, 200), p_body, coalesce(p_link, '/')
    from users u
    -- Channels that deliver today; webhook and push join here when they do.
    cross join (values ('email')) c(channel)
    left join notification_prefs p
           on p.user_id = u.id and p.rule = p_rule and p.channel = c.channel
    where case
            when p_rule in ('action_blocked', 'action_overdue')
                then u.role = 'admin'
                     or (p_owner is not null and lower(u.owner_name) = lower(p_owner))
            when p_rule in ('agent_health', 'sync_problem', 'bottleneck_moved')
                then u.role = 'admin'
            else true
          end
      and coalesce(p.enabled, notification_default(u.role, p_rule))
      and (p_actor is null or lower(p_actor) not in (lower(u.email), lower(u.display_name)))
    on conflict (idempotency_key) do nothing;
end $$;

-- Events that are notifications, enqueued in the event's own transaction.
create or replace function events_enqueue_notifications() returns trigger
language plpgsql as $$
declare
    a record;
    open_left integer;
begin
    if new.event_type = 'ACTION_BLOCKED' then
        select x.action_code, x.action_text, x.owner, x.blocker_description into a
        from rpm_action_items x where x.id = new.entity_id;
        if found then
            perform notify_enqueue('action_blocked', 'event:' || new.id,
                'Blocked: ' || a.action_code || ' ' || a.action_text,
                coalesce(a.owner, 'Nobody') || '''s action ' || a.action_code || ' is blocked: '
                    || coalesce(a.blocker_description, '(no reason given)'),
                '/', new.id, a.owner, new.payload->>'actor');
        end if;
    elsif new.event_type = 'ACTION_COMPLETED' then
        -- The result is completed when its last open action is.
        select r.result_code, r.result_text, r.id,
               count(*) filter (where x.status not in ('completed', 'cancelled')) as open_left
          into a
        from rpm_action_items y
        join rpm_results r on r.id = y.result_id
        join rpm_action_items x on x.result_id = r.id
        where y.id = new.entity_id
        group by r.id, r.result_code, r.result_text;
        if found and a.open_left = 0 then
            perform notify_enqueue('result_completed', 'result:' || a.id,
                'Result completed: ' || a.result_code || ' ' || a.result_text,
                'Every action of ' || a.result_code || ' (' || a.result_text || ') is done.',
                '/', new.id, null, new.payload->>'actor');
        end if;
    elsif new.event_type = 'AGENT_STATUS_CHANGE' then
        if new.payload->>'health_band' = 'critical' or new.payload->>'status' = 'error' then
            perform notify_enqueue('agent_health', 'event:' || new.id,
                'Agent ' || coalesce(new.payload->>'agent_name', '?') || ' is '
                    || coalesce(new.payload->>'health_band', new.payload->>'status'),
                'Agent ' || coalesce(new.payload->>'agent_name', '?') || ': status '
                    || coalesce(new.payload->>'status', '?') || ', health '
                    || coalesce(new.payload->>'health_score', '?') || '.',
                '/agents/' || coalesce(new.payload->>'agent_name', ''), new.id);
        end if;
    elsif new.event_type = 'DELIVERABLE_PUBLISHED' then
        perform notify_enqueue('deliverable_published', 'event:' || new.id,
            'Published: ' || coalesce(new.payload->>'title', 'a deliverable'),
            coalesce(new.payload->>'deliverable_type', 'Deliverable') || ' "'
                || coalesce(new.payload->>'title', '?') || '" is published.',
            '/deliverables', new.id);
    end if;
    return null;
end $$;
create or replace trigger events_enqueue_notifications after insert on events
    for each row execute function events_enqueue_notifications();

-- A sync refused, or with warnings, tells the admins in the sync's own
-- transaction; once per file and content.
create or replace function plan_sync_enqueue_notifications() returns trigger
language plpgsql as $$
begin
    if new.outcome = 'refused' or (new.outcome = 'imported' and jsonb_array_length(new.warnings) > 0) then
        perform notify_enqueue('sync_problem',
            'sync:' || new.source_path || ':' || new.content_hash || ':' || new.outcome,
            case when new.outcome = 'refused'
                 then 'Sync refused: ' || new.source_path
                 else 'Sync with ' || jsonb_array_length(new.warnings) || ' warning(s): ' || new.source_path end,
            case when new.outcome = 'refused'
                 then new.source_path || ' was not imported: ' || jsonb_array_length(new.errors) || ' error(s), first: line '
                      || coalesce(new.errors->0->>'line', '?') || ': ' || coalesce(new.errors->0->>'message', '?')
                 else new.source_path || ' was imported; first warning: line '
                      || coalesce(new.warnings->0->>'line', '?') || ': ' || coalesce(new.warnings->0->>'message', '?') end,
            '/sync', null);
    end if;
    return null;
end $$;
create or replace trigger plan_sync_enqueue_notifications after insert or update on plan_sync_status
    for each row execute function plan_sync_enqueue_notifications();
