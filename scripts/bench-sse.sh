#!/usr/bin/env bash
# Benchmark of live updates: 1,000 browsers on GET /events, 100 inline
# changes committed (20 a second), commit-to-receive latency and the
# server's memory (benches/sse_fanout.rs does the measuring).
#
# Serves a release build with the demo data on 127.0.0.1:3300 and signs a
# VIP in through the local demo sign-in.
# Goal (issue 6): p99 <= 250 ms, server memory < 60 MB at 1,000 clients.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

CLIENTS="${CLIENTS:-1000}"
CHANGES="${CHANGES:-100}"
# Each client is a socket on both ends.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
. scripts/bench-lib.sh
bench_init 127.0.0.1:3300

cargo build --release --no-default-features --features ssr --bin rpm-cockpit
cargo bench --no-run --features ssr --bench sse_fanout 2>&1 | tail -1
bench_serve
url="$("$bin" db url)"
"$bin" users add vip@example.com --role vip --name "Bench VIP" >/dev/null
cookie="$(bench_sign_in vip@example.com)"

echo
echo "SSE benchmark: release build, $(nproc) cores, server and clients on one machine"
cargo bench --features ssr --bench sse_fanout -- "http://$ADDR" "$cookie" "$url" "$server" "$CLIENTS" "$CHANGES"
