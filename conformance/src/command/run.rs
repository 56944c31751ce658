//! `run`: load everything, run the cases, report, and map the result to an exit code.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use ado_mock_server::Release;

use super::{catalogue_at, run_clock, selected, stop_signals};
use crate::baseline::load_baseline;
use crate::cli::{Color, Partition, RunArgs};
use crate::contract::PASSED_THROUGH;
use crate::error::{ExpectedError, LoadError, LoadErrors};
use crate::exit_code;
use crate::manifest::load_manifest;
use crate::report::baseline_draft::BaselineDraft;
use crate::report::terminal::{Footer, TerminalReporter};
use crate::report::{FileReporter, Reporter, Reporters};
use crate::result::PartitionRecord;
use crate::run::sandbox::Sandbox;
use crate::run::{self as engine, RunContext, RunPlan, cancel_pair};
use crate::scenario::{Case, Catalogue, Source};

/// What `run` was asked to do.
#[derive(Debug)]
pub struct RunOptions {
    /// The client manifest.
    pub client: PathBuf,
    /// The scenarios.
    pub source: Source,
    /// Id filters.
    pub filters: Vec<String>,
    /// Release filters.
    pub releases: Vec<String>,
    /// Where to write reports.
    pub report_dir: PathBuf,
    /// The baseline.
    pub baseline: Option<PathBuf>,
    /// Where to write a baseline draft.
    pub write_baseline: Option<PathBuf>,
    /// Which part of the selected cases to run.
    pub partition: Option<Partition>,
    /// Run clients in bubblewrap.
    pub sandbox: bool,
    /// Parallel cases.
    pub jobs: usize,
    /// Whether to colour the terminal output.
    pub color: bool,
}

/// Whether to colour stdout.
pub fn use_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

impl From<RunArgs> for RunOptions {
    fn from(a: RunArgs) -> Self {
        let jobs = a.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, usize::from), usize::from);
        Self {
            client: a.client,
            source: a.scenarios.source(),
            filters: a.filter,
            releases: a.release,
            report_dir: a.report_dir,
            baseline: a.baseline,
            write_baseline: a.write_baseline,
            partition: a.partition,
            sandbox: a.sandbox,
            jobs,
            color: use_color(a.color),
        }
    }
}

pub(super) fn run(options: RunOptions) -> anyhow::Result<u8> {
    let invalid = |e: LoadError| ExpectedError::from(LoadErrors::from(e));
    let manifest = load_manifest(&options.client).map_err(invalid)?;
    let clock = run_clock();
    let catalogue = catalogue_at(&options.source, clock)?;
    let baseline = match &options.baseline {
        Some(path) => {
            let b = load_baseline(path).map_err(invalid)?;
            let stale = b.stale_entries(&catalogue);
            if !stale.is_empty() {
                return Err(ExpectedError::Invalid(LoadErrors(stale)).into());
            }
            Some(b)
        }
        None => None,
    };
    let releases = parse_releases(&options)?;
    let selected_cases = select_cases(&catalogue, &options.filters, &releases);
    if selected_cases.is_empty() {
        return Err(
            ExpectedError::NothingSelected { filters: options.filters.clone(), scenarios: options.source }.into()
        );
    }
    let suite_cases = selected_cases.len();
    let cases: Vec<Case> = match options.partition {
        None => selected_cases,
        Some(p) => selected_cases.into_iter().enumerate().filter(|(i, _)| p.contains(*i)).map(|(_, c)| c).collect(),
    };
    let names = PASSED_THROUGH.iter().copied().chain(manifest.pass_env.iter().map(String::as_str));
    let parent_env: Vec<(String, String)> =
        names.filter_map(|k| std::env::var(k).ok().map(|v| (k.to_owned(), v))).collect();
    let path_var = parent_env.iter().find(|(k, _)| k == "PATH").map(|(_, v)| v.as_str());
    manifest.require_program(path_var).map_err(invalid)?;
    let sandbox = match options.sandbox {
        true => Some(Sandbox::detect(path_var).map_err(|m| invalid(LoadError::file("option", "--sandbox", m)))?),
        false => None,
    };
    // A report folder that cannot be written is found now, not after the whole run.
    std::fs::create_dir_all(&options.report_dir)
        .and_then(|()| tempfile::NamedTempFile::new_in(&options.report_dir).map(drop))
        .map_err(|source| ExpectedError::Report { path: options.report_dir.clone(), source })?;
    // Files first, the terminal last: its last line names the folder they are in.
    let mut reporters = Reporters(
        FileReporter::all_in(&options.report_dir)
            .into_iter()
            .map(|r| Box::new(r) as Box<dyn Reporter + Send>)
            .collect(),
    );
    if let Some(path) = &options.write_baseline {
        reporters.0.push(Box::new(BaselineDraft::new(path.clone())));
    }
    let footer =
        Footer { report_dir: Some(options.report_dir.clone()), baseline_draft: options.write_baseline.clone() };
    reporters.0.push(Box::new(TerminalReporter::new(std::io::stdout(), options.color).with_footer(footer)));
    let partition = options.partition.map(|p| PartitionRecord { index: p.index, count: p.count, suite_cases });
    let context =
        RunContext { manifest, baseline, parent_env, clock, scenarios_args: options.source.cli_args(), sandbox };
    let plan = RunPlan { cases, context, jobs: options.jobs, partition };
    execute(plan, &mut reporters)
}

fn execute(plan: RunPlan, reporters: &mut Reporters) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let totals = runtime.block_on(async {
        let (source, cancel) = cancel_pair();
        // Registered before the first case starts, so an early signal is never the default kill.
        let mut stop = stop_signals()?;
        tokio::spawn(async move {
            if let Some(name) = stop.next().await {
                crate::out::stderr(&format!(
                    "{name}: stopping: killing running clients, writing reports for finished cases\n"
                ));
                source.cancel();
            }
        });
        Ok::<_, anyhow::Error>(engine::run(plan, reporters, cancel).await)
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    let totals = totals.map_err(|e| match e {
        crate::run::RunError::Report(r) => {
            anyhow::Error::from(ExpectedError::Report { path: r.path, source: r.source })
        }
        other @ crate::run::RunError::Panicked(_) => anyhow::Error::from(other),
    })?;
    Ok(if totals.succeeded() { exit_code::SUCCESS } else { exit_code::RUN_FAILED })
}

fn parse_releases(options: &RunOptions) -> Result<Vec<Release>, ExpectedError> {
    options
        .releases
        .iter()
        .map(|name| {
            Release::from_name(name).ok_or_else(|| {
                let e = LoadError::file(
                    "release filter",
                    PathBuf::from("--release"),
                    format!("expected a release such as ads2022, found `{name}`"),
                );
                ExpectedError::from(LoadErrors::from(e))
            })
        })
        .collect()
}

/// The selected cases, in id then release order.
fn select_cases(catalogue: &Catalogue, filters: &[String], releases: &[Release]) -> Vec<Case> {
    catalogue
        .scenarios
        .iter()
        .flat_map(|s| s.cases())
        .filter(|c| releases.is_empty() || releases.contains(&c.release))
        .filter(|c| selected(filters, &c.scenario.id, Some(c.release.name())))
        .collect()
}
