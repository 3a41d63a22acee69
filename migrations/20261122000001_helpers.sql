-- Helpers used by every later migration.
--
-- gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed
-- for the spec's UUID keys; pgcrypto is not required on AlloyDB either.

-- Keeps updated_at truthful whoever writes the row (importer, UI, API).
create or replace function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

-- Optimistic concurrency: every update of a versioned row bumps its version,
-- so a writer that read version N can say "where version = N" and lose
-- cleanly (0 rows) when someone else got there first.
create or replace function bump_version() returns trigger
language plpgsql as $$
begin
    new.version := old.version + 1;
    return new;
end;
$$;
