#!/usr/bin/env bash
# The hunt's literal prefilter (docs/hunt.md#the-literal-prefilter): a selective hunt, a hunt
# whose words are in a few percent of the lines, and one that must parse everything, each with
# and without the prefilter, beside `LC_ALL=C grep -c -F` on the same file. Medians of
# BENCH_RUNS runs (default 5), seconds and peak RSS from /usr/bin/time.
#   bench/prefilter.sh FILE            # an audit log, JSON lines (e.g. gen-logs.py's)
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:?usage: bench/prefilter.sh FILE}
runs=${BENCH_RUNS:-5}
eksir=${EKSIR:-build/eksir}
[ -x "$eksir" ] || { echo "no $eksir: build first" >&2; exit 2; }
cat "$file" > /dev/null  # warm the page cache
bytes=$(stat -c %s "$file")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# row NAME COMMAND...: prints name, median seconds, MB/s, median peak RSS, output
row() {
  local name=$1; shift
  local t=() m=() out
  for _ in $(seq "$runs"); do
    /usr/bin/time -o /tmp/prefilter-bench.time -f "%e %M" "$@" >/tmp/prefilter-bench.out 2>/dev/null || true
    out=$(tail -1 /tmp/prefilter-bench.time)
    t+=("${out% *}"); m+=("${out#* }")
  done
  local s kb
  s=$(printf '%s\n' "${t[@]}" | median)
  kb=$(printf '%s\n' "${m[@]}" | median)
  printf '| %-44s | %6.2f | %6.0f | %7d | %s |\n' "$name" "$s" \
    "$(echo "$bytes / 1000000 / ($s + 0.0001)" | bc -l)" "$((kb / 1024))" \
    "$(head -c 40 /tmp/prefilter-bench.out | tr '\n' ' ')"
}

echo "| row | s | MB/s | RSS MB | output |"
echo "|---|---|---|---|---|"
sel='user.username:"system:anonymous"'
mid='verb:create and objectRef.resource:pods and objectRef.subresource:exec'
full='responseStatus.code >= 500'
row "grep -c -F system:anonymous" env LC_ALL=C grep -c -F system:anonymous "$file"
for threads in 1 2; do
  row "hunt selective --threads $threads" "$eksir" hunt "$sel" "$file" --count -q --threads $threads
  row "hunt selective --threads $threads --no-prefilter" "$eksir" hunt "$sel" "$file" --count -q \
    --threads $threads --no-prefilter
done
row "hunt free text (ignoring case) --threads 1" "$eksir" hunt '"SYSTEM:ANONYMOUS"' "$file" --count \
  -q --threads 1
row "hunt free text (ignoring case) --threads 1 --no-prefilter" "$eksir" hunt '"SYSTEM:ANONYMOUS"' \
  "$file" --count -q --threads 1 --no-prefilter
row "grep -c -F subresource\":\"exec" env LC_ALL=C grep -c -F 'subresource":"exec' "$file"
row "hunt exec (3 words) --threads 2" "$eksir" hunt "$mid" "$file" --count -q --threads 2
row "hunt exec (3 words) --threads 2 --no-prefilter" "$eksir" hunt "$mid" "$file" --count -q \
  --threads 2 --no-prefilter
row "hunt full parse (range) --threads 2" "$eksir" hunt "$full" "$file" --count -q --threads 2
row "hunt full parse (range) --threads 2 --no-prefilter" "$eksir" hunt "$full" "$file" --count \
  -q --threads 2 --no-prefilter
