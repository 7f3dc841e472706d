"""Report of scripts/bench/edge-router.sh (standard library only).

  edge_router.py WORK OUTDIR K=V...   reads WORK/<layout>/round-*/edge.json
                                      for the layouts without-router and
                                      router, writes OUTDIR/edge-router.json
                                      and OUTDIR/edge-router.md: per route the
                                      mean requests/s and p99 of the rounds
                                      and the router / no-router ratios;
                                      exits 1 if any round failed a route
"""
import glob
import json
import os
import sys

LAYOUTS = ("without-router", "router")


def rounds_of(work, layout):
    docs = []
    for path in sorted(glob.glob(os.path.join(work, layout, "round-*", "edge.json"))):
        with open(path) as f:
            docs.append(json.load(f))
    return docs


def mean(values):
    return sum(values) / len(values) if values else 0.0


def main(work, outdir, pairs):
    meta = dict(p.split("=", 1) for p in pairs)
    runs = {layout: rounds_of(work, layout) for layout in LAYOUTS}
    failed = sorted({f"{layout} {path}" for layout, docs in runs.items()
                     for d in docs for path in d.get("failed", [])})
    routes = []
    for row in (runs["without-router"][0]["rows"] if runs["without-router"] else []):
        path = row["workload"][4:]
        entry = {"path": path, "kind": row["case"]}
        for layout, docs in runs.items():
            rows = [r for d in docs for r in d["rows"] if r["workload"][4:] == path]
            entry[layout] = {
                "rounds": len(rows),
                "requests_per_s": mean([r["metrics"]["requests_per_s"] for r in rows]),
                "p99_ms": mean([r["metrics"]["p99_ms"] for r in rows]),
                "requests_per_s_each": [r["metrics"]["requests_per_s"] for r in rows],
                "p99_ms_each": [r["metrics"]["p99_ms"] for r in rows],
                "x_cache": rows[-1].get("x_cache", "") if rows else "",
                "cache_control": rows[-1].get("cache_control", "") if rows else "",
            }
        a, b = entry["without-router"], entry["router"]
        entry["ratio_requests_per_s"] = b["requests_per_s"] / a["requests_per_s"] if a["requests_per_s"] else 0
        entry["ratio_p99"] = b["p99_ms"] / a["p99_ms"] if a["p99_ms"] else 0
        routes.append(entry)
    load = runs["router"][0] if runs["router"] else {}
    doc = dict(meta, suite="edge-router", wrk=load.get("wrk", ""), warmup=load.get("warmup", ""),
               routes=routes, failed=failed)
    with open(os.path.join(outdir, "edge-router.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")

    md = ["### edge with and without the router", ""]
    md.append(f"- Command: `{meta.get('command')}` at commit `{meta.get('commit')}`")
    md.append(f"- Machine: {meta.get('machine')}; load average before the run: {meta.get('loadavg')}")
    md.append(f"- Load: `{doc['wrk']}` per route, server and round; warm-up: {doc['warmup']}; "
              f"{meta.get('rounds')} round(s), the order of the two servers flipped each round; "
              "both servers up throughout")
    md.append("")
    md.append("| route | kind | without router: requests/s | p99 ms | X-Cache "
              "| with router: requests/s | p99 ms | X-Cache | router / without: requests/s | p99 |")
    md.append("|---|---|---|---|---|---|---|---|---|---|")
    for e in routes:
        a, b = e["without-router"], e["router"]
        md.append(
            f"| `{e['path']}` | {e['kind']} | {a['requests_per_s']:,.0f} | {a['p99_ms']:,.2f} "
            f"| {a['x_cache'] or '(none)'} | {b['requests_per_s']:,.0f} | {b['p99_ms']:,.2f} "
            f"| {b['x_cache'] or '(none)'} | {e['ratio_requests_per_s']:.2f} | {e['ratio_p99']:.2f} |")
    md.append("")
    md.append("Each figure is the mean of the rounds; per round (requests/s, p99 ms):")
    md.append("")
    for e in routes:
        for layout in LAYOUTS:
            x = e[layout]
            each = ", ".join(f"{r:,.0f} / {p:,.2f}" for r, p in zip(x["requests_per_s_each"], x["p99_ms_each"]))
            md.append(f"- `{e['path']}` {layout}: {each}")
    if failed:
        md.append("")
        md.append(f"**FAILED**: non-2xx answers or socket errors on {', '.join(failed)}")
    with open(os.path.join(outdir, "edge-router.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    return 1 if failed or not routes else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
