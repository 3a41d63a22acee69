#!/usr/bin/env bash
# Installs what the cockpit needs to build, run and test, then exports the
# environment for it. Source it (`. scripts/setup.sh`) so the exports stay;
# run.sh and test.sh do. Every step is skipped when already done, so a warm
# call takes about a second.
#
# Two paths:
# - an ordinary machine, where `rustup target add wasm32-unknown-unknown` was
#   done: nothing but cargo-leptos, wasm-bindgen-cli and wasm-opt is added;
# - a machine whose rustc has no wasm32 std (and cannot download one): Debian's
#   rustc-web toolchain is installed from apt and a wasm32 std is built once
#   from Debian's std source into the cache (see README, "Toolchain").
#
# Everything comes from apt, crates.io or npm; nothing else is downloaded.
# Caches live outside the clone, in $RPM_CACHE_DIR (default ~/.cache/rpm-cockpit).
#
# RPM_SETUP_BUILD_ONLY=1 (the Containerfile's build stage): only what
# `cargo leptos build` needs; no PostgreSQL, Chromium or end2end modules.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${RPM_CACHE_DIR:-$HOME/.cache/rpm-cockpit}"
CARGO_LEPTOS_VERSION="0.3.11"
BINARYEN_VERSION="132.0.0"
ECHARTS_VERSION="6.1.0"
ESBUILD_VERSION="0.28.2"
mkdir -p "$CACHE"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    say "please install: ${missing[*]} (no apt-get here)"
    return 1
  fi
  say "apt: installing ${missing[*]}"
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- system packages: PostgreSQL for the embedded database, Chromium and
# Node for browser tests.
BUILD_ONLY="${RPM_SETUP_BUILD_ONLY:-}"
if [ -z "$BUILD_ONLY" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v pg_config >/dev/null; then
  apt_install postgresql
fi
command -v npm >/dev/null || apt_install nodejs npm
if [ -z "$BUILD_ONLY" ] && [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  apt_install chromium
fi
# WebKit, the engine of every iPhone browser: WebKitWebDriver and its
# MiniBrowser, run under a virtual display (scripts/webkit-tests.sh).
if [ -z "$BUILD_ONLY" ] && ! command -v WebKitWebDriver >/dev/null && command -v apt-get >/dev/null; then
  apt_install webkit2gtk-driver
fi
if [ -z "$BUILD_ONLY" ] && ! command -v xvfb-run >/dev/null && command -v apt-get >/dev/null; then
  apt_install xvfb xauth
fi

# --- Rust for the browser.
host_sysroot="$(rustc --print sysroot)"
if [ -d "$host_sysroot/lib/rustlib/wasm32-unknown-unknown" ]; then
  say "rustc has the wasm32 target: ordinary toolchain"
  DEBIAN_RUST=""
else
  DEBIAN_RUST=1
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy lld-22
  deb_version="$(/usr/bin/rustc --version | awk '{print $2}')"
  SYSROOT="$CACHE/wasm-sysroot-$deb_version"
  if [ ! -f "$SYSROOT/.complete" ]; then
    say "building a wasm32 std for Debian rustc $deb_version (once, ~1 min)"
    work="$CACHE/wasm-std-build"
    rm -rf "$work" "$SYSROOT"
    mkdir -p "$work/src"
    cat >"$work/Cargo.toml" <<'EOF'
[package]
name = "wasm-std"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
crate-type = ["cdylib", "rlib"]
[profile.release]
lto = true
panic = "abort"
EOF
    : >"$work/src/lib.rs"
    # lto + rlib makes cargo emit std with both object code and bitcode, so
    # the same rlibs serve LTO (release) and non-LTO (debug) builds.
    (cd "$work" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$work/target" \
      cargo build --quiet --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
    lib="$SYSROOT/lib/rustlib/wasm32-unknown-unknown/lib"
    mkdir -p "$lib"
    find "$work/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' ! -name 'libwasm_std-*' \
      -exec cp {} "$lib/" \;
    ln -s /usr/lib/rustlib/x86_64-unknown-linux-gnu "$SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu"
    ln -s /usr/lib/rustlib/src "$SYSROOT/lib/rustlib/src" 2>/dev/null || true
    rm -rf "$work"
    touch "$SYSROOT/.complete"
  fi
  mkdir -p "$CACHE/bin"
  cat >"$CACHE/bin/rustc" <<EOF
#!/bin/sh
exec /usr/bin/rustc --sysroot=$SYSROOT "\$@"
EOF
  cat >"$CACHE/bin/rustdoc" <<EOF
#!/bin/sh
exec /usr/bin/rustdoc --sysroot=$SYSROOT "\$@"
EOF
  chmod +x "$CACHE/bin/rustc" "$CACHE/bin/rustdoc"
  export RUSTC="$CACHE/bin/rustc"
  # Doctests must be compiled by the same compiler as the crates they use.
  export RUSTDOC="$CACHE/bin/rustdoc"
fi
export DEBIAN_RUST

# --- cargo-leptos and the wasm-bindgen CLI, from crates.io.
TOOLS="${RPM_TOOLS_DIR:-$HOME/.cargo}"
export PATH="$TOOLS/bin:$PATH"
install_rustc() { if [ -n "$DEBIAN_RUST" ]; then echo /usr/bin/rustc; else command -v rustc; fi; }

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once, ~20 min on 2 cores)"
  RUSTC="$(install_rustc)" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_TARGET_DIR="$CACHE/install-target" \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads --root "$TOOLS"
fi

wb_version="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$ROOT/Cargo.lock")"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version (once, ~7 min)"
  # Not --locked: its lock file names a crate version this registry lacks.
  RUSTC="$(install_rustc)" CARGO_TARGET_DIR="$CACHE/install-target" \
    cargo install wasm-bindgen-cli --version "$wb_version" --root "$TOOLS"
fi

# --- sqlx-cli: `cargo sqlx prepare` keeps .sqlx/ (the compile-time checked
# queries' offline data) in step with the schema; the test command checks it
# (not needed to build: RPM_SETUP_BUILD_ONLY, the container, skips it).
sqlx_version="$(awk '/^name = "sqlx"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$ROOT/Cargo.lock")"
if [ -z "$BUILD_ONLY" ] && [ "$(cargo sqlx --version 2>/dev/null | awk '{print $2}')" != "$sqlx_version" ]; then
  say "installing sqlx-cli $sqlx_version (once, ~6 min)"
  RUSTC="$(install_rustc)" CARGO_TARGET_DIR="$CACHE/install-target" \
    cargo install sqlx-cli --version "$sqlx_version" --locked --no-default-features \
    --features postgres,rustls --root "$TOOLS"
fi
# Builds read the queries' types from .sqlx/, never from a database (a
# DATABASE_URL in the environment or .env would otherwise be used).
export SQLX_OFFLINE=true

# --- wasm-opt from npm's binaryen (Debian's is too old: its output fails to hydrate).
if [ ! -x "$CACHE/npm/node_modules/.bin/wasm-opt" ]; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION) from npm"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" "binaryen@$BINARYEN_VERSION" >/dev/null
fi
export PATH="$CACHE/npm/node_modules/.bin:$PATH"

# --- ECharts for the cockpit's charts, served from our own origin as
# public/vendor/echarts.min.js (not committed): the parts listed in
# scripts/echarts/index.js, bundled by esbuild, both from npm.
if [ ! -x "$CACHE/npm/node_modules/.bin/esbuild" ] \
  || ! grep -q "\"version\": \"$ECHARTS_VERSION\"" "$CACHE/npm/node_modules/echarts/package.json" 2>/dev/null; then
  say "installing echarts $ECHARTS_VERSION and esbuild $ESBUILD_VERSION from npm"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" \
    "echarts@$ECHARTS_VERSION" "esbuild@$ESBUILD_VERSION" >/dev/null
fi
echarts_bundle="$CACHE/echarts-$ECHARTS_VERSION-$(sha256sum "$ROOT/scripts/echarts/index.js" | cut -c1-12).min.js"
if [ ! -f "$echarts_bundle" ]; then
  NODE_PATH="$CACHE/npm/node_modules" "$CACHE/npm/node_modules/.bin/esbuild" \
    "$ROOT/scripts/echarts/index.js" --bundle --minify --format=iife --global-name=echarts \
    --log-level=warning --outfile="$echarts_bundle.tmp"
  mv "$echarts_bundle.tmp" "$echarts_bundle"
fi
mkdir -p "$ROOT/public/vendor"
cmp -s "$echarts_bundle" "$ROOT/public/vendor/echarts.min.js" \
  || cp "$echarts_bundle" "$ROOT/public/vendor/echarts.min.js"

# --- end2end/ node modules: Playwright (with the system Chromium; never downloads
# browsers) and WebdriverIO (for WebKitWebDriver; its driver downloads are not run).
if [ -z "$BUILD_ONLY" ] && { [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
  || [ ! -d "$ROOT/end2end/node_modules/webdriverio" ]; }; then
  say "installing end2end/ node modules"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
fi

# Build outputs are kept outside the clone so warm runs reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
# That target grows with every session (incremental data, each build's test
# binaries: 64 GB once, which filled this disk and failed a CI link). When
# less than 20 GB is free, what any build remakes is dropped: incremental
# data and executables in deps/ older than a day.
free_kb="$(df -Pk "$(dirname "$CARGO_TARGET_DIR")" 2>/dev/null | awk 'NR == 2 {print $4}')"
if [ -d "$CARGO_TARGET_DIR" ] && [ "${free_kb:-0}" -lt $((20 * 1024 * 1024)) ]; then
  say "under 20 GB free: dropping the target's incremental data and stale test binaries"
  rm -rf "$CARGO_TARGET_DIR"/debug/incremental "$CARGO_TARGET_DIR"/release/incremental
  find "$CARGO_TARGET_DIR"/debug/deps -maxdepth 1 -type f -perm -u+x -mtime +1 -delete 2>/dev/null || true
fi
# Leptos reads this at compile time; cargo-leptos sets it for its builds.
# Setting it for plain cargo too (tests, clippy) lets them share artifacts.
export LEPTOS_OUTPUT_NAME="rpm-cockpit"
say "ready (rustc: ${RUSTC:-rustup}, target dir: $CARGO_TARGET_DIR)"
