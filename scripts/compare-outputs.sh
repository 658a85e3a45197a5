#!/usr/bin/env bash
# Runs two eksir binaries over the same evidence and compares every output byte for byte: for a
# change that must not change behaviour (a refactoring), run the binary built before it and the
# one built after.
#
#   scripts/compare-outputs.sh OLD_EKSIR NEW_EKSIR [SHARED_DIR]
#
# Covered: investigate on the example and on every scenario (stdout, incident.json, report.md,
# report.html, the ECS and OCSF documents, the STIX bundle, the response plan), detect in every
# format over the example and the shared samples, posture on the example snapshot, hunt, and
# `rules list` of the built-in pack; every hunt format, over the example and the samples; the case
# as `case show` and `case export` give it, the report and the plans as JSON, after `respond
# --execute` too (kubectl and aws standing in); the collect manifest (a recorded endpoint). What legitimately differs from run to run (the wall-clock
# time a case, report or plan is made, elapsed times, throughput, the case folder) is masked
# the same way in both before comparing. Exit 0 when everything is identical; else 1, naming
# each output that differs and printing the first lines of its diff.
set -euo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(realpath "${3:-$root/../shared}")
work=$(mktemp -d)
# Both read the checkout's built-in pack, wherever the binaries are.
export EKSIR_RULES_DIR="$root/rules/builtin"
trap 'rm -rf "$work"' EXIT

# Masks what depends on the wall clock or the run: ISO times in the future of the evidence
# (generated/saved/created stamps are written as the time of the run), durations and rates.
mask() {
  sed -E \
    -e 's/"(generated|saved|created|created_at|started|finished|loaded_at|generated_at|modified|published|run_at|investigated_at|timestamp_run)":"[^"]*"/"\1":"<now>"/g' \
    -e 's/20(2[7-9]|[3-9][0-9])-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<now>/g' \
    -e "s#$(date -u +%Y-%m-%d)T</time><time>[0-9:.]+Z#<now>#g" \
    -e "s/$(date -u +%Y-%m-%d)[T ][0-9:.]+Z?/<now>/g" \
    -e 's/\b[0-9]+(\.[0-9]+)? ?(ms|s|µs)\b/<t>/g' \
    -e 's/"(seconds|elapsed|elapsed_seconds|wall_seconds|duration_seconds)": ?[0-9.e+-]+/"\1":<t>/g' \
    -e 's/[0-9]+(\.[0-9]+)? ?(MB|GB|KB|MiB|GiB|KiB)\/s/<rate>/g' \
    -e 's/[0-9]+(\.[0-9]+)? (events|records|lines)\/s/<rate>/g' \
    -e 's/"(id|case_id|run_id|uuid)":"[0-9a-f-]{36}"/"\1":"<uuid>"/g' \
    -e "s/-$(date -u +%Y%m%d)T[0-9]{6}Z/-<now>/g" \
    -e 's/(manifest .* sha256 )[0-9a-f]{64}$/\1<sha256 of the manifest and its times>/' \
    -e 's/(report|bundle|identity|indicator|relationship|observed-data)--[0-9a-f-]{36}/\1--<uuid>/g'
}

# run NAME ARGS...: runs both binaries with ARGS (the word @OUT@ becomes the side's output folder)
# in that folder, keeping stdout, stderr and the exit code.
run() {
  local name=$1
  shift
  for side in old new; do
    local bin=$old
    [ "$side" = new ] && bin=$new
    # Both sides write to the same path (it appears in the outputs), then the result is moved.
    local out="$work/run/$name"
    mkdir -p "$out" "$work/$side"
    local args=()
    for a in "$@"; do args+=("${a//@OUT@/$out/case}"); done
    set +e
    (cd "$root" && COLUMNS=120 NO_COLOR=1 "$bin" "${args[@]}" >"$out/stdout" 2>"$out/stderr")
    echo $? >"$out/exit"
    set -e
    mv "$out" "$work/$side/$name"
  done
}

ex="examples/incident-2026-03-14"
run investigate-example investigate "$ex/" --config examples/eksir.yaml -o @OUT@
run investigate-example-json investigate "$ex/" --config examples/eksir.yaml -o @OUT@ --format json
run investigate-example-ecs investigate "$ex/" --config examples/eksir.yaml -o @OUT@ --format ecs
run investigate-example-ocsf investigate "$ex/" --config examples/eksir.yaml -o @OUT@ --format ocsf
run investigate-example-nopolicy investigate "$ex/" -o @OUT@
for truth in examples/scenarios/*.truth.json; do
  s=$(basename "$truth" .truth.json)
  run "investigate-$s" investigate "examples/scenarios/$s/" --config "examples/scenarios/$s.eksir.yaml" -o @OUT@
done
for f in table json sarif ecs ocsf; do
  run "detect-example-$f" detect "$ex/" --format "$f"
done
for d in "$shared/samples"/*/; do
  n=$(basename "$d")
  run "detect-samples-$n" detect "$d" --format json
done
run posture-example posture "$ex/snapshot" --format json
run posture-example-sarif posture "$ex/snapshot" --format sarif
run hunt-example hunt "verb:create and objectRef.resource:pods" "$ex/" --format json
run hunt-example-table hunt "eventName:*Role*" "$ex/"
for f in json ndjson csv; do
  run "hunt-example-all-$f" hunt "*" "$ex/" --format "$f"
  run "hunt-example-fields-$f" hunt "eventName:*Role*" "$ex/" --format "$f" \
    --fields eventName,userIdentity.arn,sourceIPAddress
done
run hunt-example-evidence-order hunt "*" "$ex/" --format json --sort evidence
run hunt-example-keep-duplicates hunt "*" "$ex/" --format json --keep-duplicates
for d in "$shared/samples"/*/; do
  n=$(basename "$d")
  run "hunt-samples-$n" hunt "*" "$d" --format json
done
run rules-list rules list
run rules-validate rules validate

# Plans, reports and bundles from the example's case.
for side in old new; do
  bin=$old
  [ "$side" = new ] && bin=$new
  c="$work/run/case"
  rm -rf "$c"
  cp -a "$work/$side/investigate-example/case" "$c"
  out="$work/$side/case-outputs"
  mkdir -p "$out"
  (cd "$root" && NO_COLOR=1 "$bin" plan "$c" >"$out/plan.stdout" 2>"$out/plan.stderr" || true)
  (cd "$root" && NO_COLOR=1 "$bin" report "$c" --format stix >"$out/stix.stdout" 2>"$out/stix.stderr" || true)
  (cd "$root" && NO_COLOR=1 "$bin" report "$c" --format md -o "$out/report.md" >"$out/report.stdout" 2>"$out/report.stderr" || true)
  (cd "$root" && NO_COLOR=1 "$bin" report "$c" --format json >"$out/report-json.stdout" 2>"$out/report-json.stderr" || true)
  for phase in contain eradicate recover; do
    (cd "$root" && NO_COLOR=1 "$bin" plan "$c" --phase "$phase" --format json >"$out/plan-$phase-json.stdout" 2>"$out/plan-$phase-json.stderr" || true)
  done
  (cd "$root" && NO_COLOR=1 "$bin" case show "$c" --format json >"$out/case-show-json.stdout" 2>"$out/case-show-json.stderr" || true)
  (cd "$root" && NO_COLOR=1 "$bin" case list --root "$work/run" --format json >"$out/case-list-json.stdout" 2>"$out/case-list-json.stderr" || true)
done

# The response carried out on the example's case (kubectl and aws stand in: they log their argv and
# succeed), then its journal as `case show`, the report, the plans after it and `case export` show
# it. Each side gets a fresh copy of the case.
arn=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["incident"]["cluster"]["arn"])' \
  "$work/old/investigate-example/case/incident.json")
account=$(cut -d: -f5 <<<"$arn")
mkdir -p "$work/bin"
cat >"$work/bin/kubectl" <<EOS
#!/bin/sh
case "\$*" in
  *'config view'*) printf '%s' '{"current-context":"$arn","contexts":[{"name":"$arn","context":{"cluster":"$arn"}}]}';;
esac
exit 0
EOS
cat >"$work/bin/aws" <<EOS
#!/bin/sh
case "\$*" in
  *get-caller-identity*) echo '{"Account":"$account","Arn":"arn:aws:iam::$account:user/responder"}';;
  *) echo '{}';;
esac
exit 0
EOS
chmod +x "$work/bin/kubectl" "$work/bin/aws"
for side in old new; do
  bin=$old
  [ "$side" = new ] && bin=$new
  c="$work/run/case"
  rm -rf "$c"
  cp -a "$work/$side/investigate-example/case" "$c"
  out="$work/$side/respond"
  mkdir -p "$out/export"
  for phase in contain eradicate recover; do
    (cd "$root" && NO_COLOR=1 "$bin" respond "$c" --phase "$phase" --execute --yes \
      --kubectl "$work/bin/kubectl" --aws "$work/bin/aws" --trusted-cidr 10.42.0.0/16 \
      --isolation-sg sg-0aaaaaaaaaaaaaaaa >"$out/$phase.stdout" 2>"$out/$phase.stderr" || true)
  done
  for f in json text; do
    (cd "$root" && NO_COLOR=1 COLUMNS=120 "$bin" case show "$c" --format "$f" >"$out/case-show-$f.stdout" 2>"$out/case-show-$f.stderr" || true)
  done
  (cd "$root" && NO_COLOR=1 "$bin" report "$c" --format json >"$out/report-json.stdout" 2>"$out/report-json.stderr" || true)
  (cd "$root" && NO_COLOR=1 "$bin" plan "$c" --phase recover --format json >"$out/plan-recover-json.stdout" 2>"$out/plan-recover-json.stderr" || true)
  (cd "$root" && NO_COLOR=1 "$bin" case export "$c" -o "$work/run/export.tar.gz" >/dev/null 2>"$out/export.stderr" || true)
  tar -xzf "$work/run/export.tar.gz" -C "$out/export"
  # The case database differs by its times, and with it the digests of the package.
  find "$out/export" \( -name manifest.sha256 -o -name manifest-digest.txt \) -delete
  rm -f "$work/run/export.tar.gz"
done

# The collect manifest, from one recorded endpoint both sides read (kubectl a recorder over the
# example's snapshot).
if [ -x /usr/bin/aws ]; then
  mkdir -p "$work/collect/bin" "$work/collect/home"
  cat >"$work/collect/bin/kubectl" <<EOS
#!/bin/sh
exec /usr/bin/python3 $root/tests/collect/kubectl_recorder.py "\$@"
EOS
  chmod +x "$work/collect/bin/kubectl"
  python3 "$root/tests/collect/fake_aws.py" --incident "$root/$ex" --port-file "$work/collect/port" \
    --log "$work/collect/server.log" &
  server=$!
  for _ in $(seq 200); do [ -s "$work/collect/port" ] && break; sleep 0.05; done
  for side in old new; do
    bin=$old
    [ "$side" = new ] && bin=$new
    b="$work/run/bundle"
    rm -rf "$b"
    out="$work/$side/collect"
    mkdir -p "$out"
    (cd "$root" && env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_DEFAULT_REGION -u AWS_REGION \
      -u EKSIR_AWS -u EKSIR_KUBECTL -u KUBECONFIG \
      PATH="$work/collect/bin:/usr/bin:/bin" HOME="$work/collect/home" \
      KUBECTL_RECORD_LOG="$work/collect/kubectl.log" KUBECTL_RECORD_SNAPSHOT="$root/$ex/snapshot" \
      AWS_ACCESS_KEY_ID=AKIAEKSIRTEST0000000 AWS_SECRET_ACCESS_KEY=eksir-test-secret \
      AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE="$work/collect/home/no-config" \
      AWS_SHARED_CREDENTIALS_FILE="$work/collect/home/no-credentials" AWS_MAX_ATTEMPTS=1 AWS_PAGER= \
      NO_COLOR=1 "$bin" collect --cluster prod-payments --region us-east-1 \
      --endpoint-url "http://127.0.0.1:$(cat "$work/collect/port")" -o "$b" \
      --since 2026-03-14T00:00:00Z --until 2026-03-15T00:00:00Z --page-items 10 \
      >"$out/stdout" 2>"$out/stderr" || true)
    cp "$b/manifest.json" "$out/manifest.json" 2>/dev/null || true
  done
  kill "$server"
  wait "$server" 2>/dev/null || true
fi

status=0
while IFS= read -r -d '' f; do
  rel=${f#"$work/old/"}
  g="$work/new/$rel"
  case "$rel" in *.sqlite | *.db | *.sqlite-* | *.tmp) continue ;; esac
  if [ ! -e "$g" ]; then
    echo "only before: $rel"
    status=1
    continue
  fi
  if ! cmp -s <(mask <"$f") <(mask <"$g"); then
    echo "differs: $rel"
    # diff exits 1 here: under pipefail that would end the script at the first difference.
    { diff <(mask <"$f") <(mask <"$g") || true; } | head -8 | cut -c1-300
    status=1
  fi
done < <(find "$work/old" -type f -print0 | sort -z)
while IFS= read -r -d '' g; do
  rel=${g#"$work/new/"}
  case "$rel" in *.sqlite | *.db | *.sqlite-* | *.tmp) continue ;; esac
  [ -e "$work/old/$rel" ] || { echo "only after: $rel"; status=1; }
done < <(find "$work/new" -type f -print0 | sort -z)
n=$(find "$work/old" -type f | grep -vcE '\.(sqlite|db|tmp)$|\.sqlite-' || true)
if [ "$status" = 0 ]; then
  echo "compare-outputs: $n outputs identical"
else
  echo "compare-outputs: outputs differ (see above)"
fi
exit "$status"
