#!/usr/bin/env bash
# Smoke test of the container image, on a machine that can build images but
# not run them (crun refuses this sandbox's hybrid cgroups):
#
#   1. makes the local base image (scripts/container-base.sh);
#   2. builds the Containerfile as localhost/rpm-cockpit:smoke, prints its size;
#   3. exports the image's file system (podman create + export: nothing runs);
#   4. starts a private PostgreSQL on 127.0.0.1 (Debian's binaries, as the
#      `postgres` user, password authentication, an unprivileged owner role);
#   5. runs the image's ENTRYPOINT + CMD under chroot, as the image's USER, in
#      its WORKDIR, with exactly the image's ENV plus PORT, DATABASE_URL and
#      RPM_PUBLIC_URL (what the platform would add);
#   6. checks /healthz, /readyz, the sign-in page and the site's files;
#   7. sends SIGTERM and checks the process exits 0 within 10 s;
#   8. prints image size, time to ready and time to exit. Any failure: exit 1.
#
# Options:
#   --no-build        test the image as it is (default name below)
#   --image NAME      image to build/test (default localhost/rpm-cockpit:smoke)
#   --context DIR     build context instead of this clone (the Containerfile
#                     is still this clone's); for testing the recipe itself
#   --env KEY=VALUE   extra environment for the server (repeatable)
#   --keep-image      (default) / --rm-image: remove the image at the end
# Environment: RPM_SMOKE_PORT (default 18080), RPM_SMOKE_PG_PORT (default: a
# free port). Needs root: chroot, mount, and PostgreSQL run as `postgres`.
#
# podman flags that work on the build machines (podman 4.3 / buildah 1.28,
# cgroup v1+v2 hybrid, root): `podman build --isolation=chroot` (RUN steps
# without an OCI runtime; the default isolation fails with "crun: cgroups in
# hybrid mode not supported"); the default overlay storage driver works;
# RUN --mount=type=cache works (kept in /var/tmp/buildah-cache). The host's
# CA bundle is mounted for the build step that downloads crates and npm
# packages (the machines reach registries through a TLS-intercepting proxy);
# a build volume never ends up in an image.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

IMAGE="localhost/rpm-cockpit:smoke"
BUILD=1
CONTEXT="$ROOT"
RM_IMAGE=""
EXTRA_ENV=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD="" ;;
    --image) IMAGE="$2"; shift ;;
    --context) CONTEXT="$(cd "$2" && pwd)"; shift ;;
    --env) EXTRA_ENV+=("$2"); shift ;;
    --keep-image) RM_IMAGE="" ;;
    --rm-image) RM_IMAGE=1 ;;
    -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
APP_PORT="${RPM_SMOKE_PORT:-18080}"

say() { printf '\033[1;34m[smoke]\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[1;31m[smoke] FAILED:\033[0m %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

[ "$(id -u)" = 0 ] || fail "run as root (chroot, mount, PostgreSQL as postgres)"
command -v curl >/dev/null || fail "curl is needed"
command -v python3 >/dev/null || fail "python3 is needed"

work="$(mktemp -d /tmp/rpm-smoke.XXXXXX)"
chmod 755 "$work"
rootfs="$work/rootfs"
cid="" server="" pg_data="" PG_BIN=""

cleanup() {
  local code=$?
  set +e
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -KILL "$server" 2>/dev/null; wait "$server" 2>/dev/null
  fi
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1
  fi
  for m in dev proc; do
    mountpoint -q "$rootfs/$m" 2>/dev/null && { umount "$rootfs/$m" || umount -l "$rootfs/$m"; }
  done
  [ -n "$cid" ] && podman rm -f "$cid" >/dev/null 2>&1
  # Never delete through a mount that is still there.
  if grep -q " $work/" /proc/mounts; then
    echo "[smoke] mounts left under $work; not removing it" >&2
  else
    rm -rf --one-file-system "$work"
  fi
  [ -n "$RM_IMAGE" ] && podman rmi -f "$IMAGE" >/dev/null 2>&1
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. base image.
scripts/container-base.sh

# --- 2. build.
if [ -n "$BUILD" ]; then
  build_flags=(--isolation=chroot -f "$ROOT/Containerfile" -t "$IMAGE")
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    build_flags+=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/build-ca.crt:ro)
  fi
  say "podman build ${build_flags[*]} $CONTEXT"
  build_started="$(now)"
  podman build "${build_flags[@]}" "$CONTEXT"
  say "built in $(since "$build_started") s"
fi
podman image exists "$IMAGE" || fail "no image $IMAGE"
size="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
size_h="$(numfmt --to=si --suffix=B --format='%.1f' "$size")"
say "$IMAGE: $size bytes ($size_h); its layers:"
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | cut -c1-110 >&2

# --- 3. the image's file system and configuration.
say "exporting the file system"
mkdir "$rootfs"
cid="$(podman create "$IMAGE")"
podman export "$cid" | tar -x -C "$rootfs" --numeric-owner
podman rm "$cid" >/dev/null
cid=""
podman image inspect --format '{{json .Config}}' "$IMAGE" >"$work/config.json"
# The image's user (name or number, with or without a group), resolved in
# its own /etc/passwd and /etc/group as podman would.
read -r IMG_UID IMG_GID IMG_HOME WORKDIR < <(python3 - "$work/config.json" "$rootfs" <<'PY'
import json, sys
cfg, root = json.load(open(sys.argv[1])), sys.argv[2]
def table(name):
    try:
        return [l.rstrip("\n").split(":") for l in open(f"{root}/etc/{name}") if ":" in l]
    except FileNotFoundError:
        return []
passwd, group = table("passwd"), table("group")
user, _, grp = (cfg.get("User") or "0").partition(":")
entry = next((p for p in passwd if p[0] == user or p[2] == user), None)
uid = int(entry[2]) if entry else int(user)
gid = int(entry[3]) if entry else uid
if grp:
    g = next((g for g in group if g[0] == grp or g[2] == grp), None)
    gid = int(g[2]) if g else int(grp)
home = entry[5] if entry else "/"
print(uid, gid, home, cfg.get("WorkingDir") or "/")
PY
)
mapfile -t IMG_ENV < <(python3 -c 'import json,sys; [print(e) for e in json.load(open(sys.argv[1])).get("Env") or []]' "$work/config.json")
mapfile -t IMG_CMD < <(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); [print(a) for a in (c.get("Entrypoint") or []) + (c.get("Cmd") or [])]' "$work/config.json")
[ -n "${WORKDIR:-}" ] || fail "could not read the image's user and working directory"
[ "${#IMG_CMD[@]}" -gt 0 ] || fail "the image has neither ENTRYPOINT nor CMD"
[ "$IMG_UID" != 0 ] || fail "the image runs as root"
say "user $IMG_UID:$IMG_GID, workdir $WORKDIR, command: ${IMG_CMD[*]}"
say "image env: ${IMG_ENV[*]}"

# What a container runtime provides: /proc, a minimal /dev (a tmpfs with the
# usual nodes, not the host's /dev), /etc/hosts and /etc/resolv.conf.
mount -t proc proc "$rootfs/proc"
mount -t tmpfs -o mode=755,nosuid,size=64k smoke-dev "$rootfs/dev"
while read -r name major minor; do
  mknod -m 666 "$rootfs/dev/$name" c "$major" "$minor"
done <<'NODES'
null 1 3
zero 1 5
full 1 7
random 1 8
urandom 1 9
tty 5 0
NODES
ln -s /proc/self/fd "$rootfs/dev/fd"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' >"$rootfs/etc/hosts"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || : >"$rootfs/etc/resolv.conf"

# --- 4. PostgreSQL, reachable over TCP on 127.0.0.1 (the chroot shares the
# host's network), with a password, like Cloud SQL.
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$PG_BIN" ]; then
  say "apt: installing postgresql"
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi
PG_PORT="${RPM_SMOKE_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
pg_home="$work/pg"
pg_data="$pg_home/data"
mkdir -p "$pg_home/socket"
superpw="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
apppw="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
printf '%s\n' "$superpw" >"$pg_home/pwfile"
chown -R postgres: "$pg_home"
chmod 700 "$pg_home"
say "PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT"
runuser -u postgres -- "$PG_BIN/initdb" -D "$pg_data" -U postgres --pwfile="$pg_home/pwfile" \
  --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 ||
  { cat "$work/initdb.log"; fail "initdb"; }
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_data" -l "$pg_home/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$pg_home/socket" \
  start >/dev/null || { cat "$pg_home/postgres.log"; fail "PostgreSQL did not start"; }
runuser -u postgres -- "$PG_BIN/psql" -h "$pg_home/socket" -p "$PG_PORT" -U postgres -qAtX \
  -v ON_ERROR_STOP=1 -c "create role cockpit login password '$apppw'" \
  -c "create database rpm_cockpit owner cockpit" >/dev/null
DATABASE_URL="postgres://cockpit:$apppw@127.0.0.1:$PG_PORT/rpm_cockpit"

# --- 5. the entrypoint, as the image would run it.
base="http://127.0.0.1:$APP_PORT"
curl -s -o /dev/null "$base/" && fail "something already listens on port $APP_PORT (RPM_SMOKE_PORT)"
run_env=("${IMG_ENV[@]}")
printf '%s\n' "${IMG_ENV[@]}" | grep -q '^HOME=' || run_env+=("HOME=$IMG_HOME")
# A production configuration: the server refuses to listen beyond loopback
# without its public URL, first admin and Google client (the client is a
# stand-in: nobody signs in during the smoke test).
run_env+=("PORT=$APP_PORT" "DATABASE_URL=$DATABASE_URL" "RPM_PUBLIC_URL=$base"
  "RPM_ADMIN_EMAIL=smoke-admin@example.com" "GOOGLE_CLIENT_ID=smoke-test-client"
  "GOOGLE_CLIENT_SECRET=smoke-test-secret" "${EXTRA_ENV[@]}")
say "starting ${IMG_CMD[*]} under chroot (PORT=$APP_PORT, DATABASE_URL=postgres://cockpit:***@127.0.0.1:$PG_PORT/rpm_cockpit)"
started="$(now)"
# env -i: nothing of this shell's environment; chroot --userspec: the image's
# user, its primary group only; env -C (inside the image): its WORKDIR. Each
# execs the next, so $! is the server's own process.
env -i "${run_env[@]}" /usr/sbin/chroot --userspec="$IMG_UID:$IMG_GID" --groups="$IMG_GID" "$rootfs" \
  /usr/bin/env -C "$WORKDIR" "${IMG_CMD[@]}" >"$work/server.log" 2>&1 &
server=$!

show_log() { echo "--- server log (last 40 lines)" >&2; tail -40 "$work/server.log" >&2; }
wait_for() { # PATH SECONDS: until it answers 200
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$server" 2>/dev/null || { show_log; fail "the server exited while waiting for $1"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base$1")" = 200 ] && return 0
    sleep 0.1
  done
  show_log
  fail "$1 did not answer 200 within $2 s"
}

# --- 6. checks.
wait_for /healthz 60
t_live="$(since "$started")"
wait_for /readyz 60
t_ready="$(since "$started")"
uid_now="$(awk '/^Uid:/ {print $2}' "/proc/$server/status")"
[ "$uid_now" = "$IMG_UID" ] || fail "the server runs as uid $uid_now, not $IMG_UID"
say "live after $t_live s, ready after $t_ready s, uid $uid_now"

check() { # NAME PATH STATUS CONTENT-TYPE-REGEX [BODY-PATTERN]
  local out="$work/body" code type
  read -r code type < <(curl -s -o "$out" -w '%{http_code} %{content_type}\n' "$base$2")
  [ "$code" = "$3" ] || { show_log; fail "$1: GET $2 answered $code, expected $3"; }
  grep -Eq "^($4)" <<<"$type" || fail "$1: GET $2 has content type '$type', expected $4"
  if [ -n "${5:-}" ] && ! grep -qi -- "$5" "$out"; then fail "$1: GET $2 lacks '$5'"; fi
  say "ok: $1 (GET $2: $code, $type, $(wc -c <"$out") bytes)"
}
check "liveness" /healthz 200 "text/plain" "ok"
check "readiness" /readyz 200 "text/plain" "ready"
check "sign-in page" /login 200 "text/html" "<html"
output_name="$(printf '%s\n' "${run_env[@]}" | sed -n 's/^LEPTOS_OUTPUT_NAME=//p' | tail -1)"
output_name="${output_name:-rpm-cockpit}"
# Hashed names: hash.txt beside the binary (cargo-leptos hash-files).
hash_of() { sed -n "s/^$1: *//p" "$rootfs/app/hash.txt"; }
css="/pkg/$output_name.$(hash_of css).css"
wasm="/pkg/$output_name.$(hash_of wasm).wasm"
check "stylesheet" "$css" 200 "text/css"
check "script" "/pkg/$output_name.$(hash_of js).js" 200 "text/javascript|application/javascript"
check "wasm" "$wasm" 200 "application/wasm"
curl -s -o /dev/null -D "$work/headers" -H 'Accept-Encoding: br' "$base$wasm"
grep -qi '^content-encoding: br' "$work/headers" || fail "the wasm is not served from its brotli copy"
grep -qi '^cache-control: public, max-age=31536000, immutable' "$work/headers" ||
  fail "the hashed wasm is not cached for a year"
say "ok: the wasm from its brotli copy ($(grep -i '^content-length' "$work/headers" | tr -d '\r')), immutable"
grep -q "href=\"$css\"" <(curl -s "$base/login") || fail "the sign-in page does not link $css"

# --- 7. SIGTERM: exit 0 within 10 s.
say "SIGTERM"
term_at="$(now)"
kill -TERM "$server"
for _ in $(seq 1 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server" 2>/dev/null; then show_log; fail "still running 10 s after SIGTERM"; fi
t_exit="$(since "$term_at")"
code=0
wait "$server" || code=$?
server=""
[ "$code" = 0 ] || { show_log; fail "exit status $code after SIGTERM"; }

# --- 8. summary.
echo
echo "container smoke test passed"
echo "  image:          $IMAGE, $size_h ($size bytes)"
echo "  ran as:         uid $IMG_UID, ${IMG_CMD[*]} in $WORKDIR"
echo "  time to live:   $t_live s (/healthz 200)"
echo "  time to ready:  $t_ready s (/readyz 200: migrations applied on an empty database)"
echo "  SIGTERM:        exit status 0 after $t_exit s"
