#!/usr/bin/env bash
# Every public rule format in one pass beside `eksir hunt`: the built-in pack plus all the Sigma,
# Elastic and Falco k8s_audit rules of ../shared/rules, over the same generated audit JSON lines
# as compare.sh. The target: detect at no less than 25% of hunt's throughput for one simple query.
# Prints the median of BENCH_RUNS runs of each, their throughput and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${EKSIR_BUILD_DIR:-build}"
size="${BENCH_SIZE:-1G}"
runs="${BENCH_RUNS:-3}"
rules="${BENCH_RULES:-../shared/rules}"
file="bench/data/audit-${size}-seed1.jsonl"
[ -x "$build/eksir" ] || { echo "bench/rules.sh: $build/eksir not built (scripts/build.sh)" >&2; exit 2; }
if [ ! -f "$file" ]; then
  mkdir -p bench/data
  python3 bench/gen-logs.py --kind audit --size "$size" --seed 1 -o "$file"
fi
cat "$file" >/dev/null  # warm page cache for every run
bytes=$(stat -c %s "$file")
query='verb:create and objectRef.resource:pods and objectRef.subresource:exec'
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() {
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" "$@" >/dev/null 2>/tmp/eksir-bench-rules.err || true
    tail -1 /tmp/eksir-bench-rules.err
  done | median
}
all=("$rules/sigma" "$rules/elastic" "$rules/falco/k8s_audit_rules.yaml")
count=$(echo '{}' | "$build/eksir" detect /dev/stdin --format json --rules "${all[@]}" 2>&1 >/dev/null |
  grep -o '[0-9,]* rules,' | sed 's/ rules,//; s/,//g' || true)
hunt=$(time_of "$build/eksir" hunt "$query" "$file" --count)
builtin=$(time_of "$build/eksir" detect "$file" -q --format json)
every=$(time_of "$build/eksir" detect "$file" -q --format json --rules "${all[@]}")
mbs() { echo "scale=0; $bytes / 1000000 / $1" | bc; }
echo "evidence: $file, $((bytes / 1048576)) MiB"
[ -n "$count" ] && echo "rules run: $count (built-in pack plus every rule of the three formats that loads)"
printf '%-44s %6s s %6s MB/s\n' "eksir hunt (one query)" "$hunt" "$(mbs "$hunt")"
printf '%-44s %6s s %6s MB/s\n' "eksir detect (built-in pack)" "$builtin" "$(mbs "$builtin")"
printf '%-44s %6s s %6s MB/s\n' "eksir detect (built-in+Sigma+Elastic+Falco)" "$every" "$(mbs "$every")"
echo "all formats at $(echo "scale=0; 100 * $hunt / $every" | bc)% of hunt's throughput (target >= 25%)"
