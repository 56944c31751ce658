//! `summary.md`: a Markdown summary for CI job pages: the totals, the failures grouped by root
//! cause (each with what to do, the scenario's symptom, cause and fix, the server's words and
//! the command that reproduces it), the other notable cases, and the skipped cases folded.

use std::fmt::Write as _;

use super::groups::{Group, groups};
use crate::result::{CaseResult, RunRecord};
use crate::verdict::Verdict;

/// The Markdown text.
pub fn render(record: &RunRecord) -> String {
    let t = &record.totals;
    let mut md = String::new();
    let status = if t.succeeded() { "passed" } else { "failed" };
    let _ = writeln!(md, "# Conformance of {}: {status}\n", record.client.name);
    let _ = writeln!(md, "| cases | pass | note | skip | fail | insecure | failed | matched baseline |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        t.cases, t.pass, t.note, t.skip, t.fail, t.insecure, t.failed, t.expected
    );
    if let Some(p) = record.partition {
        let _ = writeln!(md, "Partition {}/{} of a {}-case suite.\n", p.index, p.count, p.suite_cases);
    }
    if t.interrupted {
        let _ = writeln!(md, "**Interrupted**: {} case(s) not run.\n", t.not_run);
    } else if t.not_run > 0 {
        let _ = writeln!(md, "**Incomplete**: {} case(s) missing from the merged results.\n", t.not_run);
    }
    let groups = groups(record);
    if !groups.is_empty() {
        let _ = writeln!(md, "## Failures by root cause\n");
        for g in &groups {
            group(&mut md, g);
        }
    }
    let others: Vec<&CaseResult> =
        record.cases.iter().filter(|c| !c.failed && c.verdict != Verdict::Pass && c.verdict != Verdict::Skip).collect();
    if !others.is_empty() {
        let _ = writeln!(md, "## Notes and known results\n");
        let _ = writeln!(md, "| case | verdict | findings |");
        let _ = writeln!(md, "|---|---|---|");
        for c in others {
            let _ = writeln!(md, "| `{}` | {} | {} |", c.label(), verdict_cell(c), cell(&findings(c)));
        }
        md.push('\n');
    }
    let skipped: Vec<&CaseResult> = record.cases.iter().filter(|c| !c.failed && c.verdict == Verdict::Skip).collect();
    if !skipped.is_empty() {
        let _ = writeln!(md, "<details><summary>{} skipped case(s)</summary>\n", skipped.len());
        let _ = writeln!(md, "| case | why |");
        let _ = writeln!(md, "|---|---|");
        for c in skipped {
            let _ = writeln!(md, "| `{}` | {} |", c.label(), cell(c.skip_reason.as_deref().unwrap_or("skipped")));
        }
        let _ = writeln!(md, "\n</details>\n");
    }
    if groups.is_empty() && t.succeeded() {
        let _ = writeln!(md, "Nothing failed.");
    }
    md
}

fn group(md: &mut String, g: &Group<'_>) {
    let _ = writeln!(md, "### `{}` ({}): {}\n", g.root_cause, g.verdict, g.size());
    let _ = writeln!(md, "**What to do**: {}\n", g.check_fix);
    for s in &g.scenarios {
        let d = s.diagnosis;
        let _ = writeln!(md, "#### `{}`: {}\n", s.label(), s.title);
        let _ = writeln!(md, "- **Finding**: {}", inline(&d.finding));
        let _ = writeln!(md, "- **Symptom**: {}", inline(&d.symptom));
        let _ = writeln!(md, "- **Cause**: {}", inline(&d.cause));
        let _ = writeln!(md, "- **Fix**: {}", inline(&d.fix));
        for line in &d.server {
            let _ = writeln!(md, "- **Server said**: {}", inline(line));
        }
        if let Some(hint) = &d.hint {
            let _ = writeln!(md, "- **Server hint**: {}", inline(hint));
        }
        let _ = writeln!(md, "- **Reproduce**: `{}`\n", d.reproduce);
    }
}

fn verdict_cell(c: &CaseResult) -> String {
    match &c.baseline {
        Some(b) if b.matched && c.verdict.is_failure() => format!("{} (expected: {})", c.verdict, b.reason),
        Some(b) if b.matched => format!("{} (known)", c.verdict),
        Some(b) => format!("**{}** (baseline: {})", c.verdict, b.verdict),
        None => c.verdict.to_string(),
    }
}

fn findings(c: &CaseResult) -> String {
    c.findings().map(|f| format!("{}: {}", f.name, f.detail)).collect::<Vec<_>>().join("<br>")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// One line of text in a list item.
fn inline(text: &str) -> String {
    text.replace('\n', " ")
}
