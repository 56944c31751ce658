//! The terminal reporter: a line per finished case as it finishes, its findings below it,
//! and a summary at the end.
//!
//! ```text
//! Running 3 cases of curl (2 jobs)
//! PASS      pat/missing-colon [ads2022]  0.4s
//! FAIL      pat/bearer [ads2022]  0.3s
//!           outcome: expected success, the client exited 1; ...
//! ```

use std::io::Write;
use std::path::PathBuf;

use super::{Event, ReportError, Reporter, RunStarted};
use crate::result::{CaseResult, Totals};
use crate::verdict::Verdict;

/// Writes progress to a terminal (or any writer).
pub struct TerminalReporter<W: Write> {
    out: W,
    color: bool,
    failed: Vec<(Verdict, String)>,
}

impl<W: Write> TerminalReporter<W> {
    /// A reporter writing to `out`, with ANSI colours when `color`.
    pub fn new(out: W, color: bool) -> Self {
        Self { out, color, failed: Vec::new() }
    }

    /// The writer (for tests).
    pub fn into_inner(self) -> W {
        self.out
    }

    fn paint(&self, verdict: Verdict, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match verdict {
            Verdict::Pass => "32",
            Verdict::Note => "36",
            Verdict::Skip => "33",
            Verdict::Fail => "31",
            Verdict::Insecure => "1;35",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    fn started(&mut self, s: &RunStarted) -> std::io::Result<()> {
        let plural = if s.cases.len() == 1 { "" } else { "s" };
        writeln!(self.out, "Running {} case{plural} of {} ({} jobs)", s.cases.len(), s.client.name, s.jobs)
    }

    fn finished(&mut self, r: &CaseResult) -> std::io::Result<()> {
        let label = self.paint(r.verdict, &format!("{:<8}", r.verdict.name().to_ascii_uppercase()));
        let secs = r.duration_ms as f64 / 1000.0;
        let note = match &r.baseline {
            Some(b) if b.matched => format!("  (known: {})", b.reason),
            Some(b) => format!("  (baseline expected {})", b.verdict),
            None => String::new(),
        };
        writeln!(self.out, "{label}  {}  {secs:.1}s{note}", r.label())?;
        if let Some(why) = &r.skip_reason {
            writeln!(self.out, "          {why}")?;
        }
        for c in r.findings() {
            writeln!(self.out, "          {}: {}", c.name, c.detail)?;
        }
        if r.failed {
            self.failed.push((r.verdict, r.label()));
        }
        Ok(())
    }

    fn summary(&mut self, t: &Totals) -> std::io::Result<()> {
        let counts: Vec<String> = Verdict::ALL
            .iter()
            .filter(|v| t.of(**v) > 0)
            .map(|v| self.paint(*v, &format!("{} {}", t.of(*v), v.name())))
            .collect();
        let counts = if counts.is_empty() { "nothing ran".to_owned() } else { counts.join(", ") };
        let secs = t.duration_ms as f64 / 1000.0;
        writeln!(self.out, "Summary: {} cases in {secs:.1}s: {counts}", t.cases)?;
        if t.expected > 0 {
            writeln!(self.out, "{} case(s) matched the baseline", t.expected)?;
        }
        if t.interrupted {
            writeln!(self.out, "Interrupted: {} case(s) not run", t.not_run)?;
        }
        let mut failed = std::mem::take(&mut self.failed);
        failed.sort_by(|a, b| a.1.cmp(&b.1));
        if !failed.is_empty() {
            writeln!(self.out, "Failed ({}):", failed.len())?;
            for (verdict, label) in &failed {
                let tag = self.paint(*verdict, &format!("{:<8}", verdict.name().to_ascii_uppercase()));
                writeln!(self.out, "  {tag}  {label}")?;
            }
        }
        let result = if t.succeeded() { "ok" } else { "FAILED" };
        writeln!(self.out, "Result: {result}")
    }
}

impl<W: Write> Reporter for TerminalReporter<W> {
    fn report(&mut self, event: &Event) -> Result<(), ReportError> {
        let written = match event {
            Event::RunStarted(s) => self.started(s),
            Event::CaseFinished(r) => self.finished(r),
            Event::RunFinished(t) => self.summary(t),
        };
        written
            .and_then(|()| self.out.flush())
            .map_err(|source| ReportError { path: PathBuf::from("<stdout>"), source })
    }
}
