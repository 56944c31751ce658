//! A Kerberos case's realm: a real MIT KDC for the case's own profile (each scenario may place
//! the SPN differently, so each Kerberos case gets its own realm, started in well under a
//! second) and the client's ticket cache.
//!
//! The runner runs `kinit` for the scenario's identity, as a Windows logon gets the user's TGT
//! before any tool runs: the client is handed `KRB5_CONFIG` and `KRB5CCNAME` (and the usual
//! user name, password and domain, for an NTLM fallback) and never types a password.

use std::path::{Path, PathBuf};

use ado_mock_server::kerberos::kdc::{self, Kdc};

use crate::scenario::{AuthKind, Case};

/// The realm of one case; dropping it stops the KDC and removes its files.
#[derive(Debug)]
pub struct CaseRealm {
    kdc: Kdc,
    ccache: PathBuf,
}

/// What a case needs before its client runs.
#[derive(Debug)]
pub enum Prepared {
    /// Not a Kerberos case.
    NotKerberos,
    /// No KDC can run here: the case is skipped with this reason.
    Unavailable(String),
    /// The realm is up (the ticket cache may be empty when `kinit` was refused).
    Ready(CaseRealm),
    /// The realm could not be set up.
    Failed(String),
}

/// Starts the realm of a Kerberos case and fills the ticket cache in `home`.
pub async fn prepare(case: &Case, home: &Path) -> Prepared {
    if case.scenario.client.auth != AuthKind::Kerberos {
        return Prepared::NotKerberos;
    }
    if let Err(e) = kdc::available() {
        return Prepared::Unavailable(e.to_string());
    }
    let profile = case.profile.clone();
    let client = case.scenario.client.clone();
    let ccache = home.join("krb5cc");
    let result = tokio::task::spawn_blocking(move || {
        let kdc = Kdc::start(&profile).map_err(|e| e.to_string())?;
        let identity = client.identity.as_deref().and_then(|a| profile.identity(a));
        if let Some(identity) = identity {
            let password = client
                .password
                .clone()
                .or_else(|| identity.password.as_ref().map(|p| p.expose().to_owned()))
                .unwrap_or_default();
            // A refused kinit (wrong password, disabled account) leaves the cache empty: the
            // client then meets the server without a ticket, as such a user would.
            let _ = kdc.kinit(&identity.account.user, &password, &ccache);
        }
        Ok::<_, String>(CaseRealm { kdc, ccache })
    })
    .await;
    match result {
        Ok(Ok(realm)) => Prepared::Ready(realm),
        Ok(Err(e)) => Prepared::Failed(e),
        Err(e) => Prepared::Failed(format!("KDC setup panicked: {e}")),
    }
}

impl CaseRealm {
    /// `KRB5_CONFIG` and `KRB5CCNAME` for the client.
    pub fn env(&self) -> Vec<(String, String)> {
        self.kdc.client_env(&self.ccache)
    }

    /// The KDC's folder (redacted from reports).
    pub fn dir(&self) -> &Path {
        self.kdc.dir()
    }
}
