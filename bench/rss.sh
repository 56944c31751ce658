#!/usr/bin/env bash
# Peak resident memory under 64 connections: each target started fresh, loaded with wrk for
# RSS_SECONDS, then its VmHWM (the kernel's peak RSS of the process) read from /proc; targets
# alternate each round.
#
#   figure "rss": idle_kib (VmHWM once started), peak_kib (VmHWM after the load), rps
#     mock        the mock server, GET {coll}/_apis/projects with the PAT; its journal (10,000
#                 entries) fills within the first seconds, so the peak includes a full journal
#     hello       the bare endpoint, GET /hello
#     mountebank  Mountebank (the node process), the keep-alive imposter, the same request
#
# Usage: bench/rss.sh            (ROUNDS=3 RSS_SECONDS=8 CONNECTIONS=64; SKIP_BUILD=1)

source "$(dirname "$0")/lib.sh"

ROUNDS="${RSS_ROUNDS:-3}"
RSS_SECONDS="${RSS_SECONDS:-8}"
CONNECTIONS="${CONNECTIONS:-64}"

ensure_wrk
ensure_mountebank
[[ -n "${SKIP_BUILD:-}" ]] || build_all
reset_figure rss

HEADER="$(pat_header)"
start_mock body-source
curl -sf -H "$HEADER" "http://$ADDR$PROJECTS" >"$OUT/mock-200.json"
stop "$PID"

measure() {
    local round="$1" name="$2" url header="" idle line
    case "$name" in
        mock) start_mock; url="http://$ADDR$PROJECTS"; header="$HEADER" ;;
        hello) start_hello; url="http://$ADDR/hello" ;;
        mountebank)
            start_mountebank mb-rss keep-alive "$HEADER" "$OUT/mock-200.json"
            url="http://$ADDR$PROJECTS"
            header="$HEADER"
            ;;
    esac
    idle="$(peak_rss_kib "$PID")"
    line="$(wrk_line "$CONNECTIONS" "$RSS_SECONDS" "$url" "$header")"
    expect_status "$line" ok
    line="idle_kib=$idle peak_kib=$(peak_rss_kib "$PID") rps=$(value rps "$line")"
    stop "$PID"
    record rss "$name" "$round" "$line"
    log "rss $name round $round: $line"
}

for round in $(seq 1 "$ROUNDS"); do
    for name in mock hello mountebank; do measure "$round" "$name"; done
done
python3 "$BENCH/summarize.py" "$RESULTS" rss
