#!/usr/bin/env bash
# Installs what building and testing crm needs on Debian 12, and only what is
# missing (idempotent: a machine that has everything runs no apt-get at all).
# Boost comes as 1.81 (libboost-json1.81-dev); libboost-dev (1.74) conflicts.
set -euo pipefail
packages=(cmake g++ make pkg-config python3 libboost-json1.81-dev libsqlitecpp-dev
          libsqlite3-dev libfmt-dev catch2 doxygen)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
