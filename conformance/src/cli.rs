//! The command line (clap derive). Doc comments are the help text; the types go no further
//! than the `command` module, which converts them into options.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Runs any Azure DevOps client against scripted on-premise 401 scenarios, each against its own
/// in-process mock Azure DevOps Server, and judges what the client did on the wire.
///
/// Exit codes: 0 nothing failed (relative to the baseline), 1 failures (or an interrupted run),
/// 2 unusable input or setup.
#[derive(Debug, Parser)]
#[command(name = "ado-conformance", version, verbatim_doc_comment)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every selected scenario against a client and judge it.
    ///
    /// Example:
    ///   ado-conformance run --client conformance/clients/curl.toml --report-dir reports
    #[command(verbatim_doc_comment)]
    Run(RunArgs),
    /// List the scenarios (id, fault, releases, title), or print a Markdown catalogue.
    List(ListArgs),
    /// Print one scenario fully: symptom, cause, fix, server overrides, client, expectations.
    Show(ShowArgs),
    /// Start one scenario's mock server and print the client environment, for reproducing a
    /// customer's setup by hand.
    ///
    /// Prints the contract variables as KEY=VALUE lines (with the real secrets), then a line
    /// `ready`, and serves until interrupted or until standard input closes. Each decision is
    /// logged to stderr.
    ///
    /// Examples:
    ///   ado-conformance serve pat/missing-colon             # in a terminal; Ctrl-C stops it
    ///   sleep infinity | ado-conformance serve pat/missing-colon > env.txt &   # in a script
    #[command(verbatim_doc_comment)]
    Serve(ServeArgs),
    /// Validate scenarios, client manifests and baselines without running anything.
    Check(CheckArgs),
}

/// Where the scenarios are.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenarios folder (profiles in DIR/profiles/).
    #[arg(long, default_value = "scenarios", value_name = "DIR")]
    pub scenarios: PathBuf,
}

/// `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The client manifest (TOML).
    #[arg(long, value_name = "FILE")]
    pub client: PathBuf,
    /// The scenarios folder.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// Only cases whose id (or `id [release]`) contains TEXT; repeat to add more.
    #[arg(long, value_name = "TEXT")]
    pub filter: Vec<String>,
    /// Only these releases of each scenario's matrix; repeat to add more.
    #[arg(long, value_name = "RELEASE")]
    pub release: Vec<String>,
    /// Write results.json, junit.xml, report.html and summary.md into DIR (created if needed).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Known results of this client (TOML); the run fails only on differences from it.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Cases run at once [default: the number of cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Colour in the terminal output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// When to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The scenarios folder.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Only scenarios whose id contains TEXT; repeat to add more.
    #[arg(long, value_name = "TEXT")]
    pub filter: Vec<String>,
}

/// The format of `list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One line per scenario.
    Text,
    /// A catalogue (id, title, symptom, cause, fix) for scenarios/README.md.
    Markdown,
}

/// `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The scenario id, e.g. pat/missing-colon.
    pub id: String,
    /// The scenarios folder.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
}

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The scenario id, e.g. pat/missing-colon.
    pub id: String,
    /// The scenarios folder.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// The release to emulate [default: the scenario's first].
    #[arg(long, value_name = "RELEASE")]
    pub release: Option<String>,
    /// Where the emulated server listens (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenarios folder.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// Also check this client manifest; repeat to add more.
    #[arg(long, value_name = "FILE")]
    pub client: Vec<PathBuf>,
    /// Also check this baseline; repeat to add more.
    #[arg(long, value_name = "FILE")]
    pub baseline: Vec<PathBuf>,
}
