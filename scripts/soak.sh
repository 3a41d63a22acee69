#!/usr/bin/env bash
# Soak (issue 17): the release server on its own embedded cluster with the
# demo data, SOAK_STREAMS (1,000) open live-update streams, SOAK_WRITES (50)
# inline changes and SOAK_READS (200) reads a second for SOAK_SECONDS (600).
# Prints errors (goal 0), events lost (goal 0), RSS at start, after the
# warm-up and at the end (goal: at most 10 % growth after warm-up) and the
# reads' p50/p95/p99. Exit status 0 when every goal is met.
#
#   scripts/soak.sh                       # the full 10 minutes
#   SOAK_SECONDS=60 scripts/soak.sh       # a short run
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
. scripts/bench-lib.sh
bench_init 127.0.0.1:3400
[ -x "$bin" ] || { echo "build the release server first (scripts/test.sh or cargo leptos build --release)"; exit 1; }
ulimit -n 16384
# The load comes from one address: its limits are not what is measured.
export RPM_API_PER_MINUTE=1000000 RPM_DEMO_DATA=true LEPTOS_SITE_ROOT="$PWD/target/site"
"$bin" db start >/dev/null
token="$("$bin" tokens create --name soak --scope read 2>/dev/null)"
bench_serve
PSQL="$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)"
db_url="$("$bin" db url)"
export PSQL SOAK_PID="$server" SOAK_TOKEN="$token" SOAK_DB_URL="$db_url"
SOAK_ADMIN="$(bench_sign_in jesse@example.com)"
SOAK_VIP="$(bench_sign_in vera@example.com)"
export SOAK_ADMIN SOAK_VIP
echo "soak: ${SOAK_SECONDS:-600} s, ${SOAK_STREAMS:-1000} streams, ${SOAK_WRITES:-50} writes/s, ${SOAK_READS:-200} reads/s"
python3 scripts/soak.py
