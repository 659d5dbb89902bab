#!/usr/bin/env bash
# Runs nnr's setup and tests against the libtorch of the *other* Debian release: on Debian 12
# (libtorch 1.13) a Debian 13 root (libtorch 2.6), and the reverse. The root is a debootstrap
# minbase of Debian's own packages with that release's libtorch-dev, libgloo-dev, node and npm;
# it is cached between runs (NNR_OTHER_DEBIAN_CACHE, default /var/cache/nnr) and rebuilt when
# its package list changes. Each run clones this repository afresh inside it. Needs root.
#
#   scripts/other-debian.sh [COMMAND...]
#
# COMMAND runs in the fresh clone inside the root, as root. The default is the README's two
# commands: `npm test` (without the extras that need a browser or daemons: the Slurm and
# browser tests skip there, and run on the host) and `npm run demo`.
# Mounts made for the run (/proc, /sys, /dev, /dev/pts) are unmounted on exit, also on failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

fail() {
  echo "other-debian: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap and chroot); run it as root"
[ -f /etc/debian_version ] || fail "this is not Debian: no /etc/debian_version"

case "$(cut -d. -f1 /etc/debian_version)" in
  12) release=trixie ;;
  13) release=bookworm ;;
  *) fail "Debian $(cat /etc/debian_version) has no other release to check; 12 and 13 are tested" ;;
esac

# What the root holds beyond minbase: the project's build needs on that release. Not Python's
# torch: the numeric tests there compare with the committed fixtures, at the tolerances that
# hold across CPUs and releases, as for a user without it. (Against PyTorch 2.6 live, the
# exact comparisons differ in the last bits: its Adam updates its moments with lerp, 1.13's
# and nnr's with mul and add.)
PACKAGES=(ca-certificates git nodejs npm g++ make python3 libtorch-dev libgloo-dev
  dataset-fashion-mnist fonts-dejavu-core)
cache=${NNR_OTHER_DEBIAN_CACHE:-/var/cache/nnr}
root="$cache/debian-$release"
stamp="$root/.nnr-packages"

# The Debian mirror this machine uses (deb822 or one-line sources), else Debian's own.
debian_mirror() {
  local mirror
  mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources \
    /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}') || true
  echo "${mirror:-http://deb.debian.org/debian}"
}

mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap unmount_all EXIT

bind_mount() {
  mkdir -p "$root$1"
  mount --bind "$1" "$root$1"
  mounted+=("$root$1")
}

build_root() {
  command -v debootstrap >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  echo "other-debian: building a Debian $release root in $root"
  rm -rf "$root"
  mkdir -p "$cache"
  debootstrap --variant=minbase "$release" "$root.tmp" "$(debian_mirror)" >/dev/null
  mv "$root.tmp" "$root"
}

install_packages() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${PACKAGES[*]}" ] && return 0
  echo "other-debian: installing ${PACKAGES[*]}"
  chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null' \
    sh "${PACKAGES[@]}"
  echo "${PACKAGES[*]}" >"$stamp"
}

[ -d "$root" ] && [ -x "$root/bin/sh" ] || build_root
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/nnr"
# The host's CA bundle, where npm finds it before the root's ca-certificates is installed.
cp /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/nnr/ca-certificates.crt"
for path in /proc /sys /dev /dev/pts; do bind_mount "$path"; done
install_packages

clone=/root/nnr
rm -rf "$root$clone"
git clone -q "$repo" "$root$clone"
echo "other-debian: Debian $(cat "$root/etc/debian_version"), libtorch-dev $(chroot "$root" dpkg-query -W -f='${Version}' libtorch-dev)"

if [ $# -eq 0 ]; then
  set -- sh -c 'NNR_TEST_EXTRAS=skip npm test && npm run demo'
fi
chroot "$root" env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 CI="${CI:-}" NODE_EXTRA_CA_CERTS=/usr/local/share/nnr/ca-certificates.crt \
  sh -c 'cd "$0" && exec "$@"' "$clone" "$@"
