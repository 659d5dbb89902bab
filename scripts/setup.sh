#!/usr/bin/env bash
# Idempotent setup: system packages (Debian, as root), npm dependencies, the native addon and
# the TypeScript build. `npm run demo`, `npm test` and `npm run bench` run it first, so each
# works alone from a fresh clone. Quiet when there is nothing to do.
#
#   scripts/setup.sh [--test-extras | --only-test-extras]
#
# --test-extras (what `npm test` passes) also installs, as root, what the tests need beyond a
# user's install, so a newcomer runs the suite CI runs: nothing skipped for want of a package.
# NNR_TEST_EXTRAS=skip leaves them out. --only-test-extras installs them and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

# libgloo-dev: the headers of c10d's Gloo process group (native/src/distributed.cc), not a
# dependency of libtorch-dev.
SYSTEM_PACKAGES=(libtorch-dev libgloo-dev dataset-fashion-mnist fonts-dejavu-core)
# The tests' extras: Chromium renders the report; Python's torch computes numeric references
# live (never needed to build or run); slurm-wlm and munge make the one-node Slurm cluster the
# Slurm tests start (test/experiment/slurm-cluster.ts); clang-format checks native/'s format in
# the lint; libonnx-testdata is ONNX's own backend test suite, which the ONNX import runs;
# python3-onnx reads the weights of the modules the fixture scripts export to ONNX.
TEST_PACKAGES=(chromium python3-torch slurm-wlm munge clang-format libonnx-testdata python3-onnx)

# Installs the packages not installed yet, as root with apt; elsewhere says what is missing.
install_packages() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "nnr setup: missing ${missing[*]}; install them as root (apt-get install -y ${missing[*]}); for libtorch, LIBTORCH=DIR names one of your own" >&2
    return 0
  fi
  echo "nnr setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

test_extras=no
case "${1:-}" in
  --test-extras) test_extras=yes ;;
  --only-test-extras) test_extras=only ;;
  "") ;;
  *)
    echo "nnr setup: unknown option '$1'; use --test-extras or --only-test-extras" >&2
    exit 2
    ;;
esac
if [ "$test_extras" != no ] && [ "${NNR_TEST_EXTRAS:-}" != skip ] && [ -f /etc/debian_version ]; then
  install_packages "${TEST_PACKAGES[@]}"
fi
[ "$test_extras" = only ] && exit 0

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

if [ -f /etc/debian_version ] && [ -z "${LIBTORCH:-}" ]; then install_packages "${SYSTEM_PACKAGES[@]}"; fi
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
