//! The subcommands. Each takes its clap arguments and returns an exit code, or an error that
//! `main_impl` prints.

mod check;
pub mod list;
mod merge;
mod run;
mod serve;
pub mod show;

use crate::cli::{Cli, Command};
use crate::error::ExpectedError;
use crate::scenario::{Catalogue, Source, load};

/// Runs the parsed command line.
///
/// # Errors
/// An [`ExpectedError`] (inside the `anyhow::Error`) for unusable input, anything else for
/// unexpected failures.
pub fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Run(args) => run::run(args.into()),
        Command::Merge(args) => merge::merge(&args),
        Command::List(args) => list::list(&args),
        Command::Show(args) => show::show(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Check(args) => check::check(&args),
        Command::Import(args) => crate::import::import(&args),
        Command::SandboxExec(args) => crate::run::sandbox::exec_main(&args.command),
    }
}

/// Unix seconds now (relative PAT expiries resolve against it).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The clock of a `run`: midnight UTC of today, fixed for the whole run.
///
/// Relative PAT expiries resolve against it and every case's mock server reads it as "now",
/// so transcripts (expiry times, NTLM challenge timestamps) are the same in every run of the
/// day: two runs give the same results.json apart from durations. Expiry stays meaningful
/// because both sides use the same instant.
pub fn run_clock() -> i64 {
    let now = now();
    now - now.rem_euclid(86_400)
}

/// Loads the scenarios with relative times resolved against the real clock.
///
/// # Errors
/// [`ExpectedError::Invalid`] listing every bad file.
pub fn catalogue(source: &Source) -> Result<Catalogue, ExpectedError> {
    catalogue_at(source, now())
}

/// Loads the scenarios with relative times resolved against `now`.
///
/// # Errors
/// [`ExpectedError::Invalid`] listing every bad file.
pub fn catalogue_at(source: &Source, now: i64) -> Result<Catalogue, ExpectedError> {
    Ok(load(source, now)?)
}

/// Whether `id` (or its label with `release`) matches any filter (all match when none).
pub fn selected(filters: &[String], id: &str, release: Option<&str>) -> bool {
    filters.is_empty()
        || filters
            .iter()
            .any(|f| id.contains(f.as_str()) || release.is_some_and(|r| format!("{id} [{r}]").contains(f.as_str())))
}

/// The signals that stop `run` and `serve`: SIGINT (Ctrl-C), SIGTERM (CI cancellation,
/// `timeout`, `docker stop`) and SIGHUP (a closed terminal or SSH session).
pub struct StopSignals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

/// Installs the handlers (inside a tokio runtime); from then on these signals no longer kill
/// the process but are reported by [`StopSignals::next`].
///
/// # Errors
/// When a handler cannot be installed.
pub fn stop_signals() -> std::io::Result<StopSignals> {
    use tokio::signal::unix::{SignalKind, signal};
    Ok(StopSignals {
        int: signal(SignalKind::interrupt())?,
        term: signal(SignalKind::terminate())?,
        hup: signal(SignalKind::hangup())?,
    })
}

impl StopSignals {
    /// The name of the next stop signal received.
    pub async fn next(&mut self) -> Option<&'static str> {
        tokio::select! {
            s = self.int.recv() => s.map(|()| "SIGINT"),
            s = self.term.recv() => s.map(|()| "SIGTERM"),
            s = self.hup.recv() => s.map(|()| "SIGHUP"),
        }
    }
}
