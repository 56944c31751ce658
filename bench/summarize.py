#!/usr/bin/env python3
"""Medians and same-run ratios from bench/out/results.tsv, as Markdown.

Usage: summarize.py RESULTS.tsv [FIGURE ...]   (all figures when none is named)

Each row of RESULTS.tsv is: figure, target, round, key, value. A figure's table shows, per
target, the median over rounds of its main metrics; below it, each ratio is the ratio of the
two medians (or their difference, where the label says so), with the range of the per-round
ratios (rounds alternate targets, so round r of A and round r of B ran back to back).
"""

import statistics
import sys
from collections import defaultdict

# figure -> (metrics shown, ratios as (label, numerator target, denominator target, metric))
FIGURES = {
    "throughput": (
        ["rps", "p50_us", "p99_us", "server_cpu_us"],
        [
            ("authenticated / bare endpoint", "mock-pat", "hello", "rps"),
            ("server CPU per request, authenticated / bare endpoint", "mock-pat", "hello", "server_cpu_us"),
            ("authenticated / bare endpoint with the same bytes", "mock-pat", "hello-same-bytes", "rps"),
            # Issue 14's CPU figure: the mock's work beyond HTTP/1.1 itself, same bytes on the wire.
            (
                "server CPU per request, authenticated / bare endpoint with the same bytes",
                "mock-pat",
                "hello-same-bytes",
                "server_cpu_us",
            ),
            ("same bytes / bare endpoint", "hello-same-bytes", "hello", "rps"),
            ("authenticated / Mountebank keep-alive", "mock-pat", "mb-keepalive", "rps"),
            ("authenticated / Mountebank default (closes)", "mock-pat", "mb-close", "rps"),
            ("401 path / bare endpoint", "mock-401", "hello", "rps"),
            ("401 path / Mountebank 401 keep-alive", "mock-401", "mb-keepalive-401", "rps"),
        ],
    ),
    "latency": (
        ["p50_us", "p99_us", "rps", "server_cpu_us"],
        [
            ("median latency, authenticated / bare endpoint", "mock-pat", "hello", "p50_us"),
            ("median latency the mock adds to the bare endpoint's, µs", "mock-pat", "hello", "p50_us-diff"),
            # One connection: the mean latency is 1/rps, so its ratio is the inverse rps ratio.
            ("mean latency (1/rps), authenticated / bare endpoint", "hello", "mock-pat", "rps"),
            ("median latency, authenticated / Mountebank keep-alive", "mock-pat", "mb-keepalive", "p50_us"),
        ],
    ),
    "ntlm": (
        ["rate", "server_cpu_us", "client_cpu_us", "failures"],
        [
            ("NTLM handshakes / two PAT requests, fresh connections", "ntlm-handshake", "fresh-pat-pair", "rate"),
            ("NTLM handshakes / two bare requests, fresh connections", "ntlm-handshake", "fresh-hello-pair", "rate"),
            ("server CPU per handshake the NTLM legs add, µs", "ntlm-handshake", "fresh-pat-pair", "server_cpu_us-diff"),
            ("client CPU per handshake the NTLM legs add, µs", "ntlm-handshake", "fresh-pat-pair", "client_cpu_us-diff"),
        ],
    ),
    "tls-throughput": (
        ["rps", "p50_us", "p99_us", "server_cpu_us"],
        [
            ("authenticated, https / http (keep-alive)", "https-pat", "http-pat", "rps"),
            ("server CPU per authenticated request, https / http", "https-pat", "http-pat", "server_cpu_us"),
            ("server CPU per request TLS adds, µs", "https-pat", "http-pat", "server_cpu_us-diff"),
            ("401 path, https / http", "https-401", "http-401", "rps"),
        ],
    ),
    "tls-ntlm": (
        ["rate", "server_cpu_us", "client_cpu_us", "failures"],
        [
            ("NTLM handshakes on fresh connections, https / http", "ntlm-https", "ntlm-http", "rate"),
            ("two PAT requests on fresh connections, https / http", "pair-https", "pair-http", "rate"),
            ("NTLM handshakes / two PAT requests, both over https", "ntlm-https", "pair-https", "rate"),
            ("server CPU per connection TLS adds (PAT pair), µs", "pair-https", "pair-http", "server_cpu_us-diff"),
            ("server CPU per handshake TLS adds (NTLM), µs", "ntlm-https", "ntlm-http", "server_cpu_us-diff"),
        ],
    ),
    "startup": (
        ["startup_ms"],
        [
            ("Mountebank start-up / mock start-up (times faster)", "mountebank", "mock", "startup_ms"),
            ("mock start-up / bare endpoint start-up", "mock", "hello", "startup_ms"),
        ],
    ),
    "rss": (
        ["peak_kib", "idle_kib", "rps"],
        [
            ("Mountebank peak RSS / mock peak RSS (times smaller)", "mountebank", "mock", "peak_kib"),
            ("mock peak RSS / bare endpoint peak RSS", "mock", "hello", "peak_kib"),
        ],
    ),
    "conformance": (
        ["cases", "wall_ms", "engine_ms", "client_sum_ms", "overhead_per_case_ms"],
        [],
    ),
}


def load(path):
    data = defaultdict(lambda: defaultdict(dict))  # figure -> (target, key) -> round -> value
    with open(path) as f:
        for line in f:
            figure, target, rnd, key, value = line.rstrip("\n").split("\t")
            try:
                data[figure][(target, key)][rnd] = float(value)
            except ValueError:
                pass
    return data


def fmt(x):
    return f"{x:.3g}" if abs(x) < 100 else f"{x:,.0f}"


def table(figure, rows):
    metrics, ratios = FIGURES.get(figure, ([], []))
    targets = list(dict.fromkeys(t for (t, _k) in rows))
    if not metrics:
        metrics = sorted({k for (_t, k) in rows})
    out = [f"### {figure}", "", "| target | rounds | " + " | ".join(f"median {m}" for m in metrics) + " |"]
    out.append("|---|---:|" + "---:|" * len(metrics))
    for t in targets:
        cells, rounds = [], 0
        for m in metrics:
            values = list(rows.get((t, m), {}).values())
            rounds = max(rounds, len(values))
            cells.append(fmt(statistics.median(values)) if values else "")
        out.append(f"| {t} | {rounds} | " + " | ".join(cells) + " |")
    lines = []
    for label, a, b, m in ratios:
        # "metric-diff" compares by difference (A - B) instead of ratio (A / B).
        diff = m.endswith("-diff")
        m = m.removesuffix("-diff")
        ra, rb = rows.get((a, m)), rows.get((b, m))
        if not ra or not rb:
            continue
        ma, mb = statistics.median(ra.values()), statistics.median(rb.values())
        paired = [ra[r] - rb[r] if diff else ra[r] / rb[r] for r in ra if r in rb and (diff or rb[r])]
        spread = f" (per round {min(paired):.2f} to {max(paired):.2f})" if paired else ""
        lines.append(f"- {label}: **{ma - mb if diff else ma / mb:.2f}**{spread}")
    if lines:
        out += [""] + lines
    return "\n".join(out) + "\n"


def main():
    data = load(sys.argv[1])
    wanted = sys.argv[2:] or list(FIGURES)
    print("\n".join(table(f, data[f]) for f in wanted if f in data))


if __name__ == "__main__":
    main()
