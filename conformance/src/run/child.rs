//! Spawning one client: a clean environment, no stdin, its own process group, bounded output
//! capture, and the timeout enforced on the whole group.
//!
//! # Implementation notes
//! The client runs as the leader of a new process group (`process_group(0)`), so the runner
//! can kill everything it started (a shell script's curl, a git's remote helper) with one
//! `killpg`. The group is killed with SIGKILL at the timeout, on cancellation, and also after
//! a normal exit, so a background process a client leaves behind cannot outlive its case or
//! hold its pipes open; processes that left the group (`setsid`, a double fork) are found and
//! killed by [`super::reaper`]. Output is read concurrently into shared buffers: if a
//! descendant keeps a pipe open, the readers are abandoned after a grace period and what they
//! had read is kept.
//!
//! Every byte a client writes goes through the case's [`LeakScanner`] as it arrives, whatever
//! is kept: only the first [`OUTPUT_LIMIT`] bytes are captured, but a secret printed after
//! them is still found (the `no-secret-leak` check reads [`Captured::leaks`]). A capture cut by
//! the limit loses its last bytes too, back to where no secret can have begun, so a secret cut
//! in half by the limit cannot reach a report as an unrecognisable prefix.

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinHandle;

use ado_mock_server::secret::{LeakScanner, SecretFinder};

use super::cancel::Cancel;
use super::reaper;
use crate::checks::{Captured, Exit, Leftover};

/// Bytes kept of each output stream.
pub const OUTPUT_LIMIT: usize = 1024 * 1024;
/// How long the readers may take to reach end-of-file once the client's group is gone.
const READ_GRACE: Duration = Duration::from_secs(2);

/// What to run.
#[derive(Clone, Debug)]
pub struct ChildSpec {
    /// Program and arguments.
    pub command: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// The complete environment.
    pub env: Vec<(String, String)>,
    /// When to kill it.
    pub timeout: Duration,
    /// A string in the client's environment unique to its case (its temporary folder), by
    /// which processes it detached are told from other cases' ([`super::reaper`]).
    pub marker: String,
    /// The case's secrets, looked for in everything the client prints.
    pub secrets: Arc<SecretFinder>,
}

/// How it went.
#[derive(Clone, Debug)]
pub struct ChildOutcome {
    /// How it ended (`TimedOut` also when cancelled; see `cancelled`).
    pub exit: Exit,
    /// Its stdout.
    pub stdout: Captured,
    /// Its stderr.
    pub stderr: Captured,
    /// From spawn to exit.
    pub duration: Duration,
    /// Whether the run was cancelled while it ran.
    pub cancelled: bool,
    /// What was still running after a normal exit (then killed).
    pub leftovers: Vec<Leftover>,
}

struct Buffer {
    bytes: Vec<u8>,
    truncated: bool,
    scanner: LeakScanner,
}

impl Buffer {
    fn new(secrets: &Arc<SecretFinder>) -> Self {
        Self { bytes: Vec::new(), truncated: false, scanner: LeakScanner::new(Arc::clone(secrets)) }
    }

    /// Scans `chunk` whole and keeps what fits under [`OUTPUT_LIMIT`].
    fn push(&mut self, chunk: &[u8]) {
        self.scanner.feed(chunk);
        let room = OUTPUT_LIMIT.saturating_sub(self.bytes.len());
        self.bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.truncated |= chunk.len() > room;
    }
}

type Shared = Arc<Mutex<Buffer>>;

enum Ended {
    Exited(std::io::Result<ExitStatus>),
    TimedOut,
    Cancelled,
}

/// Runs the client to completion, timeout or cancellation.
pub async fn run_child(spec: &ChildSpec, cancel: Cancel) -> ChildOutcome {
    run_command(spec, &spec.command, None, cancel).await
}

/// Runs `argv` (the client's command, or the sandbox wrapping it) as [`run_child`] does, with
/// `stdin` as its standard input instead of `/dev/null` (the sandbox's handshake socket).
pub async fn run_command(
    spec: &ChildSpec,
    argv: &[String],
    stdin: Option<std::os::fd::OwnedFd>,
    mut cancel: Cancel,
) -> ChildOutcome {
    let mut command = tokio::process::Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .current_dir(&spec.cwd)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(stdin.map_or_else(Stdio::null, Stdio::from))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    let start = Instant::now();
    let (spawned, pid) = {
        let mut registry = reaper::clients();
        let spawned = command.spawn();
        let pid = spawned.as_ref().ok().and_then(tokio::process::Child::id).and_then(|id| i32::try_from(id).ok());
        registry.extend(pid);
        (spawned, pid)
    };
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let exit = Exit::SpawnFailed(format!("{}: {e}", argv[0]));
            return ChildOutcome {
                exit,
                stdout: Captured::default(),
                stderr: Captured::default(),
                duration: start.elapsed(),
                cancelled: false,
                leftovers: Vec::new(),
            };
        }
    };
    // The command holds the parent's copies of the child's stdio (the sandbox's handshake
    // socket): drop them, so the runner sees end-of-file when the child ends.
    drop(command);
    let group = pid.map(Pid::from_raw);
    let new_buffer = || Arc::new(Mutex::new(Buffer::new(&spec.secrets)));
    let (out_buf, err_buf) = (new_buffer(), new_buffer());
    let readers = [spawn_reader(child.stdout.take(), &out_buf), spawn_reader(child.stderr.take(), &err_buf)];
    let ended = tokio::select! {
        status = child.wait() => Ended::Exited(status),
        () = tokio::time::sleep(spec.timeout) => Ended::TimedOut,
        () = cancel.cancelled() => Ended::Cancelled,
    };
    let exited = matches!(ended, Ended::Exited(_));
    if !exited && let Some(group) = group {
        let _ = killpg(group, Signal::SIGKILL);
    }
    let (exit, cancelled) = match ended {
        Ended::Exited(status) => (exit_of(status), false),
        Ended::TimedOut => (reap(&mut child).await, false),
        Ended::Cancelled => (reap(&mut child).await, true),
    };
    let duration = start.elapsed();
    if let Some(pid) = pid {
        reaper::unregister(pid);
    }
    // After a normal exit, whatever is still running was left behind: counted, then killed.
    let leftovers = reaper::clean_up(pid, &spec.marker, exited).await;
    for mut reader in readers.into_iter().flatten() {
        if tokio::time::timeout(READ_GRACE, &mut reader).await.is_err() {
            // A descendant outside the group holds the pipe; keep what was read.
            reader.abort();
        }
    }
    ChildOutcome { exit, stdout: take(&out_buf), stderr: take(&err_buf), duration, cancelled, leftovers }
}

async fn reap(child: &mut tokio::process::Child) -> Exit {
    let _ = child.wait().await;
    Exit::TimedOut
}

fn exit_of(status: std::io::Result<ExitStatus>) -> Exit {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Ok(s) => match (s.code(), s.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signal(signal),
            (None, None) => Exit::Code(-1),
        },
        Err(e) => Exit::SpawnFailed(format!("waiting for the client failed: {e}")),
    }
}

fn spawn_reader<R>(reader: Option<R>, buffer: &Shared) -> Option<JoinHandle<()>>
where
    R: AsyncRead + Unpin + Send + 'static,
{
    let mut reader = reader?;
    let buffer = Arc::clone(buffer);
    Some(tokio::spawn(async move {
        let mut chunk = vec![0u8; 8192];
        while let Ok(n) = reader.read(&mut chunk).await {
            if n == 0 {
                break;
            }
            buffer.lock().unwrap_or_else(PoisonError::into_inner).push(&chunk[..n]);
        }
    }))
}

fn take(buffer: &Shared) -> Captured {
    let mut b = buffer.lock().unwrap_or_else(PoisonError::into_inner);
    let mut bytes = std::mem::take(&mut b.bytes);
    if b.truncated {
        // The limit may have cut a secret: drop what could be its beginning.
        bytes.truncate(bytes.len().saturating_sub(b.scanner.overlap()));
    }
    Captured { text: String::from_utf8_lossy(&bytes).into_owned(), truncated: b.truncated, leaks: b.scanner.leaks() }
}
