//! `run --sandbox`: each client in its own bubblewrap (`bwrap`) sandbox.
//!
//! What it adds to the default isolation (a cleared environment, a fresh HOME and TMPDIR):
//! - its own **user, PID, IPC and UTS namespaces**: the client sees only its own processes,
//!   so it cannot read the runner's environment through `/proc`, signal other processes, or
//!   leave a daemon behind (everything in the PID namespace dies with it);
//! - its own **network namespace** with only a loopback interface: the case's mock server
//!   listens *inside* it, and nothing else is reachable (not the host's loopback services, not
//!   the outside network);
//! - its own **mount namespace** with the whole file system read-only, a fresh `/tmp`, `/dev`
//!   and `/proc`, and only the case's folder (its HOME and TMPDIR) writable.
//!
//! The real home folder stays readable (read-only): checkouts, virtual environments and client
//! programs often live there.
//!
//! # How the server gets into the client's network namespace
//! A socket belongs to the network namespace it was created in, whoever holds it later. So the
//! sandbox does not run the client directly but this program's hidden `sandbox-exec`
//! subcommand ([`exec_main`]), with a Unix socket as its standard input. Inside the new
//! namespace it binds `127.0.0.1:0`, sends the listening socket to the runner (`SCM_RIGHTS`),
//! reads back the client's environment (which names that port), and replaces itself with the
//! client (`exec`), whose standard input is then `/dev/null`. The runner serves the case's
//! mock server on the received listener ([`receive_listener`], [`send_env`]).

use std::io::{BufRead as _, BufReader, IoSlice, IoSliceMut, Write as _};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer, SendAncillaryMessage, SendFlags,
    recvmsg, sendmsg,
};

/// The hidden subcommand run inside the sandbox.
pub const EXEC_SUBCOMMAND: &str = "sandbox-exec";
/// How long the runner waits for the sandbox to hand over its listener.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// A usable bubblewrap, and the program to run inside it (this one).
#[derive(Clone, Debug)]
pub struct Sandbox {
    bwrap: PathBuf,
    exe: PathBuf,
}

/// Debian's and Ubuntu's package name, for the error message.
const PACKAGE_HINT: &str =
    "install bubblewrap (Debian, Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`)";

/// The namespaces every sandbox gets.
const UNSHARE: &[&str] = &[
    "--unshare-user",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--die-with-parent",
];

impl Sandbox {
    /// Finds `bwrap` on `path_var` and checks that it can create the namespaces here.
    ///
    /// # Errors
    /// What is missing or what bwrap said, and how to fix it.
    pub fn detect(path_var: Option<&str>) -> Result<Sandbox, String> {
        let bwrap = std::env::split_paths(path_var.unwrap_or_default())
            .map(|d| d.join("bwrap"))
            .find(|p| p.is_file())
            .ok_or_else(|| format!("--sandbox needs bubblewrap (`bwrap` on PATH): {PACKAGE_HINT}"))?;
        let exe = std::env::current_exe().map_err(|e| format!("--sandbox: cannot find this program: {e}"))?;
        let probe = Command::new(&bwrap)
            .args(UNSHARE)
            .args(["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("--sandbox: cannot run {}: {e}", bwrap.display()))?;
        if !probe.status.success() {
            let said = String::from_utf8_lossy(&probe.stderr).trim().to_owned();
            return Err(format!(
                "--sandbox: bubblewrap cannot create user, PID and network namespaces on this machine ({said}); \
                 unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone, \
                 user.max_user_namespaces) or forbidden in this container; run without --sandbox"
            ));
        }
        Ok(Sandbox { bwrap, exe })
    }

    /// The command line running `command` through [`exec_main`] in the sandbox, in `cwd`,
    /// with `writable` (the case's folder) the only writable place besides a fresh `/tmp`.
    pub fn wrap(&self, command: &[String], cwd: &Path, writable: &Path) -> Vec<String> {
        let text = |p: &Path| p.display().to_string();
        let mut argv: Vec<String> = vec![text(&self.bwrap)];
        argv.extend(UNSHARE.iter().map(|s| (*s).to_owned()));
        argv.extend(["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"].map(str::to_owned));
        argv.extend(["--bind".to_owned(), text(writable), text(writable)]);
        // The fresh /tmp hides what lived there: bring back, read-only, the manifest's folder,
        // this program and every file the command names by absolute path.
        let mut visible: Vec<&Path> = vec![cwd, &self.exe];
        visible.extend(command.iter().map(Path::new).filter(|p| p.is_absolute() && p.exists()));
        for path in visible {
            argv.extend(["--ro-bind".to_owned(), text(path), text(path)]);
        }
        argv.extend(["--chdir".to_owned(), text(cwd), "--".to_owned(), text(&self.exe)]);
        argv.extend([EXEC_SUBCOMMAND.to_owned(), "--".to_owned()]);
        argv.extend(command.iter().cloned());
        argv
    }
}

/// The runner's side, step 1: the listener the sandbox bound inside its network namespace.
///
/// # Errors
/// When the sandbox ended or said nothing within the handshake timeout.
pub fn receive_listener(socket: &UnixStream) -> std::io::Result<std::net::TcpListener> {
    socket.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let mut byte = [0u8; 1];
    let received = recvmsg(socket, &mut [IoSliceMut::new(&mut byte)], &mut control, RecvFlags::CMSG_CLOEXEC)?;
    let mut fds: Vec<OwnedFd> = Vec::new();
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(rights) = message {
            fds.extend(rights);
        }
    }
    match (received.bytes, fds.pop()) {
        (1, Some(fd)) => {
            let listener = std::net::TcpListener::from(fd);
            listener.set_nonblocking(true)?;
            Ok(listener)
        }
        _ => Err(std::io::Error::other("the sandbox closed before handing over its listener")),
    }
}

/// The runner's side, step 2: the client's environment, one JSON line.
///
/// # Errors
/// When the sandbox has gone.
pub fn send_env(mut socket: &UnixStream, env: &[(String, String)]) -> std::io::Result<()> {
    let mut line = serde_json::to_string(env).map_err(std::io::Error::other)?;
    line.push('\n');
    socket.write_all(line.as_bytes())
}

/// `sandbox-exec -- COMMAND...`, inside the sandbox: bind the loopback listener, hand it over
/// on stdin, read the environment, become the client. Returns only on failure.
///
/// # Errors
/// Why the handshake or the `exec` failed.
pub fn exec_main(command: &[String]) -> anyhow::Result<u8> {
    let (program, args) = command.split_first().ok_or_else(|| anyhow::anyhow!("sandbox-exec: no command"))?;
    let stdin = std::io::stdin();
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let fd = listener.as_fd();
    let rights = [fd];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if !control.push(SendAncillaryMessage::ScmRights(&rights)) {
        anyhow::bail!("sandbox-exec: cannot build the SCM_RIGHTS message");
    }
    sendmsg(stdin.as_fd(), &[IoSlice::new(b"L")], &mut control, SendFlags::empty())?;
    drop(listener);
    let mut line = String::new();
    BufReader::new(stdin.lock()).read_line(&mut line)?;
    let env: Vec<(String, String)> = serde_json::from_str(&line)?;
    let error = Command::new(program).args(args).env_clear().envs(env).stdin(Stdio::null()).exec();
    Err(anyhow::anyhow!("sandbox-exec: cannot run {program}: {error}"))
}
