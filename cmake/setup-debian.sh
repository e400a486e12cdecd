#!/usr/bin/env bash
# Installs what building and testing crm needs on Debian 12, and only what is
# missing (idempotent: a machine that has everything runs no apt-get at all).
# Boost comes as 1.81 (libboost-json1.81-dev); libboost-dev (1.74) conflicts.
#
#   cmake/setup-debian.sh          the build and the tests (every preset, tsan included)
#   cmake/setup-debian.sh --fuzz   also clang 14 with libFuzzer for tests/fuzz/run.sh:
#                                  clang-14, libclang-rt-14-dev (libFuzzer and the
#                                  sanitizer runtimes: only "recommended" by clang-14,
#                                  so not pulled in with --no-install-recommends) and
#                                  llvm-14 (llvm-symbolizer, for readable stacks)
set -euo pipefail
packages=(cmake g++ make pkg-config python3 libboost-json1.81-dev libsqlitecpp-dev
          libsqlite3-dev libfmt-dev catch2 doxygen)
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang-14 libclang-rt-14-dev llvm-14) ;;
    *) echo "usage: $0 [--fuzz]" >&2; exit 2 ;;
  esac
done
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

# The Node binding's dependencies (koffi, pinned by examples/node/package-lock.json),
# when node and npm are present; again only when missing or out of date.
node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/examples/node"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && [ -f "$node_dir/package-lock.json" ]; then
  if [ ! -f "$node_dir/node_modules/koffi/package.json" ] ||
     [ "$node_dir/package-lock.json" -nt "$node_dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in examples/node"
    npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error ||
      echo "setup: npm ci failed in examples/node; the test \"node: test\" will be skipped" >&2
  fi
fi
