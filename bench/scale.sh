#!/usr/bin/env bash
# Peak memory and time as the evidence grows: for each size of BENCH_SIZES and each kind of
# BENCH_MODES (quiet, noisy), one generated audit log, then
#   hunt (a selective query, --count), detect with the built-in pack, detect with every public
#   rule set of ../shared/rules (Sigma, Elastic, Falco k8s_audit), and investigate,
# each run once with /usr/bin/time (seconds, peak RSS). With BENCH_GZ=1 the largest size is also
# run from its gzip copy. Memory should not grow with the input: the table says whether it does.
#
#   bench/scale.sh                                 # 1G 2G 4G, quiet and noisy
#   BENCH_SIZES='1G 10G' BENCH_GZ=1 bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build="${EKSIR_BUILD_DIR:-build}"
sizes="${BENCH_SIZES:-1G 2G 4G}"
modes="${BENCH_MODES:-quiet noisy}"
rules="${BENCH_RULES:-../shared/rules}"
data="${BENCH_DATA:-bench/data}"
[ -x "$build/eksir" ] || { echo "bench/scale.sh: $build/eksir not built (scripts/build.sh)" >&2; exit 2; }
export EKSIR_RULES_DIR="${EKSIR_RULES_DIR:-$PWD/rules/builtin}"
all=("$rules/sigma" "$rules/elastic" "$rules/falco/k8s_audit_rules.yaml")
query='user.username:"system:anonymous"'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "seconds peak_MB" of one run.
measure() {
  /usr/bin/time -f "%e %M" "$@" >/dev/null 2>"$work/err" || true
  tail -1 "$work/err" | awk '{printf "%s %d", $1, $2 / 1024}'
}
row() {  # size mode file
  local size=$1 mode=$2 file=$3 h d a i
  h=$(measure "$build/eksir" hunt "$query" "$file" --count)
  d=$(measure "$build/eksir" detect "$file" -q --format json)
  a=$(measure "$build/eksir" detect "$file" -q --format json --rules "${all[@]}")
  rm -rf "$work/case"
  i=$(measure "$build/eksir" investigate "$file" -q --format json -o "$work/case")
  printf '%-6s %-6s %-5s | %s | %s | %s | %s\n' "$size" "$mode" "${file##*.}" "$h" "$d" "$a" "$i"
}

echo "size   kind   file  | hunt s MB | detect built-in s MB | detect every public rule s MB | investigate s MB"
last=""
for size in $sizes; do
  for mode in $modes; do
    file="$data/scale-$mode-$size.jsonl"
    if [ ! -f "$file" ]; then
      mkdir -p "$data"
      flag=()
      [ "$mode" = noisy ] && flag=(--noisy)
      python3 bench/gen-logs.py --kind audit --size "$size" --seed 7 "${flag[@]}" -o "$file" 2>/dev/null
    fi
    cat "$file" >/dev/null
    row "$size" "$mode" "$file"
    last="$size"
  done
done
if [ "${BENCH_GZ:-0}" = 1 ]; then
  for mode in $modes; do
    file="$data/scale-$mode-$last.jsonl"
    [ -f "$file.gz" ] || { command -v pigz >/dev/null && pigz -6 -n -k "$file" || gzip -6 -n -k "$file"; }
    row "$last" "$mode" "$file.gz"
  done
fi
