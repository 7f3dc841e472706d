#!/usr/bin/env bash
# The main job on the embedded default: build examples/nextjs-app with
# OpenNext (v1, then a changed v2), deploy v1, deploy v2, roll back, add a
# custom domain, validate it and print the history. No AWS account needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# Release, like `pip install ./anchor-py` and the Node package's build:
# all three share target/<host>/release (see Cargo.toml's profile).
exec cargo run --quiet --release -p anchor-examples --bin quickstart -- "$@"
