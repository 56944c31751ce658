//! The command line (clap derive). Doc comments are the help text; the types go no further
//! than the `command` module, which converts them into options.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Runs any Azure DevOps client against scripted on-premise 401 scenarios, each against its own
/// in-process mock Azure DevOps Server, and judges what the client did on the wire.
///
/// The scenario library is built in, so it runs from any folder. Client contract:
/// docs/CLIENT-CONTRACT.md in the repository.
///
/// Exit codes: 0 nothing failed (relative to the baseline), 1 failures (or an interrupted or
/// incomplete run), 2 unusable input or setup.
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
    /// The scenario library is built in; --scenarios DIR uses another folder. Prints a line per
    /// case as it finishes, the failures grouped by root cause (what to do, the scenario's fix,
    /// the server's explanation, the command reproducing it), and writes results.json,
    /// junit.xml, report.html and summary.md. SIGINT, SIGTERM and SIGHUP stop the run, kill
    /// the clients and still write the reports of the finished cases.
    ///
    /// Examples:
    ///   ado-conformance run --client conformance/clients/curl.toml
    ///   ado-conformance run --client my.toml --baseline my-baseline.toml --report-dir out
    ///   ado-conformance run --client my.toml --write-baseline my-baseline.toml   # adopt: draft a baseline
    ///   ado-conformance run --client my.toml --partition 2/4 --report-dir part2  # one CI job of four
    #[command(verbatim_doc_comment)]
    Run(RunArgs),
    /// Combine the results.json of several runs (e.g. the partitions of a CI matrix) into one
    /// set of reports and one exit code.
    ///
    /// Each DIR is a report folder (or a results.json file). The cases must be of one client
    /// and appear once; a missing partition makes the merged run fail (its cases did not run).
    ///
    /// Example:
    ///   ado-conformance merge --report-dir reports part1 part2 part3
    #[command(verbatim_doc_comment)]
    Merge(MergeArgs),
    /// List the scenarios (id, fault, releases, title), or print a Markdown catalogue.
    List(ListArgs),
    /// Print one scenario fully: symptom, cause, fix, server overrides, client, expectations.
    Show(ShowArgs),
    /// Start one scenario's mock server and print the client environment, for reproducing a
    /// customer's setup by hand.
    ///
    /// Prints the contract variables as KEY=VALUE lines (with the real secrets), then a line
    /// `ready`, and serves until SIGINT (Ctrl-C) or SIGTERM, whatever standard input is. Each
    /// decision is logged to stderr. The first stderr line names the control plane (GET /journal)
    /// and its token, sent as `Authorization: Bearer TOKEN`: new at every start and not among the
    /// client's variables, so the client under test cannot read or wipe the journal.
    ///
    /// Examples:
    ///   ado-conformance serve pat/missing-colon --release ads2022   # in a terminal; Ctrl-C stops it
    ///   ado-conformance serve pat/missing-colon > env.txt & ... ; kill $!   # in a script
    #[command(verbatim_doc_comment)]
    Serve(ServeArgs),
    /// Validate scenarios, client manifests and baselines without running anything.
    Check(CheckArgs),
    /// Turn a customer's trace (HTTP Archive 1.2, as browsers' developer tools and Fiddler
    /// export it) into a reproduction: a profile and a scenario, anonymised.
    ///
    /// Infers the release (api-versions, the location table, X-TFS-*/X-VSS-* headers, page
    /// titles), the IIS modes (challenges and statuses), the collections, projects and
    /// repositories (URLs and list answers), and the expected reasons (by replaying each request
    /// against the reproduction). Hosts, accounts, collections, projects and repositories become
    /// placeholders, the same everywhere; no credential, cookie or token of the trace is written
    /// (every file is checked for them first). Prints what it could not infer.
    ///
    /// Writes DIR/profiles/NAME.toml, DIR/trace/NAME.toml and DIR/report.md (each request of the
    /// trace, the trace's answer and the reproduction's; exit code 1 when any differs).
    ///
    /// Examples:
    ///   ado-conformance import customer.har --out repro
    ///   ado-conformance serve trace/imported --scenarios repro     # the reproduction, by hand
    ///   ado-conformance run --client my.toml --scenarios repro      # your client against it
    #[command(verbatim_doc_comment)]
    Import(ImportArgs),
    /// Internal: the first process inside a `run --sandbox` sandbox (see `run/sandbox.rs`).
    #[command(name = "sandbox-exec", hide = true)]
    SandboxExec(SandboxExecArgs),
}

/// `sandbox-exec`.
#[derive(Debug, Args)]
pub struct SandboxExecArgs {
    /// The client's command.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// Where the scenarios are.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Load scenarios from DIR (profiles in DIR/profiles/) instead of the library built into
    /// this binary.
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
}

impl ScenarioArgs {
    /// The folder given, or the built-in library.
    pub fn source(&self) -> crate::scenario::Source {
        crate::scenario::Source::from_arg(self.scenarios.clone())
    }
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
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,
    /// Known results of this client (TOML); the run fails only on differences from it.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write a baseline drafted from this run to FILE: every fail and insecure case, each
    /// reason prefilled from its findings (review them before committing).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Run only part K of N of the selected cases (1 <= K <= N), for a CI matrix: the cases,
    /// in id and release order, are dealt round-robin (like nextest's count partitioning), so
    /// the N parts are disjoint and together the whole suite. `count:K/N` is accepted too.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    pub partition: Option<Partition>,
    /// Run each client in a bubblewrap sandbox: its own user, PID, IPC and mount namespaces,
    /// and a network namespace with only loopback, where the case's server listens; the file
    /// system read-only but for its HOME and TMPDIR. Needs `bwrap` (Debian: bubblewrap).
    #[arg(long)]
    pub sandbox: bool,
    /// Cases run at once [default: the number of cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Colour in the terminal output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Part K of N (`--partition K/N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// K, from 1.
    pub index: usize,
    /// N.
    pub count: usize,
}

impl Partition {
    /// Whether the case at `position` (from 0, in id and release order) is in this part.
    pub fn contains(self, position: usize) -> bool {
        position % self.count == self.index - 1
    }
}

/// Parses `K/N` or `count:K/N`.
///
/// # Errors
/// What was expected.
pub fn parse_partition(text: &str) -> Result<Partition, String> {
    let spec = text.strip_prefix("count:").unwrap_or(text);
    let expected = || format!("expected K/N with 1 <= K <= N (e.g. 2/3), found `{text}`");
    let (k, n) = spec.split_once('/').ok_or_else(expected)?;
    let index: usize = k.trim().parse().map_err(|_| expected())?;
    let count: usize = n.trim().parse().map_err(|_| expected())?;
    if index == 0 || count == 0 || index > count {
        return Err(expected());
    }
    Ok(Partition { index, count })
}

/// `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Write the merged results.json, junit.xml, report.html and summary.md into DIR.
    #[arg(long, value_name = "DIR")]
    pub report_dir: PathBuf,
    /// Also write a baseline drafted from the merged results to FILE.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Colour in the terminal output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// The report folders (or results.json files) to combine.
    #[arg(required = true, value_name = "DIR")]
    pub inputs: Vec<PathBuf>,
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
    /// Soft mode: serve what an allowed caller gets even where the real server refuses, and log
    /// (and journal, as `would_refuse`) what it would have answered and why. Handshake steps,
    /// the challenge to a request without credentials and paths with no route are answered as
    /// usual.
    #[arg(long)]
    pub soft: bool,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The trace (a `.har` file).
    #[arg(value_name = "TRACE.har")]
    pub trace: PathBuf,
    /// The folder to write the reproduction into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The reproduction's name (file names and scenario id `trace/NAME`).
    #[arg(long, default_value = "imported", value_name = "NAME")]
    pub name: String,
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenarios folder.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// Also check this client manifest (and that its program exists); repeat to add more.
    #[arg(long, value_name = "FILE")]
    pub client: Vec<PathBuf>,
    /// Also check this baseline (every entry must name a scenario and one of its releases);
    /// repeat to add more.
    #[arg(long, value_name = "FILE")]
    pub baseline: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse_and_deal_round_robin() {
        assert_eq!(parse_partition("2/3"), Ok(Partition { index: 2, count: 3 }));
        assert_eq!(parse_partition("count:1/1"), Ok(Partition { index: 1, count: 1 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(parse_partition(bad).is_err(), "{bad}");
        }
        let parts: Vec<Vec<usize>> =
            (1..=3).map(|k| (0..10).filter(|i| Partition { index: k, count: 3 }.contains(*i)).collect()).collect();
        assert_eq!(parts, vec![vec![0, 3, 6, 9], vec![1, 4, 7], vec![2, 5, 8]]);
    }
}
