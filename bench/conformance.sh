#!/usr/bin/env bash
# The conformance suite's own cost: the whole scenario library against a client, one case at
# a time (-j 1), compared with the sum of the client processes' own run times.
#
#   figure "conformance", per round (target = the manifest's name):
#     wall_ms               the ado-conformance process, start to exit (this script's clock)
#     engine_ms             results.json totals.duration_ms (first case started to last ended)
#     client_sum_ms         the sum of results.json cases[].duration_ms (each client process,
#                           spawn to exit, as the runner timed it; whole ms, rounded down)
#     overhead_per_case_ms  (engine_ms - client_sum_ms) / cases: per case, the mock server's
#                           start and stop, the temporary HOME, the checks and the reporting
#
# Client: CLIENT=path/to/manifest.toml; default conformance/clients/reference.toml (the
# reference client, built here as its manifest says), else conformance/clients/curl.toml.
#
# Usage: bench/conformance.sh            (ROUNDS=3; SKIP_BUILD=1)

source "$(dirname "$0")/lib.sh"

ROUNDS="${CONFORMANCE_ROUNDS:-3}"
CONFORMANCE="$ROOT/target/release/ado-conformance"
if [[ -z "${CLIENT:-}" ]]; then
    CLIENT="$ROOT/conformance/clients/reference.toml"
    [[ -f "$CLIENT" ]] || CLIENT="$ROOT/conformance/clients/curl.toml"
fi

if [[ -z "${SKIP_BUILD:-}" ]]; then
    log "building ado-conformance (release)"
    (cd "$ROOT" && cargo build --release -q -p ado-conformance)
    if [[ "$(basename "$CLIENT")" == reference.toml ]]; then
        log "building the reference client (debug, as its manifest expects)"
        (cd "$ROOT" && cargo build -q -p ado-tests --bin reference-client)
    fi
fi
reset_figure conformance

summarize_run() {
    python3 - "$1" "$2" <<'PY'
import json, sys
wall_ms, results = float(sys.argv[1]), json.load(open(sys.argv[2]))
cases = results["cases"]
engine = results["totals"]["duration_ms"]
clients = sum(c["duration_ms"] for c in cases)
verdicts = {}
for c in cases:
    verdicts[c["verdict"]] = verdicts.get(c["verdict"], 0) + 1
print(f"cases={len(cases)} wall_ms={wall_ms:.0f} engine_ms={engine} client_sum_ms={clients} "
      f"overhead_per_case_ms={(engine - clients) / max(len(cases), 1):.2f} "
      + " ".join(f"{k}={v}" for k, v in sorted(verdicts.items())))
PY
}

name="$(sed -n 's/^name = "\([^"]*\)".*/\1/p' "$CLIENT" | head -n1)"
log "client: $CLIENT ($name)"
for round in warmup $(seq 1 "$ROUNDS"); do
    dir="$OUT/conformance-$round"
    rm -rf "$dir"
    start_ns="$(date +%s%N)"
    # Exit 1 means some case failed: still a measurement (the verdicts are recorded too).
    status=0
    "$CONFORMANCE" run --client "$CLIENT" --scenarios "$ROOT/scenarios" --report-dir "$dir" -j 1 --color never \
        >"$dir.log" 2>&1 || status=$?
    wall_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    if [[ "$status" -gt 1 || ! -f "$dir/results.json" ]]; then
        log "ado-conformance failed (exit $status); see $dir.log"
        tail -n 20 "$dir.log" >&2
        exit 1
    fi
    line="$(summarize_run "$wall_ms" "$dir/results.json")"
    [[ "$round" == warmup ]] || record conformance "$name" "$round" "$line"
    log "conformance $name round $round: $line"
done
python3 "$BENCH/summarize.py" "$RESULTS" conformance
