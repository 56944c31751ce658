//! `merge`: one set of reports and one exit code from several runs' `results.json`.

use super::run::use_color;
use crate::cli::MergeArgs;
use crate::error::{ExpectedError, LoadErrors};
use crate::exit_code;
use crate::merge::{combine, read};
use crate::report::baseline_draft::BaselineDraft;
use crate::report::terminal::{Footer, TerminalReporter};
use crate::report::{Event, FileReporter, Reporter, Reporters, RunStarted};

pub(super) fn merge(args: &MergeArgs) -> anyhow::Result<u8> {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for input in &args.inputs {
        match read(input) {
            Ok(r) => inputs.push(r),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ExpectedError::Invalid(LoadErrors(errors)).into());
    }
    let merged = combine(inputs).map_err(ExpectedError::Invalid)?;
    for w in &merged.warnings {
        crate::out::stderr(&format!("warning: {w}\n"));
    }
    std::fs::create_dir_all(&args.report_dir)
        .map_err(|source| ExpectedError::Report { path: args.report_dir.clone(), source })?;
    let mut reporters = Reporters(
        FileReporter::all_in(&args.report_dir).into_iter().map(|r| Box::new(r) as Box<dyn Reporter + Send>).collect(),
    );
    if let Some(path) = &args.write_baseline {
        reporters.0.push(Box::new(BaselineDraft::new(path.clone())));
    }
    let footer = Footer { report_dir: Some(args.report_dir.clone()), baseline_draft: args.write_baseline.clone() };
    let terminal = TerminalReporter::new(std::io::stdout(), use_color(args.color)).with_footer(footer).summary_only();
    reporters.0.push(Box::new(terminal));
    let record = merged.record;
    let started = RunStarted {
        client: record.client.clone(),
        cases: record.cases.iter().map(crate::result::CaseResult::label).collect(),
        jobs: 0,
        partition: None,
    };
    let report = |reporters: &mut Reporters, e: &Event| {
        reporters.report(e).map_err(|r| ExpectedError::Report { path: r.path, source: r.source })
    };
    report(&mut reporters, &Event::RunStarted(started))?;
    for case in &record.cases {
        report(&mut reporters, &Event::CaseFinished(Box::new(case.clone())))?;
    }
    report(&mut reporters, &Event::RunFinished(record.totals.clone()))?;
    Ok(if record.totals.succeeded() { exit_code::SUCCESS } else { exit_code::RUN_FAILED })
}
