//! `run --sandbox`: each client in its own bubblewrap (`bwrap`) sandbox.
//!
//! What it adds to the default isolation (a cleared environment, a fresh HOME and TMPDIR):
//! - its own **user, PID, IPC and UTS namespaces**: the client sees only its own processes,
//!   so it cannot read the runner's environment through `/proc`, signal other processes, or
//!   leave a daemon behind (everything in the PID namespace dies with it);
//! - its own **mount namespace** with the whole file system read-only, a fresh `/tmp`, `/dev`
//!   and `/proc`, and only the case's folder (its HOME and TMPDIR) writable: it cannot write
//!   to the real HOME or the checkout.
//!
//! What it does not do: the network namespace is shared, because the case's mock server
//! listens on the runner's loopback interface; a sandboxed client can still open connections
//! elsewhere. The real HOME stays readable (read-only), since checkouts, virtual environments
//! and client programs often live there.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A usable bubblewrap.
#[derive(Clone, Debug)]
pub struct Sandbox {
    bwrap: PathBuf,
}

/// Debian's and Ubuntu's package name, for the error message.
const PACKAGE_HINT: &str =
    "install bubblewrap (Debian, Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`)";

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
        let probe = Command::new(&bwrap)
            .args(["--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent"])
            .args(["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("--sandbox: cannot run {}: {e}", bwrap.display()))?;
        if !probe.status.success() {
            let said = String::from_utf8_lossy(&probe.stderr).trim().to_owned();
            return Err(format!(
                "--sandbox: bubblewrap cannot create user and PID namespaces on this machine ({said}); \
                 unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone, \
                 user.max_user_namespaces) or forbidden in this container; run without --sandbox"
            ));
        }
        Ok(Sandbox { bwrap })
    }

    /// The command line running `command` in the sandbox, in `cwd`, with `writable` (the
    /// case's folder) the only writable place besides a fresh `/tmp`. The environment is
    /// bwrap's own, which the runner sets to the client's.
    pub fn wrap(&self, command: &[String], cwd: &Path, writable: &Path) -> Vec<String> {
        let text = |p: &Path| p.display().to_string();
        let mut argv: Vec<String> = vec![text(&self.bwrap)];
        argv.extend(
            [
                "--unshare-user",
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--unshare-cgroup-try",
                "--die-with-parent",
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--tmpfs",
                "/tmp",
            ]
            .map(str::to_owned),
        );
        argv.extend(["--bind".to_owned(), text(writable), text(writable)]);
        // The fresh /tmp hides what lived there: bring back, read-only, the manifest's folder
        // and every file the command names by absolute path.
        let mut visible: Vec<&Path> = vec![cwd];
        visible.extend(command.iter().map(Path::new).filter(|p| p.is_absolute() && p.exists()));
        for path in visible {
            argv.extend(["--ro-bind".to_owned(), text(path), text(path)]);
        }
        argv.extend(["--chdir".to_owned(), text(cwd), "--".to_owned()]);
        argv.extend(command.iter().cloned());
        argv
    }
}
