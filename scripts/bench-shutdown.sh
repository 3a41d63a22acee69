#!/usr/bin/env bash
# Graceful shutdown under load: starts the release server (built by
# scripts/test.sh or scripts/run.sh) on its own embedded cluster, opens N
# live-update streams (default 1,000) as a signed-in VIP, sends SIGTERM and
# prints how long the process took to exit, how many streams ended cleanly,
# and whether the embedded cluster was stopped. Goal (issue 17): exit within
# shutdown_seconds (8 s), every stream ended, cluster stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
. scripts/bench-lib.sh
N="${1:-1000}"
bench_init 127.0.0.1:3300
[ -x "$bin" ] || { echo "build the release server first (scripts/test.sh or cargo leptos build --release)"; exit 1; }
ulimit -n 8192
LEPTOS_SITE_ROOT="$PWD/target/site" python3 scripts/bench-shutdown.py "$bin" "$N" "$work/server.log"
echo "embedded cluster after exit: $("$bin" db status 2>&1 | tail -1)"
