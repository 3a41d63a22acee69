#!/usr/bin/env bash
# Benchmark of the plan importer: writes N weekly plans (default 1,000, about
# 30 actions each) with scripts/gen-plans.py, then times with a release build
# against a fresh embedded PostgreSQL:
#   1. cold sync into an empty database (with the local data lake),
#   2. re-sync of the unchanged files,
#   3. forced re-sync (every file parsed, every row compared, none written).
# Goals (issue 3): cold <= 10 s, unchanged <= 2 s on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

N="${1:-1000}"
work="$(mktemp -d)"
chmod 755 "$work"  # the embedded cluster runs as `postgres` when we are root
bin="$CARGO_TARGET_DIR/release/rpm-cockpit"
export RPM_DATA_DIR="$work/data" RPM_DEMO_DATA=false RUST_LOG=warn
cleanup() { "$bin" db stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

cargo build --release --no-default-features --features ssr --bin rpm-cockpit
python3 scripts/gen-plans.py --weeks "$N" --out "$work"
"$bin" db start >/dev/null

run() {
  local label="$1"; shift
  local t0 t1
  t0=$EPOCHREALTIME
  "$bin" sync --all "$work/plans" "$@" > "$work/out.txt"
  t1=$EPOCHREALTIME
  printf '%-34s %6.2f s   (%s)\n' "$label" "$(python3 -c "print($t1 - $t0)")" \
    "$(grep -E '^actions:' "$work/out.txt")"
}

echo
echo "sync benchmark: $N plan files, $(nproc) cores"
run "cold (empty database, lake)"
run "unchanged (content hash)"
run "forced (parse + compare all rows)" --force
du -sh "$RPM_DATA_DIR/lake" | awk '{print "data lake size: " $1}'
