//! Just enough HTTP/1.1 for the bench: write a GET, read one response with Content-Length.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The parts of a response the bench looks at.
#[derive(Debug, Default)]
pub struct Head {
    /// Status code.
    pub status: u16,
    /// `Content-Length` (0 when absent).
    pub content_length: usize,
    /// Every `WWW-Authenticate` value.
    pub challenges: Vec<String>,
    /// Whether the server said `Connection: close`.
    pub close: bool,
}

/// A GET request for `path` with extra header lines (`Name: value`).
pub fn request(path: &str, host: &str, headers: &[String]) -> Vec<u8> {
    let mut text = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n");
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// Parses a response head if `buf` holds all of it; returns it and its length.
pub fn parse_head(buf: &[u8]) -> Option<Result<(Head, usize), String>> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let text = match std::str::from_utf8(&buf[..end]) {
        Ok(text) => text,
        Err(_) => return Some(Err("response head is not UTF-8".to_owned())),
    };
    let mut lines = text.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok());
    let Some(status) = status else { return Some(Err(format!("bad status line in {text:?}"))) };
    let mut head = Head { status, ..Head::default() };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            head.content_length = value.parse().unwrap_or(0);
        } else if name.eq_ignore_ascii_case("www-authenticate") {
            head.challenges.push(value.to_owned());
        } else if name.eq_ignore_ascii_case("connection") {
            head.close = value.eq_ignore_ascii_case("close");
        }
    }
    Some(Ok((head, end)))
}

/// Sends `request` and reads one whole response (head and body) from `stream`.
pub async fn exchange<S>(stream: &mut S, request: &[u8], buf: &mut Vec<u8>) -> Result<Head, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(request).await.map_err(|e| format!("write: {e}"))?;
    buf.clear();
    loop {
        if let Some(parsed) = parse_head(buf) {
            let (head, head_len) = parsed?;
            while buf.len() < head_len + head.content_length {
                read_more(stream, buf).await?;
            }
            return Ok(head);
        }
        read_more(stream, buf).await?;
    }
}

async fn read_more<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk).await {
        Ok(0) => Err("connection closed mid-response".to_owned()),
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
        Err(e) => Err(format!("read: {e}")),
    }
}
