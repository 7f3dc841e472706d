#!/usr/bin/env bash
# The main job on the embedded default: build examples/nextjs-app with
# OpenNext (v1, then a changed v2), deploy v1, deploy v2, roll back, add a
# custom domain, validate it and print the history. No AWS account needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
exec cargo run --quiet -p anchor-examples --bin quickstart -- "$@"
