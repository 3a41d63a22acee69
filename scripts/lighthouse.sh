#!/usr/bin/env bash
# Lighthouse (npm) on the cockpit, mobile preset, in Debian's Chromium (or
# Playwright's Chrome elsewhere): builds and serves the release site with the
# demo data on 127.0.0.1:3300, signs a VIP in through the demo sign-in, and
# prints the performance score, LCP, TBT, CLS and the wasm size (raw and
# brotli). Goals (issue 5): score >= 95, LCP <= 1.5 s, wasm <= 250 KB brotli.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

ADDR=127.0.0.1:3300
LH="$CACHE/lighthouse"
if [ ! -x "$LH/node_modules/.bin/lighthouse" ]; then
  say "installing lighthouse from npm (once)"
  npm install --silent --no-audit --no-fund --prefix "$LH" lighthouse@12 >/dev/null
fi
CHROME="${CHROME_PATH:-$(command -v chromium || command -v google-chrome || true)}"
[ -n "$CHROME" ] || { echo "no Chromium found (apt install chromium)"; exit 1; }

work="$(mktemp -d)"
chmod 755 "$work"
export RPM_DATA_DIR="$work/data" RPM_SITE_ADDR="$ADDR" RUST_LOG=warn
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  "$CARGO_TARGET_DIR/release/rpm-cockpit" db stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo leptos build --release --precompress
site="$CARGO_TARGET_DIR/site"
[ -d "$site" ] || site="target/site"
LEPTOS_SITE_ROOT="$site" LEPTOS_SITE_ADDR="$ADDR" "$CARGO_TARGET_DIR/release/rpm-cockpit" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -fs "http://$ADDR/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
cookie="$(curl -s -o /dev/null -D - -X POST -H "Origin: http://$ADDR" \
  --data 'email=vera%40example.com' "http://$ADDR/auth/demo" |
  awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /rpm_session=/ {print $2}')"
[ -n "$cookie" ] || { echo "could not sign in"; cat "$work/server.log"; exit 1; }

CHROME_PATH="$CHROME" "$LH/node_modules/.bin/lighthouse" "http://$ADDR/" \
  --quiet --only-categories=performance --output=json --output-path="$work/lh.json" \
  --extra-headers="{\"Cookie\": \"$cookie\"}" \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu"

wasm="$(ls "$site"/pkg/*.wasm | head -1)"
node -e '
const fs = require("fs"), zlib = require("zlib");
const r = JSON.parse(fs.readFileSync(process.argv[1]));
const a = r.audits, wasm = fs.readFileSync(process.argv[2]);
const br = zlib.brotliCompressSync(wasm, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
console.log(`\nLighthouse ${r.lighthouseVersion}, ${r.configSettings.formFactor} preset (${r.configSettings.throttlingMethod} throttling)`);
console.log(`performance score: ${Math.round(r.categories.performance.score * 100)}`);
console.log(`LCP ${a["largest-contentful-paint"].displayValue}, TBT ${a["total-blocking-time"].displayValue}, CLS ${a["cumulative-layout-shift"].displayValue}, FCP ${a["first-contentful-paint"].displayValue}`);
console.log(`wasm ${(wasm.length / 1024).toFixed(0)} KB raw, ${(br.length / 1024).toFixed(0)} KB brotli`);
try {
  const lcp = a["largest-contentful-paint-element"].details.items[0].items[0].node;
  console.log(`LCP element: ${lcp.snippet}`);
} catch (e) {}
' "$work/lh.json" "$wasm"
cp "$work/lh.json" "$LH/last.json"  # the whole report, for a closer look
