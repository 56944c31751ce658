//! `bench-hello ADDR [RESPONSE_FILE]`: the bench's bare endpoint.
//!
//! - `GET /hello` answers `hello`: the baseline the issue asks for.
//! - Any other path answers the response saved in RESPONSE_FILE (`curl -si` output: status
//!   line, headers, blank line, body), header for header: the same bytes as the mock server's
//!   answer without any of its work, which splits the gap between the two into "bigger
//!   response" and "the mock's own work".
//!
//! Prints `listening on http://ADDR` like the mock server so the scripts treat both alike.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use axum::routing::get;
use axum::serve::ListenerExt;

/// A saved response: status, headers (without the ones hyper writes itself) and body.
struct Canned {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let canned = match args.next() {
        Some(path) => Some(Arc::new(load(&std::fs::read(&path)?).map_err(std::io::Error::other)?)),
        None => None,
    };
    // The same runtime the mock server builds: multi-threaded, one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        let mut app = Router::new().route("/hello", get(|| async { "hello" }));
        if let Some(canned) = canned {
            app = app.fallback(move || {
                let canned = canned.clone();
                async move { answer(&canned) }
            });
        }
        // TCP_NODELAY, as the mock server's accept loop sets it.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await
    })
}

fn answer(canned: &Canned) -> Response<Body> {
    let mut response = Response::new(Body::from(canned.body.clone()));
    *response.status_mut() = canned.status;
    response.headers_mut().extend(canned.headers.iter().cloned());
    response
}

fn load(raw: &[u8]) -> Result<Canned, String> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no blank line after the headers")?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| "headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse::<u16>().ok());
    let status = status.and_then(|s| StatusCode::from_u16(s).ok()).ok_or("bad status line")?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| format!("bad header line {line:?}"))?;
        let name = HeaderName::try_from(name.trim()).map_err(|e| e.to_string())?;
        // hyper writes these itself, as it does for the mock server.
        if name == "content-length" || name == "date" || name == "transfer-encoding" {
            continue;
        }
        headers.push((name, HeaderValue::try_from(value.trim()).map_err(|e| e.to_string())?));
    }
    Ok(Canned { status, headers, body: Bytes::copy_from_slice(&raw[end + 4..]) })
}
