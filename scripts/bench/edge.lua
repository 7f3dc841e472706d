-- wrk script of scripts/bench/edge.sh: after wrk's own report, one line
-- "EDGE_RESULT {json}" with the raw counts, so nothing is parsed from wrk's
-- human-readable units. No request or response hook: those run Lua per
-- request and would lower the rate being measured.
-- errors.status counts responses with a status above 399 (wrk's
-- "Non-2xx or 3xx responses"); edge.sh also checks each URL answers 200.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'EDGE_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"status_errors":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
