#!/usr/bin/env bash
# Installs every Debian package eksir needs to build, test, fuzz and benchmark. Idempotent:
# packages already present are not reinstalled and apt's lists are refreshed only when something
# is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev libyaml-cpp-dev libcli11-dev libfmt-dev libsqlite3-dev libssl-dev
  libdeflate-dev libisal-dev zlib1g-dev libre2-dev libtomlplusplus-dev nlohmann-json3-dev
  libvalijson-dev libjemalloc-dev
  jq python3 pigz bc chromium cmark-gfm awscli clickhouse-server clickhouse-client
  clang libclang-rt-14-dev
)
case "$(uname -m)" in
  x86_64) packages+=(libhyperscan-dev) ;;
esac

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 2; }
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
