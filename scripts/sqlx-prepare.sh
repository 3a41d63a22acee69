#!/usr/bin/env bash
# Writes .sqlx/, the offline data of the compile-time checked queries
# (sqlx::query!, query_as!, query_scalar!), from a freshly migrated
# database: run it after changing a checked query or adding a migration,
# and commit .sqlx/. With --check (the test command), fails instead when
# .sqlx/ is not what the queries and the schema give.
#
# The database is an embedded PostgreSQL cluster of its own
# (.data/sqlx, port 5447 unless RPM_SQLX_PG_PORT says otherwise), created,
# migrated by the server's own `db start`, and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${CARGO_TARGET_DIR:-}" ] && [ -n "${SQLX_OFFLINE+x}" ] || . scripts/setup.sh

check=()
[ "${1:-}" = "--check" ] && check=(--check)
dir="$PWD/.data/sqlx"
export RPM_DATA_DIR="$dir" RPM_EMBEDDED_PG_PORT="${RPM_SQLX_PG_PORT:-5447}"
# The server binary starts the cluster (`db start`). It builds from .sqlx/
# as it stands; after a new checked query it cannot until .sqlx/ has it,
# and the last build (which starts a cluster just as well) is used. With no
# build at all (a fresh machine), a plain cluster is made with PostgreSQL's
# own initdb in a temporary directory (as the `postgres` user when we are
# root, as the server does) and thrown away at the end.
plain_cluster() {
  # (global: the EXIT trap stops the cluster with it)
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -x "$bindir/initdb" ] || bindir="$(pg_config --bindir 2>/dev/null || true)"
  [ -x "$bindir/initdb" ] || { echo "no PostgreSQL initdb found (apt install postgresql)"; exit 1; }
  pg="$(mktemp -d)"
  as=()
  if [ "$(id -u)" = 0 ]; then chown postgres: "$pg"; as=(runuser -u postgres --); fi
  trap '"${as[@]}" "$bindir/pg_ctl" -D "$pg/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pg"' EXIT
  "${as[@]}" "$bindir/initdb" -D "$pg/data" -A trust -U postgres >/dev/null
  "${as[@]}" "$bindir/pg_ctl" -D "$pg/data" -l "$pg/log" -w \
    -o "-k $pg -p $RPM_EMBEDDED_PG_PORT -c listen_addresses=" start >/dev/null
  "${as[@]}" "$bindir/createdb" -h "$pg" -p "$RPM_EMBEDDED_PG_PORT" -U postgres sqlx
  url="postgres://postgres@localhost/sqlx?host=$pg&port=$RPM_EMBEDDED_PG_PORT"
}
bin="$CARGO_TARGET_DIR/debug/rpm-cockpit"
if [ -n "${RPM_SQLX_PLAIN_CLUSTER:-}" ]; then
  plain_cluster
elif ! RUSTFLAGS="--cfg erase_components" cargo build --quiet --features ssr --bin rpm-cockpit 2>/dev/null; then
  if [ -x "$bin" ]; then
    echo "the server does not build from .sqlx/ yet: starting the database with its last build"
  else
    echo "the server does not build from .sqlx/ yet and has no earlier build: a plain cluster"
    plain_cluster
  fi
fi
if [ -z "${url:-}" ]; then
  trap '"$bin" db stop >/dev/null 2>&1 || true' EXIT
  url="$("$bin" db start 2>/dev/null | sed -n 's/^running: //p')"
fi
[ -n "$url" ] || { echo "the sqlx database did not start"; exit 1; }
# Migrations newer than that build, from migrations/ itself.
DATABASE_URL="$url" cargo sqlx migrate run >/dev/null
# Every target that holds a checked query: the library, the binary, the
# tests and the benchmarks, with the server's features.
DATABASE_URL="$url" SQLX_OFFLINE=false RUSTFLAGS="--cfg erase_components" \
  cargo sqlx prepare "${check[@]}" -- --features ssr --all-targets
