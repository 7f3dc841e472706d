#!/usr/bin/env bash
# The Node package's tests: builds the anchor-deploy addon with
# `npm run build:debug` (the napi CLI on the dev profile `cargo test`
# already compiled, which also writes index.js and the generated
# index.d.ts; fails if that differs from the committed one), runs the
# node:test suite (the local flow on the real OpenNext build, every error
# code, progress, clean exit, AWS on moto), type-checks the TypeScript usage
# example with tsc, checks that `npm run build` (what the README and
# `npm pack` use) is the release build, then packs the tarball, installs it
# into a new folder and runs examples/node/deploy.mjs from there.
# (scripts/check-release-addon.sh TARBALL checks a tarball packed after
# `npm run build`; it is not run here, because a release build of every
# dependency would add ~10 min to the test command.)
#
# The caller (scripts/test.sh) provides:
#   ANCHOR_NEXTJS_BUILD      OpenNext build of examples/nextjs-app, v1
#   ANCHOR_NEXTJS_BUILD_V2   the same app changed, v2
#   ANCHOR_MOTO_ENDPOINT     a running moto server (scripts/moto.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${ANCHOR_NEXTJS_BUILD:?set ANCHOR_NEXTJS_BUILD to the v1 OpenNext build}"
: "${ANCHOR_NEXTJS_BUILD_V2:?set ANCHOR_NEXTJS_BUILD_V2 to the v2 OpenNext build}"
: "${ANCHOR_MOTO_ENDPOINT:?set ANCHOR_MOTO_ENDPOINT to a moto server (scripts/moto.sh)}"
export ANCHOR_NEXTJS_BUILD ANCHOR_NEXTJS_BUILD_V2 ANCHOR_MOTO_ENDPOINT
# A caught panic in the panic test prints its message, not a backtrace.
export RUST_BACKTRACE=0

repo="$PWD"
work="$repo/target/anchor-test"
started=$SECONDS
step() { echo; echo "==> node: $* ($((SECONDS - started)) s)"; }

step "npm ci (the napi CLI, TypeScript, @types/node; pinned by package-lock.json)"
(cd anchor-node && npm ci --no-audit --no-fund --loglevel=error)

step "npm run build:debug (napi build --dts, the dev profile cargo test shares)"
(cd anchor-node && npm run --silent build:debug)

step "npm run build, which npm pack ships, is the release build"
node -e '
  const { scripts } = require("./anchor-node/package.json");
  const release = /^napi build\b.*--release\b/.test(scripts.build ?? "");
  if (!release) { console.error(`anchor-node/package.json: scripts.build must be a --release napi build, got: ${scripts.build}`); process.exit(1); }
'

step "index.d.ts is the committed one"
# The types are part of the API and reviewed like code: a build that
# changes them (a record, option or method changed in Rust) must come with
# the regenerated file.
if ! git diff --exit-code -- anchor-node/index.d.ts; then
  echo "anchor-node/index.d.ts changed when the addon was built (the diff is above):" >&2
  echo "commit the regenerated anchor-node/index.d.ts with the change that caused it." >&2
  exit 1
fi

step "node --test"
(cd anchor-node && ANCHOR_REQUIRE_MOTO=1 node --test --test-concurrency=1 test/*.test.mjs)

step "tsc --noEmit on examples/node/usage.ts against the generated index.d.ts"
anchor-node/node_modules/.bin/tsc -p examples/node/tsconfig.json

step "npm pack, npm install of the tarball in a new folder, examples/node/deploy.mjs"
consumer="$work/node-consumer"
rm -rf "$consumer" "$work"/anchor-deploy-*.tgz
mkdir -p "$consumer/examples/node"
tarball=$(cd anchor-node && npm pack --silent --pack-destination "$work")
cp examples/node/deploy.mjs "$consumer/examples/node/"
out="$work/node-deploy.log"
(
  cd "$consumer"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error "$work/$tarball"
  node examples/node/deploy.mjs --v1 "$ANCHOR_NEXTJS_BUILD" --v2 "$ANCHOR_NEXTJS_BUILD_V2" \
    --state "$work/node-deploy-state"
) | tee "$out"
grep -q "rolled back from v2 to v1" "$out"
grep -q "www.example.com: certificate issued, cdn active" "$out"
grep -q "v1 (.*) is live" "$out"

step "node tests passed"
