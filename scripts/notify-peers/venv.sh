#!/usr/bin/env bash
# The notification tests' protocol peers from PyPI, in a venv kept outside
# the clone ($RPM_CACHE_DIR/venv-notify); prints its python's path.
set -euo pipefail
CACHE="${RPM_CACHE_DIR:-$HOME/.cache/rpm-cockpit}"
VENV="$CACHE/venv-notify"
REQS=("aiosmtpd==1.4.6" "http-ece==1.2.1" "cryptography==46.0.3" "pypdf==7.1.0")
want="${REQS[*]}"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.reqs" 2>/dev/null)" != "$want" ]; then
  mkdir -p "$CACHE"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check "${REQS[@]}" >&2
  printf '%s' "$want" > "$VENV/.reqs"
fi
echo "$VENV/bin/python"
