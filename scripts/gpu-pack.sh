#!/usr/bin/env bash
# Packs what a bare GPU machine lacks for scripts/gpu-check.sh into .device/ (git-ignored, so
# it travels only when named in the device call's carry):
#   node.xz          this machine's node binary (the GPU machine has no Node.js)
#   runtime.tar.xz   dist/ (the compiled TypeScript) and the production node_modules, plus
#                    node-addon-api and node-api-headers (the addon is compiled there)
#   manifest.txt     commit, node version, sizes and sha256 of the two archives
# Prints the total size; refuses to finish above the limit of what travels (64 MiB, with the
# tracked tree counted in) less a margin.
set -euo pipefail
cd "$(dirname "$0")/.."

LIMIT_MIB=${NNR_PACK_LIMIT_MIB:-56}   # 64 MiB travel, 8 MiB kept free
out=.device
staging=$(mktemp -d .device.tmp.XXXXXX)
trap 'rm -rf "$staging"' EXIT

for tool in node npm xz tar sha256sum git; do
  command -v "$tool" >/dev/null || { echo "gpu-pack: $tool not found; install it and rerun" >&2; exit 1; }
done

bash scripts/setup.sh >/dev/null   # dist/ up to date with src/

node_bin=$(readlink -f "$(command -v node)")
# Only a self-contained node travels: one linked against a libnode or libuv would not run there.
if ldd "$node_bin" | grep -Eq 'libnode|libuv|libssl'; then
  echo "gpu-pack: $node_bin needs shared Node libraries; use a self-contained node (nodejs.org's build)" >&2
  exit 1
fi
# Compressing node takes minutes on a small machine: reuse the last one when it is the same binary.
node_sha=$(sha256sum "$node_bin" | cut -d' ' -f1)
if [ -f "$out/node.xz" ] && grep -qx "node-binary $node_sha" "$out/manifest.txt" 2>/dev/null; then
  cp "$out/node.xz" "$staging/node.xz"
else
  xz -T0 -9 -c "$node_bin" >"$staging/node.xz"
fi

# The production dependency tree, each top-level package folder once (nested ones inside it).
mapfile -t modules < <(npm ls --omit=dev --parseable --all 2>/dev/null |
  sed "s|^$PWD/||" | grep '^node_modules/' |
  awk -F/ '{ print ($2 ~ /^@/) ? $1 "/" $2 "/" $3 : $1 "/" $2 }' | sort -u)
modules+=(node_modules/node-addon-api node_modules/node-api-headers)
tar -cf - dist package.json "${modules[@]}" | xz -T0 -6 >"$staging/runtime.tar.xz"

tree_bytes=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
{
  echo "commit $(git rev-parse HEAD)$(git diff --quiet HEAD || echo ' (with uncommitted changes)')"
  echo "node $("$node_bin" --version)"
  echo "node-binary $node_sha"
  (cd "$staging" && sha256sum node.xz runtime.tar.xz)
} >"$staging/manifest.txt"

pack_bytes=$(du -cb "$staging"/* | tail -1 | cut -f1)
total=$((pack_bytes + tree_bytes))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
rm -rf "$out"
mv "$staging" "$out"
trap - EXIT
echo "gpu-pack: .device/ $(mib "$pack_bytes") (node $(mib "$(stat -c %s $out/node.xz)"), runtime $(mib "$(stat -c %s $out/runtime.tar.xz)")) + tracked tree $(mib "$tree_bytes") = $(mib "$total") of 64 MiB"
if [ "$total" -gt $((LIMIT_MIB * 1048576)) ]; then
  echo "gpu-pack: over the ${LIMIT_MIB} MiB kept for the trip; shrink the tree or the dependencies" >&2
  exit 1
fi
