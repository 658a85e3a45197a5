#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (unit and end-to-end) through CTest.
# EKSIR_SANITIZE=1 builds into build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${EKSIR_SANITIZE:-0}" = 1 ]; then export EKSIR_BUILD_DIR="${EKSIR_BUILD_DIR:-build-asan}"; fi
bash scripts/build.sh
build="${EKSIR_BUILD_DIR:-build}"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600
