#!/usr/bin/env bash
# Benchmark of the plan importer: writes N weekly plans (default 1,000, about
# 30 actions each) with scripts/gen-plans.py, then times with a release build
# against a fresh embedded PostgreSQL:
#   1. cold sync into an empty database (with the local data lake),
#   2. re-sync of the unchanged files,
#   3. forced re-sync (every file parsed, every row compared, none written);
# then, into a second empty database, the same plans with every week
# carrying three actions of the week before under their codes (issue 16):
#   4. cold sync with carry-over, 5. the same weeks imported newest first.
# Goals (issues 3, 16): cold <= 10 s, unchanged <= 2 s on a 2-core machine.
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

# Carry-over: each week repeats three action codes of the week before.
python3 - "$work/plans" <<'PY'
import pathlib, re, sys
files = sorted(pathlib.Path(sys.argv[1]).glob("*.md"))
code = re.compile(r"(?m)^(?:### |- \[.\] |\| )([A-Z][A-Z0-9-]*-\d+[a-z]?)\b")
previous = []
for f in files:
    text = f.read_text()
    mine = code.findall(text)
    if previous:
        carried = [c for c in previous[:3] if c not in mine]
        text += "\n## R9: Carried over\nPurpose: unfinished last week\n\n" + "".join(
            f"- [/] {c}: carried from last week | Owner: QA | Funnel: middle\n" for c in carried)
        f.write_text(text)
    previous = mine
PY
"$bin" db stop >/dev/null
rm -rf "$RPM_DATA_DIR"
"$bin" db start >/dev/null
run "cold with carry-over (lake)"
carried="$("$bin" db url | xargs -I{} psql {} -Atc "select count(*) from rpm_action_items where carried_from_id is not null")"
echo "carried instances linked: $carried"
"$bin" db stop >/dev/null
rm -rf "$RPM_DATA_DIR"
"$bin" db start >/dev/null
mkdir "$work/newest-first"
i=0
for f in $(ls "$work/plans"/*.md | sort -r); do i=$((i + 1)); ln -s "$f" "$work/newest-first/$(printf '%05d' $i).md"; done
t0=$EPOCHREALTIME
"$bin" sync --all "$work/newest-first" > "$work/out.txt"
t1=$EPOCHREALTIME
printf '%-34s %6.2f s   (%s)\n' "carry-over, newest week first" "$(python3 -c "print($t1 - $t0)")" \
  "$(grep -E '^actions:' "$work/out.txt")"
echo "carried instances linked: $("$bin" db url | xargs -I{} psql {} -Atc "select count(*) from rpm_action_items where carried_from_id is not null")"
