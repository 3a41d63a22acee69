#!/usr/bin/env bash
# Benchmark of the cockpit's server-rendered page with 3 years of history.
#
# 1. Three years of history (bench_history in scripts/bench-lib.sh): 156
#    weekly plans, about 50,000 actions, ~320 a week.
# 2. Serves a release build on 127.0.0.1:3200 and signs a VIP in through the
#    local demo sign-in.
# 3. Drives GET / (the whole cockpit: overview, every panel) with oha at a
#    fixed rate (default 50 req/s for 30 s) and prints p50/p95/p99.
# 4. Streaming: time to the first byte, to the week heading and to the
#    whole page (the page is sent in order as its panels answer).
# 5. Index check: with sequential scans disabled for the database, loads the
#    page again and lists every table PostgreSQL still read sequentially
#    (no index could serve the query).
# Goal (issue 5): p95 <= 30 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

RATE="${RATE:-50}"
SECONDS_RUN="${DURATION:-30}"
. scripts/bench-lib.sh
bench_init 127.0.0.1:3200
export RPM_DEMO_DATA=false

bench_oha
cargo build --release --no-default-features --features ssr --bin rpm-cockpit
bench_history
"$bin" users add vip@example.com --role vip --name "Bench VIP" >/dev/null

bench_serve
cookie="$(bench_sign_in vip@example.com)"
status="$(curl -s -o "$work/page.html" -w '%{http_code}' -H "Cookie: $cookie" -H 'Accept: text/html' "http://$ADDR/")"
[ "$status" = 200 ] && grep -q 'agent-card' "$work/page.html" || { echo "the page did not render ($status)"; exit 1; }

echo
echo "SSR benchmark: GET / (all panels), $actions actions in $(psql -c 'select count(*) from rpm_weekly_plans') weeks, $(nproc) cores"
echo "page size: $(wc -c <"$work/page.html") bytes"
"$OHA" --no-tui -z "${SECONDS_RUN}s" -q "$RATE" -c 8 -H "Cookie: $cookie" -H 'Accept: text/html' \
  --output-format json "http://$ADDR/" >"$work/oha.json"
bench_report "$work/oha.json" "$RATE"

# The page streams in order (issue 18): the shell and the week's heading
# leave before the panels. Per request: the first byte, the heading's chunk
# (curl's first byte after the headers holds the shell; the heading follows
# the overview's query) and the whole page, medians of 50 sequential loads.
python3 - "http://$ADDR/" "$cookie" <<'PY'
import http.client, statistics, sys, time, urllib.parse
url, cookie = urllib.parse.urlparse(sys.argv[1]), sys.argv[2]
first, heading, total = [], [], []
for _ in range(50):
    c = http.client.HTTPConnection(url.hostname, url.port)
    t0 = time.perf_counter()
    c.request("GET", "/", headers={"Cookie": cookie, "Accept": "text/html"})
    r = c.getresponse()
    seen, h = b"", None
    chunk = r.read1(65536)
    first.append(time.perf_counter() - t0)
    while chunk:
        seen += chunk
        if h is None and b"Week of " in seen:
            h = time.perf_counter() - t0
        chunk = r.read1(65536)
    total.append(time.perf_counter() - t0)
    heading.append(h if h is not None else total[-1])
    c.close()
ms = lambda xs: f"{statistics.median(xs) * 1000:.1f} ms"
print(f"streaming: first byte {ms(first)}, week heading {ms(heading)}, whole page {ms(total)} (medians of 50)")
PY

echo
echo "index check: sequential scans during 20 page loads with enable_seqscan = off"
psql -c "alter database $(basename "${url%%\?*}") set enable_seqscan = off"
bench_serve
before="$(psql -c "select coalesce(json_object_agg(relname, seq_scan), '{}') from pg_stat_user_tables")"
for _ in $(seq 1 20); do
  curl -s -o /dev/null -H "Cookie: $cookie" -H 'Accept: text/html' "http://$ADDR/"
done
sleep 2  # statistics reach pg_stat_user_tables when a backend goes idle
after="$(psql -c "select coalesce(json_object_agg(relname, seq_scan), '{}') from pg_stat_user_tables")"
python3 - "$before" "$after" <<'PY'
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
seq = {t: a[t] - b.get(t, 0) for t in a if a[t] - b.get(t, 0) > 0}
print("tables read sequentially:", ", ".join(f"{t} ({n})" for t, n in sorted(seq.items())) or "none")
PY
