#!/usr/bin/env bash
# The Python package's tests: builds the anchor-deploy wheel with maturin,
# installs it into a fresh venv, runs pytest (the local flow on the real
# OpenNext build, error mapping, GIL, cancellation, fork, AWS on moto),
# mypy.stubtest over the package, and the Python example end to end.
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

venv="$PWD/target/py-venv"
wheels="$PWD/target/wheels"
py="$venv/bin/python"
started=$SECONDS
step() { echo; echo "==> python: $* ($((SECONDS - started)) s)"; }

step "fresh venv in $venv"
rm -rf "$venv"
"${PYTHON:-python3}" -m venv "$venv"
"$py" -m pip install --quiet --disable-pip-version-check \
  "maturin==1.16.0" "pytest==9.2.0" "mypy==2.4.1" "boto3==1.44.8"

# The release profile, as `pip install ./anchor-py` builds it: the wheel
# tested is the one users get, and it shares target/<host>/release with the
# Node package's build and the quick start.
step "maturin build --release (the shared target/<host>/release)"
rm -f "$wheels"/anchor_deploy-*.whl
"$venv/bin/maturin" build --quiet --release -m anchor-py/Cargo.toml --out "$wheels" --interpreter "$py"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/anchor_deploy-*.whl

# anchor-py/python is not on sys.path here: the installed wheel is tested.
step "pytest"
"$py" -m pytest anchor-py/tests -q -p no:cacheprovider

step "mypy.stubtest"
allow=()
if [ -f anchor-py/python/stubtest-allowlist.txt ]; then
  allow=(--allowlist "$PWD/anchor-py/python/stubtest-allowlist.txt")
fi
(cd target && "$py" -m mypy.stubtest anchor_deploy ${allow[@]+"${allow[@]}"})

step "examples/python/deploy.py end to end"
out="$PWD/target/anchor-test/python-deploy.log"
mkdir -p "$(dirname "$out")"
"$py" examples/python/deploy.py --v1 "$ANCHOR_NEXTJS_BUILD" --v2 "$ANCHOR_NEXTJS_BUILD_V2" \
  --state "$PWD/target/anchor-test/python-deploy-state" | tee "$out"
grep -q "rolled back from v2 to v1" "$out"
grep -q "www.example.com: certificate issued, cdn active" "$out"
grep -q "v1 (.*) is live" "$out"

step "python tests passed"
