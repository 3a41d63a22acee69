#!/usr/bin/env bash
# Benchmark of the cockpit's server-rendered page with 3 years of history.
#
# 1. Writes 156 weekly plans with scripts/gen-plans.py (plus the demo catalog
#    of agents, songs and deliverables), imports them, then multiplies every
#    week's actions by 11 in SQL: about 50,000 actions, ~320 a week.
# 2. Serves a release build on 127.0.0.1:3200 and signs a VIP in through the
#    local demo sign-in.
# 3. Drives GET / (the whole cockpit: overview, every panel) with oha at a
#    fixed rate (default 50 req/s for 30 s) and prints p50/p95/p99.
# 4. Index check: with sequential scans disabled for the database, loads the
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

OHA="$CACHE/tools/bin/oha"
if [ ! -x "$OHA" ]; then
  say "installing oha (HTTP load generator, once)"
  cargo install oha --locked --root "$CACHE/tools"
fi

cargo build --release --no-default-features --features ssr --bin rpm-cockpit
python3 scripts/gen-plans.py --weeks 156 --out "$work" --catalog >/dev/null
"$bin" db start >/dev/null
"$bin" sync --all "$work/plans" >/dev/null
"$bin" sync --agents "$work/agents" --songs "$work/songs.json" --deliverables "$work/deliverables.json" >/dev/null
url="$("$bin" db url)"
PSQL="$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)"
psql() { "${PSQL:-psql}" "$url" -qAtX "$@"; }
psql -c "insert into rpm_action_items (result_id, action_code, action_text, owner, due_date,
           funnel_stage, status, completion_date, estimated_hours, actual_hours, blocker_description)
         select result_id, action_code || '-' || g, action_text, owner, due_date, funnel_stage,
                status, completion_date, estimated_hours, actual_hours, blocker_description
         from rpm_action_items, generate_series(1, 10) g; analyze;"
actions="$(psql -c "select count(*) from rpm_action_items")"
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
python3 - "$work/oha.json" "$RATE" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s, p = r["summary"], r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
ms = lambda x: f"{x * 1000:.1f} ms"
print(f"fixed rate {sys.argv[2]} req/s: {sum(codes.values())} requests, status {codes}, "
      f"success rate {s['successRate'] * 100:.1f}%")
print(f"latency p50 {ms(p['p50'])}, p95 {ms(p['p95'])}, p99 {ms(p['p99'])}, max {ms(s['slowest'])}")
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
