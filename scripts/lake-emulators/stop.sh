#!/usr/bin/env bash
# Stops what start.sh started: the PIDs listed in $LAKE_EMU_DIR/pids, one by
# one (TERM, then KILL after 5 s), and removes the pid and env files.
set -uo pipefail

DIR="${LAKE_EMU_DIR:-${TMPDIR:-/tmp}/rpm-lake-emulators}"
[ -f "$DIR/pids" ] || exit 0

# alive PID: exists and is not a zombie
alive_pid() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }

pids=()
while read -r pid _; do
  [ -n "$pid" ] && alive_pid "$pid" && kill "$pid" 2>/dev/null && pids+=("$pid")
done < "$DIR/pids"
for _ in $(seq 50); do
  alive=()
  for pid in "${pids[@]}"; do alive_pid "$pid" && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && break
  sleep 0.1
done
for pid in "${pids[@]}"; do alive_pid "$pid" && kill -9 "$pid" 2>/dev/null; done
rm -f "$DIR/pids" "$DIR/env"
