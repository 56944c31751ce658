//! A minimal HTTP/1.1 client over one `TcpStream`, so the script controls connections.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A parsed `http://host:port/path` URL.
#[derive(Clone, Debug)]
pub struct Url {
    /// `host:port`.
    pub authority: String,
    /// The path without a trailing `/`.
    pub path: String,
}

impl Url {
    /// Parses an `http://` URL.
    pub fn parse(text: &str) -> Result<Url, String> {
        let rest = text.strip_prefix("http://").ok_or_else(|| format!("not an http:// URL: {text}"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        Ok(Url { authority: authority.to_owned(), path: path.trim_end_matches('/').to_owned() })
    }
}

/// A response.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// Every value of a header (case-insensitive name).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }
}

/// One keep-alive connection.
pub struct Conn {
    stream: BufReader<TcpStream>,
    authority: String,
}

impl Conn {
    /// Connects to `authority`.
    pub fn open(authority: &str) -> Result<Conn, String> {
        let stream = TcpStream::connect(authority).map_err(|e| format!("cannot connect to {authority}: {e}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
        Ok(Conn { stream: BufReader::new(stream), authority: authority.to_owned() })
    }

    /// Sends one request and reads its response.
    pub fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Response, String> {
        let mut head =
            format!("{method} {target} HTTP/1.1\r\nHost: {}\r\nUser-Agent: fake-client/1.0\r\n", self.authority);
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let stream = self.stream.get_mut();
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(body))
            .map_err(|e| format!("send failed: {e}"))?;
        self.read_response()
    }

    fn read_response(&mut self) -> Result<Response, String> {
        let status_line = self.line()?;
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line: {status_line}"))?;
        let mut headers = Vec::new();
        loop {
            let line = self.line()?;
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let mut response = Response { status, headers, body: Vec::new() };
        response.body = self.body(&response)?;
        Ok(response)
    }

    fn body(&mut self, response: &Response) -> Result<Vec<u8>, String> {
        if response.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            let mut body = Vec::new();
            loop {
                let size = usize::from_str_radix(self.line()?.trim(), 16).map_err(|e| format!("bad chunk: {e}"))?;
                if size == 0 {
                    self.line()?;
                    return Ok(body);
                }
                let mut chunk = vec![0; size];
                self.stream.read_exact(&mut chunk).map_err(|e| e.to_string())?;
                body.extend_from_slice(&chunk);
                self.line()?;
            }
        }
        let length: usize = response.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).map_err(|e| format!("short body: {e}"))?;
        Ok(body)
    }

    fn line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        let n = self.stream.read_line(&mut line).map_err(|e| format!("read failed: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".to_owned());
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}
