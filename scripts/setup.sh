#!/usr/bin/env bash
# Idempotent setup: system packages (Debian, as root), npm dependencies, the native addon and
# the TypeScript build. `npm run demo`, `npm test` and `npm run bench` run it first, so each
# works alone from a fresh clone. Quiet when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

# libgloo-dev: the headers of c10d's Gloo process group (native/src/distributed.cc), not a
# dependency of libtorch-dev.
SYSTEM_PACKAGES=(libtorch-dev libgloo-dev dataset-fashion-mnist fonts-dejavu-core)

install_system_packages() {
  local missing=()
  for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "nnr setup: missing ${missing[*]}; install them (Debian: apt-get install -y ${missing[*]}) or set LIBTORCH" >&2
    return 0
  fi
  echo "nnr setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

install_npm_dependencies() {
  # node_modules/.package-lock.json is npm's record of what is installed.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "nnr setup: installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

build_typescript() {
  local stamp=dist/.build-stamp
  if [ -f "$stamp" ] && [ -z "$(find src tsconfig.json tsconfig.build.json -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  echo "nnr setup: compiling TypeScript"
  npx tsc -p tsconfig.build.json
  touch "$stamp"
}

if [ -f /etc/debian_version ] && [ -z "${LIBTORCH:-}" ]; then install_system_packages; fi
install_npm_dependencies
# The addon and the TypeScript do not depend on each other: build them side by side (the
# addon's precompiled header is one long serial step that leaves a core free for tsc).
build_typescript &
typescript=$!
addon_status=0
node scripts/build-addon.mjs || addon_status=$?
typescript_status=0
wait "$typescript" || typescript_status=$?
[ "$addon_status" -eq 0 ] && [ "$typescript_status" -eq 0 ]
