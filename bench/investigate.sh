#!/usr/bin/env bash
# eksir investigate vs eksir detect on the same mixed evidence: generated Kubernetes audit lines
# and CloudTrail S3 objects (BENCH_AUDIT / BENCH_CT sizes), plus the example incident's GuardDuty,
# Falco and EDR alerts and its cluster snapshot. The target: investigate, with the attacker's
# scope pivoted over every record that could be the attacker's, at most 1.6x detect.
# Prints the median of BENCH_RUNS runs of each, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${EKSIR_BUILD_DIR:-build}"
audit_size="${BENCH_AUDIT:-800M}"
ct_size="${BENCH_CT:-200M}"
runs="${BENCH_RUNS:-3}"
dir="bench/data/mixed-${audit_size}-${ct_size}"
if [ ! -d "$dir" ]; then
  mkdir -p "$dir"
  python3 bench/gen-logs.py --kind audit --size "$audit_size" --seed 7 -o "$dir/audit.jsonl"
  python3 bench/gen-logs.py --kind cloudtrail --size "$ct_size" --seed 7 --format s3 -o "$dir/cloudtrail"
  cp -r examples/incident-2026-03-14/{guardduty,falco,ocsf,snapshot} "$dir/"
fi
bytes=$(du -sb "$dir" | cut -f1)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() {
  /usr/bin/time -f "%e" "$@" >/dev/null 2>/tmp/eksir-bench.err || true
  tail -1 /tmp/eksir-bench.err
}
# The two commands in turn, so that a machine slowing down or speeding up weighs on both alike.
case_dir=$(mktemp -d)
det_times=() inv_times=()
for i in $(seq "$runs"); do
  det_times+=("$(seconds "$build/eksir" detect "$dir" -q --format json)")
  inv_times+=("$(seconds "$build/eksir" investigate "$dir" -q --format json -o "$case_dir/c$i")")
done
det=$(printf '%s\n' "${det_times[@]}" | median)
inv=$(printf '%s\n' "${inv_times[@]}" | median)
rm -rf "$case_dir"
echo "evidence: $dir, $((bytes / 1048576)) MiB"
echo "eksir detect      ${det} s"
echo "eksir investigate ${inv} s  ($(echo "scale=2; $inv / $det" | bc)x detect; target <= 1.6x)"
