#!/usr/bin/env bash
# Builds eksir with each supported compiler and build type, warnings as errors, each into a build
# directory of its own (build-<compiler>-<type>), and runs the whole suite in each: g++ and
# clang++ with Release, RelWithDebInfo and Debug, then clang++ Debug with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-clang++-asan). Hours on two cores: a check before a release,
# not part of CI (which runs g++ RelWithDebInfo: scripts/test.sh).
#   scripts/compilers.sh                   # everything
#   EKSIR_COMPILERS=clang++ EKSIR_TYPES=Debug scripts/compilers.sh
# Prints one line per build; exits 1 when any build or suite failed (the log: <dir>/compilers.log).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
failed=0
one() {  # compiler type dir [cmake args...]
  local cxx=$1 type=$2 dir=$3
  shift 3
  mkdir -p "$dir"
  local log="$dir/compilers.log"
  if ! cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE="$type" \
    -DEKSIR_WERROR=ON "${launcher[@]}" "$@" >"$log" 2>&1 ||
    ! cmake --build "$dir" -j "$(nproc)" >>"$log" 2>&1; then
    echo "$dir: build FAILED (see $log)"
    failed=1
    return
  fi
  if (cd "$dir" && ctest -j "$(nproc)" --timeout 1800 >>compilers.log 2>&1); then
    echo "$dir: $(grep -E 'tests passed' "$log" | tail -1)"
  else
    echo "$dir: suite FAILED: $(grep -E 'tests passed|tests failed' "$log" | tail -1) (see $log)"
    failed=1
  fi
}
for cxx in ${EKSIR_COMPILERS:-g++ clang++}; do
  for type in ${EKSIR_TYPES:-Release RelWithDebInfo Debug}; do
    one "$cxx" "$type" "build-$cxx-$type"
  done
done
case " ${EKSIR_COMPILERS:-clang++} " in
*" clang++ "*) one clang++ Debug build-clang++-asan -DEKSIR_SANITIZE=ON ;;
esac
exit "$failed"
