//! `startup`: time from spawning a server to its first answered request.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::http;

/// Spawns `args.command`, polls `--addr` with GET `--path` (and `--header`s) until a response
/// head arrives, prints `startup_ms=.. status=..`, then kills the process.
pub fn run(args: &Args) -> Result<(), String> {
    let addr = args.required("addr")?;
    let path = args.get("path").unwrap_or("/");
    let timeout = Duration::from_secs_f64(args.num("timeout", 10.0)?);
    let (program, rest) = args.command.split_first().ok_or("the command to start goes after --")?;
    let request = http::request(path, addr, args.all("header"));
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("failed to start {program}: {e}"))?;
    let answer = poll(addr, &request, start + timeout);
    let elapsed = start.elapsed();
    // The figure is taken; the process is of no further use.
    let _ = child.kill();
    let _ = child.wait();
    let status = answer?;
    println!("startup_ms={:.2} status={status}", elapsed.as_secs_f64() * 1000.0);
    Ok(())
}

fn poll(addr: &str, request: &[u8], deadline: Instant) -> Result<u16, String> {
    loop {
        match ask(addr, request) {
            Ok(status) => return Ok(status),
            Err(error) if Instant::now() >= deadline => return Err(format!("no answer from {addr}: {error}")),
            // Refused (not listening yet) or closed before answering: try again shortly.
            Err(_) => std::thread::sleep(Duration::from_micros(200)),
        }
    }
}

fn ask(addr: &str, request: &[u8]) -> Result<u16, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    stream.write_all(request).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(parsed) = http::parse_head(&buf) {
            return parsed.map(|(head, _)| head.status);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err("closed before answering".to_owned()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(e.to_string()),
        }
    }
}
