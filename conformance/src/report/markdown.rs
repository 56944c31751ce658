//! `summary.md`: a short Markdown summary for CI job pages (totals, then every case that is
//! not a plain pass with its findings).

use std::fmt::Write as _;

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
    if t.interrupted {
        let _ = writeln!(md, "**Interrupted**: {} case(s) not run.\n", t.not_run);
    }
    let notable: Vec<&CaseResult> = record.cases.iter().filter(|c| c.verdict != Verdict::Pass || c.failed).collect();
    if notable.is_empty() {
        let _ = writeln!(md, "Every case passed.");
        return md;
    }
    let _ = writeln!(md, "| case | verdict | findings |");
    let _ = writeln!(md, "|---|---|---|");
    for c in notable {
        let _ = writeln!(md, "| `{}` | {} | {} |", c.label(), verdict_cell(c), cell(&findings(c)));
    }
    md
}

fn verdict_cell(c: &CaseResult) -> String {
    match &c.baseline {
        Some(b) if b.matched => format!("{} (known)", c.verdict),
        Some(b) => format!("**{}** (baseline: {})", c.verdict, b.verdict),
        None if c.failed => format!("**{}**", c.verdict),
        None => c.verdict.to_string(),
    }
}

fn findings(c: &CaseResult) -> String {
    if let Some(why) = &c.skip_reason {
        return why.clone();
    }
    c.findings().map(|f| format!("{}: {}", f.name, f.detail)).collect::<Vec<_>>().join("<br>")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
