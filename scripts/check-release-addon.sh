#!/usr/bin/env bash
# Checks that an `npm pack` tarball of anchor-deploy holds a release build
# of the addon (issue 16: the packed package once held a 100 MB debug
# addon). Usage: scripts/check-release-addon.sh TARBALL
#
# It passes when the tarball holds exactly one `.node` file, that file is
# byte for byte the release artifact cargo wrote
# (<target dir>/<host>/release/libanchor_node.so), and it carries no DWARF
# debug sections (a dev build keeps std's; the release profile strips them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tarball=${1:?usage: check-release-addon.sh TARBALL}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tar -xzf "$tarball" -C "$scratch"
mapfile -t addons < <(find "$scratch/package" -name '*.node')
if (( ${#addons[@]} != 1 )); then
  echo "error: $tarball holds ${#addons[@]} .node files, expected 1" >&2
  exit 1
fi
addon=${addons[0]}
name=${addon#"$scratch/package/"}

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
host=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
release="$target_dir/$host/release/libanchor_node.so"
if ! cmp -s "$addon" "$release"; then
  echo "error: $name in $tarball is not the release build $release" >&2
  echo "       (build it with 'npm run build' in anchor-node before 'npm pack')" >&2
  exit 1
fi
if readelf -S --wide "$addon" | grep -q '\.debug_'; then
  echo "error: $name in $tarball has DWARF debug sections; the release profile strips them" >&2
  exit 1
fi
echo "$name in $tarball is the release build ($(($(stat -c %s "$addon") / 1048576)) MiB, no debug sections)"
