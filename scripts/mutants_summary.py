#!/usr/bin/env python3
"""Per-file table of cargo-mutants outcomes for scripts/mutants.sh (docs/MUTANTS.md).

Usage: mutants_summary.py OUT_ROOT FILE...

OUT_ROOT holds one folder per run (run-YYYYmmdd-HHMMSS/mutants.out/). For each FILE the newest
run that tested all its mutants is used, overlaid with the outcomes of newer runs of some of
them (MUTANTS_RE re-runs), so files measured in different runs add up; a file whose only runs
stopped early shows as partial (tested / generated).
"""

import json
import pathlib
import sys

KINDS = {"CaughtMutant": "caught", "MissedMutant": "missed", "Unviable": "unviable", "Timeout": "timeout"}


def runs(root):
    """(run folder name, outcomes, generated mutants, filtered) of each run, newest first; a
    filtered run (MUTANTS_RE) ran only some mutants of its files."""
    found = []
    for outcomes_path in sorted(root.glob("run-*/mutants.out/outcomes.json"), reverse=True):
        try:
            outcomes = json.loads(outcomes_path.read_text())["outcomes"]
            generated = json.loads((outcomes_path.parent / "mutants.json").read_text())
        except (OSError, ValueError, KeyError) as error:
            print(f"skipping unreadable {outcomes_path}: {error}", file=sys.stderr)
            continue
        filtered = (outcomes_path.parent.parent / "filter").exists()
        found.append((outcomes_path.parent.parent.name, outcomes, generated, filtered))
    return found


def keyed(outcomes):
    """Outcomes keyed by the mutant's description without its line:column (edits above it move
    it) and its rank among mutants with the same description."""
    seen = {}
    out = {}
    for outcome in outcomes:
        name = outcome["scenario"]["Mutant"]["name"]
        file, _, rest = name.partition(":")
        description = rest.split(": ", 1)[-1]
        key = (file, description, seen.get((file, description), 0))
        seen[(file, description)] = key[2] + 1
        out[key] = outcome
    return out


def outcomes_of(file, all_runs):
    """The outcomes for `file`: its newest full run (else its newest run stopped early),
    overlaid with the outcomes of newer filtered runs; a label naming the runs; `None` when no
    run tested the file."""
    candidates = []
    for name, outcomes, generated, filtered in all_runs:
        mine = [o for o in outcomes if isinstance(o["scenario"], dict) and o["scenario"]["Mutant"]["file"] == file]
        if mine:
            candidates.append((name, mine, sum(1 for m in generated if m["file"] == file), filtered))
    if not candidates:
        return None
    full = [c for c in candidates if not c[3]]
    expected = max((c[2] for c in full), default=0)
    base = next((c for c in full if len(c[1]) >= c[2]), full[0] if full else None)
    merged = keyed(base[1]) if base else {}
    overlays = [c for c in candidates if c[3] and (base is None or c[0] > base[0])]
    for _, mine, _, _ in reversed(overlays):
        merged.update(keyed(mine))
    label = (base[0] if base else "no full run") + (f" + {len(overlays)} filtered re-run(s)" if overlays else "")
    if len(merged) < expected or base is None:
        label += f" (partial: {len(merged)}/{expected or '?'})"
    return list(merged.values()), label


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root = pathlib.Path(sys.argv[1])
    files = sys.argv[2:]
    all_runs = runs(root)
    header = f"{'file':<46} {'caught':>6} {'missed':>6} {'unviable':>8} {'timeout':>7} {'secs':>6}  run"
    print(header)
    totals = dict.fromkeys(KINDS.values(), 0)
    missed = []
    for file in files:
        found = outcomes_of(file, all_runs)
        if found is None:
            print(f"{file:<46} {'not run':>6}")
            continue
        mine, label = found
        counts = dict.fromkeys(KINDS.values(), 0)
        secs = 0.0
        for outcome in mine:
            kind = KINDS.get(outcome["summary"])
            if kind:
                counts[kind] += 1
            secs += sum(p.get("duration", 0) for p in outcome.get("phase_results", []))
            if kind == "missed":
                missed.append(outcome["scenario"]["Mutant"]["name"])
        for kind, n in counts.items():
            totals[kind] += n
        print(
            f"{file:<46} {counts['caught']:>6} {counts['missed']:>6} {counts['unviable']:>8} "
            f"{counts['timeout']:>7} {secs:>6.0f}  {label}"
        )
    print(
        f"{'total':<46} {totals['caught']:>6} {totals['missed']:>6} {totals['unviable']:>8} {totals['timeout']:>7}"
    )
    viable = totals["caught"] + totals["missed"] + totals["timeout"]
    if viable:
        # A timeout counts as caught: the mutant never let the tests finish green.
        score = 100.0 * (totals["caught"] + totals["timeout"]) / viable
        print(f"score: {score:.1f}% of {viable} viable mutants caught")
    if missed:
        print("\nmissed:")
        for name in missed:
            print(f"  {name}")


if __name__ == "__main__":
    main()
