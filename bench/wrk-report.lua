-- wrk script: prints one "key=value" line the bench scripts read (latencies in microseconds).
-- With one connection the mean latency is 1/rps; wrk's own mean is not printed.
-- non2xx counts answers outside 200-399 (wrk's errors.status); the scripts check it against
-- the status they expect.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
