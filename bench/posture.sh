#!/usr/bin/env bash
# Times `eksir posture` on a generated snapshot of BENCH_PODS pods (default 20000) beside
# `jq -c '.items[]' > /dev/null` on the same file: the cost of merely walking the objects.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
pods=${BENCH_PODS:-20000}
data=${BENCH_DATA:-$here/data}
eksir=${EKSIR:-$root/build/eksir}
file="$data/pods-$pods.json"
mkdir -p "$data"
[ -f "$file" ] || python3 "$here/gen-snapshot.py" --pods "$pods" -o "$file"
cat "$file" > /dev/null
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() {
  for _ in 1 2 3; do
    s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
  done | median
}
t_eksir=$(time_it "$eksir" posture "$file" --format json -q)
t_jq=$(time_it jq -c '.items[]' "$file")
size=$(stat -c %s "$file")
printf 'snapshot: %s (%d pods, %.1f MB)\n' "$file" "$pods" "$(echo "$size / 1000000" | bc -l)"
printf '%-34s %8.3f s\n' "eksir posture --format json" "$t_eksir" "jq -c '.items[]' > /dev/null" "$t_jq"
printf 'eksir / jq: %.2f\n' "$(echo "$t_eksir / $t_jq" | bc -l)"
