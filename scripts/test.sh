#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (unit and end-to-end) through CTest, then every
# fuzz target for FUZZ_SECONDS (default 20) each through scripts/fuzz.sh (built with clang into
# build-fuzz/); a target that crashes fails the suite. FUZZ_SECONDS=0 leaves fuzzing out.
# EKSIR_SANITIZE=1 builds into build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${EKSIR_SANITIZE:-0}" = 1 ]; then export EKSIR_BUILD_DIR="${EKSIR_BUILD_DIR:-build-asan}"; fi
bash scripts/build.sh
build="${EKSIR_BUILD_DIR:-build}"
(cd "$build" && ctest --output-on-failure -j "$(nproc)" --timeout 600)
if [ "${FUZZ_SECONDS:-20}" != 0 ]; then bash scripts/fuzz.sh; fi
