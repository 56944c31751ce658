#!/usr/bin/env bash
# Mutation score of the security-critical core (docs/MUTANTS.md): runs cargo-mutants over each
# file, one file at a time, with only the owning crate's unit tests, and prints caught / missed /
# unviable / timeout per file, then the missed mutants.
#
#   scripts/mutants.sh                  # every file of the core (hours on 2 cores)
#   scripts/mutants.sh mock-server/src/auth/tfs.rs conformance/src/redact.rs
#   scripts/mutants.sh --list           # the files and how many mutants each has, no build
#   scripts/mutants.sh --summary        # reprint the table of the last runs (no build)
#
# Environment:
#   MUTANTS_OUT      where each file's cargo-mutants output goes (default target/mutants.out)
#   MUTANTS_TARGET   the target directory of the mutated builds (default target/mutants: kept
#                    between runs so only the workspace crates rebuild; never the main target/,
#                    whose build lock would stall your own cargo commands meanwhile)
#   MUTANTS_TIMEOUT  seconds one mutant's tests may take before it counts as a timeout (300)
#
# Each file runs in a copy of the tree (cargo-mutants' normal mode, never --in-place), one job
# at a time, against its crate's `--lib` tests: a mutant only the integration tests would catch
# counts as missed here, which is the point (the core's own tests must pin it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# The core: the auth decision and its layers, NTLM and SPNEGO verification, the journal, the
# leak finder and redaction, the runner's checks.
CORE=(
  mock-server/src/auth/decide.rs
  mock-server/src/auth/iis.rs
  mock-server/src/auth/windows.rs
  mock-server/src/auth/tfs.rs
  mock-server/src/auth/rules.rs
  mock-server/src/auth/logon.rs
  mock-server/src/auth/job_token.rs
  mock-server/src/auth/credential.rs
  mock-server/src/ntlm/verify.rs
  mock-server/src/ntlm/spnego/mod.rs
  mock-server/src/ntlm/spnego/mic.rs
  mock-server/src/journal.rs
  mock-server/src/secret/finder.rs
  mock-server/src/secret/view.rs
  conformance/src/redact.rs
)
for check in conformance/src/checks/*.rs; do
  case "$check" in */testing.rs) ;; *) CORE+=("$check") ;; esac
done

out_root=${MUTANTS_OUT:-$root/target/mutants.out}
export CARGO_TARGET_DIR=${MUTANTS_TARGET:-$root/target/mutants}
timeout=${MUTANTS_TIMEOUT:-300}

command -v cargo-mutants >/dev/null 2>&1 || {
  echo "cargo-mutants is not installed: cargo install --locked cargo-mutants" >&2
  exit 2
}

# The crate a file belongs to (its tests are the ones run).
package_of() {
  case "$1" in
    mock-server/*) echo ado-mock-server ;;
    conformance/*) echo ado-conformance ;;
    *) echo "scripts/mutants.sh: $1 is in no crate this script knows" >&2; return 1 ;;
  esac
}

# target/mutants.out/mock-server_src_auth_tfs.rs for mock-server/src/auth/tfs.rs.
out_dir_of() { echo "$out_root/${1//\//_}"; }

summary() {
  printf '%-44s %7s %7s %9s %8s %6s\n' file caught missed unviable timeout secs
  local total_caught=0 total_missed=0 total_unviable=0 total_timeout=0
  for file in "$@"; do
    local outcomes
    outcomes="$(out_dir_of "$file")/mutants.out/outcomes.json"
    if [ ! -f "$outcomes" ]; then
      printf '%-44s %7s\n' "$file" "not run"
      continue
    fi
    read -r caught missed unviable timeouts secs < <(jq -r '
      [(.outcomes | map(select(.scenario != "Baseline")) | map(.summary)) as $s
       | ($s | map(select(. == "CaughtMutant")) | length),
         ($s | map(select(. == "MissedMutant")) | length),
         ($s | map(select(. == "Unviable")) | length),
         ($s | map(select(. == "Timeout")) | length),
         (.outcomes | map(.phase_results[]?.duration) | add // 0 | floor)] | @tsv' "$outcomes")
    printf '%-44s %7d %7d %9d %8d %6d\n' "$file" "$caught" "$missed" "$unviable" "$timeouts" "$secs"
    total_caught=$((total_caught + caught))
    total_missed=$((total_missed + missed))
    total_unviable=$((total_unviable + unviable))
    total_timeout=$((total_timeout + timeouts))
  done
  local viable=$((total_caught + total_missed + total_timeout))
  printf '%-44s %7d %7d %9d %8d\n' total "$total_caught" "$total_missed" "$total_unviable" "$total_timeout"
  if [ "$viable" -gt 0 ]; then
    # A timeout counts as caught (the mutant never finished), as cargo-mutants' docs say.
    echo "score: $(((total_caught + total_timeout) * 1000 / viable / 10)).$(((total_caught + total_timeout) * 1000 / viable % 10))% of $viable viable mutants caught"
  fi
  local missed_list
  missed_list=$(for file in "$@"; do
    m="$(out_dir_of "$file")/mutants.out/missed.txt"
    [ -f "$m" ] && cat "$m"
  done)
  if [ -n "$missed_list" ]; then
    echo
    echo "missed:"
    echo "$missed_list" | sed 's/^/  /'
  fi
}

mode=run
case "${1:-}" in
  --list) mode=list; shift ;;
  --summary) mode=summary; shift ;;
  -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("${CORE[@]}")

case "$mode" in
  list)
    for file in "${files[@]}"; do
      printf '%5d %s\n' "$(cargo mutants --list -f "$file" 2>/dev/null | wc -l)" "$file"
    done
    exit 0
    ;;
  summary)
    summary "${files[@]}"
    exit 0
    ;;
esac

for file in "${files[@]}"; do
  [ -f "$file" ] || { echo "scripts/mutants.sh: no file $file" >&2; exit 2; }
  package=$(package_of "$file")
  out=$(out_dir_of "$file")
  mkdir -p "$out"
  echo "== $file ($package --lib, $(cargo mutants --list -f "$file" 2>/dev/null | wc -l) mutants)" >&2
  start=$(date +%s)
  # Exit status 2 means "some mutants missed", 3 "some timed out": the table says which.
  cargo mutants \
    --file "$file" \
    --package "$package" \
    --test-package "$package" \
    --jobs 1 \
    --baseline skip \
    --timeout "$timeout" \
    --build-timeout 900 \
    --output "$out" \
    --no-shuffle \
    --colors never \
    --cargo-test-arg=--lib \
    >"$out/run.log" 2>&1 || {
      status=$?
      if [ "$status" != 2 ] && [ "$status" != 3 ]; then
        echo "cargo-mutants failed on $file (exit $status): see $out/run.log" >&2
        tail -n 20 "$out/run.log" >&2
        exit "$status"
      fi
    }
  echo "   $(($(date +%s) - start)) s" >&2
done
summary "${files[@]}"
