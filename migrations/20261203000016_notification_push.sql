-- Web Push (docs/notifications.md): the browsers and home-screen apps a
-- person turned notifications on in. A browser's push service gives the
-- endpoint and the keys (RFC 8291: the P-256 public key `p256dh` and the
-- 16-byte `auth` secret, both base64url); the server encrypts every
-- message for them and signs its request with the cockpit's VAPID key.
create table if not exists push_subscriptions (
    id bigint generated always as identity primary key,
    user_id uuid not null references users(id) on delete cascade,
    endpoint text not null unique check (endpoint ~ '^https?://'),
    p256dh text not null check (p256dh ~ '^[A-Za-z0-9_-]+={0,2}$'),
    auth text not null check (auth ~ '^[A-Za-z0-9_-]+={0,2}$'),
    -- Which browser, for the person's list ("iPhone", "Chrome on Linux").
    device text not null default '',
    created_at timestamptz not null default now(),
    last_sent_at timestamptz
);
create index if not exists push_subscriptions_user on push_subscriptions (user_id);
comment on table push_subscriptions is 'Browsers a person receives Web Push notifications in (endpoint and RFC 8291 keys).';

-- What the periodic checks last saw, for what is told when it changes
-- (the funnel's bottleneck). `version` counts the changes; it names each in
-- its idempotency key.
create table if not exists notification_watch (
    name text primary key,
    value text not null,
    version integer not null default 0,
    updated_at timestamptz not null default now()
);
comment on table notification_watch is 'Last value seen by the notification checks (the funnel''s bottleneck), to tell its changes once.';

-- Channels a person can be reached by: email always; a webhook once set; Web
-- Push once a browser of theirs subscribed.
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
    left join notification_settings s on s.user_id = u.id
    cross join (values ('email'), ('webhook'), ('push')) c(channel)
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
      and case c.channel
            when 'email' then true
            when 'webhook' then s.webhook_url is not null
            else exists (select 1 from push_subscriptions ps where ps.user_id = u.id)
          end
      and coalesce(p.enabled, notification_default(u.role, p_rule))
      and (p_actor is null or lower(p_actor) not in (lower(u.email), lower(u.display_name)))
    on conflict (idempotency_key) do nothing;
end $$;

-- The weekly digest (src/server/report/): a rule like the others, on by
-- default for VIPs and the admin; by email it carries the charts and the PDF.
create or replace function notification_rules() returns text[]
language sql immutable as $$
    select array['action_blocked', 'action_overdue', 'agent_health', 'sync_problem',
                 'result_completed', 'deliverable_published', 'bottleneck_moved',
                 'weekly_digest']
$$;

create or replace function notification_default(role text, rule text) returns boolean
language sql immutable as $$
    select case rule
        when 'action_blocked' then true
        when 'action_overdue' then true
        when 'agent_health' then role = 'admin'
        when 'sync_problem' then role = 'admin'
        when 'bottleneck_moved' then role = 'admin'
        when 'weekly_digest' then role in ('vip', 'admin')
        -- VIPs opt in.
        when 'result_completed' then false
        when 'deliverable_published' then false
        else false
    end
$$;
