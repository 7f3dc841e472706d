"""Helpers of scripts/bench/edge.sh (standard library only).

  edge.py sample PID OUT    until SIGTERM: every 0.2 s, the RSS and CPU time
                            of PID (serve) and of all its descendants (the
                            node workers); writes OUT (JSON) on exit
  edge.py check URL         GETs URL once, no redirects; prints one JSON line:
                            status, body bytes, Cache-Control, Content-Type
  edge.py warm URL N SECS    N clients, each sending GET URL over one
                            keep-alive connection until SECS pass; every
                            request is read to its end (see warm())
  edge.py meta K=V...       prints the pairs as one JSON object
  edge.py report RUN OUTDIR reads RUN/meta.json and RUN/results.jsonl, writes
                            OUTDIR/edge.json and OUTDIR/edge.md; exits 1 if
                            any route had a non-2xx answer or socket error
"""
import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
import urllib.error
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024


def proc_table():
    """{pid: (ppid, cpu_s)} for every live process, from /proc/PID/stat
    (zombies left: serve reaps a stopped worker some time later)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z":
            continue
        table[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    return table


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine_cpu():
    """(busy, total) jiffies of all CPUs together, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:9]]  # guest is in user already
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def descendants(root, table):
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def sample(root, out):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    first_cpu, last_cpu = {}, {}
    t_first = t_last = time.monotonic()
    machine_first = machine_last = machine_cpu()
    serve_rss = workers_rss = worker_rss_max = 0
    workers_max = 0
    seen = set()
    while True:
        table = proc_table()
        if root not in table:
            break
        t_last = time.monotonic()
        machine_last = machine_cpu()
        kids = descendants(root, table)
        for pid in [root] + kids:
            first_cpu.setdefault(pid, table[pid][1])
            last_cpu[pid] = table[pid][1]
        rss = [status_kib(pid, "VmRSS") for pid in kids]
        serve_rss = max(serve_rss, status_kib(root, "VmRSS"))
        workers_rss = max(workers_rss, sum(rss))
        worker_rss_max = max([worker_rss_max] + rss)
        workers_max = max(workers_max, len(kids))
        seen.update(kids)
        if stop:
            break
        time.sleep(0.2)
    # CPU of processes seen at least twice; a worker started mid-run counts
    # from its first sample (it had just started, so that is close to 0).
    cpu = {pid: last_cpu[pid] - first_cpu[pid] for pid in last_cpu}
    busy = machine_last[0] - machine_first[0]
    total = machine_last[1] - machine_first[1]
    result = {
        "span_s": t_last - t_first,
        # All CPUs busy = 100 × cores, as the per-process figures.
        "machine_cpu_pct": 100 * os.cpu_count() * busy / total if total else 0.0,
        "serve_rss_mib": serve_rss * 1024 / MIB,
        "serve_peak_rss_mib": status_kib(root, "VmHWM") * 1024 / MIB,
        "workers": workers_max,
        "workers_seen": len(seen),
        "workers_rss_mib": workers_rss * 1024 / MIB,
        "worker_rss_max_mib": worker_rss_max * 1024 / MIB,
        "serve_cpu_s": cpu.get(root, 0.0),
        "workers_cpu_s": sum(v for pid, v in cpu.items() if pid != root),
    }
    with open(out, "w") as f:
        json.dump(result, f)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check(url):
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as r:
            status, headers, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read()
    except OSError as e:
        status, headers, body = 0, {}, str(e).encode()
    print(json.dumps({
        "status": status,
        "body_bytes": len(body),
        "cache_control": headers.get("Cache-Control", ""),
        "content_type": headers.get("Content-Type", ""),
        "x_cache": headers.get("X-Cache", ""),
        "body_head": body[:200].decode("utf-8", "replace") if status != 200 else "",
    }))
    return 0 if status == 200 else 1


def warm(url, clients, seconds):
    """Warm-up load that ends with no request in flight.

    wrk stops by closing its connections mid-request. Until bcbebd9, serve
    then stopped the node worker whose request was cancelled, so a wrk
    warm-up left the measured run on cold workers; since, the abandoned
    requests still run for a while after wrk exits. Here each client reads
    its last answer before it stops.
    """
    parts = urllib.parse.urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    deadline = time.monotonic() + seconds
    counts, lock = {}, threading.Lock()

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.monotonic() < deadline:
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                status = 0
            with lock:
                counts[status] = counts.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"requests": sum(counts.values()), "statuses": counts}))
    return 0 if set(counts) <= {200} else 1


def fmt(v, digits=1):
    return f"{v:,.{digits}f}"


def report(run, outdir):
    with open(os.path.join(run, "meta.json")) as f:
        meta = json.load(f)
    routes = []
    with open(os.path.join(run, "results.jsonl")) as f:
        routes = [json.loads(line) for line in f if line.strip()]
    rows, failed = [], []
    for r in routes:
        w, p = r["wrk"], r["procs"]
        seconds = w["duration_us"] / 1e6
        socket_errors = w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["timeouts"]
        non_2xx = w["status_errors"] + sum(c["status"] != 200 for c in r["checks"])
        if non_2xx or socket_errors:
            failed.append(r["path"])
        rows.append({
            "workload": "GET " + r["path"],
            "case": r["kind"],
            "endpoint": "embedded",
            "subject": "anchor serve",
            "cache_control": r["checks"][0]["cache_control"],
            "content_type": r["checks"][0]["content_type"],
            # The check after the load: the answer a warm edge gives.
            "x_cache": r["checks"][-1].get("x_cache", ""),
            "metrics": {
                "requests": w["requests"],
                "requests_per_s": w["requests"] / seconds,
                "p50_ms": w["p50_us"] / 1000,
                "p90_ms": w["p90_us"] / 1000,
                "p99_ms": w["p99_us"] / 1000,
                "max_ms": w["max_us"] / 1000,
                "non_2xx": non_2xx,
                "socket_errors": socket_errors,
                "transfer_mib_per_s": w["bytes"] / seconds / MIB,
                "body_bytes": r["checks"][0]["body_bytes"],
                "serve_cpu_pct": 100 * p["serve_cpu_s"] / (p.get("span_s") or seconds),
                "workers_cpu_pct": 100 * p["workers_cpu_s"] / (p.get("span_s") or seconds),
                "wrk_cpu_pct": 100 * r["wrk_cpu_s"] / seconds,
                "machine_cpu_pct": p.get("machine_cpu_pct", 0.0),
                "serve_rss_mib": p["serve_rss_mib"],
                "serve_peak_rss_mib": p["serve_peak_rss_mib"],
                "workers": p["workers"],
                "workers_seen": p.get("workers_seen", p["workers"]),
                "workers_rss_mib": p["workers_rss_mib"],
                "worker_rss_max_mib": p["worker_rss_max_mib"],
            },
        })
    doc = dict(meta, suite="edge", rows=rows, comparisons=[], failed=failed)
    with open(os.path.join(outdir, "edge.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")

    md = ["### edge", ""]
    md.append(f"- Command: `{meta['command']}` at commit `{meta['commit']}`")
    md.append(f"- Machine: {meta['machine']}; load average before the run: {meta['loadavg']}")
    md.append(f"- Load: `{meta['wrk']}` per route (closed loop, wrk on the same machine), "
              f"warm-up: {meta['warmup']}; serve: `{meta['serve']}`, node {meta.get('node', '?')}")
    md.append("")
    md.append("| route | kind | requests/s | p50 ms | p99 ms | non-2xx | socket errors "
              "| transfer MiB/s | CPU % serve / workers / wrk / whole machine "
              "| node workers: most at once / seen "
              "| workers RSS MiB |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        m = row["metrics"]
        md.append(
            f"| `{row['workload'][4:]}` | {row['case']} | {fmt(m['requests_per_s'], 0)} "
            f"| {fmt(m['p50_ms'], 2)} | {fmt(m['p99_ms'], 2)} | {m['non_2xx']} | {m['socket_errors']} "
            f"| {fmt(m['transfer_mib_per_s'], 2)} | {fmt(m['serve_cpu_pct'], 0)} / "
            f"{fmt(m['workers_cpu_pct'], 0)} / {fmt(m['wrk_cpu_pct'], 0)} / {fmt(m['machine_cpu_pct'], 0)} "
            f"| {m['workers']} / {m['workers_seen']} | {fmt(m['workers_rss_mib'])} |")
    peak = max((row["metrics"]["serve_peak_rss_mib"] for row in rows), default=0)
    workers = max((row["metrics"]["workers_rss_mib"] for row in rows), default=0)
    md.append("")
    md.append(f"CPU % is of one core ({os.cpu_count()} cores = {100 * os.cpu_count()} %); "
              "the whole machine's includes every other process on it.")
    md.append("")
    md.append(f"Peak RSS: serve {fmt(peak)} MiB (VmHWM); node workers {fmt(workers)} MiB "
              "together at most (sampled every 0.2 s). Response headers:")
    md.append("")
    for row in rows:
        m = row["metrics"]
        md.append(f"- `{row['workload'][4:]}`: {m['body_bytes']:,} bytes of "
                  f"`{row['content_type'] or '(no Content-Type)'}`, "
                  f"Cache-Control `{row['cache_control'] or '(none)'}`, "
                  f"X-Cache `{row['x_cache'] or '(none)'}`")
    if meta.get("serve_exit_after_sigterm_ms"):
        md.append("")
        md.append(f"Shutdown: serve exited {meta['serve_exit_after_sigterm_ms']} ms after SIGTERM; "
                  f"its node workers were all gone {meta['workers_gone_after_sigterm_ms']} ms after SIGTERM "
                  f"({meta['workers_killed_10s_after_shutdown']} still running 10 s after serve "
                  "exited, then killed).")
    if failed:
        md.append("")
        md.append(f"**FAILED**: non-2xx answers or socket errors on {', '.join(failed)}")
    with open(os.path.join(outdir, "edge.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "warm":
        sys.exit(warm(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    elif len(sys.argv) >= 2 and sys.argv[1] == "meta":
        print(json.dumps(dict(a.split("=", 1) for a in sys.argv[2:])))
    elif len(sys.argv) == 4 and sys.argv[1] == "sample":
        sample(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        sys.exit(report(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
