#!/usr/bin/env bash
# Browser tests in WebKit (the engine of every iPhone browser): Debian's
# WebKitWebDriver driving MiniBrowser, under Xvfb, over W3C WebDriver
# (WebdriverIO, end2end/webkit/*.webkit.mjs, run by node's test runner),
# against a running cockpit at E2E_WEBKIT_URL. Screenshots land in
# end2end/screenshots/webkit-*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${E2E_WEBKIT_URL:?the address of a running cockpit, e.g. http://127.0.0.1:3100/}"
export E2E_WEBKIT_URL
cd end2end
exec xvfb-run -a --server-args="-screen 0 1600x1000x24" \
  node --test --test-reporter=spec --test-concurrency=1 webkit/*.webkit.mjs
