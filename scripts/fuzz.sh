#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang into build-fuzz/ (or $EKSIR_FUZZ_BUILD_DIR) and
# runs each: first every saved crash input under fuzz/regressions/<target>/ once, then
# FUZZ_SECONDS (default 20) of fuzzing from its seed corpus (made from ../shared by
# fuzz/seeds.py) and the corpus earlier runs grew in build-fuzz/corpus/<target>/. Exits non-zero
# when any target crashes, leaks, hits a sanitizer report, runs out of memory or time on one
# input; the input is kept in build-fuzz/crashes/<target>/. docs/fuzzing.md says more.
#
#   scripts/fuzz.sh                  every target
#   scripts/fuzz.sh kql_fuzz ...     only these
#   FUZZ_SECONDS=3600 scripts/fuzz.sh scan_fuzz
#   FUZZ_ARGS='-jobs=2 -workers=2' scripts/fuzz.sh falco_fuzz   extra libFuzzer flags
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build="${EKSIR_FUZZ_BUILD_DIR:-build-fuzz}"
shared="${EKSIR_SHARED:-../shared}"
seconds="${FUZZ_SECONDS:-20}"
read -r -a extra_args <<<"${FUZZ_ARGS:-}"

# target, dictionary, max_len (keep max_len in step with fuzz/seeds.py).
targets=(
  "scan_fuzz json.dict 65536"
  "snapshot_fuzz snapshot.dict 65536"
  "kql_fuzz kql.dict 4096"
  "rules_fuzz rules.dict 65536"
  "sigma_fuzz sigma.dict 16384"
  "falco_fuzz falco.dict 65536"
  "elastic_fuzz elastic.dict 16384"
)
wanted=("$@")
if [ ${#wanted[@]} -gt 0 ]; then
  for w in "${wanted[@]}"; do
    found=0
    for t in "${targets[@]}"; do [ "${t%% *}" = "$w" ] && found=1; done
    [ $found = 1 ] || { echo "fuzz: unknown target $w" >&2; exit 2; }
  done
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEKSIR_FUZZ=ON -DEKSIR_BUILD_TESTS=OFF -DEKSIR_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_targets

python3 fuzz/seeds.py --shared "$shared" --out "$build/seeds"

# UBSan reports are fatal (-fno-sanitize-recover); with a stack, like ASan's. Leaks are checked.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

failed=()
passed=0
for t in "${targets[@]}"; do
  read -r name dict max_len <<<"$t"
  if [ ${#wanted[@]} -gt 0 ] && [[ " ${wanted[*]} " != *" $name "* ]]; then continue; fi
  bin="$build/fuzz/$name"
  crashes="$build/crashes/$name"
  corpus="$build/corpus/$name"
  log="$build/logs/$name.log"
  mkdir -p "$crashes" "$corpus" "$(dirname "$log")"
  ok=1
  # Saved crash inputs: each must now run clean.
  regressions=()
  if [ -d "fuzz/regressions/$name" ]; then
    while IFS= read -r -d '' f; do regressions+=("$f"); done \
      < <(find "fuzz/regressions/$name" -type f -print0 | sort -z)
  fi
  if [ ${#regressions[@]} -gt 0 ]; then
    if ! "$bin" -rss_limit_mb=2048 -timeout=10 "${regressions[@]}" >"$log.regressions" 2>&1; then
      echo "fuzz: $name: a saved regression input fails again:" >&2
      tail -n 60 "$log.regressions" >&2
      ok=0
    fi
  fi
  if [ $ok = 1 ] && [ "$seconds" -gt 0 ]; then
    if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" \
      -dict="fuzz/$dict" -artifact_prefix="$crashes/" -print_final_stats=1 "${extra_args[@]}" \
      "$corpus" "$build/seeds/$name" ${regressions:+"fuzz/regressions/$name"} >"$log" 2>&1; then
      echo "fuzz: $name: FAILED; the input is in $crashes/, the log in $log:" >&2
      grep -E "^==[0-9]+==|^SUMMARY|runtime error|Test unit written|^    #[0-9]+ " "$log" |
        head -n 40 >&2 || true
      tail -n 5 "$log" >&2
      ok=0
    fi
  fi
  if [ $ok = 1 ]; then
    passed=$((passed + 1))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
    echo "fuzz: $name: clean: ${#regressions[@]} regression inputs, ${seconds} s, ${runs:-0} runs" \
      "(${rate:-0}/s), ${cov:-cov: ?}"
  else
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]} (reproduce: $build/fuzz/TARGET INPUT)" >&2
  exit 1
fi
echo "fuzz: every target ran clean ($passed)"
