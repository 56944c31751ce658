//! `run`: load everything, run the cases, report, and map the result to an exit code.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use ado_mock_server::Release;

use super::{catalogue_at, run_clock, selected};
use crate::baseline::{Baseline, load_baseline};
use crate::cli::{Color, RunArgs};
use crate::contract::PASSED_THROUGH;
use crate::error::{ExpectedError, LoadError, LoadErrors};
use crate::exit_code;
use crate::manifest::load_manifest;
use crate::report::terminal::TerminalReporter;
use crate::report::{FileReporter, Reporter, Reporters};
use crate::run::{self as engine, RunContext, RunPlan, cancel_pair};
use crate::scenario::{Case, Catalogue};

/// What `run` was asked to do.
#[derive(Debug)]
pub struct RunOptions {
    /// The client manifest.
    pub client: PathBuf,
    /// The scenarios folder.
    pub scenarios: PathBuf,
    /// Id filters.
    pub filters: Vec<String>,
    /// Release filters.
    pub releases: Vec<String>,
    /// Where to write reports.
    pub report_dir: Option<PathBuf>,
    /// The baseline.
    pub baseline: Option<PathBuf>,
    /// Parallel cases.
    pub jobs: usize,
    /// Whether to colour the terminal output.
    pub color: bool,
}

impl From<RunArgs> for RunOptions {
    fn from(a: RunArgs) -> Self {
        let jobs = a.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, usize::from), usize::from);
        let color = match a.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        };
        Self {
            client: a.client,
            scenarios: a.scenarios.scenarios,
            filters: a.filter,
            releases: a.release,
            report_dir: a.report_dir,
            baseline: a.baseline,
            jobs,
            color,
        }
    }
}

pub(super) fn run(options: RunOptions) -> anyhow::Result<u8> {
    let manifest = load_manifest(&options.client).map_err(LoadErrors::from).map_err(ExpectedError::from)?;
    let clock = run_clock();
    let catalogue = catalogue_at(&options.scenarios, clock)?;
    let baseline = match &options.baseline {
        Some(path) => Some(load_baseline(path).map_err(LoadErrors::from).map_err(ExpectedError::from)?),
        None => None,
    };
    if let Some(b) = &baseline {
        warn_unknown_entries(b, &catalogue);
    }
    let releases = parse_releases(&options)?;
    let cases = select_cases(&catalogue, &options.filters, &releases);
    if cases.is_empty() {
        return Err(ExpectedError::NothingSelected {
            filters: options.filters.clone(),
            dir: options.scenarios.clone(),
        }
        .into());
    }
    let parent_env: Vec<(String, String)> =
        PASSED_THROUGH.iter().filter_map(|k| std::env::var(k).ok().map(|v| ((*k).to_owned(), v))).collect();
    let path_var = parent_env.iter().find(|(k, _)| k == "PATH").map(|(_, v)| v.as_str());
    if manifest.find_program(path_var).is_none() {
        return Err(ExpectedError::ClientProgram {
            manifest: manifest.file.clone(),
            program: manifest.command[0].clone(),
        }
        .into());
    }
    let mut reporters = Reporters(vec![Box::new(TerminalReporter::new(std::io::stdout(), options.color))]);
    if let Some(dir) = &options.report_dir {
        std::fs::create_dir_all(dir).map_err(|source| ExpectedError::Report { path: dir.clone(), source })?;
        reporters.0.extend(FileReporter::all_in(dir).into_iter().map(|r| Box::new(r) as Box<dyn Reporter + Send>));
    }
    let plan = RunPlan { cases, context: RunContext { manifest, baseline, parent_env, clock }, jobs: options.jobs };
    execute(plan, &mut reporters)
}

fn execute(plan: RunPlan, reporters: &mut Reporters) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let totals = runtime.block_on(async {
        let (source, cancel) = cancel_pair();
        // Registered before the first case starts, so an early SIGINT is never the default kill.
        let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        tokio::spawn(async move {
            if interrupt.recv().await.is_some() {
                eprintln!("interrupted: killing running clients, writing reports for finished cases");
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

fn warn_unknown_entries(baseline: &Baseline, catalogue: &Catalogue) {
    for e in &baseline.entries {
        if catalogue.get(&e.scenario).is_none() {
            eprintln!("warning: the baseline names scenario `{}`, which does not exist", e.scenario);
        }
    }
}
