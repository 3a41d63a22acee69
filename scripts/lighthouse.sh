#!/usr/bin/env bash
# Lighthouse (npm) on the cockpit, mobile preset, in Debian's Chromium (or
# Playwright's Chrome elsewhere): builds and serves the release site with the
# demo data on 127.0.0.1:3300, signs a VIP in through the demo sign-in
# (LH_EMAIL=jesse@example.com: the owner, whose page has his inline
# controls; LH_KEEP=<dir> keeps each run's JSON report there), and
# prints the performance score, LCP, TBT, CLS and the wasm size (raw and
# brotli), three runs with their median and worst. Goals (issue 19): score
# >= 95, LCP <= 1.5 s, TBT <= 100 ms, CLS 0, wasm <= 250 KB brotli.
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
  --data-urlencode "email=${LH_EMAIL:-vera@example.com}" "http://$ADDR/auth/demo" |
  awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /rpm_session=/ {print $2}')"
[ -n "$cookie" ] || { echo "could not sign in"; cat "$work/server.log"; exit 1; }

# Lighthouse now and then fails to see the navigation start (NO_NAVSTART,
# or another runtime error in the report): such a run is tried again, up
# to three times. RUNS runs are made (default 3); the median and the worst
# are printed.
RUNS="${RUNS:-3}"
lighthouse_once() {  # $1: where the report goes
  local attempt
  for attempt in 1 2 3; do
    rm -f "$1"
    if CHROME_PATH="$CHROME" "$LH/node_modules/.bin/lighthouse" "http://$ADDR/" \
      --quiet --only-categories=performance --output=json --output-path="$1" \
      --extra-headers="{\"Cookie\": \"$cookie\"}" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu" 2>"$work/lh.err" &&
      node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
        process.exit(r.runtimeError || r.categories.performance.score == null ? 1 : 0)' "$1"; then
      return 0
    fi
    echo "lighthouse attempt $attempt failed: $(grep -o 'NO_NAVSTART\|"code": *"[A-Z_]*"' "$1" "$work/lh.err" 2>/dev/null | head -1)"
  done
  return 1
}
reports=()
for run in $(seq 1 "$RUNS"); do
  lighthouse_once "$work/lh-$run.json"
  reports+=("$work/lh-$run.json")
  # LH_KEEP=<dir>: the reports are kept there, to read what a run saw.
  [ -n "${LH_KEEP:-}" ] && mkdir -p "$LH_KEEP" && cp "$work/lh-$run.json" "$LH_KEEP/"
done

wasm="$(ls "$site"/pkg/*.wasm | head -1)"
node -e '
const fs = require("fs"), zlib = require("zlib");
const [wasmPath, ...paths] = process.argv.slice(1);
const runs = paths.map((p) => JSON.parse(fs.readFileSync(p)));
const r0 = runs[0];
console.log(`\nLighthouse ${r0.lighthouseVersion}, ${r0.configSettings.formFactor} preset (${r0.configSettings.throttlingMethod} throttling), ${runs.length} runs`);
const rows = runs.map((r) => ({
  score: Math.round(r.categories.performance.score * 100),
  lcp: r.audits["largest-contentful-paint"].numericValue,
  tbt: r.audits["total-blocking-time"].numericValue,
  cls: r.audits["cumulative-layout-shift"].numericValue,
  fcp: r.audits["first-contentful-paint"].numericValue,
}));
rows.forEach((x, i) => console.log(`run ${i + 1}: score ${x.score}, LCP ${(x.lcp / 1000).toFixed(2)} s, TBT ${Math.round(x.tbt)} ms, CLS ${x.cls.toFixed(3)}, FCP ${(x.fcp / 1000).toFixed(2)} s`));
const median = (k) => [...rows.map((x) => x[k])].sort((a, b) => a - b)[Math.floor(rows.length / 2)];
const worst = (k, low) => rows.map((x) => x[k]).reduce((a, b) => (low ? Math.min(a, b) : Math.max(a, b)));
console.log(`median: score ${median("score")}, LCP ${(median("lcp") / 1000).toFixed(2)} s, TBT ${Math.round(median("tbt"))} ms, CLS ${median("cls").toFixed(3)}`);
console.log(`worst:  score ${worst("score", true)}, LCP ${(worst("lcp") / 1000).toFixed(2)} s, TBT ${Math.round(worst("tbt"))} ms, CLS ${worst("cls").toFixed(3)}`);
console.log("goals:  score >= 95, LCP <= 1.50 s, TBT <= 100 ms, CLS 0");
const wasm = fs.readFileSync(wasmPath);
const br = zlib.brotliCompressSync(wasm, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
console.log(`wasm ${(wasm.length / 1024).toFixed(0)} KB raw, ${(br.length / 1024).toFixed(0)} KB brotli (goal <= 250 KB)`);
try {
  const lcp = r0.audits["largest-contentful-paint-element"].details.items[0].items[0].node;
  console.log(`LCP element: ${lcp.snippet}`);
} catch (e) {}
' "$wasm" "${reports[@]}"
cp "${reports[@]}" "$LH/"  # the whole reports, for a closer look (lh-N.json)
