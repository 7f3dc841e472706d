#!/usr/bin/env bash
# Checks for (and where possible installs) what Anchor's commands need:
# a Rust toolchain with rustfmt and clippy, Node.js with npm for the
# example Next.js build, and Python 3 with venv for moto. Sourced by the
# other scripts.
set -euo pipefail

need_root_install() {
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing $* with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "error: $* missing; install it and re-run" >&2
    exit 1
  fi
}

if ! command -v cargo >/dev/null 2>&1; then
  [[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || { echo "error: no Rust toolchain (cargo); install rustup first" >&2; exit 1; }
if command -v rustup >/dev/null 2>&1; then
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
fi
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || need_root_install nodejs npm
node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 20 )); then
  echo "error: Node.js 20 or newer is needed (found $(node --version))" >&2
  exit 1
fi
# Python 3 with venv, for the moto server the AWS tests run against.
command -v python3 >/dev/null 2>&1 || need_root_install python3 python3-venv
python3 -c 'import venv, ensurepip' 2>/dev/null || need_root_install python3-venv

# One artifact tree for every build. The napi CLI always passes --target, and
# cargo keeps a --target build apart from a plain one; .cargo/config.toml
# makes the host the target for cargo and maturin too, so all three share
# target/<host>/{debug,release}. The same triple is exported here for the
# scripts that name paths under it, and for a caller's CARGO_TARGET_DIR.
CARGO_BUILD_TARGET="$(rustc -vV | sed -n 's/^host: //p')"
export CARGO_BUILD_TARGET
