//! Resource limits: oversized heads and bodies, slow clients, the connection limit and the cap
//! on pending NTLM handshakes, each answered as documented in `mock-server/src/http/limits.rs`.

use std::io::{BufRead, BufReader, Read, Write};
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

/// Issue 17: the server-wide cap counts connections with a handshake in progress, not
/// handshakes, so one keep-alive connection can run any number of them in turn (before, the
/// 1,025th on one connection got `ntlm.no_handshake`), with either IIS setting.
#[tokio::test]
async fn two_thousand_ntlm_handshakes_on_one_connection_all_succeed() {
    const HANDSHAKES: usize = 2000;
    for persist in [true, false] {
        let overrides = format!("[iis]\npersist-auth-per-connection = {persist}");
        let server = MockServer::start_with(profile(&overrides), Options::default()).await.expect("server starts");
        let addr = server.addr();
        let statuses = tokio::task::spawn_blocking(move || {
            let stream = TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            stream.set_nodelay(true).unwrap();
            let mut stream = BufReader::new(stream);
            let type1 = STANDARD.encode(ado_tests::ntlm::negotiate("CLIENTPC"));
            let logon = ado_tests::ntlm::Logon {
                user: "joseph",
                domain: "CONTOSO",
                password: "Passw0rd!",
                workstation: "CLIENTPC",
            };
            let mut statuses = Vec::with_capacity(HANDSHAKES);
            for _ in 0..HANDSHAKES {
                let (_, head) = keep_alive_request(&mut stream, &format!("NTLM {type1}"));
                let challenge = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("WWW-Authenticate: NTLM ").or_else(|| l.strip_prefix("www-authenticate: NTLM "))
                    })
                    .map(|t| STANDARD.decode(t.trim()).unwrap())
                    .unwrap_or_else(|| panic!("a CHALLENGE: {head}"));
                let type3 = STANDARD.encode(ado_tests::ntlm::authenticate(&challenge, &logon).unwrap());
                statuses.push(keep_alive_request(&mut stream, &format!("NTLM {type3}")).0);
            }
            statuses
        })
        .await
        .unwrap();
        let refused: Vec<(usize, u16)> = statuses.iter().copied().enumerate().filter(|(_, s)| *s != 200).collect();
        assert!(
            refused.is_empty(),
            "persist-auth-per-connection = {persist}: refused handshakes {:?}",
            &refused[..refused.len().min(5)]
        );
        let journal = server.journal();
        assert_eq!(journal.len(), 2 * HANDSHAKES);
        assert!(journal.iter().all(|e| e.connection == journal[0].connection), "one connection");
        assert!(journal.iter().all(|e| e.reason.code() != "ntlm.no_handshake"));
    }
}

/// Sends one GET with `Authorization: authorization` on a kept-alive connection and reads its
/// answer whole (head and Content-Length body); returns the status and the head.
fn keep_alive_request(stream: &mut BufReader<TcpStream>, authorization: &str) -> (u16, String) {
    // One write: a request split over several small segments waits on Nagle and delayed ACKs.
    let request = format!(
        "GET /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\nAuthorization: {authorization}\r\n\r\n"
    );
    stream.get_mut().write_all(request.as_bytes()).unwrap();
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = stream.read_line(&mut line).unwrap();
        assert!(n > 0, "the server closed the connection: {head}");
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head)
}

/// Issue 17: a client that sends requests and never reads its answers is cut off by the write
/// timeout (before, 50 such connections stayed open for ever, each holding a connection slot).
#[tokio::test]
async fn never_reading_connections_are_closed_by_the_write_timeout() {
    const CONNECTIONS: usize = 50;
    let limits = Limits { write_timeout: Duration::from_millis(500), ..Limits::default() };
    let server = start(limits).await;
    let addr = server.addr();
    let started = std::time::Instant::now();
    let closed = tokio::task::spawn_blocking(move || {
        let threads: Vec<_> =
            (0..CONNECTIONS).map(|_| std::thread::spawn(move || flood_without_reading(addr))).collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let still_open = closed.iter().filter(|c| !**c).count();
    assert_eq!(still_open, 0, "{still_open} of {CONNECTIONS} never-reading connections were left open");
    assert!(started.elapsed() < Duration::from_secs(150));
    // The server is still serving.
    let answer = tokio::task::spawn_blocking(move || {
        exchange(addr, b"GET /tfs/_apis/connectionData HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(10))
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}

/// Writes pipelined requests and never reads; `true` once the server has closed the connection
/// (a write fails with a reset or a broken pipe), `false` if it is still open after 120 s (the
/// server must first answer enough requests to fill the socket buffers: a second or so alone,
/// much longer in debug builds beside the rest of the suite). Browsers' `Accept` gets the larger
/// HTML page, so fewer answers fill them.
fn flood_without_reading(addr: std::net::SocketAddr) -> bool {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_write_timeout(Some(Duration::from_millis(200))).unwrap();
    let request = "GET /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n";
    let batch = request.repeat(64);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        match stream.write(batch.as_bytes()) {
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return true,
        }
    }
    false
}

#[tokio::test]
async fn limit_answers_reach_the_journal() {
    let limits = Limits {
        header_read_timeout: Duration::from_millis(400),
        body_read_timeout: Duration::from_millis(300),
        max_body_bytes: 1024,
        ..Limits::default()
    };
    let server = start(limits).await;
    let addr = server.addr();
    tokio::task::spawn_blocking(move || {
        let big = "a".repeat(20 * 1024);
        let head =
            format!("GET /tfs/DefaultCollection/_apis/projects?big=1 HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n");
        assert!(exchange(addr, head.as_bytes(), Duration::from_secs(10)).starts_with("HTTP/1.1 431"));
        let body = "POST /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n";
        let body = format!("{body}{}", "x".repeat(4096));
        assert!(exchange(addr, body.as_bytes(), Duration::from_secs(10)).starts_with("HTTP/1.1 413"));
        let slow = "POST /tfs/DefaultCollection/_apis/wit HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial";
        assert!(exchange(addr, slow.as_bytes(), Duration::from_secs(10)).starts_with("HTTP/1.1 408"));
        // Half a head, then silence: closed, and journaled.
        assert_eq!(exchange(addr, b"GET /tfs/half HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(10)), "");
        // A request line that stops in the middle of its target: the unfinished end (here the
        // first characters of a token) is not kept, as it may be part of a secret.
        let stalled = b"GET /tfs/DefaultCollection/_apis/projects?api-version=7.0&pat=x3gjqdssmcbgx";
        assert_eq!(exchange(addr, stalled, Duration::from_secs(10)), "");
        // An idle connection that times out is no request: no row.
        let idle = TcpStream::connect(addr).unwrap();
        std::thread::sleep(Duration::from_millis(800));
        drop(idle);
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rows: Vec<(u16, String, String, String)> = server
        .journal()
        .iter()
        .map(|e| (e.status, e.reason.code().to_owned(), e.layer.name().to_owned(), format!("{} {}", e.method, e.path)))
        .collect();
    let expected = [
        (431, "limit.headers_too_large", "GET /tfs/DefaultCollection/_apis/projects?big=1"),
        (413, "limit.body_too_large", "POST /tfs/DefaultCollection/_apis/projects"),
        (408, "limit.body_timeout", "POST /tfs/DefaultCollection/_apis/wit"),
        (408, "limit.header_timeout", "GET /tfs/half"),
        (408, "limit.header_timeout", "GET /tfs/DefaultCollection/_apis/projects?<cut short: the rest did not arrive>"),
    ];
    let expected: Vec<(u16, String, String, String)> =
        expected.iter().map(|(s, r, what)| (*s, (*r).to_owned(), "limits".to_owned(), (*what).to_owned())).collect();
    assert_eq!(rows, expected);
}

/// The standalone server raises its open-file soft limit to the hard limit and says on stderr
/// how many connections it can hold: the connection limit, or what the open files allow.
#[test]
fn the_standalone_server_says_how_many_connections_it_can_hold() {
    use std::io::BufRead;
    let (_, hard) = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE).unwrap();
    // A lower soft limit than the hard one, as shells often give: the server raises it.
    let mut child = std::process::Command::new("sh")
        .args(["-c", &format!("ulimit -Sn 256 && exec {} --listen 127.0.0.1:0", env!("CARGO_BIN_EXE_mock-server-dup"))])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let expected = 4096u64.min(hard.saturating_sub(ado_mock_server::http::RESERVED_FDS)).max(1);
    assert!(line.starts_with(&format!("ado-mock-server: can hold {expected} connections at once")), "{line}");
    if hard > 256 {
        assert!(line.contains(&format!("open-file limit raised from 256 to {hard}")), "{line}");
    }
}

/// The control plane's token is printed once, at start, and never in a decision line, even
/// when a client sends it to the emulated port.
#[test]
fn the_control_token_never_reaches_the_log() {
    let server = super::Standalone::start("");
    let token = server.control_token.clone();
    assert!(token.len() >= 32);
    let url = format!("{}/_apis/projects?token={token}", server.collection());
    let (status, _) = super::curl(&["-s", "-H", &format!("Authorization: {token}"), &url]);
    assert_eq!(status, 401);
    let log = server.log();
    assert!(log.contains("conn="), "a decision line was logged: {log}");
    assert!(!log.contains(&token), "{log}");
    let journal = serde_json::to_string(&server.journal()).unwrap();
    assert!(!journal.contains(&token) && journal.contains("<redacted secret control-token>"), "{journal}");
}
