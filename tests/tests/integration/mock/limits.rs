//! Resource limits: oversized heads and bodies, slow clients, the connection limit and the cap
//! on pending NTLM handshakes, each answered as documented in `mock-server/src/http/limits.rs`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use ado_mock_server::MockServer;
use ado_mock_server::http::Limits;
use ado_mock_server::server::Options;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::profile;

async fn start(limits: Limits) -> MockServer {
    MockServer::start_with(profile(""), Options { limits, ..Options::default() }).await.expect("server starts")
}

/// Writes `request` raw and reads until the server closes or `timeout` passes.
fn exchange(addr: std::net::SocketAddr, request: &[u8], timeout: Duration) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(timeout)).unwrap();
    let _ = stream.write_all(request);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if out.windows(4).any(|w| w == b"\r\n\r\n") && out.starts_with(b"HTTP/1.1 4") {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn an_oversized_request_head_gets_431() {
    let server = start(Limits::default()).await;
    let addr = server.addr();
    let answer = tokio::task::spawn_blocking(move || {
        let big = "a".repeat(20 * 1024);
        let request = format!("GET /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n");
        exchange(addr, request.as_bytes(), Duration::from_secs(10))
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let limits = Limits { header_read_timeout: Duration::from_millis(500), ..Limits::default() };
    let server = start(limits).await;
    let addr = server.addr();
    let started = std::time::Instant::now();
    let answer = tokio::task::spawn_blocking(move || {
        exchange(addr, b"GET /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(20))
    })
    .await
    .unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(15), "closed by the server, not by the client's timeout: {elapsed:?}");
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_body_that_never_arrives_gets_408() {
    let limits = Limits { body_read_timeout: Duration::from_millis(300), ..Limits::default() };
    let server = start(limits).await;
    let addr = server.addr();
    let answer = tokio::task::spawn_blocking(move || {
        let head =
            "POST /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial";
        exchange(addr, head.as_bytes(), Duration::from_secs(10))
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn past_the_connection_limit_clients_wait_until_a_connection_closes() {
    let limits = Limits { max_connections: 1, ..Limits::default() };
    let server = start(limits).await;
    let addr = server.addr();
    let outcome = tokio::task::spawn_blocking(move || {
        let first = TcpStream::connect(addr).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let waiting =
            exchange(addr, b"GET /tfs/_apis/connectionData HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_millis(500));
        drop(first);
        let served =
            exchange(addr, b"GET /tfs/_apis/connectionData HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(10));
        (waiting, served)
    })
    .await
    .unwrap();
    assert!(outcome.0.is_empty(), "no answer while the only connection slot is taken: {}", outcome.0);
    assert!(outcome.1.starts_with("HTTP/1.1 401"), "answered once the slot frees: {}", outcome.1);
}

#[tokio::test]
async fn past_the_handshake_cap_the_oldest_pending_handshake_is_forgotten() {
    let limits = Limits { max_pending_handshakes: 2, ..Limits::default() };
    let server = start(limits).await;
    let addr = server.addr();
    let type1 = "TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=";
    tokio::task::spawn_blocking(move || {
        let mut streams: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
        for stream in &mut streams {
            write!(stream, "GET /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\nAuthorization: NTLM {type1}\r\n\r\n").unwrap();
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf).unwrap();
        }
        // A type 3 that cannot verify still shows whether the server kept the handshake.
        let bogus_type3 = STANDARD.encode(ntlm_type3_stub());
        for stream in &mut streams {
            write!(stream, "GET /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\nAuthorization: NTLM {bogus_type3}\r\n\r\n").unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).unwrap();
        }
    })
    .await
    .unwrap();
    let reasons: Vec<String> = server.journal().iter().skip(3).map(|e| e.reason.code().to_owned()).collect();
    assert_eq!(
        reasons,
        ["ntlm.no_handshake", "ntlm.bad_response", "ntlm.bad_response"],
        "the oldest handshake was evicted"
    );
}

/// A syntactically valid NTLMv2 AUTHENTICATE for CONTOSO\joseph with a wrong proof.
fn ntlm_type3_stub() -> Vec<u8> {
    let creds = ntlmclient::Credentials { username: "joseph".into(), password: "x".into(), domain: "CONTOSO".into() };
    let response = ntlmclient::respond_challenge_ntlm_v2([0; 8], &[0, 0, 0, 0], 0, &creds);
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE | ntlmclient::Flags::NEGOTIATE_NTLM;
    response.to_message(&creds, "CLIENTPC", flags).to_bytes().unwrap()
}

#[test]
fn a_short_mixed_load_gets_only_deserved_answers_and_no_5xx() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_load-test"))
        .args(["--server", env!("CARGO_BIN_EXE_mock-server-dup"), "--seconds", "4", "--connections", "24"])
        .output()
        .expect("load-test runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("0 5xx, 0 wrong answers"), "{stdout}");
}

#[test]
fn a_closed_stdout_does_not_stop_the_standalone_server() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mock-server-dup"))
        .args(["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    drop(reader);
    let addr: std::net::SocketAddr = line.trim().strip_prefix("listening on http://").unwrap().parse().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let answer = exchange(addr, b"GET /tfs/_apis/connectionData HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(10));
    let alive = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(alive, "the server survived writing to a closed stdout");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}
