#!/usr/bin/env bash
# Runs every test: format, lints (server and browser feature sets), unit and
# integration tests against a real PostgreSQL, schema-driven fuzzing of the
# REST API, and browser tests in Chromium and WebKit against the real server.
# Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }
started=$SECONDS

# Private state for the tests: their own PostgreSQL clusters and server address,
# so a cockpit running from run.sh (port 3000, .data/) is left alone.
export RPM_TEST_DATA_DIR="$PWD/.data/test"
E2E_DATA_DIR="$PWD/.data/e2e"
SQLX_DATA_DIR="$PWD/.data/sqlx"
stop_clusters() {
  for dir in "$RPM_TEST_DATA_DIR" "$E2E_DATA_DIR" "$SQLX_DATA_DIR"; do
    [ -f "$dir/postgres/data/postmaster.pid" ] || continue
    RPM_DATA_DIR="$dir" "$CARGO_TARGET_DIR/debug/rpm-cockpit" db stop >/dev/null 2>&1 ||
      RPM_DATA_DIR="$dir" "$CARGO_TARGET_DIR/release/rpm-cockpit" db stop >/dev/null 2>&1 || true
  done
}
# The data lake's stand-ins (moto for s3://, fake-gcs-server for gs://, from
# PyPI), started for the integration tests and stopped at the end.
export LAKE_EMU_DIR="$PWD/.data/lake-emulators"
MOUNTED_PID=""
stop_all() {
  [ -n "$MOUNTED_PID" ] && kill -TERM "$MOUNTED_PID" 2>/dev/null && wait "$MOUNTED_PID" 2>/dev/null || true
  stop_clusters
  [ -f "$LAKE_EMU_DIR/pids" ] && bash scripts/lake-emulators/stop.sh >/dev/null 2>&1 || true
}
trap stop_all EXIT
# Each run starts from empty databases.
stop_clusters
rm -rf "$RPM_TEST_DATA_DIR" "$E2E_DATA_DIR" "$SQLX_DATA_DIR"

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (ssr, hydrate) -D warnings"
# With Debian's rustc the matching clippy is Debian's (rust-web-clippy).
clippy=(cargo clippy)
[ -n "$DEBIAN_RUST" ] && clippy=(/usr/bin/cargo-clippy clippy)
# cargo-leptos builds debug servers with this flag; passing it to plain cargo
# too makes the tests reuse the server's dependencies instead of rebuilding them.
erase=(env RUSTFLAGS="--cfg erase_components")
"${erase[@]}" "${clippy[@]}" --features ssr --all-targets -- -D warnings
"${erase[@]}" "${clippy[@]}" --features hydrate --lib -- -D warnings

step "module structure: no import cycles"
python3 scripts/check-module-cycles.py src

step "unit and integration tests (PostgreSQL, lake stand-ins)"
for kv in $(bash scripts/lake-emulators/start.sh); do
  case "$kv" in
    S3_PORT=*) LAKE_S3_PORT="${kv#*=}" ;;
    GCS_PORT=*) LAKE_GCS_PORT="${kv#*=}" ;;
  esac
done
export LAKE_S3_PORT LAKE_GCS_PORT
"${erase[@]}" cargo test --features ssr

step "checked SQL: .sqlx/ matches the queries and the migrated schema"
# The compile-time checked queries (sqlx::query!) build from .sqlx/; here
# they are checked again against a freshly migrated database, so a query or
# a migration changed without `scripts/sqlx-prepare.sh` fails the run.
bash scripts/sqlx-prepare.sh --check

step "release build (what scripts/run.sh serves)"
# Erased view types like every build (Cargo.toml: always-erase-components).
# Hashed file names (Cargo.toml: hash-files), brotli 11 and gzip copies.
cargo leptos build --release --precompress

step "API fuzzing (schemathesis against /api/v1/openapi.json)"
bash scripts/fuzz-api.sh

step "browser tests (cargo leptos end-to-end --release, Chromium)"
rm -rf end2end/screenshots
# Web Push on, with a key made for this run: the settings page offers it.
RPM_VAPID_PRIVATE_KEY="$("$CARGO_TARGET_DIR/release/rpm-cockpit" vapid-key | sed -n 's/^RPM_VAPID_PRIVATE_KEY=//p')"
export RPM_VAPID_PRIVATE_KEY
# Every browser test signs in from 127.0.0.1: lift the per-address sign-in
# limit (its 429 is tested in tests/integration/access.rs).
RPM_DATA_DIR="$E2E_DATA_DIR" RPM_SITE_ADDR="127.0.0.1:3100" RUST_LOG="${RUST_LOG:-warn}" \
  RPM_SIGN_IN_PER_MINUTE=10000 \
  cargo leptos end-to-end --release --precompress   # the build above: what people run

step "browser tests mounted under a path (sign-in and live at /cockpit, Chromium)"
# As deployed at https://heritage.com/cockpit: the release server with a
# public URL that has a path, on the browser tests' database.
MOUNTED_ADDR="127.0.0.1:3101"
RPM_DATA_DIR="$E2E_DATA_DIR" RPM_SITE_ADDR="$MOUNTED_ADDR" RPM_PUBLIC_URL="http://$MOUNTED_ADDR/cockpit" \
  RPM_SIGN_IN_PER_MINUTE=10000 RUST_LOG="${RUST_LOG:-warn}" LEPTOS_SITE_ROOT="$PWD/target/site" \
  "$CARGO_TARGET_DIR/release/rpm-cockpit" serve >"$E2E_DATA_DIR/mounted.log" 2>&1 &
MOUNTED_PID=$!
if ! (cd end2end && E2E_MOUNTED_URL="http://$MOUNTED_ADDR/cockpit/" npx playwright test); then
  echo "the mounted server's log:"; tail -50 "$E2E_DATA_DIR/mounted.log"
  exit 1
fi

step "browser tests in WebKit (the iPhone's engine: WebKitWebDriver + MiniBrowser, at /cockpit)"
# The same mounted server: sign-in, hydration, Jesse's inline changes seen
# live by a VIP's phone-sized page, and the VIP's network cut and restored.
if ! E2E_WEBKIT_URL="http://$MOUNTED_ADDR/cockpit/" bash scripts/webkit-tests.sh; then
  echo "the mounted server's log:"; tail -50 "$E2E_DATA_DIR/mounted.log"
  exit 1
fi

kill -TERM "$MOUNTED_PID" && wait "$MOUNTED_PID" || true
MOUNTED_PID=""

step "all tests passed in $((SECONDS - started)) s (screenshots: end2end/screenshots/)"
