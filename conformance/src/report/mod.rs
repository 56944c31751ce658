//! Reporters: they consume the engine's [`Event`]s and write output; they run nothing.
//!
//! - [`terminal`]: a live line per finished case and a summary (colour on a tty).
//! - [`json`]: writes `results.json`.
//! - [`junit`]: `junit.xml` (quick-junit), one testcase per case.
//! - [`html`]: `report.html`, self-contained, with transcripts and a verdict filter.
//! - [`markdown`]: `summary.md`, for CI job summaries.
//! - [`groups`]: failing cases grouped by root cause, shared by every reporter.
//! - [`baseline_draft`]: `--write-baseline FILE`, a baseline drafted from the run.
//!
//! File reporters collect the cases and write once the run finishes (also when it was
//! interrupted, so partial reports exist).

pub mod baseline_draft;
pub mod groups;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod terminal;

use std::path::{Path, PathBuf};

use ado_mock_server::Release;

use crate::result::{CaseResult, ClientInfo, PartitionRecord, RunRecord, SCHEMA_VERSION, Totals};

/// What the engine tells reporters.
#[derive(Clone, Debug)]
pub enum Event {
    /// The run begins.
    RunStarted(RunStarted),
    /// A case finished (in completion order).
    CaseFinished(Box<CaseResult>),
    /// The run ended (completely or interrupted).
    RunFinished(Totals),
}

/// The start of a run.
#[derive(Clone, Debug)]
pub struct RunStarted {
    /// The client.
    pub client: ClientInfo,
    /// The cases' labels, in start order.
    pub cases: Vec<String>,
    /// Parallel cases.
    pub jobs: usize,
    /// Which part of the suite this run is.
    pub partition: Option<PartitionRecord>,
}

/// A reporter could not write.
#[derive(Debug, thiserror::Error)]
#[error("failed to write {}", path.display())]
pub struct ReportError {
    /// The file (or `<stdout>`).
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

/// Consumes events.
pub trait Reporter {
    /// Handles one event.
    ///
    /// # Errors
    /// [`ReportError`] when output cannot be written.
    fn report(&mut self, event: &Event) -> Result<(), ReportError>;
}

/// Several reporters, each given every event.
#[derive(Default)]
pub struct Reporters(pub Vec<Box<dyn Reporter + Send>>);

impl Reporter for Reporters {
    fn report(&mut self, event: &Event) -> Result<(), ReportError> {
        for r in &mut self.0 {
            r.report(event)?;
        }
        Ok(())
    }
}

/// Collects a run into a [`RunRecord`] (cases sorted by scenario, then release).
#[derive(Debug, Default)]
pub struct Collector {
    client: Option<ClientInfo>,
    partition: Option<PartitionRecord>,
    cases: Vec<CaseResult>,
}

impl Collector {
    /// Takes in one event; returns the record when the run finished.
    pub fn collect(&mut self, event: &Event) -> Option<RunRecord> {
        match event {
            Event::RunStarted(s) => {
                self.client = Some(s.client.clone());
                self.partition = s.partition;
                None
            }
            Event::CaseFinished(result) => {
                self.cases.push((**result).clone());
                None
            }
            Event::RunFinished(totals) => {
                let mut r = record(self.client.clone(), self.cases.clone(), totals.clone());
                r.partition = self.partition;
                Some(r)
            }
        }
    }
}

/// A record with its cases in report order.
pub fn record(client: Option<ClientInfo>, mut cases: Vec<CaseResult>, totals: Totals) -> RunRecord {
    let order = |r: &CaseResult| Release::from_name(&r.release);
    cases.sort_by(|a, b| a.scenario.cmp(&b.scenario).then_with(|| order(a).cmp(&order(b))));
    let client = client.unwrap_or(ClientInfo { name: String::new(), timeout_s: 0 });
    RunRecord { schema: SCHEMA_VERSION, client, cases, totals, partition: None }
}

/// Writes one file from the finished run.
pub struct FileReporter {
    path: PathBuf,
    render: fn(&RunRecord) -> String,
    collector: Collector,
}

impl FileReporter {
    /// A reporter writing `render(record)` to `path` when the run finishes.
    pub fn new(path: PathBuf, render: fn(&RunRecord) -> String) -> Self {
        Self { path, render, collector: Collector::default() }
    }

    /// The reporters for `--report-dir`: results.json, junit.xml, report.html, summary.md.
    pub fn all_in(dir: &Path) -> Vec<FileReporter> {
        vec![
            FileReporter::new(dir.join("results.json"), json::render),
            FileReporter::new(dir.join("junit.xml"), junit::render),
            FileReporter::new(dir.join("report.html"), html::render),
            FileReporter::new(dir.join("summary.md"), markdown::render),
        ]
    }
}

impl Reporter for FileReporter {
    fn report(&mut self, event: &Event) -> Result<(), ReportError> {
        if let Some(record) = self.collector.collect(event) {
            write_file(&self.path, &(self.render)(&record))?;
        }
        Ok(())
    }
}

/// Writes `text` to `path` through a temporary file renamed into place, so a reader (or an
/// interrupted run) never sees half a report.
///
/// # Errors
/// [`ReportError`] naming `path`.
pub fn write_file(path: &Path, text: &str) -> Result<(), ReportError> {
    let err = |source| ReportError { path: path.to_owned(), source };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(err)?;
    // NamedTempFile creates 0600; reports are for CI artifact uploads and colleagues.
    let readable = std::os::unix::fs::PermissionsExt::from_mode(0o644);
    tmp.as_file().set_permissions(readable).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
