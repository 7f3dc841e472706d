#!/usr/bin/env bash
# The whole benchmark suite (issue 6), one command on a fresh clone:
#
#   scripts/bench.sh            # every suite, full size (tens of minutes)
#   scripts/bench.sh --smoke    # tiny sizes, a few minutes, no target judged
#
# Each suite installs what it needs itself (moto, awscli and s3s-fs in their
# own folders under target/), starts its servers on loopback, and writes
# target/bench/<suite>.json and target/bench/<suite>.md. This script then
# gathers the tables into target/bench/report.md, headed by the machine and
# the command, which is what BENCHMARKS.md quotes. The benchmarks are not
# part of the test command. The edge suite (scripts/bench/edge.sh) loads the
# local edge server with wrk, which it installs with apt-get as root;
# edge-router.sh loads it with and without the edge router side by side;
# scale.sh times domains and pruning at 1,000 of each on the embedded default.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$PWD/target/bench"
mkdir -p "$out"
status=0
for suite in upload rollback scale edge edge-router; do
  echo "==> suite $suite"
  # A suite exits 3 when it measured everything but missed a target; the
  # report is still written, so go on and say so at the end.
  scripts/bench/"$suite".sh "$@" || { code=$?; [ "$code" -eq 3 ] || exit "$code"; status=3; }
done

report="$out/report.md"
{
  echo "## Benchmark run of $(date -u +%Y-%m-%d)"
  echo
  echo "- Command: \`scripts/bench.sh $*\` at commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`"
  echo "- Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo
  for suite in upload rollback scale edge edge-router; do
    [ -f "$out/$suite.md" ] && { cat "$out/$suite.md"; echo; }
  done
} >"$report"
echo "==> report: $report (JSON beside it)"
exit "$status"
