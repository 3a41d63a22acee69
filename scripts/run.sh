#!/usr/bin/env bash
# Runs the cockpit at http://127.0.0.1:3000 on a fresh machine: installs the
# toolchain once (scripts/setup.sh), builds the release site and serves it
# with the embedded PostgreSQL and the demo week. Ctrl-C stops both.
# Extra arguments go to `cargo leptos serve` (e.g. none, or `--hot-reload`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
exec cargo leptos serve --release --precompress "$@"
