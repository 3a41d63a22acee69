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
  for _ in $(seq 1 150); do curl -fs "http://$ADDR/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
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
