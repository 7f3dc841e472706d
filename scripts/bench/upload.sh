#!/usr/bin/env bash
# The upload benchmark (issue 6): Anchor's deploy side by side with
# `aws s3 sync` on moto and on s3s-fs (a fast S3 server on loopback), and
# Anchor alone on the embedded default. Leaves target/bench/upload.json and
# target/bench/upload.md; BENCHMARKS.md explains the numbers.
#
#   scripts/bench/upload.sh            # the full run (several minutes)
#   scripts/bench/upload.sh --smoke    # tiny sizes, seconds, nothing asserted
#
# Any other flag goes to the harness (see `bench_upload --help`). Installs
# what it needs into target/: awscli (pinned) in target/bench-venv, s3s-fs in
# target/bench-tools, moto in target/moto-venv. Both servers listen on
# 127.0.0.1 only and get a dummy key pair; nothing reaches any other host
# except the package registries during installs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/setup.sh
source scripts/moto.sh

AWSCLI_VERSION="${AWSCLI_VERSION:-1.46.2}"
S3S_FS_VERSION="${S3S_FS_VERSION:-0.14.1}"
root="$PWD"
venv="$root/target/bench-venv"
tools="$root/target/bench-tools"
work="$root/target/bench/upload-work"
# The harness signs with this pair (benches/src/upload/endpoint.rs); it
# names no account, and s3s-fs accepts only it.
access_key=anchor-bench
secret_key=anchor-bench-secret
started=$SECONDS
step() { echo; echo "==> $* ($((SECONDS - started)) s)"; }
smoke=0
for arg in "$@"; do [[ "$arg" == --smoke ]] && smoke=1; done
mkdir -p "$work"

step "awscli $AWSCLI_VERSION in $venv"
if ! "$venv/bin/aws" --version 2>/dev/null | grep -q "aws-cli/$AWSCLI_VERSION "; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION"
fi
"$venv/bin/aws" --version

step "s3s-fs $S3S_FS_VERSION in $tools"
if [[ ! -x "$tools/bin/s3s-fs" ]] || ! grep -q "^s3s-fs $S3S_FS_VERSION " <(sed -n 's/^"\(s3s-fs [^ ]*\) .*/\1 /p' "$tools/.crates.toml" 2>/dev/null); then
  nice cargo install --quiet --locked --root "$tools" s3s-fs --version "$S3S_FS_VERSION" --features binary
fi

example_args=()
if [[ $smoke == 0 || -n "${ANCHOR_NEXTJS_BUILD:-}" ]]; then
  step "the example app's OpenNext builds (v1, v2)"
  v1="${ANCHOR_NEXTJS_BUILD:-$work/nextjs-v1}"
  v2="${ANCHOR_NEXTJS_BUILD_V2:-$work/nextjs-v2}"
  [[ -f "$v1/open-next.output.json" ]] || examples/build-nextjs.sh "$v1"
  [[ -f "$v2/open-next.output.json" ]] || ANCHOR_APP_VERSION=v2 examples/build-nextjs.sh "$v2"
  example_args=(--example "$v1" --example-v2 "$v2")
fi

step "starting moto"
MOTO_LOG="$work/moto.log" moto_start

step "starting s3s-fs"
s3s_root="$work/s3s-root"
rm -rf "$s3s_root" && mkdir -p "$s3s_root"
s3s_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$tools/bin/s3s-fs" --host 127.0.0.1 --port "$s3s_port" \
  --access-key "$access_key" --secret-key "$secret_key" "$s3s_root" >"$work/s3s-fs.log" 2>&1 &
S3S_PID=$!
stop_servers() {
  kill "$S3S_PID" 2>/dev/null || true
  wait "$S3S_PID" 2>/dev/null || true
  moto_stop
}
trap stop_servers EXIT
s3s_endpoint="http://127.0.0.1:$s3s_port"
for _ in $(seq 1 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $s3s_port), 1)" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
echo "s3s-fs listening on $s3s_endpoint (pid $S3S_PID)"

step "building bench_upload (release)"
nice cargo build --quiet --release -p anchor-benches --bin bench_upload
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/$CARGO_BUILD_TARGET/release/bench_upload"

step "running the workloads"
status=0
"$bin" --moto "$ANCHOR_MOTO_ENDPOINT" --s3s "$s3s_endpoint" --aws "$venv/bin/aws" \
  --work "$work" "${example_args[@]}" "$@" || status=$?

step "results in target/bench/upload.json and target/bench/upload.md (exit $status)"
exit "$status"
