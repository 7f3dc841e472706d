#!/usr/bin/env bash
# The browser test: headless Chromium (Debian's, driven by playwright-core)
# against the local edge server, `serve` from anchor-examples, serving the
# example app deployed on the embedded default. It deploys v1, v2 and rolls
# back through the Node package while serve keeps running, and checks each
# at the next page load, plus next/image, a public file, the API route and
# the preview hosts (tests/browser/edge.test.mjs).
#
# The caller (scripts/test.sh) provides:
#   ANCHOR_NEXTJS_BUILD      OpenNext build of examples/nextjs-app, v1
#   ANCHOR_NEXTJS_BUILD_V2   the same app changed, v2
# and has built the Node addon (scripts/test-node.sh). Chromium is installed
# with apt-get when missing and this runs as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
: "${ANCHOR_NEXTJS_BUILD:?set ANCHOR_NEXTJS_BUILD to the v1 OpenNext build}"
: "${ANCHOR_NEXTJS_BUILD_V2:?set ANCHOR_NEXTJS_BUILD_V2 to the v2 OpenNext build}"
export ANCHOR_NEXTJS_BUILD ANCHOR_NEXTJS_BUILD_V2

work="$PWD/target/anchor-test"
started=$SECONDS
step() { echo; echo "==> browser: $* ($((SECONDS - started)) s)"; }

if ! compgen -G "anchor-node/*.node" >/dev/null || [[ ! -f anchor-node/index.js ]]; then
  echo "error: the Node addon is not built (anchor-node/index.js and *.node); run scripts/test-node.sh" >&2
  echo "       or: (cd anchor-node && npm ci && npx napi build --platform --dts index.d.ts --js index.js)" >&2
  exit 1
fi

chromium=/usr/bin/chromium
if [[ ! -x "$chromium" ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    step "installing Debian's chromium with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "error: no Chromium at $chromium; as root: apt-get install -y --no-install-recommends chromium" >&2
    exit 1
  fi
fi
echo "$("$chromium" --version 2>/dev/null || echo "chromium (version unknown)")"

step "npm ci (playwright-core, pinned by package-lock.json; no browser download)"
(cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

step "cargo build -p anchor-examples --bin serve"
cargo build --quiet -p anchor-examples --bin serve
serve="${CARGO_TARGET_DIR:-$PWD/target}/$CARGO_BUILD_TARGET/debug/serve"
[[ -x "$serve" ]] || { echo "error: cargo built no $serve" >&2; exit 1; }

step "node --test tests/browser (serve's log and failure screenshots: $work/browser)"
rm -rf "$work/browser"
ANCHOR_SERVE_BIN="$serve" ANCHOR_CHROMIUM="$chromium" ANCHOR_BROWSER_ARTIFACTS="$work/browser" \
  node --test --test-concurrency=1 tests/browser/*.test.mjs

step "browser test passed"
