#!/usr/bin/env bash
# HTTPS beside http, every target in the same run, rounds alternating, medians in
# bench/out/summary.md (bench/summarize.py). Two mock servers from the same release binary: the
# default profile, and the same with [tls] enabled = true (its generated CA is handed to the
# load generator; wrk does not verify certificates).
#
#   figure "tls-throughput": wrk, 64 connections (CONNECTIONS), SECONDS_PER_RUN each, keep-alive
#   (one TLS handshake per connection, then requests):
#     http-pat        GET {coll}/_apis/projects with the PAT over http (200)
#     https-pat       the same over https
#     http-401        no credentials over http (401 + challenges)
#     https-401       the same over https
#   figure "tls-ntlm": bench-loadgen, one thread, CONCURRENCY workers, a fresh connection per
#   iteration (over https: a full TLS handshake each time, session resumption off):
#     ntlm-http       NEGOTIATE -> 401 CHALLENGE; AUTHENTICATE -> 200
#     ntlm-https      the same over https
#     pair-http       two GETs with the PAT (the handshake's round trips without NTLM)
#     pair-https      the same over https (splits "TLS" from "NTLM" in the https handshake)
# Each run records the server process's CPU time per request or iteration (server_cpu_us).
#
# Usage: bench/tls.sh            (ROUNDS=5 SECONDS_PER_RUN=4 CONCURRENCY=8; SKIP_BUILD=1)

source "$(dirname "$0")/lib.sh"

SECONDS_PER_RUN="${SECONDS_PER_RUN:-4}"
CONNECTIONS="${CONNECTIONS:-64}"
CONCURRENCY="${CONCURRENCY:-8}"

ensure_wrk
[[ -n "${SKIP_BUILD:-}" ]] || build_all
reset_figure tls-throughput
reset_figure tls-ntlm

HEADER="$(pat_header)"
start_mock mock-http
HTTP_ADDR="$ADDR"
HTTP_PID="$PID"
# The default profile with TLS on (scenarios override profiles the same way).
TLS_PROFILE="$OUT/default-tls.toml"
{ cat "$PROFILE"; printf '\n[tls]\nenabled = true\n'; } >"$TLS_PROFILE"
RUST_LOG=warn "$MOCK" --profile "$TLS_PROFILE" --listen 127.0.0.1:0 --control 127.0.0.1:0 >"$OUT/mock-https.log" 2>&1 &
HTTPS_PID=$!
BENCH_PIDS+=("$HTTPS_PID")
for _ in $(seq 1 200); do
    HTTPS_ADDR="$(sed -n 's#^listening on https://##p' "$OUT/mock-https.log" | head -n1)"
    CA_FILE="$(sed -n 's#^ca-file ##p' "$OUT/mock-https.log" | head -n1)"
    [[ -n "$HTTPS_ADDR" && -n "$CA_FILE" ]] && break
    sleep 0.05
done
[[ -n "$CA_FILE" ]] || { log "the https mock did not start"; cat "$OUT/mock-https.log" >&2; exit 1; }
# Verification on for the check that it serves what it should.
curl -sf --cacert "$CA_FILE" -H "$HEADER" "https://$HTTPS_ADDR$PROJECTS" >/dev/null

# name|url|Authorization header or empty|expected (ok: 2xx, all: every answer a 401)|server
TARGETS=(
    "http-pat|http://$HTTP_ADDR$PROJECTS|$HEADER|ok|$HTTP_PID"
    "https-pat|https://$HTTPS_ADDR$PROJECTS|$HEADER|ok|$HTTPS_PID"
    "http-401|http://$HTTP_ADDR$PROJECTS||all|$HTTP_PID"
    "https-401|https://$HTTPS_ADDR$PROJECTS||all|$HTTPS_PID"
)

run_wrk() {
    local round="$1" seconds="$2" spec="$3" name url header want pid line before
    IFS='|' read -r name url header want pid <<<"$spec"
    before="$(cpu_ms "$pid")"
    line="$(wrk_line "$CONNECTIONS" "$seconds" "$url" "$header")"
    expect_status "$line" "$want"
    line="$line server_cpu_us=$(per_us "$before" "$(cpu_ms "$pid")" "$(value requests "$line")")"
    [[ "$round" == warmup ]] || record tls-throughput "$name" "$round" "$line"
    log "tls-throughput $name round $round: $line"
}

# name|load generator mode|address|header|TLS CA file or empty|server
LOADS=(
    "ntlm-http|ntlm|$HTTP_ADDR|||$HTTP_PID"
    "ntlm-https|ntlm|$HTTPS_ADDR||$CA_FILE|$HTTPS_PID"
    "pair-http|fresh|$HTTP_ADDR|$HEADER||$HTTP_PID"
    "pair-https|fresh|$HTTPS_ADDR|$HEADER|$CA_FILE|$HTTPS_PID"
)

run_load() {
    local round="$1" seconds="$2" spec="$3" name mode addr header ca pid line before
    IFS='|' read -r name mode addr header ca pid <<<"$spec"
    before="$(cpu_ms "$pid")"
    line="$("$LOADGEN" "$mode" --addr "$addr" --path "$PROJECTS" ${header:+--header "$header"} ${ca:+--tls "$ca"} \
        --user joseph --domain CONTOSO --password 'Passw0rd!' \
        --requests 2 --concurrency "$CONCURRENCY" --seconds "$seconds")"
    line="$line server_cpu_us=$(per_us "$before" "$(cpu_ms "$pid")" "$(value iterations "$line")")"
    [[ "$(value failures "$line")" == 0 ]] || log "note: failures in $name: $line"
    [[ "$round" == warmup ]] || record tls-ntlm "$name" "$round" "$line"
    log "tls-ntlm $name round $round: $line"
}

log "warm-up: 1 s per target"
for spec in "${TARGETS[@]}"; do run_wrk warmup 1 "$spec"; done
for spec in "${LOADS[@]}"; do run_load warmup 1 "$spec"; done
for round in $(seq 1 "$ROUNDS"); do
    for spec in "${TARGETS[@]}"; do run_wrk "$round" "$SECONDS_PER_RUN" "$spec"; done
done
for round in $(seq 1 "$ROUNDS"); do
    for spec in "${LOADS[@]}"; do run_load "$round" "$SECONDS_PER_RUN" "$spec"; done
done
python3 "$BENCH/summarize.py" "$RESULTS" tls-throughput tls-ntlm
