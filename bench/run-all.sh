#!/usr/bin/env bash
# Every loopback figure in one run: installs wrk (apt) and Mountebank (npm, bench/.tools)
# when missing, builds the mock server, the bench's bare endpoint and load generator, the
# runner and the reference client, then runs each figure's script and writes
# bench/out/summary.md (medians and same-run ratios) next to bench/out/results.tsv.
#
# About 9 minutes on 2 cores once built (ROUNDS=5). The criterion benches are separate:
# bench/criterion.sh (`cargo bench -p ado-mock-server` and a table of its medians).
#
# Usage: bench/run-all.sh

source "$(dirname "$0")/lib.sh"

ensure_wrk
ensure_mountebank
build_all
rm -f "$RESULTS"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
export SKIP_BUILD=1
bash "$BENCH/throughput.sh"
bash "$BENCH/ntlm.sh"
bash "$BENCH/tls.sh"
bash "$BENCH/startup.sh"
bash "$BENCH/rss.sh"
unset SKIP_BUILD
bash "$BENCH/conformance.sh"
{
    echo "# Bench run $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)," \
        "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
    echo
    # Other work on the machine moves every figure; the ratios less so.
    echo "Load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "Commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- mock-server/src || echo ' (mock-server/src modified)')"
    echo
    python3 "$BENCH/summarize.py" "$RESULTS"
} >"$OUT/summary.md"
log "summary: $OUT/summary.md"
cat "$OUT/summary.md"
