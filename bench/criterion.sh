#!/usr/bin/env bash
# The criterion benches (`cargo bench -p ado-mock-server`: decide per reason code, Basic
# parsing, the NTLM legs and their hashes, one request through the router, one request with a
# 1- and a 50,000-identity profile and their ratio) and a Markdown table of their medians in
# bench/out/criterion.md. About 4 minutes on 2 cores once built.
#
# Usage: bench/criterion.sh [BENCH...]      (e.g. bench/criterion.sh ntlm decide)

source "$(dirname "$0")/lib.sh"

# Bench targets by name: --benches would include the lib, whose test harness refuses
# criterion's options.
names=("$@")
[[ $# -gt 0 ]] || names=(decide basic ntlm request profile_size)
targets=()
for name in "${names[@]}"; do targets+=(--bench "$name"); done
(cd "$ROOT" && cargo bench -q -p ado-mock-server --features internals "${targets[@]}" -- --noplot) >"$OUT/criterion.log" 2>&1 || {
    tail -n 30 "$OUT/criterion.log" >&2
    exit 1
}
python3 - "$ROOT/target/criterion" >"$OUT/criterion.md" <<'PY'
import json, pathlib, sys
GROUPS = ["decide", "credential-parse", "ntlm-type2", "ntlm-type3", "ntlm-hashes", "request", "request-steps", "profile-size"]
rows = {}
for bench in pathlib.Path(sys.argv[1]).glob("*/*/new/benchmark.json"):
    meta = json.loads(bench.read_text())
    est = json.loads((bench.parent / "estimates.json").read_text())["median"]
    rows.setdefault(meta["group_id"], []).append((meta["function_id"], est))

def ns(x):
    return f"{x / 1000:.2f} µs" if x >= 1000 else f"{x:.0f} ns"

print("| group | bench | median | 95% interval |")
print("|---|---|---:|---:|")
for group in GROUPS:
    for name, est in sorted(rows.get(group, [])):
        ci = est["confidence_interval"]
        print(f"| {group} | {name} | {ns(est['point_estimate'])} | {ns(ci['lower_bound'])} to {ns(ci['upper_bound'])} |")
PY
cat "$OUT/criterion.md"
# The profile-size ratios (printed by the bench itself, measured round by round).
grep '^profile-size:' "$OUT/criterion.log" || true
