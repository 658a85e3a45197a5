#!/usr/bin/env bash
# Installs, builds and runs the main job on the bundled example evidence: `eksir investigate` over
# every source of examples/incident-2026-03-14 (events of five sources and a cluster snapshot),
# with the example organisation policy. The case (SQLite store, incident.json, report.md,
# report.html) goes to eksir-cases/incident-2026-03-14; running it again adds a run to that case.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
build="${EKSIR_BUILD_DIR:-build}"
exec "$build/eksir" investigate examples/incident-2026-03-14/ --config examples/eksir.yaml \
  -o "${EKSIR_CASE:-eksir-cases/incident-2026-03-14}" "$@"
