#!/usr/bin/env bash
# Benchmark of `rpm-cockpit sync --to` (issue 21): a laptop with no database
# credentials, only a token with the `sync` scope, and the cockpit serving a
# release build on 127.0.0.1:3500 with its own embedded PostgreSQL.
#
# 1. First sync of the demo set (12 plans, 7 agent snapshots, songs,
#    deliverables): files and bytes sent.
# 2. Re-sync of the unchanged demo set: requests made, bytes sent and
#    received (counted by a recording proxy between laptop and cockpit).
# 3. A VIP's page open in Chromium; `sync --to … --watch` running; a result
#    renamed in the current plan and saved: the time from the save to the
#    VIP's page showing the new name (RUNS times, default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

RUNS="${RUNS:-5}"
. scripts/bench-lib.sh
bench_init 127.0.0.1:3500
export RPM_DEMO_DATA=false
PROXY=127.0.0.1:3501

cargo leptos build --release --precompress
export LEPTOS_SITE_ROOT="$PWD/target/site"
"$bin" db start >/dev/null
token="$("$bin" tokens create --name bench-laptop --scope sync 2>/dev/null)"
"$bin" users add vip@example.com --role vip --name "Bench VIP" >/dev/null
bench_serve
cookie="$(bench_sign_in vip@example.com)"

# The laptop: its own folder, no DATABASE_URL, no data directory of ours.
laptop="$work/laptop"
mkdir -p "$laptop"
cp -r demo/plans demo/agents demo/songs.json demo/deliverables.json "$laptop/"
# A recording proxy: counts requests and bytes both ways.
python3 - "$PROXY" "$ADDR" "$work/proxy.log" <<'PY' &
import socket, sys, threading
listen, target, log = sys.argv[1], sys.argv[2], sys.argv[3]
host, port = listen.split(":")
th, tp = target.split(":")
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((host, int(port))); server.listen(64)
lock = threading.Lock()
def pump(src, dst, direction):
    total = 0
    while True:
        data = src.recv(65536)
        if not data: break
        total += len(data); dst.sendall(data)
        if direction == "up":
            with lock, open(log, "a") as f:
                for line in data.split(b"\r\n"):
                    if line.split(b" ")[0] in (b"GET", b"POST"):
                        f.write("request " + line.decode(errors="replace") + "\n")
    with lock, open(log, "a") as f: f.write(f"{direction} {total}\n")
    try: dst.shutdown(socket.SHUT_WR)
    except OSError: pass
while True:
    c, _ = server.accept()
    u = socket.create_connection((th, int(tp)))
    threading.Thread(target=pump, args=(c, u, "up"), daemon=True).start()
    threading.Thread(target=pump, args=(u, c, "down"), daemon=True).start()
PY
proxy=$!
trap 'kill $proxy 2>/dev/null; bench_cleanup' EXIT
sleep 0.5

sync_once() {
  (cd "$laptop" && env -u DATABASE_URL RPM_DATA_DIR="$laptop/.none" RPM_SYNC_TOKEN="$token" \
    "$bin" sync --to "http://$PROXY" --all plans --agents agents --songs songs.json \
    --deliverables deliverables.json 2>"$work/sync.err")
}
traffic() {
  sleep 0.3
  python3 - "$work/proxy.log" <<'PY'
import sys
up = down = requests = 0
for line in open(sys.argv[1]):
    kind, _, rest = line.partition(" ")
    if kind == "request": requests += 1
    elif kind == "up": up += int(rest)
    elif kind == "down": down += int(rest)
print(f"{requests} request(s), {up:,} bytes sent, {down:,} bytes received")
PY
  : >"$work/proxy.log"
}

echo
echo "remote sync benchmark: release build, $(nproc) cores, laptop and cockpit on one machine"
: >"$work/proxy.log"
sync_once | grep -E '^sent' | sed 's/^/first sync of the demo set:   /'
echo "  on the wire: $(traffic)"
sync_once | grep -E '^sent' | sed 's/^/unchanged re-sync:            /'
echo "  on the wire: $(traffic)"

# The watching laptop and the VIP's page.
(cd "$laptop" && exec env -u DATABASE_URL RPM_DATA_DIR="$laptop/.none" RPM_SYNC_TOKEN="$token" \
  "$bin" sync --to "http://$ADDR" --all plans --watch >"$work/watch.out" 2>&1) &
watcher=$!
trap 'kill $watcher $proxy 2>/dev/null; bench_cleanup' EXIT
sleep 3
plan="$(ls "$laptop"/plans/*.md | sort | tail -1)"
PW="$PWD/end2end/node_modules/playwright-core" node - "http://$ADDR/" "$cookie" "$plan" "$RUNS" <<'JS'
const { chromium } = require(process.env.PW);
const fs = require("fs");
const [url, cookie, plan, runs] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  const context = await browser.newContext();
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  await page.goto(url);
  await page.locator(".live-status[data-state=live]").waitFor();
  const original = fs.readFileSync(plan, "utf8");
  const title = original.match(/^## (?:R\d+: )?(.+)$/m)[1].trim();
  const times = [];
  for (let i = 1; i <= Number(runs); i++) {
    const renamed = `${title} (edit ${i})`;
    const saved = Date.now();
    fs.writeFileSync(plan, original.replace(title, renamed));
    await page.getByText(renamed).first().waitFor({ timeout: 60000 });
    times.push((Date.now() - saved) / 1000);
    await page.waitForTimeout(500);
  }
  fs.writeFileSync(plan, original);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`saved on the laptop -> shown on the VIP's page: ${times.map((t) => t.toFixed(1)).join(", ")} s` +
    ` (median ${median.toFixed(1)} s, worst ${times[times.length - 1].toFixed(1)} s; the watcher looks every 2 s)`);
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
JS
