#!/usr/bin/env bash
# Installs, builds and runs the main job on the bundled example evidence: the playbook's first
# triage query over every source in examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
build="${EKSIR_BUILD_DIR:-build}"
exec "$build/eksir" hunt \
  'event.source:"eks.amazonaws.com" AND event.action:("CreateCluster" OR "DeleteCluster" OR "DeleteNodegroup" OR "UpdateClusterConfig" OR "UpdateNodegroupConfig")' \
  examples/incident-2026-03-14/ "$@"
