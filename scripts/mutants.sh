#!/usr/bin/env bash
# Mutation score of the security-critical core (docs/MUTANTS.md): runs cargo-mutants over the
# given files (default: the whole core), each crate's files in one run against that crate's
# own unit tests (`--lib`), then prints caught / missed / unviable / timeout per file and the
# missed mutants.
#
#   scripts/mutants.sh --list                         # files and mutant counts, no build
#   scripts/mutants.sh mock-server/src/auth/tfs.rs    # one file (measure before a big run)
#   scripts/mutants.sh                                # the whole core: hours on 2 cores
#   scripts/mutants.sh --summary                      # the table of the last runs, no build
#
# Environment:
#   MUTANTS_OUT      where each run's cargo-mutants output goes (default target/mutants.out;
#                    one run-DATE folder per crate run; the table takes each file from its
#                    newest run, so files measured in different runs add up)
#   MUTANTS_TARGET   the target directory of the mutated builds (default target/mutants): kept
#                    between runs so only the workspace crates rebuild; never the main target/,
#                    whose build lock would stall your own cargo commands meanwhile
#   MUTANTS_TIMEOUT  seconds one mutant's tests may take before it counts as a timeout (60; the
#                    library's tests take about 5 s, and a mutant that loops forever
#                    would otherwise cost 5 minutes)
#   PROPTEST_CASES   cases of the decision's property test per mutant (300; the suite runs 2,000)
#   MUTANTS_RE       only the mutants whose description matches this regex (cargo-mutants
#                    --re), e.g. to re-run the missed ones after adding tests; the table
#                    overlays their new outcomes on the file's last full run
#
# cargo-mutants copies the tree (never --in-place: your worktree stays untouched and usable),
# runs one mutant at a time (--jobs 1), skips the baseline (the suite must be green before you
# start) and builds and tests only the crate's library (--lib): a mutant that only the
# integration tests catch counts as missed here, on purpose (the core's own tests must pin it).
# Needs cargo-mutants (cargo install --locked cargo-mutants) and python3.
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
# No debug info in the mutated builds: each mutant's rebuild and link is a third faster, and
# nothing here needs a debugger (a backtrace still names the functions).
export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-0}
export CARGO_PROFILE_TEST_DEBUG=${CARGO_PROFILE_TEST_DEBUG:-0}
# The decision's 2,000-case property dominated each mutant's test time; 300 cases keep it
# meaningful (the full suite still runs 2,000).
export PROPTEST_CASES=${PROPTEST_CASES:-300}
timeout=${MUTANTS_TIMEOUT:-60}

command -v cargo-mutants >/dev/null 2>&1 || {
  echo "cargo-mutants is not installed: cargo install --locked cargo-mutants" >&2
  exit 2
}

# The crate a file belongs to (its unit tests are the ones run).
package_of() {
  case "$1" in
    mock-server/*) echo ado-mock-server ;;
    conformance/*) echo ado-conformance ;;
    *) echo "scripts/mutants.sh: $1 is in no crate this script knows" >&2; return 1 ;;
  esac
}

mode=run
case "${1:-}" in
  --list) mode=list; shift ;;
  --summary) mode=summary; shift ;;
  -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) echo "scripts/mutants.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
esac
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("${CORE[@]}")
for file in "${files[@]}"; do
  [ -f "$file" ] || { echo "scripts/mutants.sh: no file $file" >&2; exit 2; }
  package_of "$file" >/dev/null
done

summary() { python3 scripts/mutants_summary.py "$out_root" "${files[@]}"; }

# cargo-mutants finds source files by following `mod` items from lib.rs; a module declared
# inside a macro is invisible to it (mock-server's internal modules are plain `mod` pairs for
# this reason), and its files then
# have no mutant at all. Say so instead of reporting them as never run.
unseen=$(cargo mutants --list-files --workspace 2>/dev/null || true)
for file in "${files[@]}"; do
  grep -qxF "$file" <<<"$unseen" || echo "warning: cargo-mutants does not see $file (a module declared inside a macro? see docs/MUTANTS.md): no mutant of it is generated" >&2
done

case "$mode" in
  list)
    for file in "${files[@]}"; do
      printf '%5d %s\n' "$(cargo mutants --list -f "$file" 2>/dev/null | wc -l)" "$file"
    done
    exit 0
    ;;
  summary) summary; exit 0 ;;
esac

for package in ado-mock-server ado-conformance; do
  args=()
  for file in "${files[@]}"; do
    [ "$(package_of "$file")" = "$package" ] && args+=(--file "$file")
  done
  [ ${#args[@]} -gt 0 ] || continue
  out="$out_root/run-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$out"
  # A filtered run only updates the mutants it ran (the table overlays it on full runs).
  [ -z "${MUTANTS_RE:-}" ] || printf '%s\n' "$MUTANTS_RE" >"$out/filter"
  [ -z "${MUTANTS_RE:-}" ] || args+=(--re "$MUTANTS_RE")
  count=$(cargo mutants --list "${args[@]}" 2>/dev/null | wc -l)
  [ "$count" -gt 0 ] || continue
  echo "== $package: $count mutants; progress: tail -f $out/run.log" >&2
  start=$(date +%s)
  # Exit status 2 means "some mutants missed", 3 "some timed out": the table says which.
  status=0
  cargo mutants "${args[@]}" \
    --package "$package" \
    --test-package "$package" \
    --cargo-arg=--lib \
    --jobs 1 \
    --baseline skip \
    --timeout "$timeout" \
    --build-timeout 900 \
    --output "$out" \
    --no-shuffle \
    --colors never \
    >"$out/run.log" 2>&1 || status=$?
  if [ "$status" != 0 ] && [ "$status" != 2 ] && [ "$status" != 3 ]; then
    echo "cargo-mutants failed for $package (exit $status): see $out/run.log" >&2
    tail -n 20 "$out/run.log" >&2
    exit "$status"
  fi
  echo "   $(($(date +%s) - start)) s" >&2
done
summary
