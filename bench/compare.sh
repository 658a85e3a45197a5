#!/usr/bin/env bash
# Time eksir against jq, a Python json script, DuckDB and grep -F on the same file with the same
# filter. DuckDB runs through its Node.js API (@duckdb/node-api, installed here into
# $BENCH_DATA/node with npm; the row is left out with a message when node or npm is missing).
# grep -F counts the lines holding each condition's "key":value text (a literal search, no
# parsing): what a responder would reach for first, and the floor a scan that parses is measured
# against; its count is shown but not required to agree.
#
#   bench/compare.sh                     # 1 GiB audit log; needs build/eksir
#   BENCH_SIZE=100M bench/compare.sh     # quick run
#   bench/compare.sh --skip-eksir        # only jq and Python (or BENCH_SKIP_EKSIR=1)
#
# Settings (environment):
#   BENCH_SIZE    data size, K/M/G suffix (default 1G)
#   BENCH_KIND    audit | cloudtrail (default audit)
#   BENCH_SEED    generator seed (default 1)
#   BENCH_RUNS    timed runs per tool; the median is reported (default 3)
#   BENCH_FILTER  space-separated FIELD=VALUE conditions, all must hold (default depends on the kind)
#   BENCH_THREADS thread count for the "all cores" eksir run (default: nproc)
#   BENCH_DATA    data directory (default bench/data, ignored by git)
#   EKSIR         eksir binary (default build/eksir)
#
# The data is generated once by bench/gen-logs.py and reused. Every tool reads it from a warm page
# cache. The script fails if the tools do not report the same number of matches.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

skip_eksir=${BENCH_SKIP_EKSIR:-0}
for arg in "$@"; do
  case $arg in
    --skip-eksir) skip_eksir=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

size=${BENCH_SIZE:-1G}
kind=${BENCH_KIND:-audit}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-3}
threads=${BENCH_THREADS:-$(nproc)}
data_dir=${BENCH_DATA:-$here/data}
eksir=${EKSIR:-$root/build/eksir}
case $kind in
  audit) default_filter="verb=create objectRef.resource=pods objectRef.subresource=exec" ;;
  cloudtrail) default_filter="eventSource=eks.amazonaws.com eventName=CreateAccessEntry" ;;
  *) echo "compare: BENCH_KIND must be audit or cloudtrail" >&2; exit 2 ;;
esac
filter=${BENCH_FILTER:-$default_filter}

for tool in python3 jq zcat; do
  command -v "$tool" >/dev/null || { echo "compare: $tool is required" >&2; exit 2; }
done
if [[ ! -x $eksir ]]; then
  if [[ $skip_eksir == 1 ]]; then
    echo "compare: $eksir not found; timing jq and Python only" >&2
  else
    echo "compare: $eksir not found. Build it first, or run with --skip-eksir (BENCH_SKIP_EKSIR=1) to time jq and Python only" >&2
    exit 2
  fi
elif [[ $skip_eksir == 1 ]]; then
  echo "compare: --skip-eksir given; not timing $eksir" >&2
fi
[[ -x $eksir && $skip_eksir != 1 ]] && with_eksir=1 || with_eksir=0
have_time=0; [[ -x /usr/bin/time ]] && have_time=1
have_hyperfine=0; command -v hyperfine >/dev/null && have_hyperfine=1

# ---- the filter, in each tool's language --------------------------------------------------------
# FIELD=VALUE: VALUE is a JSON literal (403, true, null) if it parses as one, otherwise a string.
is_literal() { [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ || $1 == true || $1 == false || $1 == null ]]; }
kql="" jqf="" py_args=()
for cond in $filter; do
  field=${cond%%=*} value=${cond#*=}
  [[ $cond == *=* && -n $field ]] || { echo "compare: bad BENCH_FILTER condition '$cond'" >&2; exit 2; }
  if is_literal "$value"; then jv=$value; else jv="\"$value\""; fi
  if [[ $value =~ ^[A-Za-z0-9._/-]+$ ]]; then kv=$value; else kv="\"$value\""; fi
  kql+="${kql:+ and }$field:$kv"
  jqf+="${jqf:+ and }.$field == $jv"
  py_args+=("$cond")
done
jqf="select($jqf)"
# grep -F: a pipeline of one literal per condition, "key":value with the path's last key.
grep_lits=()
for cond in $filter; do
  field=${cond%%=*} value=${cond#*=}
  if is_literal "$value"; then grep_lits+=("\"${field##*.}\":$value"); else grep_lits+=("\"${field##*.}\":\"$value\""); fi
done

# ---- data ---------------------------------------------------------------------------------------
mkdir -p "$data_dir"
file=$data_dir/$kind-$size-seed$seed.jsonl
gz=$file.gz
if [[ ! -s $file ]]; then
  echo "compare: generating $file" >&2
  python3 "$here/gen-logs.py" --kind "$kind" --size "$size" --seed "$seed" -o "$file.tmp"
  mv "$file.tmp" "$file"
fi
if [[ ! -s $gz || $gz -ot $file ]]; then
  echo "compare: compressing to $gz" >&2
  if command -v pigz >/dev/null; then pigz -6 -n -c "$file" > "$gz.tmp"; else gzip -6 -n -c "$file" > "$gz.tmp"; fi
  mv "$gz.tmp" "$gz"
fi
bytes=$(stat -c %s "$file")
gz_bytes=$(stat -c %s "$gz")
cat "$file" "$gz" > /dev/null   # warm the page cache

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- DuckDB -------------------------------------------------------------------------------------
node_dir=$data_dir/node
have_duckdb=0
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [[ ! -d $node_dir/node_modules/@duckdb/node-api ]]; then
    echo "compare: installing @duckdb/node-api into $node_dir" >&2
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-audit --no-fund --silent @duckdb/node-api >&2 \
      || echo "compare: npm could not install @duckdb/node-api; no DuckDB row" >&2
  fi
  # The script runs from beside its modules (an ES module resolves imports from its own folder).
  if [[ -d $node_dir/node_modules/@duckdb/node-api ]]; then
    cp "$here/duckdb-count.mjs" "$node_dir/" && have_duckdb=1
  fi
else
  echo "compare: node or npm not found; no DuckDB row" >&2
fi

# ---- the cases ----------------------------------------------------------------------------------
# Each case is a shell command that prints the match count. @T@ marks where /usr/bin/time goes for
# the run that measures peak RSS; it is removed for the timed runs.
names=() cmds=() groups=()
add() { names+=("$1"); groups+=("$2"); cmds+=("$3"); }
q() { printf '%q' "$1"; }
if [[ $with_eksir == 1 ]]; then
  add "eksir --threads 1" plain "@T@ $(q "$eksir") hunt $(q "$kql") $(q "$file") --count --threads 1"
  add "eksir --threads $threads" plain "@T@ $(q "$eksir") hunt $(q "$kql") $(q "$file") --count --threads $threads"
fi
add "jq" plain "@T@ jq -c $(q "$jqf") $(q "$file") | wc -l"
if [[ $have_duckdb == 1 ]]; then
  add "duckdb (node) $threads thr" plain "THREADS=$threads @T@ node $(q "$node_dir/duckdb-count.mjs") $(q "$file") ${py_args[*]@Q}"
fi
grep_cmd="LC_ALL=C @T@ grep -F $(q "${grep_lits[0]}") $(q "$file")"
for lit in "${grep_lits[@]:1}"; do grep_cmd+=" | LC_ALL=C grep -F $(q "$lit")"; done
add "grep -F (literal)" plain "$grep_cmd | wc -l"
add "python3 json" plain "@T@ python3 $(q "$here/baseline.py") $(q "$file") ${py_args[*]@Q}"
if [[ $with_eksir == 1 ]]; then
  add "eksir .gz --threads 1" gz "@T@ $(q "$eksir") hunt $(q "$kql") $(q "$gz") --count --threads 1"
  add "eksir .gz --threads $threads" gz "@T@ $(q "$eksir") hunt $(q "$kql") $(q "$gz") --count --threads $threads"
fi
add "zcat | jq" gz "zcat $(q "$gz") | @T@ jq -c $(q "$jqf") | wc -l"
add "python3 json .gz" gz "@T@ python3 $(q "$here/baseline.py") $(q "$gz") ${py_args[*]@Q}"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

secs=() counts=() rss=()
for i in "${!names[@]}"; do
  name=${names[$i]} cmd=${cmds[$i]}
  echo "compare: $name" >&2
  # one run for the count and peak RSS (it also warms up)
  if [[ $have_time == 1 ]]; then counted=${cmd//@T@//usr/bin/time -v -o $tmp/rss}; else counted=${cmd//@T@ /}; fi
  if ! out=$(bash -o pipefail -c "$counted" 2> "$tmp/err"); then
    echo "compare: '$name' failed:" >&2; cat "$tmp/err" >&2; exit 1
  fi
  count=$(echo "$out" | tr -d '[:space:]')
  [[ $count =~ ^[0-9]+$ ]] || { echo "compare: '$name' printed '$out', not a count" >&2; cat "$tmp/err" >&2; exit 1; }
  kb=$([[ $have_time == 1 ]] && awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/rss" || echo "")
  plain=${cmd//@T@ /}
  if [[ $have_hyperfine == 1 && ${BENCH_HYPERFINE:-1} == 1 ]]; then
    hyperfine --style none --runs "$runs" --export-json "$tmp/hf.json" "bash -o pipefail -c $(q "$plain")" > /dev/null 2>&1 \
      || { echo "compare: hyperfine failed on '$name'" >&2; exit 1; }
    t=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$tmp/hf.json")
  else
    : > "$tmp/times"
    for ((r = 0; r < runs; r++)); do
      t0=$(date +%s.%N)
      again=$(bash -o pipefail -c "$plain" 2> /dev/null) || { echo "compare: '$name' failed on run $r" >&2; exit 1; }
      t1=$(date +%s.%N)
      [[ $(echo "$again" | tr -d '[:space:]') == "$count" ]] || { echo "compare: '$name' gave $again then $count" >&2; exit 1; }
      awk -v a="$t1" -v b="$t0" 'BEGIN {printf "%.6f\n", a - b}' >> "$tmp/times"
    done
    t=$(median < "$tmp/times")
  fi
  secs+=("$t") counts+=("$count") rss+=("$kb")
done

# ---- report -------------------------------------------------------------------------------------
jq_plain="" jq_gz=""
for i in "${!names[@]}"; do
  [[ ${names[$i]} == "jq" ]] && jq_plain=${secs[$i]}
  [[ ${names[$i]} == "zcat | jq" ]] && jq_gz=${secs[$i]}
done
echo
printf 'data: %s (%s bytes, %s events); %s (%s bytes)\n' "$file" "$bytes" "$(wc -l < "$file")" "$gz" "$gz_bytes"
printf 'filter: %s\n  eksir: %s\n  jq:    %s\n' "$filter" "$kql" "$jqf"
printf 'machine: %s, %s cores; median of %s runs, warm page cache; MB/s = uncompressed bytes / 10^6 / s\n\n' \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" "$(nproc)" "$runs"
printf '%-24s %9s %9s %11s %10s %12s\n' tool seconds MB/s "x vs jq" matches "peak RSS MB"
printf '%-24s %9s %9s %11s %10s %12s\n' ------------------------ --------- --------- ----------- ---------- ------------
for i in "${!names[@]}"; do
  base=$jq_plain; [[ ${groups[$i]} == gz ]] && base=$jq_gz
  awk -v n="${names[$i]}" -v t="${secs[$i]}" -v b="$bytes" -v j="$base" -v c="${counts[$i]}" -v k="${rss[$i]}" 'BEGIN {
    printf "%-24s %9.3f %9.0f %10.1fx %10s %12s\n", n, t, b / 1e6 / t, j / t, c, (k == "" ? "-" : sprintf("%.0f", k / 1024))
  }'
done
echo "(.gz rows: MB/s counts uncompressed bytes, and the ratio is against zcat | jq)"

first=${counts[0]}
for i in "${!names[@]}"; do
  [[ ${names[$i]} == grep* ]] && continue  # a literal search: shown, not required to agree
  if [[ ${counts[$i]} != "$first" ]]; then
    echo "compare: MISMATCH: '${names[0]}' found $first, '${names[$i]}' found ${counts[$i]}" >&2
    exit 1
  fi
done
echo "all tools agree: $first matches"
