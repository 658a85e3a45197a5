#!/usr/bin/env bash
# Load throughput, hunt latency and detection on ClickHouse beside the local `eksir hunt` and
# `eksir detect` on the same file.
#
#   bench/clickhouse.sh                     # 1 GiB audit log (bench/gen-logs.py), private server
#   BENCH_SIZE=100M bench/clickhouse.sh     # quick run
#
# Settings (environment):
#   BENCH_SIZE   data size, K/M/G suffix (default 1G); BENCH_SEED generator seed (default 1)
#   BENCH_RUNS   timed hunt runs per query; the median is reported (default 3)
#   BENCH_DATA   data directory (default bench/data, ignored by git)
#   BENCH_URL    an existing clickhouse://HOST:PORT/DB to use instead of a private server
#   EKSIR        eksir binary (default build/eksir)
#
# A private server runs from a temporary folder on free loopback ports and is stopped at the end.
# The script fails when the server and the local run disagree on a match count.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
size=${BENCH_SIZE:-1G}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-3}
data_dir=${BENCH_DATA:-$here/data}
eksir=${EKSIR:-$root/build/eksir}
[[ -x $eksir ]] || { echo "clickhouse: $eksir not found; build first" >&2; exit 2; }

mkdir -p "$data_dir"
file=$data_dir/audit-$size-seed$seed.jsonl
if [[ ! -s $file ]]; then
  echo "clickhouse: generating $file" >&2
  python3 "$here/gen-logs.py" --kind audit --size "$size" --seed "$seed" -o "$file.tmp"
  mv "$file.tmp" "$file"
fi
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

url=${BENCH_URL:-}
if [[ -z $url ]]; then
  server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
  [[ -x $server ]] || { echo "clickhouse: clickhouse-server not found (apt-get install clickhouse-server)" >&2; exit 2; }
  read -r http tcp < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
  mkdir -p "$tmp/data" "$tmp/tmp"
  cat > "$tmp/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$tmp/server.log</log><errorlog>$tmp/server.err.log</errorlog></logger>
  <http_port>$http</http_port><tcp_port>$tcp</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>$tmp/data/</path><tmp_path>$tmp/tmp/</tmp_path>
  <user_files_path>$tmp/user_files/</user_files_path>
  <mark_cache_size>1073741824</mark_cache_size>
  <users_config>$tmp/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <timezone>UTC</timezone><mlock_executable>false</mlock_executable>
</yandex>
XML
  cat > "$tmp/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  (cd "$tmp" && exec "$server" --config-file="$tmp/config.xml" > "$tmp/stdout.log" 2>&1) &
  server_pid=$!
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$http/ping" > /dev/null 2>&1 && break
    sleep 0.1
  done
  url="clickhouse://127.0.0.1:$http/bench"
fi
hostport=${url#clickhouse://}; hostport=${hostport%%/*}; db=${url##*/}; db=${db%%\?*}
sql() { curl -sf "http://$hostport/" --data-binary "$1"; }

now() { date +%s.%N; }
mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }

echo "clickhouse: loading $(awk -v b="$bytes" 'BEGIN{printf "%.2f GB", b/1e9}') into $url" >&2
t0=$(now)
"$eksir" load "$file" --to "$url" -q > "$tmp/load.out"
t1=$(now)
load_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
rows=$(sql "SELECT count() FROM $db.events")
stored=$(sql "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = '$db' AND active")
t2=$(now)
"$eksir" load "$file" --to "$url" -q > "$tmp/reload.out"
t3=$(now)
reload_s=$(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.2f", b - a }')

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_runs() {  # prints "median_seconds count"
  local count="" times=()
  for _ in $(seq "$runs"); do
    local a b
    a=$(now); count=$("$@" 2>/dev/null | tr -d '[:space:]'); b=$(now)
    times+=("$(awk -v a="$a" -v b="$b" 'BEGIN { print b - a }')")
  done
  printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | median)" "$count"
}

queries=(
  "verb:create and objectRef.resource:pods and objectRef.subresource:exec"
  "kubernetes.audit.verb:create and kubernetes.audit.objectRef.resource:pods and kubernetes.audit.objectRef.subresource:exec"
  "requestObject.spec.containers.securityContext.privileged:true"
)
printf '\n%-72s %10s %10s %8s\n' "query (--count)" "local s" "server s" "matches"
status=0
for q in "${queries[@]}"; do
  read -r ls lc < <(time_runs "$eksir" hunt "$q" "$file" --count -q)
  read -r ss sc < <(time_runs "$eksir" hunt "$q" --on "$url" --count -q)
  printf '%-72s %10.3f %10.3f %8s\n' "$q" "$ls" "$ss" "$lc"
  if [[ $lc != "$sc" ]]; then echo "clickhouse: counts differ on '$q': local $lc, server $sc" >&2; status=1; fi
done
# Rows out: the matching events themselves (server: fetch their raw text and re-check locally).
q="verb:create and objectRef.resource:pods and objectRef.subresource:exec"
read -r ls lc < <(time_runs bash -c "$(printf '%q ' "$eksir" hunt "$q" "$file" --format ndjson -q) | wc -l")
read -r ss sc < <(time_runs bash -c "$(printf '%q ' "$eksir" hunt "$q" --on "$url" --format ndjson -q) | wc -l")
printf '%-72s %10.3f %10.3f %8s\n' "$q (ndjson rows)" "$ls" "$ss" "$lc"
if [[ $lc != "$sc" ]]; then echo "clickhouse: row counts differ: local $lc, server $sc" >&2; status=1; fi
# Detection: the built-in pack locally and --on the server (correlation rules aggregated there).
a=$(now); "$eksir" detect "$file" --format ndjson -q > "$tmp/detect.local"; b=$(now)
local_detect=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b - a }')
a=$(now); "$eksir" detect --on "$url" --format ndjson > "$tmp/detect.server" 2> "$tmp/detect.err"; b=$(now)
server_detect=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b - a }')
printf '%-72s %10.3f %10.3f %8s\n' "detect (built-in pack, findings)" "$local_detect" "$server_detect" \
  "$(wc -l < "$tmp/detect.local")"
if ! cmp -s "$tmp/detect.local" "$tmp/detect.server"; then
  echo "clickhouse: detect findings differ between the file and the server" >&2; status=1
fi
sed -n '/correlation rules\? aggregated/,$p' "$tmp/detect.err" | grep -E 'aggregated|^  ' >&2 || true
printf '\nload: %s in %s s = %s MB/s (%s events; %s MB on disk); re-load of the same file: %s s, %s\n' \
  "$(awk -v b="$bytes" 'BEGIN{printf "%.2f GB", b/1e9}')" "$load_s" "$(mbps "$load_s")" "$rows" \
  "$(awk -v b="$stored" 'BEGIN{printf "%.0f", b/1e6}')" "$reload_s" "$(cat "$tmp/reload.out")"
exit $status
