-- Browser sessions (tower-sessions' PostgreSQL store reads and writes this
-- table; its layout is that store's). Expired rows are deleted by the server.
create schema if not exists tower_sessions;
create table if not exists tower_sessions.session (
    id text primary key not null,
    data bytea not null,
    expiry_date timestamptz not null
);
create index if not exists session_expiry_date on tower_sessions.session (expiry_date);
comment on table tower_sessions.session is 'Signed-in browser sessions (tower-sessions store).';

-- When each person last signed in (shown by `users list`).
alter table users add column if not exists last_signed_in_at timestamptz;
