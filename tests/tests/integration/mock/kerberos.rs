//! Kerberos end to end: a real MIT KDC per test (`ado_mock_server::kerberos::kdc`), the
//! standalone mock as acceptor, and real clients: `curl --negotiate` after `kinit`, and Python
//! requests with pyspnego (Kerberos through python-gssapi, NTLM fallback).
//!
//! Without a KDC (Debian: krb5-kdc krb5-admin-server krb5-user) or without python-gssapi these
//! tests fail, unless `ADO_SKIP_MISSING_CLIENTS=1` asks to skip them (`crate::clients`).

use std::path::{Path, PathBuf};
use std::process::Command;

use ado_mock_server::kerberos::kdc::{self, Kdc};

use super::{Standalone, workspace};

/// Whether a KDC can run here; a missing one fails unless skipping was asked for.
fn kdc_available() -> bool {
    match kdc::available() {
        Ok(()) => true,
        Err(e) => crate::clients::available("an MIT KDC", false, &e.to_string()),
    }
}

/// The venv's Python, when it has python-gssapi (pyspnego's Kerberos on Linux).
fn python_with_gssapi() -> Option<PathBuf> {
    let python =
        std::env::var_os("ADO_PYTHON").map(PathBuf::from).unwrap_or_else(|| workspace().join(".venv/bin/python"));
    let ok = Command::new(&python).args(["-c", "import gssapi, spnego"]).output().is_ok_and(|o| o.status.success());
    let what = format!("python-gssapi in {}", python.display());
    let how = "run .ci/run (pip install -r conformance/clients/python-kerberos-requirements.txt)";
    crate::clients::available(&what, ok, how).then_some(python)
}

/// A realm, a mock server in it and a ticket cache for joseph.
struct Domain {
    server: Standalone,
    kdc: Kdc,
    ccache: PathBuf,
    _dir: tempfile::TempDir,
}

impl Domain {
    /// A domain whose `[kerberos]` table holds `overrides`.
    fn start(overrides: &str) -> Domain {
        Self::start_with(&format!("[kerberos]\n{overrides}"))
    }

    /// A domain with whole-profile overrides (which must include `[kerberos]`).
    fn start_with(profile: &str) -> Domain {
        let server = Standalone::start(profile);
        let kdc = Kdc::start(&server.profile).expect("the KDC starts");
        let dir = tempfile::tempdir().unwrap();
        let ccache = dir.path().join("ccache");
        Domain { server, kdc, ccache, _dir: dir }
    }

    fn kinit(&self) -> &Self {
        self.kdc.kinit("joseph", "Passw0rd!", &self.ccache).expect("kinit joseph");
        self
    }

    /// The collection URL by the SPN's host name.
    fn collection(&self) -> String {
        self.server.collection().replace("127.0.0.1", "localhost")
    }

    /// `curl --negotiate -u :` with the realm's client environment: (status, body, stderr).
    fn curl(&self, url: &str) -> (u16, String, String) {
        let output = Command::new("curl")
            .args(["-sS", "-v", "--max-time", "20", "--negotiate", "-u", ":", "-w", "\n%{http_code}", url])
            .envs(self.kdc.client_env(&self.ccache))
            .output()
            .expect("curl runs");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
        (status.trim().parse().unwrap_or(0), body.to_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
    }

    /// The Python adapter (`conformance/clients/python_negotiate.py`): (success, stdout, stderr).
    fn python(&self, python: &Path, auth: &str, with_password: bool) -> (bool, String, String) {
        let mut command = Command::new(python);
        command
            .arg(workspace().join("conformance/clients/python_negotiate.py"))
            .env("ADO_URL", self.collection())
            .env("ADO_AUTH", auth)
            .envs(self.kdc.client_env(&self.ccache));
        if with_password {
            command.env("ADO_USERNAME", "joseph").env("ADO_DOMAIN", "CONTOSO").env("ADO_PASSWORD", "Passw0rd!");
        }
        let output = command.output().expect("python runs");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (output.status.success(), text(&output.stdout), text(&output.stderr))
    }

    /// kinit, then `curl --negotiate` lists the projects.
    fn curl_projects(&self) -> (u16, String, String) {
        self.kinit().curl(&format!("{}/_apis/projects", self.collection()))
    }

    fn last(&self) -> serde_json::Value {
        self.server.journal().last().cloned().expect("a journal entry")
    }
}

#[test]
fn curl_negotiates_kerberos_after_kinit_and_gets_the_ap_rep() {
    if !kdc_available() {
        return;
    }
    let domain = Domain::start("");
    let (status, body, stderr) = domain.curl_projects();
    assert_eq!(status, 200, "{body}\n{stderr}");
    assert!(body.contains("Fabrikam"));
    let last = domain.last();
    assert_eq!((last["reason"].as_str(), last["identity"].as_str()), (Some("ok"), Some("CONTOSO\\joseph")));
    let leg = last["leg"].as_str().unwrap();
    assert!(leg.starts_with("Kerberos AP-REQ in SPNEGO NegTokenInit; mechs offered: 1.2.840.113554.1.2.2"), "{leg}");
    assert!(leg.contains("ticket for HTTP/localhost@CONTOSO.LOCAL (aes256-cts-hmac-sha1-96"), "{leg}");
    assert!(leg.contains("client joseph@CONTOSO.LOCAL; mutual authentication requested"), "{leg}");
    assert!(
        stderr.to_ascii_lowercase().contains("< www-authenticate: negotiate oy"),
        "the 200 carries the SPNEGO accept-completed with the AP-REP: {stderr}"
    );
    // The AP-REQ (replayable within the skew) never reaches the journal or the log.
    let token = stderr.split("Authorization: Negotiate ").nth(1).and_then(|t| t.split_whitespace().next()).unwrap();
    let journal = serde_json::to_string(&domain.server.journal()).unwrap();
    assert!(!journal.contains(&token[..40]) && !domain.server.log().contains(&token[..40]));
}

/// pyspnego with the ticket cache only sends the bare Kerberos token; with a password for the
/// NTLM fallback it sends SPNEGO offering Kerberos then NTLM. Both get in with Kerberos.
#[test]
fn python_requests_with_pyspnego_uses_the_ticket_cache() {
    if !kdc_available() {
        return;
    }
    let Some(python) = python_with_gssapi() else { return };
    let rows = [
        (false, "Kerberos AP-REQ; ticket for HTTP/localhost@CONTOSO.LOCAL"),
        (true, "Kerberos AP-REQ in SPNEGO NegTokenInit; mechs offered: 1.2.840.113554.1.2.2, 1.3.6.1.4.1.311.2.2.10"),
    ];
    for (with_password, leg_start) in rows {
        let domain = Domain::start("");
        let (ok, stdout, stderr) = domain.kinit().python(&python, "kerberos", with_password);
        assert!(ok, "{stderr}");
        assert_eq!(stdout.trim(), "Fabrikam");
        let leg = domain.last()["leg"].as_str().unwrap().to_owned();
        assert!(leg.starts_with(leg_start), "password {with_password}: {leg}");
    }
}

/// Each field failure, as curl meets it after kinit: (overrides, reason).
#[test]
fn field_failures_refuse_the_ticket_with_their_reason() {
    if !kdc_available() {
        return;
    }
    let rows = [
        // The SPN on a service account while kernel mode decrypts with the machine account.
        ("spn-account = 'CONTOSO\\admin'", "kerberos.ap_err_modified"),
        // The pool runs as the SPN's account but kernel mode still uses the machine key.
        ("spn-account = 'CONTOSO\\admin'\napp-pool-identity = 'CONTOSO\\admin'", "kerberos.ap_err_modified"),
        // The SPN on the machine account, but useAppPoolCredentials makes IIS use the pool's key.
        ("app-pool-identity = 'CONTOSO\\admin'\nuse-app-pool-credentials = true", "kerberos.ap_err_modified"),
        // The server's clock ten minutes ahead of the domain's.
        ("clock-skew-seconds = 600", "kerberos.skew"),
        ("clock-skew-seconds = -600", "kerberos.skew"),
    ];
    for (overrides, reason) in rows {
        let domain = Domain::start(overrides);
        let (status, body, stderr) = domain.curl_projects();
        let last = domain.last();
        assert_eq!((status, last["reason"].as_str()), (401, Some(reason)), "{overrides}: {body}\n{stderr}");
        assert!(last["hint"].as_str().is_some_and(|h| !h.is_empty()), "{overrides}: a fix is named");
    }
}

/// The IIS combinations that work: the decrypting account holds the SPN.
#[test]
fn matching_spn_and_decrypting_account_combinations_authenticate() {
    if !kdc_available() {
        return;
    }
    let rows = [
        "",
        "use-kernel-mode = false",
        "spn-account = 'CONTOSO\\admin'\napp-pool-identity = 'CONTOSO\\admin'\nuse-app-pool-credentials = true",
        "spn-account = 'CONTOSO\\admin'\napp-pool-identity = 'CONTOSO\\admin'\nuse-kernel-mode = false",
        "clock-skew-seconds = 240",
    ];
    for overrides in rows {
        let domain = Domain::start(overrides);
        let (status, body, stderr) = domain.curl_projects();
        assert_eq!((status, domain.last()["reason"].as_str()), (200, Some("ok")), "{overrides}: {body}\n{stderr}");
    }
}

#[test]
fn without_an_spn_curl_gets_no_ticket_and_python_falls_back_to_ntlm() {
    if !kdc_available() {
        return;
    }
    let domain = Domain::start("spn-account = 'none'");
    let (status, _, stderr) = domain.curl_projects();
    assert_eq!(status, 401, "{stderr}");
    assert!(
        domain.kdc.log().contains("Server not found in Kerberos database")
            && domain.kdc.log().contains("HTTP/localhost@CONTOSO.LOCAL"),
        "the KDC refused the service ticket: {}",
        domain.kdc.log()
    );
    assert!(
        domain.server.journal().iter().all(|e| e["credential"]["scheme"].is_null()),
        "curl sent no Negotiate token without a ticket (it does not fall back to NTLM)"
    );
    let Some(python) = python_with_gssapi() else { return };
    let (ok, stdout, stderr) = domain.python(&python, "kerberos", true);
    assert!(ok, "pyspnego falls back to NTLM inside SPNEGO: {stderr}");
    assert_eq!(stdout.trim(), "Fabrikam");
    let leg = domain.last()["leg"].as_str().unwrap().to_owned();
    assert!(leg.starts_with("NTLM AUTHENTICATE in SPNEGO NegTokenResp from CONTOSO\\joseph"), "{leg}");
}

#[test]
fn kerberos_only_refuses_the_ntlm_fallback() {
    if !kdc_available() {
        return;
    }
    let Some(python) = python_with_gssapi() else { return };
    let only = "[iis]\nproviders = ['Negotiate']\n[kerberos]\nonly = true\nuse-kernel-mode = false";
    let domain = Domain::start_with(&format!("{only}\nspn-account = 'none'"));
    let (ok, _, stderr) = domain.kinit().python(&python, "kerberos", true);
    assert!(!ok, "{stderr}");
    assert_eq!(domain.last()["reason"].as_str(), Some("kerberos.no_spn"));
    let (ok, _, stderr) = domain.python(&python, "negotiate", true);
    assert!(!ok, "{stderr}");
    assert_eq!(domain.last()["reason"].as_str(), Some("kerberos.no_spn"));

    let domain = Domain::start_with(only);
    let (ok, stdout, stderr) = domain.kinit().python(&python, "kerberos", true);
    assert!(ok, "Kerberos still works: {stderr}");
    assert_eq!(stdout.trim(), "Fabrikam");
}

#[test]
fn a_disabled_account_gets_no_ticket() {
    if !kdc_available() {
        return;
    }
    let domain = Domain::start("");
    let refused = domain.kdc.kinit("gone", "G0ne!", &domain.ccache).unwrap_err();
    assert!(refused.contains("revoked"), "{refused}");
}

#[test]
fn git_with_http_empty_auth_uses_the_ticket() {
    if !kdc_available() {
        return;
    }
    let domain = Domain::start("");
    domain.kinit();
    let url = format!("{}/Fabrikam/_git/Fabrikam", domain.collection());
    let home = tempfile::tempdir().unwrap();
    let output = Command::new("git")
        .args(["-c", "http.emptyAuth=true", "ls-remote", &url])
        .envs(domain.kdc.client_env(&domain.ccache))
        .env("HOME", home.path())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("refs/heads/main"), "{stderr}");
    let legs: Vec<String> =
        domain.server.journal().iter().filter_map(|e| e["leg"].as_str().map(str::to_owned)).collect();
    assert!(legs.iter().any(|l| l.starts_with("Kerberos AP-REQ in SPNEGO")), "{legs:?}");

    // Without http.emptyAuth (git 2.47 here) git answers the first 401 by asking for a user
    // name, which the disabled prompt cannot give: Negotiate is never tried.
    let output = Command::new("git")
        .args(["ls-remote", &url])
        .envs(domain.kdc.client_env(&domain.ccache))
        .env("HOME", home.path())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("could not read Username"), "{stderr}");
}

#[test]
fn serve_gives_a_kerberos_scenario_its_realm_and_ticket_cache() {
    use std::io::{BufRead, BufReader};
    if !kdc_available() {
        return;
    }
    let mut child = Command::new(crate::runner::util::CLI)
        .args(["serve", "kerberos/spn-wrong-account"])
        .current_dir(workspace())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    let env: Vec<(String, String)> = stdout
        .lines()
        .map(|l| l.expect("a line"))
        .take_while(|l| l != "ready")
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect();
    let get = |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert!(get("ADO_URL").starts_with("http://localhost:"), "by the SPN's host: {env:?}");
    let output = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--negotiate", "-u", ":"])
        .arg(format!("{}/_apis/projects", get("ADO_URL")))
        .env("KRB5_CONFIG", get("KRB5_CONFIG"))
        .env("KRB5CCNAME", get("KRB5CCNAME"))
        .output()
        .expect("curl runs");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "401", "the ticket does not decrypt on this server");
    // serve runs until SIGTERM (its stdin closing does not stop it).
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM sent");
    assert!(child.wait().expect("serve exits").success());
    let kdc_dir = Path::new(&get("KRB5_CONFIG")).parent().unwrap().to_path_buf();
    assert!(!kdc_dir.exists(), "the realm's files are removed when serve stops");
}
