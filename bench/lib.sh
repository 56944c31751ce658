# Sourced by the bench scripts: paths, builds, tool installs, servers, cleanup and recording.
# Nothing here measures; each figure's script does (see bench/README.md).
#
# Settings (environment):
#   ROUNDS    rounds per figure, each target once per round in turn (A B A B ...); default 5
#   BENCH_OUT where results go; default bench/out
# Every server listens on 127.0.0.1 only and is killed when the script exits (trap EXIT).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
TOOLS="$BENCH/.tools"
OUT="${BENCH_OUT:-$BENCH/out}"
ROUNDS="${ROUNDS:-5}"
RESULTS="$OUT/results.tsv"
# MOCK=PATH measures another build of the server (e.g. one built with --no-default-features).
MOCK="${MOCK:-$ROOT/target/release/ado-mock-server}"
HELLO="$BENCH/target/release/bench-hello"
LOADGEN="$BENCH/target/release/bench-loadgen"
MB_VERSION="2.9.1"
MB="$TOOLS/node_modules/mountebank/bin/mb"
PROFILE="$ROOT/scenarios/profiles/default.toml"
PROJECTS="/tfs/DefaultCollection/_apis/projects"
mkdir -p "$OUT" "$TOOLS"

# --- cleanup: every process a script starts is registered here and killed on exit ---------
BENCH_PIDS=()
bench_cleanup() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${BENCH_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap bench_cleanup EXIT

# Stops one registered server (and forgets it).
stop() {
    local pid="$1" kept=() p
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for p in "${BENCH_PIDS[@]}"; do
        [[ "$p" == "$pid" ]] || kept+=("$p")
    done
    BENCH_PIDS=("${kept[@]}")
}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- builds and tools ------------------------------------------------------------------------

# The mock server (workspace, release) and the two helper projects under bench/, which get the
# workspace's Cargo.lock so tokio, axum and hyper are the versions the mock server runs.
build_all() {
    log "building ado-mock-server (release)"
    (cd "$ROOT" && cargo build --release -q -p ado-mock-server)
    local project
    for project in hello loadgen; do
        log "building bench/$project (release)"
        cp "$ROOT/Cargo.lock" "$BENCH/$project/Cargo.lock"
        (cd "$BENCH/$project" && CARGO_TARGET_DIR="$BENCH/target" cargo build --release -q)
    done
}

# wrk from Debian's packages (apt-get needs root, as on these machines).
ensure_wrk() {
    command -v wrk >/dev/null && return
    log "installing wrk (apt)"
    apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
}

# Mountebank from npm, into bench/.tools/node_modules.
ensure_mountebank() {
    [[ -f "$MB" ]] && return
    log "installing mountebank@$MB_VERSION (npm) into bench/.tools"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent "mountebank@$MB_VERSION" >/dev/null
}

# --- servers ---------------------------------------------------------------------------------

# A free loopback port (the kernel's pick; released again for the server to take).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME COMMAND...: runs COMMAND with stdout in $OUT/NAME.log, waits for its
# "listening on http://ADDR" line; sets ADDR and PID.
start() {
    local name="$1" logfile="$OUT/$1.log" i
    shift
    "$@" >"$logfile" 2>&1 &
    PID=$!
    BENCH_PIDS+=("$PID")
    for i in $(seq 1 200); do
        ADDR="$(sed -n 's#^listening on http://##p' "$logfile" | head -n1)"
        [[ -n "$ADDR" ]] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    log "$name did not start; its output:"
    cat "$logfile" >&2
    return 1
}

# The standalone mock server with the default profile; RUST_LOG=warn drops the per-decision
# log lines (one stdout write per request otherwise).
start_mock() {
    start "${1:-mock}" env RUST_LOG=warn "$MOCK" --profile "$PROFILE" --listen 127.0.0.1:0 --control 127.0.0.1:0
}

# The bare axum endpoint; with CANNED set, other paths answer that saved response.
start_hello() {
    start "${1:-hello}" "$HELLO" 127.0.0.1:0 ${CANNED:+"$CANNED"}
}

# The default profile's PAT "full" of CONTOSO\joseph, and its Authorization header.
pat_header() {
    local token
    token="$("$MOCK" credentials --profile "$PROFILE" | sed -n 's/^  pat full: \([a-z0-9]*\) .*/\1/p' | head -n1)"
    [[ -n "$token" ]] || { log "no PAT 'full' in $PROFILE"; return 1; }
    printf 'Authorization: Basic %s' "$(printf ':%s' "$token" | base64 -w0)"
}

# mountebank_config FILE PORT MODE AUTH_HEADER BODY_FILE: an imposter answering GET $PROJECTS
# 200 with BODY_FILE for exactly AUTH_HEADER, 401 otherwise. MODE keep-alive sets
# "Connection: keep-alive" on every response; MODE close leaves Mountebank's default, which
# closes the connection after each response.
mountebank_config() {
    python3 - "$@" "$PROJECTS" <<'PY'
import json, sys
path, port, mode, auth, body_file, route = sys.argv[1:7]
name, value = auth.split(": ", 1)
extra = {"Connection": "keep-alive"} if mode == "keep-alive" else {}
ok = {"statusCode": 200, "headers": {"Content-Type": "application/json; charset=utf-8", **extra},
      "body": open(body_file).read()}
imposter = {
    "port": int(port), "protocol": "http", "host": "127.0.0.1",
    "defaultResponse": {"statusCode": 401, "headers": dict(extra)},
    "stubs": [{"predicates": [{"equals": {"method": "GET", "path": route, "headers": {name: value}},
                               "caseSensitive": True}],
               "responses": [{"is": ok}]}],
}
json.dump({"imposters": [imposter]}, open(path, "w"), indent=1)
PY
}

# start_mountebank NAME MODE AUTH_HEADER BODY_FILE: Mountebank (one node process) with the
# imposter loaded from its config file; sets ADDR (the imposter's) and PID.
start_mountebank() {
    local name="$1" mode="$2" auth="$3" body="$4" admin port config i
    admin="$(free_port)"
    port="$(free_port)"
    config="$OUT/$name.json"
    mountebank_config "$config" "$port" "$mode" "$auth" "$body"
    node "$MB" start --host 127.0.0.1 --port "$admin" --configfile "$config" --nologfile \
        --pidfile "$OUT/$name.pid" --loglevel warn >"$OUT/$name.log" 2>&1 &
    PID=$!
    BENCH_PIDS+=("$PID")
    ADDR="127.0.0.1:$port"
    for i in $(seq 1 300); do
        curl -s -o /dev/null "http://$ADDR/" && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    log "$name did not start; its output:"
    cat "$OUT/$name.log" >&2
    return 1
}

# Peak resident set (VmHWM) of a process, in KiB.
peak_rss_kib() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

# CPU time (user + system) a process has used so far, in milliseconds (/proc reports clock
# ticks of USER_HZ, 100 on Linux x86_64).
cpu_ms() {
    awk '{ sub(/^.*\) /, ""); print ($12 + $13) * 10 }' "/proc/$1/stat"
}

# per_us BEFORE_MS AFTER_MS COUNT: CPU microseconds per unit of work, one decimal.
per_us() {
    awk -v b="$1" -v a="$2" -v n="$3" 'BEGIN { printf "%.1f", (n > 0) ? (a - b) * 1000 / n : 0 }'
}

# --- load and recording ----------------------------------------------------------------------

# wrk_line CONNECTIONS SECONDS URL [HEADER]: one wrk run (one thread, like the load generator;
# the other core is the server's); prints wrk-report.lua's key=value line.
wrk_line() {
    local connections="$1" seconds="$2" url="$3" header="${4:-}"
    wrk -t1 -c"$connections" -d"${seconds}s" -s "$BENCH/wrk-report.lua" ${header:+-H "$header"} "$url" | tail -n1
}

# value KEY LINE: the value of KEY in a key=value line.
value() {
    tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"
}

# record FIGURE TARGET ROUND LINE: appends every key=value of LINE to $RESULTS.
record() {
    local figure="$1" target="$2" round="$3" pair
    for pair in $4; do
        printf '%s\t%s\t%s\t%s\t%s\n' "$figure" "$target" "$round" "${pair%%=*}" "${pair#*=}" >>"$RESULTS"
    done
}

# expect_status LINE WANT: wrk counts answers outside 2xx/3xx; WANT ok means none, WANT all
# means every one (the 401 path). Stops the script when the server answered otherwise.
expect_status() {
    local line="$1" want="$2" requests non2xx errors
    requests="$(value requests "$line")"
    non2xx="$(value non2xx "$line")"
    errors="$(value socket_errors "$line")"
    if [[ "$want" == ok && "$non2xx" != 0 ]] || [[ "$want" == all && "$non2xx" != "$requests" ]]; then
        log "unexpected statuses ($want expected): $line"
        return 1
    fi
    [[ "$errors" == 0 ]] || log "note: $errors socket errors in: $line"
}

# Clears this figure's earlier rows so a rerun replaces them.
reset_figure() {
    [[ -f "$RESULTS" ]] || return 0
    awk -F'\t' -v f="$1" '$1 != f' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
}
