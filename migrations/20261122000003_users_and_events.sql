-- What the product needs beyond the specification's seven tables.

-- People allowed into the cockpit (spec 2.1: an allowlist with roles).
create table if not exists users (
    id uuid primary key default gen_random_uuid(),
    email text not null,
    display_name text not null,
    role text not null check (role in ('admin', 'vip', 'team')),
    -- For the team role: the action owner name whose actions they may see.
    owner_name text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index if not exists users_email_key on users (lower(email));
create or replace trigger users_updated_at before update on users
    for each row execute function set_updated_at();
comment on table users is 'Allowlisted people and their role: admin, vip or team.';

-- Append-only log of every change, written in the same transaction as the
-- change itself; live updates stream from it and replay from it.
create table if not exists events (
    id bigint generated always as identity primary key,
    event_type text not null check (event_type in (
        'ACTION_COMPLETED', 'ACTION_BLOCKED', 'ACTION_UPDATED',
        'AGENT_STATUS_CHANGE', 'REVENUE_UPDATE', 'DELIVERABLE_PUBLISHED',
        'PLAN_IMPORTED')),
    entity_id uuid,
    payload jsonb not null default '{}',
    -- The writing transaction: ids can become visible out of commit order,
    -- so readers compare this with their snapshot's xmin not to skip a late
    -- committer.
    tx_id xid8 not null default pg_current_xact_id(),
    created_at timestamptz not null default now()
);
create index if not exists events_created_at on events (created_at);

create or replace function events_are_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'events is append-only (% refused)', tg_op;
end;
$$;
create or replace trigger events_append_only before update or delete on events
    for each statement execute function events_are_append_only();
comment on table events is 'Append-only change log feeding live updates (SSE) and replay.';
