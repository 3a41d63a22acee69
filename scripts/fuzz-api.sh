#!/usr/bin/env bash
# Schema-driven fuzzing of /api/v1: schemathesis (PyPI) reads the OpenAPI
# document the server generates, checks that it is a valid OpenAPI
# document, and sends generated requests to every operation (with a token
# holding every scope, so writes are fuzzed too) on a scratch database with
# the demo data. Fails on any 5xx or on a response that does not match its
# documented schema.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
EXAMPLES="${EXAMPLES:-40}"
VENV="$CACHE/venv-schemathesis"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  command -v python3 >/dev/null || apt_install python3
  python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
  say "installing schemathesis $SCHEMATHESIS_VERSION from PyPI (once)"
  "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

. scripts/bench-lib.sh
bench_init 127.0.0.1:3500
# The per-address API limit is tested in tests/integration/access.rs.
export RPM_API_PER_MINUTE=1000000
bin="${RPM_BIN:-$CARGO_TARGET_DIR/release/rpm-cockpit}"
bench_serve
token="$("$bin" tokens create --name fuzz --scope read,actions,heartbeat,sync 2>/dev/null)"
"$VENV/bin/schemathesis" run "http://$ADDR/api/v1/openapi.json" \
  --url "http://$ADDR/api/v1" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "$EXAMPLES" --seed 1 --no-color
