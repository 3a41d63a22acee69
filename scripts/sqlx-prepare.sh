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
# and the last build (which starts a cluster just as well) is used.
bin="$CARGO_TARGET_DIR/debug/rpm-cockpit"
if ! RUSTFLAGS="--cfg erase_components" cargo build --quiet --features ssr --bin rpm-cockpit 2>/dev/null; then
  [ -x "$bin" ] || { echo "the server does not build from .sqlx/ and has no earlier build: build it once before changing a query"; exit 1; }
  echo "the server does not build from .sqlx/ yet: starting the database with its last build"
fi
trap '"$bin" db stop >/dev/null 2>&1 || true' EXIT
url="$("$bin" db start 2>/dev/null | sed -n 's/^running: //p')"
[ -n "$url" ] || { echo "the sqlx database did not start"; exit 1; }
# Migrations newer than that build, from migrations/ itself.
DATABASE_URL="$url" cargo sqlx migrate run >/dev/null
# Every target that holds a checked query: the library, the binary, the
# tests and the benchmarks, with the server's features.
DATABASE_URL="$url" SQLX_OFFLINE=false RUSTFLAGS="--cfg erase_components" \
  cargo sqlx prepare "${check[@]}" -- --features ssr --all-targets
