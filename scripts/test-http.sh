#!/usr/bin/env bash
# The HTTP acceptance suite (tests/http) against the local edge: deploys v1
# then v2 of the example app on the embedded default through the Node
# package, serves the state folder with `serve` (anchor-examples) on a free
# loopback port, and runs `node --test tests/http` with ANCHOR_BASE_URL set
# to it, ANCHOR_HTTP_TARGET=local-edge (so tests/http/known-failures.json
# applies) and a rollback command through the Node package. serve is
# stopped, with its node workers, however the suite ends; its log stays in
# target/anchor-test/http/serve.log.
#
# The caller (scripts/test.sh) provides:
#   ANCHOR_NEXTJS_BUILD      OpenNext build of examples/nextjs-app, v1
#   ANCHOR_NEXTJS_BUILD_V2   the same app changed, v2
# and has built the Node addon (scripts/test-node.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
: "${ANCHOR_NEXTJS_BUILD:?set ANCHOR_NEXTJS_BUILD to the v1 OpenNext build}"
: "${ANCHOR_NEXTJS_BUILD_V2:?set ANCHOR_NEXTJS_BUILD_V2 to the v2 OpenNext build}"

repo="$PWD"
out="$repo/target/anchor-test/http"
state="$out/state"
project=web
started=$SECONDS
step() { echo; echo "==> http: $* ($((SECONDS - started)) s)"; }

if ! compgen -G "anchor-node/*.node" >/dev/null || [[ ! -f anchor-node/index.js ]]; then
  echo "error: the Node addon is not built (anchor-node/index.js and *.node); run scripts/test-node.sh" >&2
  echo "       or: (cd anchor-node && npm ci && npx napi build --platform --dts index.d.ts --js index.js)" >&2
  exit 1
fi

step "cargo build -p anchor-examples --bin serve"
cargo build --quiet -p anchor-examples --bin serve
serve_bin="${CARGO_TARGET_DIR:-$repo/target}/$CARGO_BUILD_TARGET/debug/serve"
[[ -x "$serve_bin" ]] || { echo "error: cargo built no $serve_bin" >&2; exit 1; }

step "deploying v1 then v2 on a fresh state folder ($state)"
rm -rf "$out"
mkdir -p "$out"
node tests/http/local-edge.mjs deploy "$state" "$project" "$ANCHOR_NEXTJS_BUILD" "$ANCHOR_NEXTJS_BUILD_V2"

step "starting serve (log: $out/serve.log)"
# In a session of its own, so that stopping its group also stops the node
# workers it starts. Without job control the child is no group leader, so
# setsid makes the session in place and $! is serve's pid and group.
setsid "$serve_bin" --state "$state" --project "$project" --port 0 --host 127.0.0.1 \
  >"$out/serve.log" 2>&1 &
serve_pid=$!
stop_serve() {
  kill -TERM -- "-$serve_pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 -- "-$serve_pid" 2>/dev/null || return 0
    sleep 0.2
  done
  echo "serve's group outlived SIGTERM by 10 s; SIGKILL" >&2
  kill -KILL -- "-$serve_pid" 2>/dev/null || true
}
trap stop_serve EXIT

url=""
for _ in $(seq 600); do
  url=$(sed -n 's|^serving '"$project"' at \(http://127\.0\.0\.1:[0-9]*/\)$|\1|p' "$out/serve.log" | head -n 1)
  [[ -n "$url" ]] && break
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    echo "error: serve exited before it printed its URL:" >&2
    tail -n 20 "$out/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done
[[ -n "$url" ]] || { echo "error: serve printed no URL within 60 s:" >&2; tail -n 20 "$out/serve.log" >&2; exit 1; }
echo "serving at $url"

step "node --test tests/http (target local-edge; known failures: tests/http/known-failures.json)"
rollback_cmd="node $(printf %q "$repo/tests/http/local-edge.mjs") rollback $(printf %q "$state") $project"
# The live server's own Function URL, which serve prints: origin-secret
# checks that a direct request to it, without the secret the router adds,
# is refused.
origin_url=""
for _ in $(seq 100); do
  origin_url=$(sed -n 's|^  server function URL of v[0-9]*: \(http://[^ ]*\)$|\1|p' "$out/serve.log" | head -n 1)
  [[ -n "$origin_url" ]] && break
  sleep 0.1
done
[[ -n "$origin_url" ]] || { echo "error: serve printed no server function URL:" >&2; tail -n 20 "$out/serve.log" >&2; exit 1; }
echo "server function URL: $origin_url"
# v1's Next.js deploymentId, which its pages send (skew-pinned).
v1_deployment_id=$(node -e 'console.log(require(process.argv[1]).config.deploymentId ?? "")' \
  "$ANCHOR_NEXTJS_BUILD/server-functions/default/.next/required-server-files.json")
ANCHOR_SERVER_ORIGIN_URL="$origin_url" \
  ANCHOR_BASE_URL="$url" ANCHOR_HTTP_TARGET=local-edge \
  ANCHOR_ROLLBACK_CMD="$rollback_cmd" ANCHOR_PREVIOUS_VERSION=v1 \
  ANCHOR_PREVIOUS_DEPLOYMENT_ID="$v1_deployment_id" \
  node --test --test-concurrency=1 tests/http

step "HTTP acceptance suite passed (serve's log: $out/serve.log)"
