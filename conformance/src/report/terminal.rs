//! The terminal reporter: a numbered line per finished case as it finishes, its findings
//! below it, then the failures grouped by root cause with what to do, the totals, and as the
//! last line the report folder.
//!
//! ```text
//! Running 3 cases of curl (2 jobs)
//! [1/3] PASS      pat/good [ads2022]  0.4s
//! [2/3] EXPECTED  pat/expired [ads2022]  0.3s  (known fail: exits 0 on a refusal)
//! [3/3] FAIL      pat/missing-colon [ads2022]  0.3s
//!                 basic-colon: 1 of 1 Basic credential(s) decoded without ':' ...
//! ...
//! Reports: reports/ (results.json, junit.xml, report.html, summary.md)
//! ```
//!
//! A closed stdout (`run ... | head`) silences the reporter instead of stopping the run, so
//! the report files are still written.

use std::io::Write;
use std::path::PathBuf;

use super::groups::{Group, group_cases};
use super::{Event, ReportError, Reporter, RunStarted};
use crate::out::is_closed;
use crate::result::{CaseResult, Totals};
use crate::verdict::Verdict;

/// Scenarios shown in full per root-cause group; the rest are named (summary.md has all).
const SCENARIOS_SHOWN: usize = 5;

/// What the last lines name.
#[derive(Clone, Debug, Default)]
pub struct Footer {
    /// Where the report files are.
    pub report_dir: Option<PathBuf>,
    /// Where a baseline draft was written.
    pub baseline_draft: Option<PathBuf>,
}

/// Writes progress to a terminal (or any writer).
pub struct TerminalReporter<W: Write> {
    out: W,
    color: bool,
    /// Print a line per case as it finishes (`false` for `merge`).
    live: bool,
    footer: Footer,
    planned: usize,
    done: usize,
    cases: Vec<CaseResult>,
    closed: bool,
}

impl<W: Write> TerminalReporter<W> {
    /// A reporter writing to `out`, with ANSI colours when `color`.
    pub fn new(out: W, color: bool) -> Self {
        Self {
            out,
            color,
            live: true,
            footer: Footer::default(),
            planned: 0,
            done: 0,
            cases: Vec::new(),
            closed: false,
        }
    }

    /// The same, naming the report folder and baseline draft at the end.
    pub fn with_footer(mut self, footer: Footer) -> Self {
        self.footer = footer;
        self
    }

    /// Only the summary, no line per case (for `merge`).
    pub fn summary_only(mut self) -> Self {
        self.live = false;
        self
    }

    /// The writer (for tests).
    pub fn into_inner(self) -> W {
        self.out
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    fn verdict_color(verdict: Verdict) -> &'static str {
        match verdict {
            Verdict::Pass => "32",
            Verdict::Note => "36",
            Verdict::Skip => "33",
            Verdict::Fail => "31",
            Verdict::Insecure => "1;35",
        }
    }

    fn started(&mut self, s: &RunStarted) -> std::io::Result<()> {
        self.planned = s.cases.len();
        let plural = if s.cases.len() == 1 { "" } else { "s" };
        let part = s
            .partition
            .map(|p| format!(", partition {}/{} of {} cases", p.index, p.count, p.suite_cases))
            .unwrap_or_default();
        if self.live {
            writeln!(self.out, "Running {} case{plural} of {} ({} jobs{part})", s.cases.len(), s.client.name, s.jobs)
        } else {
            writeln!(self.out, "Merged {} case{plural} of {}", s.cases.len(), s.client.name)
        }
    }

    fn finished(&mut self, r: &CaseResult) -> std::io::Result<()> {
        self.done += 1;
        self.cases.push(r.clone());
        if !self.live {
            return Ok(());
        }
        let expected = r.verdict.is_failure() && r.baseline.as_ref().is_some_and(|b| b.matched);
        let (word, color) = if expected {
            ("EXPECTED".to_owned(), "2")
        } else {
            (r.verdict.name().to_ascii_uppercase(), Self::verdict_color(r.verdict))
        };
        let label = self.paint(color, &format!("{word:<8}"));
        let secs = r.duration_ms as f64 / 1000.0;
        let note = match &r.baseline {
            Some(b) if b.matched => format!("  (known {}: {})", b.verdict, b.reason),
            Some(b) => format!("  (baseline expected {})", b.verdict),
            None => String::new(),
        };
        let width = self.planned.to_string().len();
        let counter = format!("[{:>width$}/{}]", self.done, self.planned);
        writeln!(self.out, "{counter} {label}  {}  {secs:.1}s{note}", r.label())?;
        let indent = " ".repeat(counter.len() + 1);
        if let Some(why) = &r.skip_reason {
            writeln!(self.out, "{indent}{why}")?;
        }
        if !expected {
            for c in r.findings() {
                writeln!(self.out, "{indent}{}: {}", c.name, c.detail)?;
            }
        }
        Ok(())
    }

    fn summary(&mut self, t: &Totals) -> std::io::Result<()> {
        let cases = std::mem::take(&mut self.cases);
        let groups = group_cases(cases.iter().filter(|c| c.failed));
        if !groups.is_empty() {
            let failed: usize = groups.iter().map(Group::cases).sum();
            writeln!(self.out, "\nFailures by root cause ({failed} case(s), {} root cause(s)):", groups.len())?;
            for g in &groups {
                self.group(g)?;
            }
        }
        let counts: Vec<String> = Verdict::ALL
            .iter()
            .filter(|v| t.of(**v) > 0)
            .map(|v| self.paint(Self::verdict_color(*v), &format!("{} {}", t.of(*v), v.name())))
            .collect();
        let counts = if counts.is_empty() { "nothing ran".to_owned() } else { counts.join(", ") };
        let secs = t.duration_ms as f64 / 1000.0;
        writeln!(self.out, "\nSummary: {} cases in {secs:.1}s: {counts}", t.cases)?;
        if t.expected > 0 {
            writeln!(self.out, "{} case(s) matched the baseline (expected, not failures)", t.expected)?;
        }
        if t.not_run > 0 {
            let why = if t.interrupted { "interrupted" } else { "missing from the merged results" };
            writeln!(self.out, "Not run: {} case(s) ({why})", t.not_run)?;
        }
        let result = if t.succeeded() { "ok" } else { "FAILED" };
        writeln!(self.out, "Result: {result}")?;
        if let Some(file) = &self.footer.baseline_draft {
            writeln!(
                self.out,
                "Baseline draft: {} (review each reason, then pass it with --baseline)",
                file.display()
            )?;
        }
        match &self.footer.report_dir {
            Some(dir) => writeln!(
                self.out,
                "Reports: {}/ (results.json, junit.xml, report.html, summary.md)",
                dir.display().to_string().trim_end_matches('/')
            ),
            None => writeln!(self.out, "Reports: none written"),
        }
    }

    fn group(&mut self, g: &Group<'_>) -> std::io::Result<()> {
        let head = self.paint(Self::verdict_color(g.verdict), &format!("{} ({})", g.root_cause, g.verdict));
        writeln!(self.out, "\n{head}: {}", g.size())?;
        writeln!(self.out, "  what to do: {}", g.check_fix)?;
        for s in g.scenarios.iter().take(SCENARIOS_SHOWN) {
            let d = s.diagnosis;
            writeln!(self.out, "  {}: {}", s.label(), s.title)?;
            writeln!(self.out, "    finding:   {}", d.finding)?;
            writeln!(self.out, "    symptom:   {}", d.symptom)?;
            writeln!(self.out, "    cause:     {}", d.cause)?;
            writeln!(self.out, "    fix:       {}", d.fix)?;
            for line in &d.server {
                writeln!(self.out, "    server:    {line}")?;
            }
            if let Some(hint) = &d.hint {
                writeln!(self.out, "    hint:      {hint}")?;
            }
            writeln!(self.out, "    reproduce: {}", d.reproduce)?;
        }
        if g.scenarios.len() > SCENARIOS_SHOWN {
            let rest: Vec<&str> = g.scenarios[SCENARIOS_SHOWN..].iter().map(|s| s.scenario).collect();
            writeln!(self.out, "  and {} more scenario(s) (details in summary.md): {}", rest.len(), rest.join(", "))?;
        }
        Ok(())
    }
}

impl<W: Write> Reporter for TerminalReporter<W> {
    fn report(&mut self, event: &Event) -> Result<(), ReportError> {
        if self.closed {
            // Keep collecting for nothing: the reader has gone, the run goes on.
            return Ok(());
        }
        let written = match event {
            Event::RunStarted(s) => self.started(s),
            Event::CaseFinished(r) => self.finished(r),
            Event::RunFinished(t) => self.summary(t),
        };
        match written.and_then(|()| self.out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if is_closed(&e) => {
                self.closed = true;
                Ok(())
            }
            Err(source) => Err(ReportError { path: PathBuf::from("<stdout>"), source }),
        }
    }
}
