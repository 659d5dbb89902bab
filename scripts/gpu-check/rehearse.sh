#!/usr/bin/env bash
# Rehearses scripts/gpu-check.sh on this CPU as the GPU machine will run it: in a fresh copy
# of what the device call sends (tracked and untracked-not-ignored files, plus .device/),
# with no node on the PATH and no node_modules, dist/ or build/, at tiny sizes, with twice the
# time budgets and a 25-minute deadline (a 2-core machine builds the addon in minutes; 16
# cores take well under one).
#   bash scripts/gpu-check/rehearse.sh [OUT_DIR]      (run scripts/gpu-pack.sh first)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f .device/manifest.txt ] || { echo "rehearse: no .device/: run 'bash scripts/gpu-pack.sh' first" >&2; exit 2; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/nnr-rehearsal.XXXXXX")
out=${1:-$scratch/out}
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "rehearse: $out is not empty; name a new or empty folder (the device's \$OUT starts empty)" >&2
  exit 2
fi
mkdir -p "$scratch/tree" "$out"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$scratch/tree"
cp -r .device "$scratch/tree/.device"

# A PATH like the bare machine's: every tool of this one except Node.js and its package managers.
bin=$scratch/bin
mkdir -p "$bin"
for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
  [ -d "$dir" ] || continue
  for tool in "$dir"/*; do
    name=${tool##*/}
    case $name in node | nodejs | npm | npx | corepack | tsx) continue ;; esac
    [ -e "$bin/$name" ] || ln -s "$tool" "$bin/$name"
  done
done
echo "rehearse: tree in $scratch/tree, results in $out"
start=$(date +%s)
status=0
(cd "$scratch/tree" && env -i HOME="$scratch" PATH="$bin" OUT="$out" PYTHON=/usr/bin/python3 \
  NNR_GPU_CHECK_DEVICE=cpu NNR_GPU_CHECK_SIZE=tiny \
  NNR_GPU_CHECK_BUDGET_SCALE="${NNR_GPU_CHECK_BUDGET_SCALE:-2}" \
  NNR_GPU_CHECK_DEADLINE="${NNR_GPU_CHECK_DEADLINE:-1500}" bash scripts/gpu-check.sh) || status=$?
echo "rehearse: gpu-check.sh exited $status after $(( $(date +%s) - start ))s; $(find "$out" -type f | wc -l) file(s) under $out"
find "$out" -type f -printf '  %P %s bytes\n'
rm -rf "$scratch/tree" "$scratch/bin"
exit "$status"
