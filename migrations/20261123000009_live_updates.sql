-- Live updates read the events table by id. Identity values are drawn when
-- a row is inserted but become visible when its transaction commits, so
-- without care event 10 can commit after event 11 has been read, and a
-- reader that moved past 11 would never see 10.
--
-- Every insert into events first takes one transaction-level advisory lock,
-- held until commit (a BEFORE STATEMENT trigger runs before any id is
-- drawn). Event writers therefore commit one after another, in id order: a
-- reader that has seen id N has seen every committed id below N. Writers of
-- events are few (inline edits, imports, heartbeats that change a band), and
-- NOTIFY serialises commits in the same way anyway.
create or replace function events_in_commit_order() returns trigger
language plpgsql as $$
begin
    perform pg_advisory_xact_lock(hashtext('rpm_cockpit.events')::bigint);
    return null;
end $$;

create or replace trigger events_in_commit_order before insert on events
    for each statement execute function events_in_commit_order();

-- Listeners are woken with the event's id only, never its payload.
create or replace function events_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('rpm_events', new.id::text);
    return null;
end $$;

create or replace trigger events_notify after insert on events
    for each row execute function events_notify();

-- Tokens may change actions (complete, block) with the `actions` scope.
alter table api_tokens drop constraint if exists api_tokens_scopes_check;
alter table api_tokens add constraint api_tokens_scopes_check check (
    scopes <@ array['heartbeat', 'sync', 'revenue', 'read', 'actions']::text[]
    and cardinality(scopes) > 0);
