//! The mock server against real sockets and real clients.
//!
//! Helpers: [`Standalone`] runs the `ado-mock-server` binary on a port-0 profile and kills it
//! when dropped; [`curl`] runs curl and returns the status and body.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use ado_mock_server::Profile;

// The command line: explain, credentials, bad profiles.
mod cli;
// The library as a user embeds it: start(), the builder, credentials, reason assertions.
mod embed;
// curl against the standalone binary: every non-NTLM reason, and NTLM.
mod curl;
// Real git and git-lfs: clone, fetch, push over PAT and NTLM; read-only push refused; LFS.
mod git;
// Resource limits: heads, bodies, slow clients, connections, pending handshakes.
mod limits;
// NTLM and Negotiate through reqwest + ntlmclient and raw sockets; lockout.
mod ntlm;
// The embedded MockServer: journal, control plane, redaction, shutdown.
mod server;
// The PyPI azure-devops SDK against the standalone binary.
mod python_sdk;
// The standalone server's log never stalls serving when stdout is not read.
mod stdout;
// HTTPS: curl, the Python SDK (requests-ntlm) and git with verification on; Extended
// Protection; sslOnly; the certificate's temporary folder.
mod tls;
// Kerberos through a real MIT KDC: curl --negotiate, Python pyspnego; the field failures.
mod kerberos;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The integration tests' base profile.
pub fn base_profile_text() -> String {
    std::fs::read_to_string(workspace().join("tests/fixtures/mock/rich.toml")).expect("fixture profile")
}

/// The base profile with `overrides` merged in, the way scenarios override profiles.
pub fn profile_text(overrides: &str) -> String {
    let mut base: toml::Table = toml::from_str(&base_profile_text()).expect("fixture parses");
    let extra: toml::Table = toml::from_str(overrides).expect("overrides parse");
    ado_mock_server::profile::merge_overrides(&mut base, &extra);
    toml::to_string(&base).expect("profile serializes")
}

/// The same profile as the server loads, for tokens and passwords.
pub fn profile(overrides: &str) -> Profile {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    Profile::from_toml_str(&profile_text(overrides), "test", now).expect("profile valid")
}

/// A PAT token by account and name.
pub fn token(profile: &Profile, account: &str, name: &str) -> String {
    let identity = profile.identity(account).expect("identity");
    identity.pats.iter().find(|p| p.name == name).expect("pat").token.expose().to_owned()
}

/// The standalone `ado-mock-server` binary on free loopback ports.
pub struct Standalone {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The control plane, `http://127.0.0.1:PORT`.
    pub control: String,
    /// The control plane's token (`control-token TOKEN`).
    pub control_token: String,
    /// With `[tls] enabled`: the CA file the server printed (`ca-file PATH`).
    pub ca_file: Option<String>,
    /// The profile it serves.
    pub profile: Profile,
    log: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Standalone {
    /// Starts the binary on the base profile with `overrides`.
    pub fn start(overrides: &str) -> Standalone {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("profile.toml");
        std::fs::write(&file, profile_text(overrides)).expect("write profile");
        let mut child = Command::new(env!("CARGO_BIN_EXE_mock-server-dup"))
            .args(["--profile", file.to_str().unwrap(), "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the mock server binary starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout piped"));
        let url = read_prefixed(&mut lines, "listening on ", &mut child);
        let control = read_prefixed(&mut lines, "control on ", &mut child);
        let control_token = read_prefixed(&mut lines, "control-token ", &mut child);
        let ca_file = url.starts_with("https://").then(|| read_prefixed(&mut lines, "ca-file ", &mut child));
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Standalone { child, url, control, control_token, ca_file, profile: profile(overrides), log, _dir: dir }
    }

    /// `http://127.0.0.1:PORT/tfs/DefaultCollection`.
    pub fn collection(&self) -> String {
        format!("{}/tfs/DefaultCollection", self.url)
    }

    /// The journal from the control plane.
    pub fn journal(&self) -> Vec<serde_json::Value> {
        let bearer = format!("Authorization: Bearer {}", self.control_token);
        let (status, body) = curl(&["-s", "-H", &bearer, &format!("{}/journal", self.control)]);
        assert_eq!(status, 200, "control plane answers: {body}");
        serde_json::from_str(&body).expect("journal is JSON")
    }

    /// The reason of the last journal entry.
    pub fn last_reason(&self) -> String {
        let journal = self.journal();
        let last = journal.last().expect("journal has an entry");
        last["reason"].as_str().expect("reason is a string").to_owned()
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        // Give the reader thread a moment to catch up with the last lines.
        std::thread::sleep(std::time::Duration::from_millis(100));
        self.log.lock().unwrap().clone()
    }
}

fn read_prefixed(lines: &mut impl BufRead, prefix: &str, child: &mut Child) -> String {
    let mut line = String::new();
    let n = lines.read_line(&mut line).expect("read server stdout");
    if n == 0 {
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.read_to_string(&mut err);
        }
        panic!("the server exited before printing {prefix:?}: {err}");
    }
    line.trim().strip_prefix(prefix).unwrap_or_else(|| panic!("expected {prefix:?}, got {line:?}")).to_owned()
}

impl Standalone {
    /// Stops the server as a user would (SIGTERM), so that it cleans up, and waits for it.
    pub fn terminate(&mut self) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid fits"));
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.child.wait();
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs curl with `args` (a URL among them) and returns (status, body).
pub fn curl(args: &[&str]) -> (u16, String) {
    let output = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl runs (it is a prerequisite of the tests)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", text.as_str()));
    let status = status.trim().parse().unwrap_or_else(|_| {
        panic!("curl {args:?} printed no status: {text} {}", String::from_utf8_lossy(&output.stderr))
    });
    (status, body.to_owned())
}

/// `base64(text)`.
pub fn b64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}
