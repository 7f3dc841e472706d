#!/usr/bin/env bash
# Fails when README.md's "## Layout" section and the tree disagree. The
# section holds one fenced block whose lines are `path  what it is`, with
# two spaces of indent per level below the line above (a path ending in
# `/` is a folder). Every path listed must exist, and every tracked entry at
# the top level and one level into anchor-core/src, examples, scripts,
# docs, benches and tests must be listed, so a file added or removed there
# shows here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python3 - <<'PY'
import os, subprocess, sys

text = open("README.md", encoding="utf-8").read()
start = text.find("\n## Layout\n")
if start < 0:
    sys.exit("README.md has no '## Layout' section")
section = text[start + 1:]
end = section.find("\n## ", 1)
section = section if end < 0 else section[:end]
try:
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
except IndexError:
    sys.exit("README.md's Layout section has no ```text block")

listed, stack, problems = set(), [], []
for number, line in enumerate(block.splitlines(), 1):
    if not line.strip():
        continue
    indent = len(line) - len(line.lstrip(" "))
    if indent % 2:
        problems.append(f"line {number}: odd indent: {line!r}")
        continue
    level = indent // 2
    name = line.split()[0]
    if level > len(stack):
        problems.append(f"line {number}: indented under nothing: {line!r}")
        continue
    stack = stack[:level]
    path = "".join(stack) + name
    if not os.path.exists(path.rstrip("/")):
        problems.append(f"line {number}: {path} is listed but does not exist")
    if name.endswith("/"):
        stack.append(name)
    listed.add(path.rstrip("/"))

tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
must = set()
for f in tracked:
    parts = f.split("/")
    if not os.path.exists(f):
        continue  # deleted in the working tree
    must.add(parts[0])
    for root in ("anchor-core/src", "examples", "scripts", "docs", "benches", "tests"):
        depth = root.count("/") + 1
        if f.startswith(root + "/") and len(parts) > depth:
            must.add("/".join(parts[: depth + 1]))
ignored = {".gitignore", "Cargo.lock"}
for path in sorted(must - listed - ignored):
    if any(path.startswith(p + "/") for p in ignored):
        continue
    problems.append(f"{path} is in the tree but not in README.md's Layout")
if problems:
    print("README.md's Layout section does not match the tree:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print(f"README layout: {len(listed)} paths listed, all present; nothing unlisted")
PY
