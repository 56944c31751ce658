//! A bounded load test of the standalone mock server over loopback: mixed valid, invalid and
//! NTLM handshake traffic on many connections. It checks that no answer is a 5xx, that every
//! answer is the one the credential deserves, and that the server's memory stays flat.
//!
//! Usage: `load-test [--server PATH] [--seconds N] [--connections N]`
//! (default: the `ado-mock-server` next to this binary, 30 s, 64 connections).
//! Exit status 0 when every check held, 1 otherwise. `scripts/load-test.sh` runs it.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};

struct Options {
    server: PathBuf,
    seconds: u64,
    connections: usize,
}

fn options() -> Result<Options, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone());
    let here = std::env::current_exe().map_err(|e| e.to_string())?;
    let sibling = here.with_file_name("mock-server-dup");
    let server = value("--server").map(PathBuf::from).unwrap_or(sibling);
    let seconds =
        value("--seconds").map_or(Ok(30), |v| v.parse().map_err(|_| format!("--seconds {v}: expected a number")))?;
    let connections = value("--connections")
        .map_or(Ok(64), |v| v.parse().map_err(|_| format!("--connections {v}: expected a number")))?;
    Ok(Options { server, seconds, connections })
}

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    handshakes: AtomicU64,
    server_errors: AtomicU64,
    wrong: AtomicU64,
}

/// One kind of traffic and the status it deserves.
#[derive(Clone, Copy)]
enum Kind {
    ValidPat,
    NoColon,
    Bearer,
    UnknownPat,
    TooNewApi,
    NtlmGood,
    NtlmBad,
}

const KINDS: [Kind; 7] =
    [Kind::ValidPat, Kind::NoColon, Kind::Bearer, Kind::UnknownPat, Kind::TooNewApi, Kind::NtlmGood, Kind::NtlmBad];

fn main() -> ExitCode {
    let options = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("load-test: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    match runtime.block_on(run(options)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("load-test: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(options: Options) -> Result<bool, String> {
    let mut child = Command::new(&options.server)
        .args(["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", options.server.display()))?;
    let pid = child.id();
    let url = first_line(&mut child)?;
    let pat = default_pat()?;
    let tally = Arc::new(Tally::default());
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let mut workers = Vec::new();
    for i in 0..options.connections {
        let (url, pat, tally) = (url.clone(), pat.clone(), Arc::clone(&tally));
        workers.push(tokio::spawn(async move { worker(i, &url, &pat, &tally, deadline).await }));
    }
    let mut rss = Vec::new();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push(rss_kib(pid));
    }
    for w in workers {
        let _ = w.await;
    }
    let _ = child.kill();
    let _ = child.wait();
    Ok(report(&options, &tally, &rss))
}

fn first_line(child: &mut std::process::Child) -> Result<String, String> {
    use std::io::BufRead;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut reader = std::io::BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    // Keep reading, so the server never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let addr = line.trim().strip_prefix("listening on ").ok_or_else(|| format!("unexpected first line {line:?}"))?;
    Ok(format!("{addr}/tfs/DefaultCollection/_apis/projects"))
}

fn default_pat() -> Result<String, String> {
    let profile = ado_mock_server::Profile::from_toml_str(ado_mock_server::profile::DEFAULT_PROFILE, "default", 0)
        .map_err(|e| e.to_string())?;
    Ok(profile.identities[0].pats[0].token.expose().to_owned())
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().split(' ').next()?.parse().ok())
        .unwrap_or(0)
}

async fn worker(index: usize, url: &str, pat: &str, tally: &Tally, deadline: Instant) {
    let client = ado_tests::http().pool_max_idle_per_host(1).http1_only().build().expect("client");
    let mut round = index;
    while Instant::now() < deadline {
        let kind = KINDS[round % KINDS.len()];
        round += 1;
        let ok = match kind {
            Kind::NtlmGood | Kind::NtlmBad => ntlm(url, matches!(kind, Kind::NtlmGood), tally).await,
            _ => plain(&client, url, pat, kind, tally).await,
        };
        if !ok {
            tally.wrong.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn plain(client: &reqwest::Client, url: &str, pat: &str, kind: Kind, tally: &Tally) -> bool {
    let (auth, target, expected) = match kind {
        Kind::ValidPat => (format!("Basic {}", STANDARD.encode(format!(":{pat}"))), url.to_owned(), 200),
        Kind::NoColon => (format!("Basic {}", STANDARD.encode(pat)), url.to_owned(), 401),
        Kind::Bearer => (format!("Bearer {pat}"), url.to_owned(), 401),
        Kind::UnknownPat => (format!("Basic {}", STANDARD.encode(format!(":{}", "q".repeat(52)))), url.to_owned(), 401),
        _ => (format!("Basic {}", STANDARD.encode(format!(":{pat}"))), format!("{url}?api-version=9.9"), 400),
    };
    status(client.get(target).header(AUTHORIZATION, auth), tally).await == Some(expected)
}

async fn status(request: reqwest::RequestBuilder, tally: &Tally) -> Option<u16> {
    let response = request.send().await.ok()?;
    let code = response.status().as_u16();
    let _ = response.bytes().await;
    tally.requests.fetch_add(1, Ordering::Relaxed);
    if code >= 500 {
        tally.server_errors.fetch_add(1, Ordering::Relaxed);
    }
    Some(code)
}

/// A full NTLM handshake on a fresh connection; `good` decides the password.
async fn ntlm(url: &str, good: bool, tally: &Tally) -> bool {
    let client = ado_tests::http().pool_max_idle_per_host(1).http1_only().build().expect("client");
    let type1 = format!("NTLM {}", STANDARD.encode(negotiate()));
    let Ok(leg2) = client.get(url).header(AUTHORIZATION, type1).send().await else { return false };
    let token =
        leg2.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("NTLM "));
    let Some(challenge) = token.and_then(|t| STANDARD.decode(t).ok()) else { return false };
    let _ = leg2.bytes().await;
    tally.requests.fetch_add(1, Ordering::Relaxed);
    let password = if good { "Passw0rd!" } else { "wrong" };
    let Some(type3) = authenticate(&challenge, password) else { return false };
    let code = status(client.get(url).header(AUTHORIZATION, format!("NTLM {}", STANDARD.encode(type3))), tally).await;
    tally.handshakes.fetch_add(1, Ordering::Relaxed);
    code == Some(if good { 200 } else { 401 })
}

fn negotiate() -> Vec<u8> {
    ado_tests::ntlm::negotiate("LOAD")
}

fn authenticate(challenge: &[u8], password: &str) -> Option<Vec<u8>> {
    let logon = ado_tests::ntlm::Logon { user: "joseph", domain: "CONTOSO", password, workstation: "LOAD" };
    ado_tests::ntlm::authenticate(challenge, &logon).ok()
}

/// Prints the summary; `true` when every check held.
fn report(options: &Options, tally: &Tally, rss: &[u64]) -> bool {
    let requests = tally.requests.load(Ordering::Relaxed);
    let server_errors = tally.server_errors.load(Ordering::Relaxed);
    let wrong = tally.wrong.load(Ordering::Relaxed);
    let handshakes = tally.handshakes.load(Ordering::Relaxed);
    // Memory is "flat" when the second half of the run peaks within 25% (and 4 MiB) of the
    // first half's peak: allocator warm-up happens early, a leak keeps growing.
    let half = rss.len() / 2;
    let first = rss[..half.max(1).min(rss.len())].iter().copied().max().unwrap_or(0);
    let second = rss[half..].iter().copied().max().unwrap_or(0);
    let flat = second <= first + (first / 4).max(4096);
    println!(
        "load-test: {} s, {} connections: {requests} requests ({:.0}/s), {handshakes} NTLM handshakes, {server_errors} 5xx, {wrong} wrong answers",
        options.seconds,
        options.connections,
        requests as f64 / options.seconds.max(1) as f64
    );
    println!(
        "load-test: server RSS first half peak {first} KiB, second half peak {second} KiB: {}",
        if flat { "flat" } else { "GROWING" }
    );
    let ok = server_errors == 0 && wrong == 0 && flat && requests > 0;
    println!("load-test: {}", if ok { "ok" } else { "FAILED" });
    ok
}
