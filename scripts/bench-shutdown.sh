#!/usr/bin/env bash
# Graceful shutdown under load: two instances of the release server (built
# by scripts/test.sh or scripts/run.sh) on one embedded cluster, N live-update
# streams (default 1,000) open on instance A as a signed-in VIP while Jesse's
# changes keep coming through instance B; A gets SIGTERM. Prints how long A
# took to exit, how many streams ended, how many resumed on B from their
# Last-Event-ID, and the events any stream missed. Goals (issue 17): exit
# within shutdown_seconds (8 s), every stream ended and resumed, 0 events
# lost. (That a server stops the embedded cluster it started itself is
# checked by tests/integration/drain.rs and scripts/run.sh's Ctrl-C.)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
. scripts/bench-lib.sh
N="${1:-1000}"
bench_init 127.0.0.1:3300
[ -x "$bin" ] || { echo "build the release server first (scripts/test.sh or cargo leptos build --release)"; exit 1; }
ulimit -n 16384
# The cluster belongs to this script (db start), not to either instance.
"$bin" db start >/dev/null
BENCH_DB_URL="$("$bin" db url)"
PSQL="$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)"
export BENCH_DB_URL PSQL BENCH_ADDR_B=127.0.0.1:3301 RPM_DEMO_DATA=true
LEPTOS_SITE_ROOT="$PWD/target/site" python3 scripts/bench-shutdown.py "$bin" "$N" "$work/server.log"
