#!/usr/bin/env bash
# The local edge with and without the edge router, side by side in one run:
# the example app deployed twice on the embedded default (one project as
# Anchor provisioned it before the router, behaviours to the `live` aliases
# with caching disabled; one with the router, its key-value store and the
# shared cache policy), both served by `serve` at once, and three routes
# loaded with wrk through scripts/bench/edge.sh --url, alternating the two
# servers: the prerendered page / (a cache hit once warm with the router),
# the SSR page /dynamic and the public file /robots.txt. Leaves
# target/bench/edge-router.json and target/bench/edge-router.md (the
# router / no-router ratios); BENCHMARKS.md explains them.
#
#   scripts/bench/edge-router.sh           # 15 s per route and server, 2 rounds
#   scripts/bench/edge-router.sh --smoke   # 2 s per route, 8 connections, 1 round
#
# EDGE_ROUNDS sets the rounds (each round measures both servers; the order
# flips every round so drift hits both); EDGE_WRK_* as in edge.sh. Builds come
# from ANCHOR_NEXTJS_BUILD(_V2) as in edge.sh; EDGE_ROUTES replaces the three
# routes. Only loopback is contacted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$PWD"
out="${ANCHOR_BENCH_OUT:-$root/target/bench}"
work="$root/target/bench/edge-router-work"
started=$SECONDS
step() { echo; echo "==> $* ($((SECONDS - started)) s)"; }

invocation="scripts/bench/edge-router.sh${*:+ $*}"
smoke=0
for a in "$@"; do [[ "$a" == --smoke ]] && smoke=1; done
rounds="${EDGE_ROUNDS:-$((smoke ? 1 : 2))}"
edge_args=()
((smoke)) && edge_args+=(--smoke)
export EDGE_ROUTES="${EDGE_ROUTES:-/ /dynamic /robots.txt}"
rm -rf "$work" && mkdir -p "$work" "$out"

v1="${ANCHOR_NEXTJS_BUILD:-$root/target/bench/edge-builds/nextjs-v1}"
v2="${ANCHOR_NEXTJS_BUILD_V2:-$(dirname "$v1")/nextjs-v2}"
export ANCHOR_NEXTJS_BUILD="$v1" ANCHOR_NEXTJS_BUILD_V2="$v2"

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

source scripts/setup.sh
export CARGO_TERM_COLOR=never
step "release build of serve and quickstart (examples/rust)"
nice -n 19 cargo build --release --quiet -p anchor-examples --bin serve --bin quickstart
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/$CARGO_BUILD_TARGET/release"

step "the example app's OpenNext builds: $v1, $v2"
[[ -f "$v1/open-next.output.json" ]] || examples/build-nextjs.sh "$v1"
[[ -f "$v2/open-next.output.json" ]] || ANCHOR_APP_VERSION=v2 examples/build-nextjs.sh "$v2"

declare -A url pid
for layout in without-router router; do
  step "deploying v1, v2, rollback to v1 ($layout) into $work/$layout"
  flags=()
  [[ "$layout" == without-router ]] && flags+=(--without-router)
  if ! "$bin/quickstart" --v1 "$v1" --v2 "$v2" --state "$work/$layout/state" "${flags[@]}" \
    >"$work/$layout.quickstart.log" 2>&1; then
    tail -20 "$work/$layout.quickstart.log" >&2
    echo "error: quickstart ($layout) failed" >&2
    exit 1
  fi
  "$bin/serve" --state "$work/$layout/state" --project nextjs-app --port 0 \
    >"$work/$layout.serve.out" 2>"$work/$layout.serve.err" &
  pid[$layout]=$!
  pids+=("$!")
  for _ in $(seq 1 600); do
    grep -q '^serving ' "$work/$layout.serve.out" && break
    kill -0 "${pid[$layout]}" 2>/dev/null || { cat "$work/$layout.serve.err" >&2; exit 1; }
    sleep 0.1
  done
  url[$layout]=$(sed -n 's#^serving nextjs-app at \(http://[^ ]*\)$#\1#p' "$work/$layout.serve.out" | head -1)
  [[ -n "${url[$layout]}" ]] || { echo "error: serve ($layout) printed no URL" >&2; exit 1; }
  echo "serve ($layout, pid ${pid[$layout]}) at ${url[$layout]}"
done

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
status=0
for round in $(seq 1 "$rounds"); do
  order=(without-router router)
  ((round % 2)) || order=(router without-router)
  for layout in "${order[@]}"; do
    step "round $round: $layout"
    mkdir -p "$work/$layout/round-$round"
    ANCHOR_BENCH_OUT="$work/$layout/round-$round" \
      scripts/bench/edge.sh --url "${url[$layout]}" --pid "${pid[$layout]}" "${edge_args[@]}" \
      || status=1
  done
done
stop_all

step "report: $out/edge-router.json, $out/edge-router.md"
python3 scripts/bench/edge_router.py "$work" "$out" \
  "command=$invocation" \
  "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "machine=$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)" \
  "loadavg=$loadavg" "rounds=$rounds" "build=$v1" || status=1
cat "$out/edge-router.md"
exit "$status"
