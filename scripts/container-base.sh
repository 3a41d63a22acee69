#!/usr/bin/env bash
# Makes the local base image the Containerfile starts from:
# localhost/rpm-cockpit-base:bookworm, a Debian 12 (bookworm) `minbase` root
# file system made by debootstrap from the Debian mirror this machine's apt
# uses, imported with `podman import`. No image registry is needed (none is
# reachable on the build machines). Both stages of the Containerfile use it:
# the build stage installs its tools with apt-get, the runtime stage only
# ca-certificates.
#
#   scripts/container-base.sh            make it unless it exists
#   scripts/container-base.sh --rebuild  debootstrap again and re-import
#
# The root file system is kept as a tarball in
# $RPM_CACHE_DIR/container/ (default ~/.cache/rpm-cockpit/container/), so
# re-importing it (e.g. after `podman system reset`) takes seconds; only
# --rebuild runs debootstrap again (≈30 s on the build machines). Needs
# root (debootstrap).
#
# Mirrors: the first one apt's sources name for `bookworm` (and for
# `bookworm-security`); override with RPM_DEBIAN_MIRROR and
# RPM_DEBIAN_SECURITY_MIRROR. Image name: RPM_BASE_IMAGE.
set -euo pipefail

SUITE=bookworm
IMAGE="${RPM_BASE_IMAGE:-localhost/rpm-cockpit-base:$SUITE}"
CACHE="${RPM_CACHE_DIR:-$HOME/.cache/rpm-cockpit}/container"
ROOTFS_TAR="$CACHE/$SUITE-minbase.tar"
REBUILD=""
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;34m[container-base]\033[0m %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap and podman need it)" >&2; exit 1; }

# --- tools, from apt.
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v podman >/dev/null || missing+=(podman)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt: installing ${missing[*]}"
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -z "$REBUILD" ] && podman image exists "$IMAGE"; then
  say "$IMAGE exists (--rebuild to make it again)"
  exit 0
fi

# --- the mirrors apt uses: one-line *.list and deb822 *.sources files.
# Prints the first URI serving suite $1 with component main.
apt_mirror() {
  local suite="$1" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '$1 == "deb" {
        i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # Paragraphs separated by blank lines; fields "Key: value".
    awk -v s="$suite" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") && enabled != "no") {
          split(uris, u, " "); print u[1]; found = 1; exit
        }
        types = uris = suites = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      { key = tolower($1); sub(/^[^:]*:[ \t]*/, "") }
      key == "types:" { types = $0 } key == "uris:" { uris = $0 }
      key == "suites:" { suites = $0 } key == "enabled:" { enabled = tolower($0) }
      END { if (!found) flush() }' "$f"
  done
}
MIRROR="${RPM_DEBIAN_MIRROR:-$(apt_mirror "$SUITE" | head -1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SECURITY="${RPM_DEBIAN_SECURITY_MIRROR:-$(apt_mirror "$SUITE-security" | head -1)}"
SECURITY="${SECURITY:-http://deb.debian.org/debian-security}"
MIRROR="${MIRROR%/}" SECURITY="${SECURITY%/}"

mkdir -p "$CACHE"
if [ -n "$REBUILD" ] || [ ! -s "$ROOTFS_TAR" ]; then
  say "debootstrap --variant=minbase $SUITE from $MIRROR"
  root="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
  cleanup() {
    # debootstrap mounts /proc and /sys inside the target while it works.
    for m in proc sys dev/pts dev; do umount -l "$root/$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$root"
  }
  trap cleanup EXIT
  debootstrap --variant=minbase --components=main "$SUITE" "$root" "$MIRROR" \
    >"$CACHE/debootstrap.log" 2>&1 || {
    tail -30 "$CACHE/debootstrap.log" >&2
    echo "debootstrap failed (whole log: $CACHE/debootstrap.log)" >&2
    exit 1
  }

  # apt in the image: the release, its updates and its security updates
  # (Debian's rustc-web 1.96 and lld-22 come from bookworm-security), from
  # the same mirrors; no recommends.
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$root/etc/apt/apt.conf.d/90container" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
  # No documentation, manual pages or translations in images (copyright
  # notices stay), as Debian's own "slim" images do.
  cat >"$root/etc/dpkg/dpkg.cfg.d/90container-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
  find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  # Caches and files podman provides per container; nothing of this machine.
  rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/lib/apt/lists/* "$root"/var/log/* "$root"/tmp/* "$root"/var/tmp/*
  rm -f "$root/etc/resolv.conf" "$root/etc/hostname" "$root/etc/hosts"
  : >"$root/etc/machine-id"

  tar --numeric-owner --xattrs --acls -C "$root" -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  cleanup
  trap - EXIT
fi

say "podman import $ROOTFS_TAR as $IMAGE"
podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL org.opencontainers.image.description=Debian $SUITE minbase by debootstrap from $MIRROR" \
  --message "debootstrap --variant=minbase $SUITE $MIRROR" \
  "$ROOTFS_TAR" "$IMAGE" >/dev/null
size="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
say "$IMAGE: $((size / 1000000)) MB"
