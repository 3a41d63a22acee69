-- Credentials of agents and scripts for /api/v1 (spec 2.1: API keys).
-- Only a hash of each token is stored; the token is shown once, at creation.
create table if not exists api_tokens (
    id uuid primary key default gen_random_uuid(),
    name text not null unique,            -- who holds it: "Artifacts agent", "sync job"
    token_hash text not null unique,      -- sha256 of the token, hex
    scopes text[] not null check (
        scopes <@ array['heartbeat', 'sync', 'revenue', 'read']::text[]
        and cardinality(scopes) > 0),
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
comment on table api_tokens is 'Hashed, scoped, revocable API tokens for agents and scripts.';
