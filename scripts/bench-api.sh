#!/usr/bin/env bash
# Benchmark of the REST API with 3 years of history.
#
# 1. 156 weekly plans, about 50,000 actions (bench_history, as the SSR
#    benchmark), a token with the `read` scope.
# 2. Times `rpm-cockpit analytics refresh` (the hourly refresh) and
#    `rpm-cockpit analytics export` (Parquet into the lake).
# 3. Serves a release build on 127.0.0.1:3400 and drives each endpoint with
#    oha at a fixed rate (default 500 req/s for 20 s): p50/p95/p99.
# Goal (issue 7): p95 <= 10 ms at 500 req/s for current-week and action-items.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

RATE="${RATE:-500}"
SECONDS_RUN="${DURATION:-20}"
. scripts/bench-lib.sh
bench_init 127.0.0.1:3400
# One address sends everything: lift the per-address API limit.
export RPM_API_PER_MINUTE=10000000
export RPM_DEMO_DATA=false
bench_oha
cargo build --release --no-default-features --features ssr --bin rpm-cockpit
bench_history
token="$("$bin" tokens create --name bench --scope read 2>/dev/null)"

echo
echo "API benchmark: $actions actions in $(psql -c 'select count(*) from rpm_weekly_plans') weeks, $(nproc) cores"
started=$(date +%s%N)
"$bin" analytics refresh
echo "analytics refresh (7 snapshots + rpm_dna_periods), timed from outside: $(( ($(date +%s%N) - started) / 1000000 )) ms"
echo "rpm_dna_periods rows: $(psql -c 'select count(*) from rpm_dna_periods')"
"$bin" analytics export | tail -1

bench_serve
for path in "rpm/current-week" "rpm/action-items?status=in_progress&owner=Jesse" "rpm/action-items?limit=50"; do
  status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://$ADDR/api/v1/$path")"
  [ "$status" = 200 ] || { echo "GET $path answered $status"; exit 1; }
  echo
  echo "GET /api/v1/$path ($(curl -s -H "Authorization: Bearer $token" "http://$ADDR/api/v1/$path" | wc -c) bytes)"
  "$OHA" --no-tui -z "${SECONDS_RUN}s" -q "$RATE" -c 16 -H "Authorization: Bearer $token" \
    --output-format json "http://$ADDR/api/v1/$path" >"$work/oha.json"
  bench_report "$work/oha.json" "$RATE"
done
