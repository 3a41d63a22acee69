# Shared by the benchmark scripts (source it after scripts/setup.sh):
# a scratch directory with its own embedded cluster, the release server on
# $ADDR, and a signed-in session.
#
#   bench_init ADDR   work dir, exports, cleanup on exit; sets $work, $bin
#   bench_serve       (re)starts `rpm-cockpit serve`; sets $server
#   bench_sign_in E   prints the session cookie of invited person E

bench_init() {
  ADDR="$1"
  work="$(mktemp -d)"
  chmod 755 "$work"  # the embedded cluster runs as `postgres` when we are root
  bin="$CARGO_TARGET_DIR/release/rpm-cockpit"
  export RPM_DATA_DIR="$work/data" RUST_LOG=warn RPM_SITE_ADDR="$ADDR" RPM_SIGN_IN_PER_MINUTE=1000
  server=""
  trap bench_cleanup EXIT
}

bench_cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  "$bin" db stop >/dev/null 2>&1 || true
  rm -rf "$work"
}

bench_serve() {
  if [ -n "$server" ]; then kill "$server"; wait "$server" 2>/dev/null || true; fi
  "$bin" serve >>"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 150); do curl -fs "http://$ADDR/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "the server did not start"; cat "$work/server.log"; exit 1
}

bench_sign_in() {
  local cookie
  cookie="$(curl -s -o /dev/null -D - -X POST -H "Origin: http://$ADDR" \
    --data "email=${1/@/%40}" "http://$ADDR/auth/demo" |
    awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /rpm_session=/ {print $2}')"
  [ -n "$cookie" ] || { echo "could not sign in $1"; cat "$work/server.log"; exit 1; }
  echo "$cookie"
}

# oha, the HTTP load generator (once, from crates.io); sets $OHA.
bench_oha() {
  OHA="$CACHE/tools/bin/oha"
  if [ ! -x "$OHA" ]; then
    say "installing oha (HTTP load generator, once)"
    cargo install oha --locked --root "$CACHE/tools"
  fi
}

# Three years of history: 156 weekly plans from scripts/gen-plans.py (and the
# demo catalog of agents, songs and deliverables), imported, then every
# week's actions multiplied by 11 in SQL (about 50,000 actions, ~320 a
# week). Sets $url and $actions and defines psql.
bench_history() {
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
}

# Prints rate, status codes and p50/p95/p99 of an oha JSON report.
bench_report() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s, p = r["summary"], r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
ms = lambda x: f"{x * 1000:.1f} ms"
print(f"fixed rate {sys.argv[2]} req/s: {sum(codes.values())} requests, status {codes}, "
      f"success rate {s['successRate'] * 100:.1f}%")
print(f"latency p50 {ms(p['p50'])}, p95 {ms(p['p95'])}, p99 {ms(p['p99'])}, max {ms(s['slowest'])}")
PY
}
