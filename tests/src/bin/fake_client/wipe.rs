//! `wipe-journal`: the hostile client of issue 17. After leaking its PAT in a URL it covers
//! its tracks as a real one could: it finds every TCP port its parent (the runner) listens on
//! through `/proc/<ppid>/fd` and `/proc/net/tcp`, and sends `DELETE /journal` to each.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Sends `DELETE /journal` to every port the parent listens on; returns (ports tried, ports
/// that answered 2xx).
pub fn wipe_parent_journals() -> (usize, usize) {
    let ports = parent_listening_ports();
    let wiped = ports.iter().filter(|p| delete_journal(**p)).count();
    (ports.len(), wiped)
}

fn parent_listening_ports() -> Vec<u16> {
    let ppid = std::os::unix::process::parent_id();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{ppid}/fd")) else { return Vec::new() };
    let inodes: Vec<String> = fds
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|target| {
            let t = target.to_string_lossy().into_owned();
            t.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')).map(str::to_owned)
        })
        .collect();
    let mut ports = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
            let (Some(local), Some(state), Some(inode)) = (cols.get(1), cols.get(3), cols.get(9)) else { continue };
            if *state != "0A" || !inodes.iter().any(|i| i == inode) {
                continue;
            }
            if let Some(port) = local.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok()) {
                ports.push(port);
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

fn delete_journal(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        format!("DELETE /journal HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 2")
}
