#!/usr/bin/env bash
# Full NTLM handshakes per second on fresh connections, against the same load generator doing
# the same connections and round trips without NTLM, in alternating rounds.
#
#   figure "ntlm" (bench-loadgen, one thread, CONCURRENCY workers, SECONDS_PER_RUN each):
#     ntlm-handshake    new connection; NEGOTIATE -> 401 CHALLENGE; AUTHENTICATE -> 200 (the
#                       client computes its NTLMv2 response with ntlmclient, as the tests do)
#     fresh-pat-pair    new connection; two GETs with the PAT -> 200, 200 (same round trips)
#     fresh-hello-pair  new connection; two GET /hello on the bare endpoint
# Each run also records the CPU time per iteration of the server (server_cpu_us, from /proc)
# and of the load generator (client_cpu_us), which says where a handshake's time goes.
#
# Usage: bench/ntlm.sh            (ROUNDS=5 SECONDS_PER_RUN=4 CONCURRENCY=8; SKIP_BUILD=1)

source "$(dirname "$0")/lib.sh"

SECONDS_PER_RUN="${SECONDS_PER_RUN:-4}"
CONCURRENCY="${CONCURRENCY:-8}"

[[ -n "${SKIP_BUILD:-}" ]] || build_all
reset_figure ntlm

HEADER="$(pat_header)"
start_mock
MOCK_ADDR="$ADDR"
MOCK_PID="$PID"
start_hello
HELLO_ADDR="$ADDR"
HELLO_PID="$PID"

# name|load generator mode|address|path|header|server process
TARGETS=(
    "ntlm-handshake|ntlm|$MOCK_ADDR|$PROJECTS||$MOCK_PID"
    "fresh-pat-pair|fresh|$MOCK_ADDR|$PROJECTS|$HEADER|$MOCK_PID"
    "fresh-hello-pair|fresh|$HELLO_ADDR|/hello||$HELLO_PID"
)

run_target() {
    local round="$1" seconds="$2" spec="$3" name mode addr path header pid line before
    IFS='|' read -r name mode addr path header pid <<<"$spec"
    before="$(cpu_ms "$pid")"
    line="$("$LOADGEN" "$mode" --addr "$addr" --path "$path" ${header:+--header "$header"} \
        --user joseph --domain CONTOSO --password 'Passw0rd!' \
        --requests 2 --concurrency "$CONCURRENCY" --seconds "$seconds")"
    line="$line server_cpu_us=$(per_us "$before" "$(cpu_ms "$pid")" "$(value iterations "$line")")"
    [[ "$(value failures "$line")" == 0 ]] || log "note: failures in $name: $line"
    [[ "$round" == warmup ]] || record ntlm "$name" "$round" "$line"
    log "ntlm $name round $round: $line"
}

for spec in "${TARGETS[@]}"; do run_target warmup 1 "$spec"; done
for round in $(seq 1 "$ROUNDS"); do
    for spec in "${TARGETS[@]}"; do run_target "$round" "$SECONDS_PER_RUN" "$spec"; done
done
python3 "$BENCH/summarize.py" "$RESULTS" ntlm
