#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang 14 in build/fuzz and
# runs each of them for N seconds (default 60):
#
#   tests/fuzz/run.sh [seconds]
#
# For each target: first each of its regression inputs
# (tests/fuzz/regressions/<target>/) is replayed alone, then its seed corpus
# (tests/fuzz/corpus/<target>/) once, then it fuzzes for N seconds
# (-max_total_time) from the seeds and build/fuzz/corpus/<target>, where new
# inputs go (the repository's corpus is never rewritten). Any crash, leak,
# timeout, out-of-memory or sanitizer report fails the script (exit 1) after
# every target has run; the input that broke it is saved as
# build/fuzz/artifacts/<target>/<kind>-<sha1>: copy it to
# tests/fuzz/regressions/<target>/ under a name saying what it found.
#
# Needs clang-14 and libclang-rt-14-dev (cmake/setup-debian.sh --fuzz installs them).
# CRM_FUZZ_BUILD_DIR overrides the build folder; CRM_FUZZ_JOBS (default 2)
# the build's parallelism.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [seconds per target, default 60]" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${CRM_FUZZ_BUILD_DIR:-$root/build/fuzz}"
jobs="${CRM_FUZZ_JOBS:-2}"
cc="${CRM_FUZZ_CC:-clang-14}"
cxx="${CRM_FUZZ_CXX:-clang++-14}"

for tool in "$cc" "$cxx"; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (run cmake/setup-debian.sh --fuzz)" >&2; exit 2; }
done

cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"

targets=()
while IFS= read -r t; do targets+=("$t"); done < <(
  sed -n 's/^set(CRM_FUZZ_TARGETS \(.*\))$/\1/p' "$here/CMakeLists.txt" | tr ' ' '\n' | sed '/^$/d')
[ "${#targets[@]}" -gt 0 ] || { echo "fuzz: no targets found in $here/CMakeLists.txt" >&2; exit 2; }

if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer-14 >/dev/null; then
  export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer-14)"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
for t in "${targets[@]}"; do
  seeds="$here/corpus/$t"
  regressions="$here/regressions/$t"
  scratch="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  mkdir -p "$scratch" "$artifacts" "$(dirname "$log")"
  : >"$log"
  common=(-timeout=25 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$artifacts/")

  # 1. Each regression input alone (one process each, so every one is reported).
  if [ -d "$regressions" ]; then
    for input in "$regressions"/*; do
      [ -f "$input" ] || continue
      if "$build/$t" "${common[@]}" "$input" >>"$log" 2>&1; then
        echo "ok   $t: regression ${input#$here/}"
      else
        echo "FAIL $t: regression ${input#$here/} (log: $log)"
        grep -E "^(crm fuzz:|  detail:|  crm_last_error|SUMMARY)|runtime error|ERROR: " "$log" | tail -n 6 | sed "s/^/     /"
        failed+=("$t (regression ${input##*/})")
      fi
    done
  fi
  # 2. The seed corpus, once.
  if ! "$build/$t" -runs=0 "${common[@]}" "$seeds" >>"$log" 2>&1; then
    echo "FAIL $t: replaying the seed corpus (log: $log)"
    grep -E "^(crm fuzz:|  detail:|  crm_last_error|SUMMARY)|runtime error|ERROR: " "$log" | tail -n 6 | sed "s/^/     /"
    failed+=("$t (seed corpus)")
    continue  # libFuzzer cannot start from a corpus that crashes
  fi
  # 3. Fuzzing for N seconds from the seeds and what earlier runs found.
  echo "== $t: fuzzing for ${seconds}s"
  if ! "$build/$t" -max_total_time="$seconds" -dict="$here/json.dict" -print_final_stats=1 "${common[@]}" \
       "$scratch" "$seeds" >>"$log" 2>&1; then
    echo "FAIL $t (log: $log; inputs: $artifacts/)"
    grep -E "^(crm fuzz:|  detail:|  crm_last_error|SUMMARY)|runtime error|ERROR: " "$log" | tail -n 6 | sed "s/^/     /"
    failed+=("$t")
    continue
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log" | tail -n 3 | sed "s/^/     /" || true
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each: no crash, leak or sanitizer report"
