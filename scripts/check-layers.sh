#!/usr/bin/env bash
# Checks that anchor-core's modules import along its layers (README,
# "Layout"; issue 16), reading the `use` statements and `crate::`/`super::`
# paths of every file under anchor-core/src (comment lines are skipped):
# - the backends (`aws`, `local`) and the fault wrappers (`fault`) import
#   neither the flows nor the entry point (`Anchor`, `anchor::`);
# - the local edge (`edge`) does not import the flows (it takes an `Anchor`
#   as its entry point, as the bindings do);
# - the flows name neither the entry point nor a backend (`aws`, `local`,
#   `edge`);
# - the two backends do not import each other;
# - no two modules import each other: neither two files (other than a
#   module and its own parent, which declares and re-exports it) nor two
#   top-level modules.
# Prints every violation and exits 1 if there is one. Usage:
#   scripts/check-layers.sh [SRC_DIR]   (default anchor-core/src)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src="${1:-anchor-core/src}"
[ -d "$src" ] || { echo "check-layers: no folder $src" >&2; exit 2; }

find "$src" -name '*.rs' | LC_ALL=C sort | awk -v src="$src" '
# The module path of a file: "a::b" for src/a/b.rs or src/a/b/mod.rs,
# "" for lib.rs.
function module_of(file,    m) {
    m = substr(file, length(src) + 2)
    sub(/\.rs$/, "", m)
    sub(/(^|\/)(mod|lib)$/, "", m)
    gsub(/\//, "::", m)
    return m
}
function join(a, b) { return a == "" ? b : (b == "" ? a : a "::" b) }
function parent(m) { if (m !~ /::/) return ""; sub(/::[^:]*$/, "", m); return m }
function top(m) { sub(/::.*$/, "", m); return m }
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
# Whether a is b or one of its ancestors.
function encloses(a, b) { return a == "" || a == b || index(b, a "::") == 1 }

# Expands one `use` tree ("super::{a, b::{c, d}}") into paths, appended to
# the global list paths[1..npaths].
function expand(prefix, tree,    depth, i, c, item, items, n, k, head, inner) {
    tree = trim(tree)
    if (substr(tree, 1, 1) == "{" && substr(tree, length(tree), 1) == "}") {
        tree = substr(tree, 2, length(tree) - 2)
        n = 0; depth = 0; item = ""
        for (i = 1; i <= length(tree); i++) {
            c = substr(tree, i, 1)
            if (c == "{") depth++
            if (c == "}") depth--
            if (c == "," && depth == 0) { items[++n] = item; item = "" } else item = item c
        }
        items[++n] = item
        for (k = 1; k <= n; k++) if (trim(items[k]) != "") expand(prefix, items[k])
        return
    }
    i = index(tree, "::{")
    if (i > 0) {
        head = substr(tree, 1, i - 1)
        inner = substr(tree, i + 2)
        expand(prefix == "" ? head : prefix "::" head, inner)
        return
    }
    sub(/[ \t]+as[ \t].*$/, "", tree)
    paths[++npaths] = (prefix == "" ? tree : prefix "::" tree)
}

# The module a path (from a file of module `from`) lands in, or "-" for a
# path outside the crate (std, other crates). Sets `named` to the first
# segment after the module, to tell `crate::Anchor` from other root items.
function resolve(from, path,    seg, n, i, m) {
    n = split(path, seg, "::")
    i = 1
    if (seg[1] == "crate") { m = ""; i = 2 }
    else if (seg[1] == "self") { m = from; i = 2 }
    else if (seg[1] == "super") {
        m = from
        while (i <= n && seg[i] == "super") { m = parent(m); i++ }
    } else return "-"
    while (i <= n && (join(m, seg[i]) in modules)) { m = join(m, seg[i]); i++ }
    named = (i <= n) ? seg[i] : ""
    return m
}

function violation(file, msg) { print file ": " msg; bad++ }

# Checks one reference of `file` (module `from`) to module `to`.
function check(file, from, to, path,    lf, lt, entry) {
    lf = top(from); lt = top(to)
    entry = (lt == "anchor" || (to == "" && named ~ /^Anchor(Builder)?$/))
    if ((lf == "aws" || lf == "local" || lf == "fault") && (lt == "flows" || entry))
        violation(file, "the backend layer imports " (entry ? "the entry point" : "the flows") " (" path ")")
    if (lf == "edge" && lt == "flows")
        violation(file, "the local edge imports the flows (" path ")")
    if (lf == "flows" && entry)
        violation(file, "the flows name the entry point (" path ")")
    if (lf == "flows" && (lt == "aws" || lt == "local" || lt == "edge"))
        violation(file, "the flows name a backend (" path ")")
    if ((lf == "aws" && lt == "local") || (lf == "local" && lt == "aws"))
        violation(file, "one backend imports the other (" path ")")
    if (!encloses(to, from) && !encloses(from, to)) {
        edge[from SUBSEP to] = file
        if (lf != lt && lf != "" && lt != "") layer_edge[lf SUBSEP lt] = file
    }
}

function scan(file, text,    from, stmt, rest, s, e, p, k) {
    from = module_of(file)
    npaths = 0
    # `use` statements, braces expanded; then every other path.
    rest = ""
    while (match(text, /(^|[^A-Za-z0-9_])use[ \t]+[^;]*;/)) {
        stmt = substr(text, RSTART, RLENGTH)
        rest = rest substr(text, 1, RSTART - 1) " "
        text = substr(text, RSTART + RLENGTH)
        sub(/^[^u]*use[ \t]+/, "", stmt)
        sub(/;$/, "", stmt)
        expand("", stmt)
    }
    rest = rest text
    while (match(rest, /(crate|super|self)(::[A-Za-z_][A-Za-z0-9_]*)+/)) {
        s = RSTART; e = RLENGTH
        # Not the tail of a longer path (`x::super`), not `Self`.
        if (s == 1 || substr(rest, s - 1, 1) !~ /[A-Za-z0-9_:]/)
            paths[++npaths] = substr(rest, s, e)
        rest = substr(rest, s + e)
    }
    for (k = 1; k <= npaths; k++) {
        p = resolve(from, paths[k])
        if (p != "-") check(file, from, p, paths[k])
    }
}

{ files[++nfiles] = $0; modules[module_of($0)] = 1 }

END {
    for (f = 1; f <= nfiles; f++) {
        text = ""
        while ((getline line < files[f]) > 0) {
            if (line ~ /^[ \t]*\/\//) continue
            sub(/[ \t]\/\/[^"]*$/, "", line)
            text = text " " line
        }
        close(files[f])
        scan(files[f], text)
    }
    for (pair in edge) {
        split(pair, ends, SUBSEP)
        if ((ends[2] SUBSEP ends[1]) in edge && ends[1] < ends[2])
            violation(edge[pair], "imports " ends[2] " and " edge[ends[2] SUBSEP ends[1]] " imports " ends[1] ": a module cycle")
    }
    for (pair in layer_edge) {
        split(pair, ends, SUBSEP)
        if ((ends[2] SUBSEP ends[1]) in layer_edge && ends[1] < ends[2])
            violation(layer_edge[pair], "crate::" ends[1] " imports crate::" ends[2] " and " layer_edge[ends[2] SUBSEP ends[1]] " imports back: a cycle between top-level modules")
    }
    if (bad) { print "check-layers: " bad " violation(s)"; exit 1 }
    print "check-layers: " nfiles " files, layers and module imports as documented"
}'
