#!/usr/bin/env bash
# Every test: formatting, the module layers, lints, the Rust tests (unit,
# conformance, fault walks, property tests) against the real OpenNext build of
# examples/nextjs-app, the AWS backend against a moto server this script
# starts on loopback, the Python package (scripts/test-python.sh), the Node
# package (scripts/test-node.sh), headless Chromium against the local edge
# server (scripts/test-browser.sh), the HTTP acceptance suite against it
# (scripts/test-http.sh), and the quick starts end to end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
source scripts/moto.sh
export CARGO_TERM_COLOR=never NEXT_TELEMETRY_DISABLED=1
work="$PWD/target/anchor-test"
mkdir -p "$work"
started=$SECONDS
step() { echo; echo "==> $* ($((SECONDS - started)) s)"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "module layers (scripts/check-layers.sh)"
scripts/check-layers.sh

step "README layout matches the tree (scripts/check-readme-layout.sh)"
scripts/check-readme-layout.sh

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "building examples/nextjs-app v1, v2 (streaming) and v1 with arm64 sharp, with OpenNext"
examples/build-nextjs.sh "$work/build-v1"
# v2 is built with OpenNext's streaming wrapper: every switch in the tests
# crosses the buffered and the streaming wrapper.
ANCHOR_APP_VERSION=v2 ANCHOR_OPENNEXT_STREAMING=1 examples/build-nextjs.sh "$work/build-v2"
# OpenNext's default configuration (arm64 sharp): the architecture detection.
ANCHOR_OPENNEXT_DEFAULT_SHARP=1 examples/build-nextjs.sh "$work/build-arm64"

step "starting moto (AWS tests)"
MOTO_LOG="$work/moto.log" moto_start

step "cargo test --workspace (on the real build; AWS tests on moto)"
ANCHOR_NEXTJS_BUILD="$work/build-v1" ANCHOR_NEXTJS_BUILD_V2="$work/build-v2" \
  ANCHOR_NEXTJS_BUILD_ARM64="$work/build-arm64" \
  ANCHOR_REQUIRE_MOTO=1 ANCHOR_REQUIRE_REAL_BUILD=1 cargo test --workspace

step "Python package: wheel, pytest, stubtest, example"
ANCHOR_NEXTJS_BUILD="$work/build-v1" ANCHOR_NEXTJS_BUILD_V2="$work/build-v2" \
  scripts/test-python.sh

step "Node package: addon, node --test, tsc, packed example"
ANCHOR_NEXTJS_BUILD="$work/build-v1" ANCHOR_NEXTJS_BUILD_V2="$work/build-v2" \
  scripts/test-node.sh

step "browser test: headless Chromium against the local edge"
ANCHOR_NEXTJS_BUILD="$work/build-v1" ANCHOR_NEXTJS_BUILD_V2="$work/build-v2" \
  scripts/test-browser.sh

step "HTTP acceptance suite against the local edge (tests/http)"
ANCHOR_NEXTJS_BUILD="$work/build-v1" ANCHOR_NEXTJS_BUILD_V2="$work/build-v2" \
  scripts/test-http.sh

step "quick start end to end"
out="$work/quickstart.log"
cargo run --quiet -p anchor-examples --bin quickstart -- \
  --v1 "$work/build-v1" --v2 "$work/build-v2" --state "$work/quickstart-state" | tee "$out"
grep -q "rolled back from v2 to v1" "$out"
grep -q "www.example.com: certificate issued, cdn active" "$out"
grep -q "v1 (.*) is live" "$out"
grep -q "GET / -> Hello from Anchor v1" "$out"
grep -q "^serving nextjs-app at http://127.0.0.1:[0-9]*/$" "$out"

step "AWS example end to end on moto (standard chain, AWS_ENDPOINT_URL)"
curl -fsS -X POST "$ANCHOR_MOTO_ENDPOINT/moto-api/reset" >/dev/null
# moto accepts any key pair; these name no real account and reach only loopback.
export AWS_ENDPOINT_URL="$ANCHOR_MOTO_ENDPOINT" AWS_REGION=eu-west-1 \
  AWS_ACCESS_KEY_ID=moto AWS_SECRET_ACCESS_KEY=moto
"$MOTO_VENV/bin/python" -c 'import boto3; boto3.client("iam", region_name="us-east-1").create_role(RoleName="anchor-lambda", AssumeRolePolicyDocument="{}")'
# moto has no CloudFront Functions, KeyValueStore or cache policies, so the
# example runs the behaviours layout there; the Rust tests cover the router.
aws_deploy() {
  cargo run --quiet -p anchor-examples --bin aws-deploy -- --bucket anchor-example \
    --role arn:aws:iam::123456789012:role/anchor-lambda --project shop --without-router "$@" 2>/dev/null
}
out="$work/aws-deploy.log"
{ aws_deploy --build "$work/build-v1"; aws_deploy --build "$work/build-v2"
  aws_deploy --build "$work/build-v2" --rollback; } | tee "$out"
grep -q "^v1 .* is live: .* uploaded" "$out"
grep -q "^v2 .* is live: .* copied" "$out"
grep -q "^rolled back to v1" "$out"
unset AWS_ENDPOINT_URL AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

step "all tests passed"
