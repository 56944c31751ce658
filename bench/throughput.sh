#!/usr/bin/env bash
# Throughput and latency over loopback, every target in the same run, rounds alternating
# (target A, B, C, ... then again), medians in bench/out/summary.md (bench/summarize.py).
#
#   figure "throughput": wrk, 64 connections (CONNECTIONS), SECONDS_PER_RUN each:
#     mock-pat          the mock server: GET {coll}/_apis/projects with the PAT (200)
#     hello             the bare axum endpoint: GET /hello (the baseline)
#     hello-same-bytes  the bare endpoint answering the mock's 200, header for header (splits
#                       the gap into "bigger answer" and "the mock's own work")
#     mock-401          the mock server without credentials (401 + challenges, IIS page)
#     mb-keepalive      Mountebank, same route, 200 for the exact PAT header, keep-alive set
#     mb-keepalive-401  Mountebank's 401 (no header), keep-alive set
#     mb-close          Mountebank as configured by default: it closes every connection
#   figure "latency": one connection, LATENCY_SECONDS each: mock-pat, hello, mb-keepalive.
# Besides wrk's figures, each run records server_cpu_us: the server process's CPU time (user +
# system, from /proc) per request, which the other core's load disturbs less than req/s.
#
# Usage: bench/throughput.sh            (ROUNDS=5 SECONDS_PER_RUN=4; SKIP_BUILD=1 to reuse builds)

source "$(dirname "$0")/lib.sh"

SECONDS_PER_RUN="${SECONDS_PER_RUN:-4}"
LATENCY_SECONDS="${LATENCY_SECONDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"

ensure_wrk
ensure_mountebank
[[ -n "${SKIP_BUILD:-}" ]] || build_all
reset_figure throughput
reset_figure latency

HEADER="$(pat_header)"
start_mock
MOCK_ADDR="$ADDR"
MOCK_PID="$PID"
# The mock's own 200, saved for the same-bytes endpoint and as Mountebank's body.
curl -sf -i -H "$HEADER" "http://$MOCK_ADDR$PROJECTS" >"$OUT/mock-200.http"
curl -sf -H "$HEADER" "http://$MOCK_ADDR$PROJECTS" >"$OUT/mock-200.json"
CANNED="$OUT/mock-200.http" start_hello
HELLO_ADDR="$ADDR"
HELLO_PID="$PID"
start_mountebank mb-keepalive keep-alive "$HEADER" "$OUT/mock-200.json"
MBK_ADDR="$ADDR"
MBK_PID="$PID"
start_mountebank mb-close close "$HEADER" "$OUT/mock-200.json"
MBC_ADDR="$ADDR"
MBC_PID="$PID"

# name|url|Authorization header or empty|expected statuses (ok: 2xx, all: every answer a
# 401)|server process (its CPU time per request is recorded as server_cpu_us)
TARGETS=(
    "mock-pat|http://$MOCK_ADDR$PROJECTS|$HEADER|ok|$MOCK_PID"
    "hello|http://$HELLO_ADDR/hello||ok|$HELLO_PID"
    "hello-same-bytes|http://$HELLO_ADDR$PROJECTS||ok|$HELLO_PID"
    "mock-401|http://$MOCK_ADDR$PROJECTS||all|$MOCK_PID"
    "mb-keepalive|http://$MBK_ADDR$PROJECTS|$HEADER|ok|$MBK_PID"
    "mb-keepalive-401|http://$MBK_ADDR$PROJECTS||all|$MBK_PID"
    "mb-close|http://$MBC_ADDR$PROJECTS|$HEADER|ok|$MBC_PID"
)
LATENCY_TARGETS=("${TARGETS[0]}" "${TARGETS[1]}" "${TARGETS[4]}")

run_target() {
    local figure="$1" connections="$2" seconds="$3" round="$4" spec="$5" name url header want pid line before
    IFS='|' read -r name url header want pid <<<"$spec"
    before="$(cpu_ms "$pid")"
    line="$(wrk_line "$connections" "$seconds" "$url" "$header")"
    expect_status "$line" "$want"
    line="$line server_cpu_us=$(per_us "$before" "$(cpu_ms "$pid")" "$(value requests "$line")")"
    [[ "$round" == warmup ]] || record "$figure" "$name" "$round" "$line"
    log "$figure $name round $round: $line"
}

log "warm-up: 1 s per target"
for spec in "${TARGETS[@]}"; do run_target throughput "$CONNECTIONS" 1 warmup "$spec"; done
for round in $(seq 1 "$ROUNDS"); do
    for spec in "${TARGETS[@]}"; do run_target throughput "$CONNECTIONS" "$SECONDS_PER_RUN" "$round" "$spec"; done
done
for round in $(seq 1 "$ROUNDS"); do
    for spec in "${LATENCY_TARGETS[@]}"; do run_target latency 1 "$LATENCY_SECONDS" "$round" "$spec"; done
done
python3 "$BENCH/summarize.py" "$RESULTS" throughput latency
