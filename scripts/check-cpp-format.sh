#!/usr/bin/env bash
# Checks that native/ follows native/.clang-format (`clang-format -i` on them fixes
# it). Where clang-format is not installed it says so and passes: CI installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "check-cpp-format: clang-format not installed (Debian: apt-get install clang-format); C++ format not checked"
  exit 0
fi
unformatted=()
for file in native/src/*.cc native/src/*.h native/src/*/*.cc; do
  clang-format --style=file --dry-run -Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done
if [ ${#unformatted[@]} -gt 0 ]; then
  echo "check-cpp-format: not formatted: ${unformatted[*]}; run 'clang-format -i native/src/*.cc native/src/*.h native/src/*/*.cc'" >&2
  exit 1
fi
