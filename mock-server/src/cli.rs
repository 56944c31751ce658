//! The `ado-mock-server` command line: a standalone mock Azure DevOps Server for one profile,
//! an offline explanation of one request, or the profile's test credentials. It is the
//! binary's own module (not part of the library) and uses only the library's public surface.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ado_mock_server::capacity;
use ado_mock_server::explain::{Question, explain, read_iis_log_line, render_log_reading};
use ado_mock_server::profile::DEFAULT_PROFILE;
use ado_mock_server::{Credentials, MockServer, Profile};

use anyhow::Context;
use clap::{Parser, Subcommand};

/// A mock Azure DevOps Server / TFS that reproduces on-premise authentication (IIS + TFS
/// layers), answers with the real status codes, headers and bodies, and logs why it refused
/// each request and what would fix it.
///
/// It prints `listening on http://ADDR` (`https://ADDR` with `[tls] enabled`), `control on
/// http://ADDR` and `control-token TOKEN` first, with TLS then `ca-file PATH` (the CA
/// certificate clients must trust, removed at exit), then one line per decision. On stderr it
/// says how many connections it can hold (the connection limit, or fewer when the open-file
/// limit allows fewer; it raises its soft open-file limit to the hard limit first).
///
/// The control plane serves GET /journal, DELETE /journal, GET /healthz, GET /profile,
/// GET /lockouts and POST /lockouts/reset on its own port, to requests that carry
/// `Authorization: Bearer TOKEN` (new at every start; never give it to the client under test)
/// and a loopback `Host`.
///
/// Example:
///   ado-mock-server --profile scenarios/profiles/default.toml --listen 127.0.0.1:8080
///   curl -u :$PAT http://127.0.0.1:8080/tfs/DefaultCollection/_apis/projects
///   curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$CONTROL_PORT/journal
#[derive(Parser)]
#[command(name = "ado-mock-server", version, verbatim_doc_comment)]
struct Cli {
    /// The server profile (TOML); default: the built-in default profile.
    #[arg(long, global = true, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// Where the emulated server listens (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: SocketAddr,
    /// Where the control plane listens (keep it on loopback: a warning says when it is not).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    control: SocketAddr,
    /// Soft mode: serve every request an allowed caller would get, even where the real server
    /// refuses, and record in the journal what it would have answered and why (each row's
    /// `would_refuse`: status, reason, explanation, hint). Point an existing integration suite
    /// at it to list a client's authentication mistakes without breaking the suite. Handshake
    /// steps, the challenge to a request without credentials and paths with no route are
    /// answered as usual.
    #[arg(long)]
    soft: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Say offline what the server would answer to one request, and why.
    ///
    /// Example:
    ///   ado-mock-server explain --profile p.toml --path /tfs/DefaultCollection/_apis/projects \
    ///       'Authorization: Basic OjEyMzQ='
    ///   ado-mock-server explain --iis-log '2026-01-05 10:00:00 10.0.0.5 GET /tfs/_apis/projects - 443 - 10.0.0.9 curl/8.5 - 401 1 2148074252 15'
    #[command(verbatim_doc_comment)]
    Explain {
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// Path and query.
        #[arg(long, default_value = "/tfs/DefaultCollection/_apis/projects")]
        path: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Instead of a request, read a line of the customer's IIS log (W3C format, or just
        /// `sc-status sc-substatus sc-win32-status`) and say which reasons produce it.
        #[arg(long, value_name = "LINE", conflicts_with_all = ["headers"])]
        iis_log: Option<String>,
        /// Request headers as `Name: value` (e.g. an Authorization line copied from a log).
        headers: Vec<String>,
    },
    /// Fingerprint a live server into a profile (TOML, on stdout) that `ado-mock-server
    /// --profile` loads: virtual directory, challenge set and order (IIS Anonymous, Windows
    /// providers, IIS Basic), TFS's headers and error-body format, the `Server` header, and the
    /// release they narrow to.
    ///
    /// It sends few, read-only requests (GET and OPTIONS) and prints each one, with what it is
    /// for, on stderr. It sends no credential unless --pat-env names a variable holding a PAT;
    /// then it also reads the location table (maxVersion and ids pin the release), the account,
    /// and the collections, projects and repositories the PAT may see. Nothing secret is
    /// written: the profile names the account and a PAT *name*, never a token.
    ///
    /// Examples:
    ///   ado-mock-server probe http://tfs.contoso.local:8080/tfs > customer.toml
    ///   ADO_PAT=... ado-mock-server probe https://tfs.contoso.local/tfs/DefaultCollection \
    ///       --pat-env ADO_PAT --ca-file corp-ca.pem > customer.toml
    ///   ado-mock-server --profile customer.toml --listen 127.0.0.1:8080
    #[command(verbatim_doc_comment)]
    Probe {
        /// The server URL (`http[s]://host[:port]/tfs`) or a collection URL.
        url: String,
        /// The environment variable holding a PAT to authenticate with (never on the command
        /// line, where process listings show it). Without it only anonymous requests are sent.
        #[arg(long, value_name = "VAR")]
        pat_env: Option<String>,
        /// A CA certificate (PEM) to trust for https (none is trusted otherwise).
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
        /// Seconds to wait for each answer.
        #[arg(long, default_value_t = 20, value_name = "SECONDS")]
        timeout: u64,
    },
    /// Print the profile's test credentials (accounts, passwords, PAT names and tokens), so a
    /// person can point a client at the server. This is the one place they are printed.
    Credentials,
}

/// Runs the command line (the binary's `main`; also used by the tests crate's copy of it).
pub(crate) fn main_impl() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
    let profile = match &cli.profile {
        Some(path) => Profile::load(path, now)?,
        None => Profile::from_toml_str(DEFAULT_PROFILE, "built-in default profile", now)?,
    };
    match cli.command {
        Some(Command::Explain { iis_log: Some(line), json, .. }) => {
            let reading = read_iis_log_line(&line).map_err(anyhow::Error::msg)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&reading)?);
            } else {
                print!("{}", render_log_reading(&reading));
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Explain { method, path, json, headers, .. }) => {
            let answer = explain(&profile, &Question { method: &method, path: &path, headers: &headers })?;
            if json {
                println!("{}", serde_json::to_string_pretty(&answer)?);
            } else {
                print!("{}", answer.render());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Probe { url, pat_env, ca_file, timeout }) => probe(url, pat_env, ca_file, timeout),
        Some(Command::Credentials) => {
            print!("{}", Credentials::of(&profile));
            Ok(ExitCode::SUCCESS)
        }
        None => serve(profile, cli.listen, cli.control, cli.soft),
    }
}

fn probe(url: String, pat_env: Option<String>, ca_file: Option<PathBuf>, timeout: u64) -> anyhow::Result<ExitCode> {
    let pat = match pat_env {
        Some(var) => Some(ado_mock_server::secret::Secret::new(
            std::env::var(&var).with_context(|| format!("--pat-env {var}: the variable is not set"))?,
        )),
        None => None,
    };
    let options = ado_mock_server::probe::ProbeOptions {
        url: url.clone(),
        pat,
        ca_file,
        timeout: std::time::Duration::from_secs(timeout),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut log = |line: &str| eprintln!("probe: {line}");
    let repro = runtime.block_on(ado_mock_server::probe::probe(&options, &mut log))?;
    for line in &repro.unknown {
        eprintln!("probe: not inferred: {line}");
    }
    let mut out = std::io::stdout();
    let _ = out.write_all(repro.to_toml(&url).as_bytes());
    let _ = out.flush();
    Ok(ExitCode::SUCCESS)
}

/// Decision lines kept in memory while stdout's reader is slow; past it lines are dropped (and
/// counted) rather than stalling the server.
const LOG_BUFFER_LINES: usize = 4096;

fn serve(profile: Profile, listen: SocketAddr, control: SocketAddr, soft: bool) -> anyhow::Result<ExitCode> {
    // A reader that stops reading must never freeze serving: decision lines go through a bounded,
    // lossy queue to a writer thread, which alone may block on the pipe.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(LOG_BUFFER_LINES)
        .thread_name("ado-mock-server-log")
        .finish(std::io::stdout());
    let dropped = writer.error_counter();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_writer(writer)
        .init();
    let files = capacity::raise_open_file_limit();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("failed to start the runtime")?;
    let result = runtime.block_on(async move {
        let server =
            MockServer::builder().profile(profile).listen(listen).control_plane_at(control).soft(soft).start().await?;
        let max_connections = server.max_connections();
        // Decision lines are redacted: have the finder ready for the first one.
        server.warm_secret_finder();
        // A closed stdout (the reader went away) must not bring the server down.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {}", server.url());
        if server.is_soft() {
            let _ = writeln!(
                out,
                "soft mode: refusals are served; the journal's would_refuse says what the server would answer"
            );
        }
        if let Some(control) = server.control_url() {
            let _ = writeln!(out, "control on {control}");
            // The one place the token is shown: whoever runs the server needs it.
            let _ = writeln!(out, "control-token {}", server.control_token().expose());
            if let Some(addr) = server.control_addr().filter(|a| !a.ip().is_loopback()) {
                eprintln!(
                    "warning: the control plane listens on {addr}, off loopback: anyone who can reach it and learns \
                     the token can read and wipe the journal"
                );
            }
        }
        eprintln!("{}", capacity_line(max_connections, files.as_ref().ok().map(|f| f.now), &files));
        if let Some(ca) = server.ca_file() {
            // The CA certificate (PEM) clients must trust; removed when the server stops.
            let _ = writeln!(out, "ca-file {}", ca.display());
        }
        let _ = out.flush();
        wait_for_interrupt().await;
        server.shutdown().await;
        anyhow::Ok(ExitCode::SUCCESS)
    });
    let lost = dropped.dropped_lines();
    if lost > 0 {
        eprintln!(
            "ado-mock-server: {lost} log lines dropped: stdout was not read fast enough (the journal has every decision)"
        );
    }
    drop(guard);
    result
}

/// `can hold N connections at once (...)`: the connection limit, or the open-file limit when
/// that allows fewer.
fn capacity_line(
    max_connections: usize,
    open_files: Option<u64>,
    files: &std::io::Result<capacity::OpenFiles>,
) -> String {
    let capacity = capacity::connection_capacity(max_connections, open_files);
    let files = match files {
        Ok(f) if f.before < f.now => format!("open-file limit raised from {} to {}", f.before, f.now),
        Ok(f) => format!("open-file limit {} (hard limit {})", f.now, f.hard),
        Err(e) => format!("open-file limit unknown: {e}"),
    };
    let bound = if capacity < max_connections { ", limited by open files" } else { "" };
    format!(
        "ado-mock-server: can hold {capacity} connections at once{bound} (connection limit {max_connections}; {files}; \
         {} descriptors kept for the server)",
        capacity::RESERVED_FDS
    )
}

async fn wait_for_interrupt() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = ctrl_c => {}
            Some(_) = async { match term.as_mut() { Some(t) => t.recv().await, None => std::future::pending().await } } => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
