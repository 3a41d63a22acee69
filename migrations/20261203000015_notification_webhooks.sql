-- Notifications by webhook (docs/notifications.md): a person's endpoint, the
-- shape of its body, and the secret its requests are signed with
-- (HMAC-SHA256). The secret is made here and shown to its person only.
alter table notification_settings
    add column if not exists webhook_url text
        check (webhook_url is null or webhook_url ~ '^https?://'),
    add column if not exists webhook_preset text not null default 'generic'
        check (webhook_preset in ('generic', 'slack', 'google_chat', 'discord', 'twilio')),
    -- Twilio's preset: the phone number the SMS goes to.
    add column if not exists webhook_sms_to text,
    add column if not exists webhook_secret text not null
        default encode(sha256(gen_random_uuid()::text::bytea || clock_timestamp()::text::bytea), 'hex');

-- Channels a person can be reached by: email always; a webhook once set.
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
    cross join (values ('email'), ('webhook')) c(channel)
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
      and (c.channel = 'email' or s.webhook_url is not null)
      and coalesce(p.enabled, notification_default(u.role, p_rule))
      and (p_actor is null or lower(p_actor) not in (lower(u.email), lower(u.display_name)))
    on conflict (idempotency_key) do nothing;
end $$;
