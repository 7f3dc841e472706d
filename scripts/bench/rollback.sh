#!/usr/bin/env bash
# The rollback suite (issue 6): rollback latency and the first history page
# on the embedded default and on a local moto server beside the raw AWS
# calls, and the Python and Node bindings against Rust. Installs what it
# needs (moto in its own venv, maturin in another, the napi CLI with npm ci),
# builds everything in release mode, runs benches/src/bin/bench_rollback.rs
# and leaves target/bench/rollback.json and target/bench/rollback.md.
#
#   scripts/bench/rollback.sh            # the full run (about 13 min on 2 cores, after the builds)
#   scripts/bench/rollback.sh --smoke    # tiny sizes, asserts nothing
#
# Extra arguments go to the harness (--iterations N, --sizes 10,1000, ...).
# Only loopback (moto) and the package registries are contacted; moto takes
# dummy keys, so no credentials are read or written. A full run exits 3 when
# a target is not met, after writing the report.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/setup.sh
source scripts/moto.sh
export CARGO_TERM_COLOR=never
started=$SECONDS
step() { echo; echo "==> $* ($((SECONDS - started)) s)"; }
mkdir -p "${ANCHOR_BENCH_OUT:-target/bench}"

step "release build of the harness (benches/src/bin/bench_rollback.rs)"
nice cargo build --release --quiet -p anchor-benches --bin bench_rollback

step "Python wheel: maturin build --release into a venv of its own"
venv="$PWD/target/bench-venv"
wheels="$PWD/target/bench-wheels"
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "maturin==1.16.0"
rm -f "$wheels"/anchor_deploy-*.whl
nice "$venv/bin/maturin" build --quiet --release -m anchor-py/Cargo.toml --out "$wheels" --interpreter "$venv/bin/python"
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/anchor_deploy-*.whl

step "Node addon: npm ci, napi build --platform --release"
(cd anchor-node && npm ci --no-audit --no-fund --loglevel=error \
  && nice npx napi build --platform --release --dts index.d.ts --js index.js)

step "starting moto on loopback"
MOTO_LOG="$PWD/target/bench/moto.log" moto_start

step "bench_rollback $*"
status=0
target/"$CARGO_BUILD_TARGET"/release/bench_rollback --moto "$ANCHOR_MOTO_ENDPOINT" \
  --python "$venv/bin/python" --node-package "$PWD/anchor-node" "$@" || status=$?

out="${ANCHOR_BENCH_OUT:-target/bench}"
step "report: $out/rollback.json, $out/rollback.md (exit $status)"
exit "$status"
