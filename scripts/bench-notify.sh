#!/usr/bin/env bash
# Benchmark of notification delivery (issue 20): 100 actions blocked through
# the REST API, one every 200 ms (SPACING_MS), each telling the admin by
# email; latency from the API call to the SMTP server's receipt of the
# message that carries it. The relay is aiosmtpd (scripts/notify-peers) with
# STARTTLS and AUTH, on this machine; the release server with the demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
COUNT="${COUNT:-100}"
SPACING_MS="${SPACING_MS:-200}"
. scripts/bench-lib.sh
bench_init 127.0.0.1:3310

py="$(bash scripts/notify-peers/venv.sh)"
bash scripts/notify-peers/certs.sh "$work" >/dev/null 2>&1
smtp_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# The relay runs until its stdin closes.
mkfifo "$work/relay.in"
PYTHONWARNINGS=ignore "$py" scripts/notify-peers/smtp_peer.py --port "$smtp_port" --out "$work/received.jsonl" \
  --cert "$work/relay.pem" --key "$work/relay.key" --user bench --password bench-secret \
  <"$work/relay.in" >"$work/relay.log" 2>&1 &
relay=$!
exec 7>"$work/relay.in"
trap 'exec 7>&-; kill $relay 2>/dev/null || true; bench_cleanup' EXIT
export RPM_SMTP_URL="smtp://bench:bench-secret@127.0.0.1:$smtp_port" RPM_SMTP_CA_FILE="$work/ca.pem"
export RPM_SMTP_FROM="RPM Cockpit <cockpit@example.com>"

# Erased view types, as `cargo leptos build --release` builds the server
# (Cargo.toml: always-erase-components), so the two share their artefacts.
RUSTFLAGS="--cfg erase_components" cargo build --release --no-default-features --features ssr --bin rpm-cockpit
bench_serve
url="$("$bin" db url)"
PSQL="$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)"
psql() { "${PSQL:-psql}" "$url" -qAtX "$@"; }
# COUNT open actions to block, owned by an agent (the admin is told).
psql -c "insert into rpm_action_items (result_id, action_code, action_text, owner, due_date, funnel_stage)
         select result_id, 'BENCH-' || g, 'Benchmark action ' || g, 'Bench agent', due_date, funnel_stage
         from (select * from rpm_action_items order by action_code limit 1) a, generate_series(1, $COUNT) g"
token="$("$bin" tokens create --name bench --scope actions 2>/dev/null)"
# What the start-up sent (the demo's overdue actions, its sync warnings) is
# not measured: wait until the outbox is empty.
for _ in $(seq 1 100); do
  [ "$(psql -c "select count(*) from notifications where state in ('queued', 'failed')")" = 0 ] && break
  sleep 0.2
done
before="$(wc -l <"$work/received.jsonl" 2>/dev/null || echo 0)"

python3 - "$ADDR" "$token" "$url" "$work" "$before" "$COUNT" "$SPACING_MS" "${PSQL:-psql}" <<'PY'
import json, re, statistics, subprocess, sys, time, urllib.request
addr, token, url, work, before, count, spacing, psql = sys.argv[1:]
before, count, spacing = int(before), int(count), int(spacing) / 1000
ids = subprocess.run([psql, url, "-qAtX", "-c",
    "select id, action_code from rpm_action_items where action_code like 'BENCH-%' order by id"],
    capture_output=True, text=True, check=True).stdout.split()
ids = [l.split("|") for l in ids]
called = {}
for id_, code in ids:
    req = urllib.request.Request(f"http://{addr}/api/v1/rpm/action-items/{id_}/block", method="POST",
        data=json.dumps({"blocker_description": f"bench {code}"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    called[code] = time.time()
    with urllib.request.urlopen(req) as r:
        assert r.status == 200, r.status
    time.sleep(spacing)
deadline = time.time() + 60
while True:
    lines = open(f"{work}/received.jsonl").read().splitlines()[before:]
    got = [json.loads(l) for l in lines]
    seen = {}
    for m in got:
        for code in re.findall(r"blocked: bench (BENCH-\d+)\b", m["text"] or ""):
            seen.setdefault(code, m["received_at"])
    if len(seen) == len(called) or time.time() > deadline:
        break
    time.sleep(0.2)
lat = sorted((seen[c] - called[c]) * 1000 for c in seen)
q = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
print(f"{len(called)} actions blocked through the API, one every {spacing * 1000:.0f} ms; "
      f"{len(seen)} notifications received by the SMTP server in {len(got)} messages "
      f"(STARTTLS + AUTH, aiosmtpd on this machine)")
print(f"latency API call -> SMTP server: p50 {q(50):.0f} ms, p95 {q(95):.0f} ms, "
      f"p99 {q(99):.0f} ms, max {lat[-1]:.0f} ms, mean {statistics.mean(lat):.0f} ms")
if len(seen) != len(called):
    sys.exit(f"missing: {sorted(set(called) - set(seen))[:5]}")
PY
