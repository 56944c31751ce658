//! `ado-conformance`: runs any Azure DevOps client against scripted on-premise 401 scenarios,
//! each against its own in-process mock server, judges what the client did on the wire and
//! how it failed, and writes reports CI systems read.
//!
//! # Layout
//!
//! - [`scenario`]: scenario files -> merged profile overrides -> validated [`scenario::Scenario`]s and cases.
//! - [`manifest`]: client manifests (command, capabilities, operations, timeout).
//! - [`baseline`]: known results of one client, each with a reason.
//! - [`contract`]: the client environment (`ADO_*` variables, fresh HOME/TMPDIR, cleared env).
//! - [`run`]: the engine: per-case mock server, client spawning with timeout, events.
//! - [`checks`]: the named checks, one per file, and the verdict of a case.
//! - [`verdict`]: `pass` < `note` < `skip` < `fail` < `insecure`.
//! - [`result`]: the redacted per-case results and totals (the `results.json` model).
//! - [`redact`]: secrets (raw, URL-encoded, base64), ports and temp paths out of every artifact.
//! - [`report`]: reporters consuming events: terminal, JSON, JUnit, HTML, Markdown.
//! - [`merge`]: combining the results of several runs (CI partitions) into one.
//! - [`cli`], [`command`]: the command line and the subcommands.
//! - [`error`], [`exit_code`]: load errors, expected errors and the documented exit codes.
//! - [`import`]: a customer's HAR trace to a profile, a scenario and a replay report.
//! - [`files`], [`out`]: reading input files safely; writing output that survives `| head`.

pub mod baseline;
pub mod checks;
pub mod cli;
pub mod command;
pub mod contract;
pub mod error;
pub mod exit_code;
pub mod files;
pub mod import;
pub mod manifest;
pub mod merge;
pub mod out;
pub mod redact;
pub mod report;
pub mod result;
pub mod run;
pub mod scenario;
pub mod verdict;

use std::process::ExitCode;

use clap::Parser as _;

use error::ExpectedError;

/// The whole program: parses the command line, runs the command and returns the exit code
/// (see [`exit_code`]). `main` and the tests' `conformance-dup` binary both call it.
pub fn main_impl() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own printing ignores a closed pipe (`--help | head`).
            let _ = e.print();
            let code = if e.use_stderr() { exit_code::SETUP_ERROR } else { exit_code::SUCCESS };
            return ExitCode::from(code);
        }
    };
    match command::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => ExitCode::from(report_error(&error)),
    }
}

fn report_error(error: &anyhow::Error) -> u8 {
    let expected = error.downcast_ref::<ExpectedError>();
    match expected {
        Some(ExpectedError::Invalid(list)) => list.0.iter().for_each(|e| print_error(&e.to_string())),
        _ => print_error(&format!("{error:#}")),
    }
    expected.map_or(exit_code::SETUP_ERROR, ExpectedError::exit_code)
}

/// `error: ` before the first line; later lines (a TOML excerpt, a regex error) indented.
fn print_error(text: &str) {
    let mut lines = text.trim_end().lines();
    let mut message = format!("error: {}\n", lines.next().unwrap_or_default());
    for line in lines {
        message.push_str(&format!("    {line}\n"));
    }
    out::stderr(&message);
}
