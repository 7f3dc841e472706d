#!/usr/bin/env bash
# The edge server's throughput: the example app deployed on the embedded
# default, served by `serve` (examples/rust/serve.rs) on loopback, and loaded
# with wrk, one route at a time: a hashed static chunk and a public file
# (from the local object store), the SSR page /dynamic, the prerendered page
# / and /api/hello (the server function, in node workers). Leaves
# target/bench/edge.json and target/bench/edge.md; BENCHMARKS.md explains
# the numbers.
#
#   scripts/bench/edge.sh            # 15 s per route, 2 threads, 32 connections
#   scripts/bench/edge.sh --smoke    # 2 s per route, 8 connections
#   scripts/bench/edge.sh --url http://127.0.0.1:PORT/ [--pid PID]
#                                    # measure a server already running (no
#                                    # build, deploy or start); PID for RSS/CPU
#
# Other flags go to serve (e.g. --workers N). EDGE_WRK_THREADS,
# EDGE_WRK_CONNECTIONS, EDGE_WRK_DURATION and EDGE_WARMUP override the load;
# EDGE_ROUTES (paths, space-separated) measures only those routes.
# Builds come from ANCHOR_NEXTJS_BUILD(_V2), else the upload suite's, else
# examples/build-nextjs.sh builds them. Installs wrk with apt-get when run
# as root. Only loopback and the package registries are contacted. Exits 1
# if any answer was not 200 or a socket failed (after writing the report
# when that happened under load).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$PWD"
out="${ANCHOR_BENCH_OUT:-$root/target/bench}"
work="$root/target/bench/edge-work"
helper="$root/scripts/bench/edge.py"
started=$SECONDS
step() { echo; echo "==> $* ($((SECONDS - started)) s)"; }
# CPU seconds of this shell's reaped children (user + system), from `times`
# (run in this shell, not in a $(...) subshell, which has its own children).
children_cpu() {
  times >"$work/times"
  awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } print s }' "$work/times"
}

invocation="scripts/bench/edge.sh${*:+ $*}"
smoke=0 url="" pid="" serve_args=()
while (($#)); do
  case "$1" in
    --smoke) smoke=1 ;;
    --url) url="$2"; shift ;;
    --pid) pid="$2"; shift ;;
    *) serve_args+=("$1") ;;
  esac
  shift
done
if ((smoke)); then conns=8 duration=2s warmup=1s; else conns=32 duration=15s warmup=3s; fi
threads="${EDGE_WRK_THREADS:-2}"
conns="${EDGE_WRK_CONNECTIONS:-$conns}"
duration="${EDGE_WRK_DURATION:-$duration}"
warmup="${EDGE_WARMUP:-$warmup}"
rm -rf "$work" && mkdir -p "$work" "$out"

step "wrk"
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  else
    echo "error: wrk is missing; install it (Debian: apt-get install wrk) and re-run" >&2
    exit 1
  fi
fi
wrk --version 2>&1 | head -1 || true

# The example's builds: v1 is deployed live, v2 only makes the history real.
v1="${ANCHOR_NEXTJS_BUILD:-}"
v2="${ANCHOR_NEXTJS_BUILD_V2:-}"
if [[ -z "$v1" ]]; then
  if [[ -f target/bench/upload-work/nextjs-v1/open-next.output.json ]]; then
    v1="$root/target/bench/upload-work/nextjs-v1"
  else
    v1="$root/target/bench/edge-builds/nextjs-v1"
  fi
fi
if [[ -z "$v2" ]]; then
  v2="$(dirname "$v1")/nextjs-v2"
  [[ -f "$v2/open-next.output.json" ]] || v2="$root/target/bench/edge-builds/nextjs-v2"
fi

serve_pid=""
stop_serve() {
  [[ -n "$serve_pid" ]] || return 0
  local kids left=() t0
  kids=$(ps -e -o pid=,ppid= | awk -v p="$serve_pid" '$2 == p {print $1}')
  t0=$(date +%s%N)
  kill -TERM "$serve_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$serve_pid" 2>/dev/null; then
    echo "warning: serve ignored SIGTERM for 5 s; killing it" >&2
    kill -KILL "$serve_pid" 2>/dev/null || true
  fi
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
  shutdown_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  # serve may return before its node workers have exited: give them 10 s.
  for _ in $(seq 1 200); do
    left=()
    for k in $kids; do kill -0 "$k" 2>/dev/null && left+=("$k"); done
    ((${#left[@]})) || break
    sleep 0.05
  done
  workers_gone_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if ((${#left[@]})); then
    echo "warning: ${#left[@]} worker(s) still running 10 s after serve exited: ${left[*]}; killing them" >&2
    kill -KILL "${left[@]}" 2>/dev/null || true
  fi
  leftover_workers=${#left[@]}
}
trap stop_serve EXIT
leftover_workers="" shutdown_ms="" workers_gone_ms=""

if [[ -z "$url" ]]; then
  source scripts/setup.sh
  export CARGO_TERM_COLOR=never
  step "release build of serve and quickstart (examples/rust)"
  nice -n 19 cargo build --release --quiet -p anchor-examples --bin serve --bin quickstart
  bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/$CARGO_BUILD_TARGET/release"
  "$bin/serve" --help >"$work/serve-help.txt" 2>&1 || true

  step "the example app's OpenNext builds: $v1, $v2"
  [[ -f "$v1/open-next.output.json" ]] || examples/build-nextjs.sh "$v1"
  [[ -f "$v2/open-next.output.json" ]] || ANCHOR_APP_VERSION=v2 examples/build-nextjs.sh "$v2"

  step "deploying with quickstart into $work/state (v1 live)"
  if ! "$bin/quickstart" --v1 "$v1" --v2 "$v2" --state "$work/state" >"$work/quickstart.log" 2>&1; then
    tail -20 "$work/quickstart.log" >&2
    echo "error: quickstart failed; log: $work/quickstart.log" >&2
    exit 1
  fi

  step "starting serve"
  serve_cmd=(serve --state "$work/state" --project nextjs-app --port 0 "${serve_args[@]}")
  "$bin/serve" "${serve_cmd[@]:1}" >"$work/serve.out" 2>"$work/serve.err" &
  serve_pid=$!
  for _ in $(seq 1 600); do
    grep -q '^serving ' "$work/serve.out" && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.err" >&2; echo "error: serve exited" >&2; exit 1; }
    sleep 0.1
  done
  url=$(sed -n 's#^serving nextjs-app at \(http://[^ ]*\)$#\1#p' "$work/serve.out" | head -1)
  [[ -n "$url" ]] || { cat "$work/serve.out" "$work/serve.err" >&2; echo "error: no 'serving' line in 60 s" >&2; exit 1; }
  pid="$serve_pid"
  echo "serve (pid $pid) at $url"
else
  serve_cmd=(external server at "$url")
fi
url="${url%/}"

chunk=$(ls -S "$v1"/assets/_next/static/chunks/*.js | head -1)
routes=(
  "/_next/static/chunks/$(basename "$chunk")|hashed static chunk, the largest (object store)"
  "/robots.txt|public file (object store)"
  "/dynamic|SSR page (server function)"
  "/|prerendered page (server function, ISR cache)"
  "/api/hello|API route, JSON (server function)"
)
# EDGE_ROUTES="/ /robots.txt" keeps only those paths (edge-router.sh uses it).
if [[ -n "${EDGE_ROUTES:-}" ]]; then
  kept=()
  for route in "${routes[@]}"; do
    [[ " $EDGE_ROUTES " == *" ${route%%|*} "* ]] && kept+=("$route")
  done
  routes=("${kept[@]}")
fi
wrk_args=(-t"$threads" -c"$conns" -d"$duration" --timeout 10s --latency -s scripts/bench/edge.lua)
loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/results.jsonl"
i=0
for route in "${routes[@]}"; do
  i=$((i + 1))
  path="${route%%|*}" kind="${route#*|}"
  step "$path: $kind"
  if ! before=$(python3 "$helper" check "$url$path"); then
    echo "error: $url$path answered $before" >&2
    exit 1
  fi
  # Not wrk: it ends with requests in flight (see warm() in edge.py).
  if ! python3 "$helper" warm "$url$path" "$conns" "${warmup%s}" >"$work/warmup-$i.json"; then
    echo "error: warming $url$path: $(cat "$work/warmup-$i.json")" >&2
    exit 1
  fi
  sampler=""
  if [[ -n "$pid" ]]; then
    python3 "$helper" sample "$pid" "$work/procs-$i.json" &
    sampler=$!
  else
    echo '{"serve_rss_mib":0,"serve_peak_rss_mib":0,"workers":0,"workers_rss_mib":0,"worker_rss_max_mib":0,"serve_cpu_s":0,"workers_cpu_s":0}' >"$work/procs-$i.json"
  fi
  children_cpu >"$work/cpu0"
  wrk "${wrk_args[@]}" "$url$path" | tee "$work/wrk-$i.txt"
  children_cpu >"$work/cpu1"
  wrk_cpu=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$(cat "$work/cpu0")" "$(cat "$work/cpu1")")
  [[ -z "$sampler" ]] || { kill -TERM "$sampler"; wait "$sampler"; }
  after=$(python3 "$helper" check "$url$path") || echo "error: after the load, $url$path answered $after" >&2
  result=$(sed -n 's/^EDGE_RESULT //p' "$work/wrk-$i.txt")
  [[ -n "$result" ]] || { echo "error: no EDGE_RESULT line from wrk" >&2; exit 1; }
  printf '{"path":"%s","kind":"%s","checks":[%s,%s],"wrk":%s,"wrk_cpu_s":%s,"procs":%s}\n' \
    "$path" "$kind" "$before" "$after" "$result" "$wrk_cpu" "$(cat "$work/procs-$i.json")" >>"$work/results.jsonl"
done

if [[ -n "$serve_pid" ]]; then
  step "stopping serve (SIGTERM)"
  stop_serve
  echo "serve exited ${shutdown_ms} ms after SIGTERM, its workers all gone ${workers_gone_ms} ms after SIGTERM; workers killed after 10 s: $leftover_workers"
fi

step "report: $out/edge.json, $out/edge.md"
python3 "$helper" meta \
  "command=$invocation" \
  "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "machine=$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)" \
  "loadavg=$loadavg" \
  "wrk=wrk ${wrk_args[*]} URL" \
  "warmup=$warmup with $conns keep-alive clients, each request read to its end" \
  "serve=${serve_cmd[*]}" \
  "build=$v1" \
  "node=$(node --version 2>/dev/null || echo none)" \
  "serve_exit_after_sigterm_ms=$shutdown_ms" \
  "workers_gone_after_sigterm_ms=$workers_gone_ms" \
  "workers_killed_10s_after_shutdown=$leftover_workers" >"$work/meta.json"
status=0
python3 "$helper" report "$work" "$out" || status=$?
cat "$out/edge.md"
exit "$status"
