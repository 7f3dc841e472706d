#!/usr/bin/env bash
# The scale suite (issue 18) on the embedded default: domain add and refresh
# on projects with 10, 100 and 1,000 active custom domains in tenant mode
# (target: flat within ±10 %), beside alias mode at 10 and 99 domains (its
# ceiling is 100), and prune over 1,000 real deployments with its dry run at
# 10, 100 and 1,000 (no target). Builds benches/src/bin/bench_scale.rs in
# release, runs it and leaves target/bench/scale.json and
# target/bench/scale.md.
#
#   scripts/bench/scale.sh            # the full run
#   scripts/bench/scale.sh --smoke    # tiny sizes, seconds, asserts nothing
#
# Extra arguments go to the harness (--domain-sizes 10,100,1000,
# --alias-sizes 10,99, --samples N, --warmup N, --prune-sizes 10,100,1000,
# --keep N, --dry-runs N, --no-aliases, --no-domains, --no-prune). Nothing is contacted: SQLite and local files in a temporary
# folder, removed at exit. A full run exits 3 when the domain target is not
# met, after writing the report.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/setup.sh
export CARGO_TERM_COLOR=never
started=$SECONDS
step() { echo; echo "==> $* ($((SECONDS - started)) s)"; }
mkdir -p "${ANCHOR_BENCH_OUT:-target/bench}"

step "release build of the harness (benches/src/bin/bench_scale.rs)"
nice cargo build --release --quiet -p anchor-benches --bin bench_scale

step "bench_scale $*"
status=0
"${CARGO_TARGET_DIR:-target}/$CARGO_BUILD_TARGET/release/bench_scale" "$@" || status=$?

out="${ANCHOR_BENCH_OUT:-target/bench}"
step "report: $out/scale.json, $out/scale.md (exit $status)"
exit "$status"
