//! A real MIT Kerberos KDC for one profile, in a temporary folder on a loopback port: what the
//! tests and the runner start so that real clients (`kinit`, curl, Python) get real tickets.
//!
//! The realm holds a principal per identity of the profile's domain (with its password;
//! disabled accounts may not get tickets) and the SPN, keyed with the password of the account
//! that holds it, as Active Directory would (none when `spn-account = "none"`). Nothing runs
//! as a service: `krb5kdc -n` is a child process on `127.0.0.1:<port>` (TCP only), killed and
//! its folder removed on drop. Needs Debian's `krb5-kdc` (krb5kdc, kdb5_util) and
//! `krb5-admin-server` (kadmin.local); clients need `krb5-user` (kinit).

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::profile::{Profile, SpnHolder};

/// The programs a KDC needs, and where Debian installs them.
const PROGRAMS: [&str; 3] = ["krb5kdc", "kdb5_util", "kadmin.local"];
const SEARCH: [&str; 4] = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/sbin"];

/// A running KDC. Dropping it stops the KDC and removes its folder (database, stash, logs).
#[derive(Debug)]
pub struct Kdc {
    files: Files,
    child: Child,
}

/// The realm's folder and address; dropping it removes the folder.
#[derive(Debug)]
struct Files {
    dir: PathBuf,
    port: u16,
    realm: String,
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Why a KDC could not be started.
#[derive(Debug, thiserror::Error)]
pub enum KdcError {
    /// MIT krb5's KDC programs are not installed.
    #[error(
        "no MIT Kerberos KDC installed ({0} not found; Debian: apt-get install krb5-kdc krb5-admin-server krb5-user)"
    )]
    NotInstalled(&'static str),
    /// The profile has no `[kerberos]` table.
    #[error("the profile has no [kerberos] table")]
    NoKerberos,
    /// A setup step failed.
    #[error("KDC setup failed: {0}")]
    Setup(String),
}

/// The path of an MIT krb5 program, or None when it is not installed.
pub fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).chain(SEARCH.iter().map(PathBuf::from)).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// Whether a KDC can be started here: `Err` names the missing program.
///
/// # Errors
/// [`KdcError::NotInstalled`].
pub fn available() -> Result<(), KdcError> {
    PROGRAMS.iter().try_for_each(|p| program(p).map(|_| ()).ok_or(KdcError::NotInstalled(p)))
}

impl Kdc {
    /// Creates the realm of `profile` and starts its KDC; returns once the KDC accepts
    /// connections (typically well under a second).
    ///
    /// # Errors
    /// [`KdcError`] when krb5 is missing, the profile has no Kerberos, or a step fails.
    pub fn start(profile: &Profile) -> Result<Kdc, KdcError> {
        available()?;
        let settings = profile.kerberos.as_ref().ok_or(KdcError::NoKerberos)?;
        let mut last = String::new();
        // The port is free when picked and taken by the KDC a moment later: retry on a race.
        for _ in 0..5 {
            let files = Files { dir: unique_dir()?, port: free_port()?, realm: settings.realm.clone() };
            write_config(&files.dir, &files.realm, files.port)?;
            files.create_database(profile)?;
            let child = files
                .command("krb5kdc")?
                .args(["-n", "-r", &files.realm])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| KdcError::Setup(format!("krb5kdc: {e}")))?;
            let mut kdc = Kdc { files, child };
            match kdc.wait_ready() {
                Ok(()) => return Ok(kdc),
                Err(e) => last = e,
            }
        }
        Err(KdcError::Setup(last))
    }

    /// The realm.
    pub fn realm(&self) -> &str {
        &self.files.realm
    }

    /// The KDC's address.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.files.port))
    }

    /// The client configuration file (`KRB5_CONFIG` for clients).
    pub fn krb5_config(&self) -> PathBuf {
        self.files.krb5_config()
    }

    /// The folder of the KDC's files.
    pub fn dir(&self) -> &Path {
        &self.files.dir
    }

    /// The environment a client needs: `KRB5_CONFIG` and a credential cache of its own.
    pub fn client_env(&self, ccache: &Path) -> Vec<(String, String)> {
        vec![
            ("KRB5_CONFIG".to_owned(), self.krb5_config().display().to_string()),
            ("KRB5CCNAME".to_owned(), format!("FILE:{}", ccache.display())),
        ]
    }

    /// Runs `kinit user@REALM` with `password` on stdin, into `ccache`.
    ///
    /// # Errors
    /// The KDC's refusal as kinit prints it (e.g. "Client's credentials have been revoked").
    pub fn kinit(&self, user: &str, password: &str, ccache: &Path) -> Result<(), String> {
        let kinit = program("kinit").ok_or("kinit not found (Debian: apt-get install krb5-user)")?;
        let mut child = Command::new(kinit)
            .arg(format!("{user}@{}", self.files.realm))
            .envs(self.client_env(ccache))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("kinit: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = writeln!(stdin, "{password}");
        }
        let output = child.wait_with_output().map_err(|e| format!("kinit: {e}"))?;
        if output.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&output.stderr).trim().to_owned()) }
    }

    /// The KDC's log (what it issued and refused), for diagnostics.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.files.dir.join("kdc.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("krb5kdc exited ({status}): {}", self.log().lines().last().unwrap_or("")));
            }
            if TcpStream::connect_timeout(&self.address(), Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        Err("krb5kdc did not listen within 10 s".to_owned())
    }
}

impl Files {
    fn krb5_config(&self) -> PathBuf {
        self.dir.join("krb5.conf")
    }

    fn command(&self, name: &str) -> Result<Command, KdcError> {
        let path = program(name).ok_or(KdcError::NotInstalled("krb5kdc"))?;
        let mut command = Command::new(path);
        command
            .env("KRB5_CONFIG", self.krb5_config())
            .env("KRB5_KDC_PROFILE", self.dir.join("kdc.conf"))
            .current_dir(&self.dir);
        Ok(command)
    }

    fn create_database(&self, profile: &Profile) -> Result<(), KdcError> {
        // The master key protects only this throwaway database.
        let master = format!("{:016x}", rand::random::<u64>());
        self.run("kdb5_util", &["create", "-s", "-r", &self.realm, "-P", &master], "")?;
        self.run("kadmin.local", &["-r", &self.realm], &principals(profile)?)
    }

    fn run(&self, name: &str, args: &[&str], stdin: &str) -> Result<(), KdcError> {
        let mut child = self
            .command(name)?
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| KdcError::Setup(format!("{name}: {e}")))?;
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes()).map_err(|e| KdcError::Setup(format!("{name}: {e}")))?;
        }
        let output = child.wait_with_output().map_err(|e| KdcError::Setup(format!("{name}: {e}")))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        // kadmin.local reports a failed query on stderr but exits 0.
        let failed = stderr.lines().find(|l| !l.starts_with("No policy specified") && !l.starts_with("Authenticating"));
        match (output.status.success(), failed) {
            (true, None) => Ok(()),
            (_, line) => Err(KdcError::Setup(format!("{name}: {}", line.unwrap_or("failed")))),
        }
    }
}

impl Drop for Kdc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// kadmin.local commands creating the profile's principals.
fn principals(profile: &Profile) -> Result<String, KdcError> {
    let settings = profile.kerberos.as_ref().ok_or(KdcError::NoKerberos)?;
    let quoted = |password: &str| {
        if password.contains(['"', '\n', '\r']) {
            Err(KdcError::Setup(
                "a password with a double quote or a line break cannot be given to kadmin.local".into(),
            ))
        } else {
            Ok(format!("\"{password}\""))
        }
    };
    let mut out = String::new();
    for identity in profile.identities.iter().filter(|i| i.account.domain.eq_ignore_ascii_case(&profile.ntlm.domain)) {
        let Some(password) = &identity.password else { continue };
        let tickets = if identity.enabled { "" } else { " -allow_tix" };
        out.push_str(&format!("addprinc -pw {}{tickets} {}\n", quoted(password.expose())?, identity.account.user));
    }
    if let (Some(password), false) = (&settings.spn_password, settings.spn_account == SpnHolder::None) {
        out.push_str(&format!("addprinc -pw {} {}\n", quoted(password.expose())?, settings.service_principal));
    }
    Ok(out)
}

fn write_config(dir: &Path, realm: &str, port: u16) -> Result<(), KdcError> {
    let d = dir.display();
    let krb5 = format!(
        "[libdefaults]\n  default_realm = {realm}\n  dns_lookup_kdc = false\n  dns_lookup_realm = false\n  rdns = false\n  dns_canonicalize_hostname = false\n  udp_preference_limit = 1\n  permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96\n\n[realms]\n  {realm} = {{\n    kdc = 127.0.0.1:{port}\n  }}\n\n[domain_realm]\n  localhost = {realm}\n  127.0.0.1 = {realm}\n"
    );
    let kdc = format!(
        "[kdcdefaults]\n  kdc_listen = \"\"\n  kdc_tcp_listen = 127.0.0.1:{port}\n\n[realms]\n  {realm} = {{\n    database_name = {d}/principal\n    key_stash_file = {d}/stash\n    acl_file = {d}/kadm5.acl\n    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal\n  }}\n\n[logging]\n  kdc = FILE:{d}/kdc.log\n  admin_server = FILE:{d}/kadmin.log\n  default = FILE:{d}/kdc.log\n"
    );
    for (name, text) in [("krb5.conf", krb5), ("kdc.conf", kdc)] {
        std::fs::write(dir.join(name), text).map_err(|e| KdcError::Setup(format!("{name}: {e}")))?;
    }
    Ok(())
}

fn unique_dir() -> Result<PathBuf, KdcError> {
    let name = format!("ado-kdc-{}-{:016x}", std::process::id(), rand::random::<u64>());
    let dir = std::env::temp_dir().join(name);
    std::fs::create_dir_all(&dir).map_err(|e| KdcError::Setup(format!("{}: {e}", dir.display())))?;
    Ok(dir)
}

fn free_port() -> Result<u16, KdcError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| KdcError::Setup(format!("no free port: {e}")))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| KdcError::Setup(e.to_string()))
}
