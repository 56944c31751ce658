//! `ntlm` and `fresh`: a fixed number of workers, each opening a new connection per iteration.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::args::Args;
use crate::http::{self, Head};

/// What one iteration needs.
struct Plan {
    addr: String,
    path: String,
    headers: Vec<String>,
    requests: usize,
    credentials: Option<ntlmclient::Credentials>,
    /// With `--tls CA_FILE`: every connection does a full TLS handshake (no resumption).
    tls: Option<TlsConnector>,
}

/// A connection, plain or TLS.
trait Stream: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Stream for T {}

/// A TLS client trusting exactly the CA file, with session resumption off so that each fresh
/// connection pays for a full handshake, as a new client process does.
fn tls_connector(ca_file: &str) -> Result<TlsConnector, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file).map_err(|e| format!("--tls {ca_file}: {e}"))? {
        roots.add(cert.map_err(|e| format!("--tls {ca_file}: {e}"))?).map_err(|e| e.to_string())?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Runs `mode` and prints `mode=.. iterations=.. seconds=.. rate=.. failures=..`.
pub fn run(mode: &str, args: &Args) -> Result<(), String> {
    let credentials = (mode == "ntlm").then(|| ntlmclient::Credentials {
        username: args.get("user").unwrap_or("joseph").to_owned(),
        password: args.get("password").unwrap_or("Passw0rd!").to_owned(),
        domain: args.get("domain").unwrap_or("CONTOSO").to_owned(),
    });
    let plan = Rc::new(Plan {
        addr: args.required("addr")?.to_owned(),
        path: args.get("path").unwrap_or("/tfs/DefaultCollection/_apis/projects").to_owned(),
        headers: args.all("header").to_vec(),
        requests: args.num("requests", 2)?,
        credentials,
        tls: args.get("tls").map(tls_connector).transpose()?,
    });
    let concurrency: usize = args.num("concurrency", 8)?;
    let seconds: f64 = args.num("seconds", 5.0)?;
    // One thread, like `wrk -t1`: the other core is the server's.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let (done, failures, first_error, elapsed) = runtime.block_on(drive(plan, concurrency, seconds));
    let rate = done as f64 / elapsed;
    let client_cpu_us = own_cpu_ms().map_or(0.0, |ms| ms * 1000.0 / done.max(1) as f64);
    println!(
        "mode={mode} iterations={done} seconds={elapsed:.3} rate={rate:.1} failures={failures} \
         client_cpu_us={client_cpu_us:.1}"
    );
    if let Some(error) = first_error {
        eprintln!("first failure: {error}");
    }
    if done == 0 { Err("no iteration succeeded".to_owned()) } else { Ok(()) }
}

/// This process's CPU time (user + system) so far, in milliseconds: `/proc/self/stat` counts
/// clock ticks of USER_HZ, which is 100 on Linux x86_64.
fn own_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

async fn drive(plan: Rc<Plan>, concurrency: usize, seconds: f64) -> (u64, u64, Option<String>, f64) {
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let local = tokio::task::LocalSet::new();
    let workers: Vec<_> = (0..concurrency).map(|_| local.spawn_local(worker(plan.clone(), deadline))).collect();
    local.await;
    let elapsed = start.elapsed().as_secs_f64();
    let (mut done, mut failures, mut first_error) = (0, 0, None);
    for worker in workers {
        let (ok, failed, error) = worker.await.unwrap_or((0, 1, Some("worker panicked".to_owned())));
        done += ok;
        failures += failed;
        first_error = first_error.or(error);
    }
    (done, failures, first_error, elapsed)
}

async fn worker(plan: Rc<Plan>, deadline: Instant) -> (u64, u64, Option<String>) {
    let (mut ok, mut failed, mut first_error) = (0, 0, None);
    let mut buf = Vec::with_capacity(16 * 1024);
    while Instant::now() < deadline {
        let outcome = match &plan.credentials {
            Some(credentials) => handshake(&plan, credentials, &mut buf).await,
            None => plain(&plan, &mut buf).await,
        };
        match outcome {
            Ok(()) => ok += 1,
            Err(error) => {
                failed += 1;
                first_error.get_or_insert(error);
            }
        }
    }
    (ok, failed, first_error)
}

async fn connect(plan: &Plan) -> Result<Box<dyn Stream>, String> {
    let stream = TcpStream::connect(&plan.addr).await.map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let Some(tls) = &plan.tls else { return Ok(Box::new(stream)) };
    let host = plan.addr.rsplit_once(':').map_or(plan.addr.as_str(), |(host, _)| host);
    let name = rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
    let stream = tls.connect(name, stream).await.map_err(|e| format!("TLS handshake: {e}"))?;
    Ok(Box::new(stream))
}

fn expect(head: &Head, status: u16, step: &str) -> Result<(), String> {
    if head.status == status { Ok(()) } else { Err(format!("{step}: status {} instead of {status}", head.status)) }
}

async fn plain(plan: &Plan, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut stream = connect(plan).await?;
    let request = http::request(&plan.path, &plan.addr, &plan.headers);
    for _ in 0..plan.requests {
        expect(&http::exchange(&mut stream, &request, buf).await?, 200, "request")?;
    }
    Ok(())
}

async fn handshake(plan: &Plan, credentials: &ntlmclient::Credentials, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut stream = connect(plan).await?;
    let negotiate = format!("Authorization: NTLM {}", STANDARD.encode(negotiate_message()));
    let head = http::exchange(&mut stream, &http::request(&plan.path, &plan.addr, &[negotiate]), buf).await?;
    expect(&head, 401, "NEGOTIATE")?;
    let challenge = head
        .challenges
        .iter()
        .find_map(|c| c.strip_prefix("NTLM "))
        .and_then(|b64| STANDARD.decode(b64).ok())
        .ok_or("NEGOTIATE: no NTLM challenge in the 401")?;
    let authenticate =
        format!("Authorization: NTLM {}", STANDARD.encode(authenticate_message(&challenge, credentials)?));
    let head = http::exchange(&mut stream, &http::request(&plan.path, &plan.addr, &[authenticate]), buf).await?;
    expect(&head, 200, "AUTHENTICATE")
}

/// ntlmclient's NEGOTIATE, as the integration tests send it.
fn negotiate_message() -> Vec<u8> {
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE
        | ntlmclient::Flags::REQUEST_TARGET
        | ntlmclient::Flags::NEGOTIATE_NTLM
        | ntlmclient::Flags::NEGOTIATE_WORKSTATION_SUPPLIED;
    let message = ntlmclient::Message::Negotiate(ntlmclient::NegotiateMessage {
        flags,
        supplied_domain: String::new(),
        supplied_workstation: "BENCH".to_owned(),
        os_version: ntlmclient::OsVersion::default(),
    });
    message.to_bytes().expect("a NEGOTIATE without payload always serialises")
}

/// ntlmclient's NTLMv2 AUTHENTICATE for the server's CHALLENGE.
fn authenticate_message(challenge: &[u8], credentials: &ntlmclient::Credentials) -> Result<Vec<u8>, String> {
    let Ok(ntlmclient::Message::Challenge(challenge)) = ntlmclient::Message::try_from(challenge) else {
        return Err("NEGOTIATE: the CHALLENGE does not parse".to_owned());
    };
    let target_info: Vec<u8> = challenge.target_information.iter().flat_map(|e| e.to_bytes()).collect();
    let response = ntlmclient::respond_challenge_ntlm_v2(
        challenge.challenge,
        &target_info,
        ntlmclient::get_ntlm_time(),
        credentials,
    );
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE | ntlmclient::Flags::NEGOTIATE_NTLM;
    response.to_message(credentials, "BENCH", flags).to_bytes().map_err(|e| format!("AUTHENTICATE: {e:?}"))
}
