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
# inputs go (the repository's corpus is never rewritten). Targets run
# CRM_FUZZ_PARALLEL at a time (default 2: one per core of a 2-core CI
# runner), each in a process of its own; each target's lines are printed
# when it ends, in the order of CRM_FUZZ_TARGETS. Any crash, leak, timeout,
# out-of-memory or sanitizer report fails the script (exit 1) after every
# target has run; the input that broke it is saved as
# build/fuzz/artifacts/<target>/<kind>-<sha1>: copy it to
# tests/fuzz/regressions/<target>/ under a name saying what it found. Each
# target's full output is in build/fuzz/logs/<target>.log.
#
# Needs clang-14 and libclang-rt-14-dev (cmake/setup-debian.sh --fuzz installs them).
# CRM_FUZZ_BUILD_DIR overrides the build folder; CRM_FUZZ_JOBS (default 2)
# the build's parallelism; CRM_FUZZ_PARALLEL (default 2) how many targets
# run at once (1: one after the other).
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
parallel="${CRM_FUZZ_PARALLEL:-2}"
if ! [[ "$parallel" =~ ^[0-9]+$ ]] || [ "$parallel" -lt 1 ]; then
  echo "fuzz: CRM_FUZZ_PARALLEL must be a number >= 1 (got '$parallel')" >&2
  exit 2
fi
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

logs="$build/logs"
mkdir -p "$logs"

# Prints the lines of a log that say why a run failed.
why() {
  grep -E "^(crm fuzz:|  detail:|  crm_last_error|SUMMARY)|runtime error|ERROR: " "$1" | tail -n 6 | sed "s/^/     /" || true
}

# One target, start to end: its lines go to $logs/<t>.out, what failed (one
# line each) to $logs/<t>.failed; it ends by writing $logs/<t>.done.
run_target() {
  local t="$1"
  local seeds="$here/corpus/$t"
  local regressions="$here/regressions/$t"
  local scratch="$build/corpus/$t"
  local artifacts="$build/artifacts/$t"
  local log="$logs/$t.log" out="$logs/$t.out" failed="$logs/$t.failed"
  mkdir -p "$scratch" "$artifacts"
  : >"$log"
  : >"$out"
  : >"$failed"
  local common=(-timeout=25 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$artifacts/")
  local start=$SECONDS

  # 1. Each regression input alone (one process each, so every one is reported).
  if [ -d "$regressions" ]; then
    for input in "$regressions"/*; do
      [ -f "$input" ] || continue
      if "$build/$t" "${common[@]}" "$input" >>"$log" 2>&1; then
        echo "ok   $t: regression ${input#$here/}" >>"$out"
      else
        { echo "FAIL $t: regression ${input#$here/} (log: $log)"; why "$log"; } >>"$out"
        echo "$t (regression ${input##*/})" >>"$failed"
      fi
    done
  fi
  # 2. The seed corpus, once.
  if ! "$build/$t" -runs=0 "${common[@]}" "$seeds" >>"$log" 2>&1; then
    { echo "FAIL $t: replaying the seed corpus (log: $log)"; why "$log"; } >>"$out"
    echo "$t (seed corpus)" >>"$failed"
    return 0  # libFuzzer cannot start from a corpus that crashes
  fi
  # 3. Fuzzing for N seconds from the seeds and what earlier runs found.
  echo "== $t: fuzzing for ${seconds}s" >>"$out"
  if ! "$build/$t" -max_total_time="$seconds" -dict="$here/json.dict" -print_final_stats=1 "${common[@]}" \
       "$scratch" "$seeds" >>"$log" 2>&1; then
    { echo "FAIL $t (log: $log; inputs: $artifacts/)"; why "$log"; } >>"$out"
    echo "$t" >>"$failed"
    return 0
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log" | tail -n 3 | sed "s/^/     /" >>"$out" || true
  echo "     ($((SECONDS - start))s in all)" >>"$out"
}

# Runs every target, `parallel` at a time; prints each target's lines once it
# and every target before it have ended.
started=$SECONDS
pids=()
trap 'for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done' INT TERM
for t in "${targets[@]}"; do rm -f "$logs/$t.done"; done
next=0  # the next target to print
print_ended() {
  while [ "$next" -lt "${#targets[@]}" ] && [ -f "$logs/${targets[$next]}.done" ]; do
    cat "$logs/${targets[$next]}.out"
    next=$((next + 1))
  done
}
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
    print_ended
  fi
  ( run_target "$t"; : >"$logs/$t.done" ) &
  pids+=("$!")
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || true
  running=$((running - 1))
  print_ended
done
print_ended

failed=()
for t in "${targets[@]}"; do
  if [ ! -f "$logs/$t.done" ]; then
    failed+=("$t (did not finish)")
    continue
  fi
  while IFS= read -r line; do failed+=("$line"); done <"$logs/$t.failed"
done
elapsed=$((SECONDS - started))
# The closing line is the plain "N passed, N failed" a CI log reader knows
# (a target passes when its regressions, its seeds and its fuzzing all do).
failed_targets=0
for t in "${targets[@]}"; do
  if [ ! -f "$logs/$t.done" ] || [ -s "$logs/$t.failed" ]; then failed_targets=$((failed_targets + 1)); fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (${elapsed}s, ${parallel} at a time)"
  echo "fuzz: $(( ${#targets[@]} - failed_targets )) passed, ${failed_targets} failed"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, ${parallel} at a time, ${elapsed}s in all: no crash, leak or sanitizer report"
echo "fuzz: ${#targets[@]} passed, 0 failed"
