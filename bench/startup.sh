#!/usr/bin/env bash
# Time from process start to the first answered request, alternating targets each round.
#
#   figure "startup" (bench-loadgen startup: spawn, then connect-and-ask every 0.2 ms):
#     mock        ado-mock-server --profile default.toml; first 200 to GET {coll}/_apis/projects
#                 with the PAT (profile parsing, PAT derivation, binding both ports included)
#     hello       the bare endpoint; first 200 to GET /hello
#     mountebank  node + Mountebank with the imposter in its config file; first 200 from the
#                 imposter for the PAT
#
# Usage: bench/startup.sh            (ROUNDS=5; SKIP_BUILD=1)

source "$(dirname "$0")/lib.sh"

ensure_mountebank
[[ -n "${SKIP_BUILD:-}" ]] || build_all
reset_figure startup

HEADER="$(pat_header)"
start_mock body-source
curl -sf -H "$HEADER" "http://$ADDR$PROJECTS" >"$OUT/mock-200.json"
stop "$PID"

measure() {
    local round="$1" name="$2" port line
    port="$(free_port)"
    case "$name" in
        mock)
            line="$("$LOADGEN" startup --addr "127.0.0.1:$port" --path "$PROJECTS" --header "$HEADER" -- \
                env RUST_LOG=warn "$MOCK" --profile "$PROFILE" --listen "127.0.0.1:$port" --control 127.0.0.1:0)"
            ;;
        hello)
            line="$("$LOADGEN" startup --addr "127.0.0.1:$port" --path /hello -- "$HELLO" "127.0.0.1:$port")"
            ;;
        mountebank)
            mountebank_config "$OUT/mb-startup.json" "$port" keep-alive "$HEADER" "$OUT/mock-200.json"
            line="$("$LOADGEN" startup --addr "127.0.0.1:$port" --path "$PROJECTS" --header "$HEADER" -- \
                node "$MB" start --host 127.0.0.1 --port "$(free_port)" --configfile "$OUT/mb-startup.json" \
                --nologfile --pidfile "$OUT/mb-startup.pid" --loglevel warn)"
            ;;
    esac
    [[ "$(value status "$line")" == 200 ]] || { log "$name answered: $line"; return 1; }
    [[ "$round" == warmup ]] || record startup "$name" "$round" "$line"
    log "startup $name round $round: $line"
}

# One warm-up each: the first start after a build reads the binary from disk.
for name in mock hello mountebank; do measure warmup "$name"; done
for round in $(seq 1 "$ROUNDS"); do
    for name in mock hello mountebank; do measure "$round" "$name"; done
done
python3 "$BENCH/summarize.py" "$RESULTS" startup
