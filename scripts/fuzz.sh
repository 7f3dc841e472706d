#!/usr/bin/env bash
# Fuzzes the OpenNext manifest reader and the domain name parser for a time
# budget, with the proptest suites anchor-core/tests/integration/fuzz_manifest.rs
# and anchor-core/tests/integration/fuzz_domain_name.rs (every test in them is a
# property), modules of the `integration` test binary.
#
#   scripts/fuzz.sh [SECONDS]    # total budget, split evenly; default 120
#
# It builds the integration binary once, then runs each suite again and again, every
# round with a fresh random seed and PROPTEST_CASES cases per property,
# until its half of the budget is spent. It prints rounds, cases and time
# per target and exits non-zero on the first failure; proptest then saves
# the failing seed in anchor-core/tests/integration/<suite>.proptest-regressions,
# which belongs in git once the bug is fixed.
#
# FUZZ_CASES    cases per property per round (default 2000)
# FUZZ_PROFILE  cargo profile of the binaries: dev (default; shares the
#               test command's build) or release (faster cases, but a
#               first build of the AWS SDK in release takes minutes)
#
# `cargo test` runs the same properties as a smoke test with small default
# counts (a few seconds each); this script is the long run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

budget="${1:-120}"
cases="${FUZZ_CASES:-2000}"
profile="${FUZZ_PROFILE:-dev}"
targets=(fuzz_manifest fuzz_domain_name)
per_target=$((budget / ${#targets[@]}))

build_args=(-p anchor-core --no-run --test integration)
[[ "$profile" == release ]] && build_args+=(--release)
echo "==> building the integration tests for ${targets[*]} ($profile)"
build_log=$(cargo test "${build_args[@]}" 2>&1) || { echo "$build_log" >&2; exit 1; }
bin=$(sed -n "s|.*Executable tests/integration/main.rs (\(.*\))|\1|p" <<<"$build_log" | tail -n 1)
[[ -x "$bin" ]] || { echo "error: no integration test binary in the build output" >&2; exit 1; }
bin=$(realpath "$bin")

exit_code=0
total_cases=0
for t in "${targets[@]}"; do
  # Only this suite's tests: the filter is its module path.
  properties=$("$bin" --list "$t::" 2>/dev/null | grep -c ': test$')
  rounds=0
  start=$(date +%s.%N)
  status=ok
  while :; do
    now=$(date +%s.%N)
    elapsed=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
    awk -v e="$elapsed" -v b="$per_target" 'BEGIN { exit !(e < b) }' || break
    # cargo runs test binaries from the package folder; so does this, so
    # proptest finds the source files and their regression files.
    if ! out=$(cd anchor-core && PROPTEST_CASES="$cases" "$bin" "$t::" 2>&1); then
      echo "$out" | tail -n 60
      status=FAILED
      exit_code=1
      break
    fi
    rounds=$((rounds + 1))
  done
  now=$(date +%s.%N)
  elapsed=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
  n=$((rounds * properties * cases))
  total_cases=$((total_cases + n))
  echo "$t: $status; $rounds rounds x $properties properties x $cases cases = $n cases passed in ${elapsed}s"
  [[ $exit_code -eq 0 ]] || break
done
echo "fuzz: $total_cases cases passed in total; $([[ $exit_code -eq 0 ]] && echo 'no failures' || echo 'a failure, see above')"
exit "$exit_code"
