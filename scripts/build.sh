#!/usr/bin/env bash
# Installs what is missing, then configures and builds eksir into build/ (or $EKSIR_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build="${EKSIR_BUILD_DIR:-build}"
extra=()
[ "${EKSIR_SANITIZE:-0}" = 1 ] && extra+=(-DEKSIR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
# A compiler cache, when the machine has one, makes rebuilds in other checkouts cheap.
command -v ccache >/dev/null && extra+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${EKSIR_BUILD_TYPE:-RelWithDebInfo}" -DEKSIR_WERROR=ON \
  "${extra[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
