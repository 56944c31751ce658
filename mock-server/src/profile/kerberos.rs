//! The `[kerberos]` table: the site's place in a Kerberos realm, validated at load.
//!
//! Which account's key decrypts service tickets follows IIS (`<windowsAuthentication>`):
//! with `useKernelMode = true` and `useAppPoolCredentials = false` HTTP.sys decrypts with the
//! machine account's key; otherwise with the application pool identity's (the machine account
//! when the pool runs as NetworkService or ApplicationPoolIdentity). The KDC encrypts the ticket
//! with the key of the account that holds the SPN. When the two differ the ticket does not
//! decrypt: KRB_AP_ERR_MODIFIED (docs/PROFILES.md "[kerberos]" names the sources).

use serde::{Deserialize, Serialize};

use super::file::ProfileFile;
use super::model::Identity;
use crate::error::ProfileError;
use crate::kerberos::ServiceKeys;
use crate::secret::Secret;

/// The `[kerberos]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KerberosFile {
    /// The realm; default: `ntlm.dns-domain` upper-cased.
    pub realm: Option<String>,
    /// The SPN clients ask tickets for, without realm; default `HTTP/localhost`.
    #[serde(default = "default_service")]
    pub service_principal: String,
    /// Who holds the SPN: `"machine"`, `"none"` or an identity's `DOMAIN\user`.
    #[serde(default = "machine")]
    pub spn_account: String,
    /// The application pool identity: `"machine"` or an identity's `DOMAIN\user`.
    #[serde(default = "machine")]
    pub app_pool_identity: String,
    /// IIS `useKernelMode` (default true).
    #[serde(default = "yes")]
    pub use_kernel_mode: bool,
    /// IIS `useAppPoolCredentials` (default false).
    #[serde(default)]
    pub use_app_pool_credentials: bool,
    /// IIS provider `Negotiate:Kerberos`: Kerberos only, NTLM refused even inside Negotiate.
    #[serde(default)]
    pub only: bool,
    /// The largest clock difference accepted, seconds (Windows default 300).
    #[serde(default = "default_skew")]
    pub max_skew_seconds: u32,
    /// How far the server's clock is ahead of the domain's, seconds (negative: behind).
    #[serde(default)]
    pub clock_skew_seconds: i64,
}

fn default_service() -> String {
    "HTTP/localhost".to_owned()
}

fn machine() -> String {
    MACHINE.to_owned()
}

fn yes() -> bool {
    true
}

fn default_skew() -> u32 {
    300
}

/// The value naming the machine account.
pub const MACHINE: &str = "machine";

/// Who holds the SPN in the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpnHolder {
    /// No account: the KDC has no such principal, so clients cannot get a ticket.
    None,
    /// The server's machine account (`TFS01$`).
    Machine,
    /// A domain user account (`DOMAIN\user`).
    Account(String),
}

/// The validated `[kerberos]` settings.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct KerberosSettings {
    /// The realm, upper-case.
    pub realm: String,
    /// The SPN, e.g. `HTTP/localhost`.
    pub service_principal: String,
    /// Who holds the SPN.
    pub spn_account: SpnHolder,
    /// The account whose key the server decrypts tickets with (`DOMAIN\user` or `DOMAIN\TFS01$`).
    pub decrypting_account: String,
    /// IIS `useKernelMode`.
    pub use_kernel_mode: bool,
    /// IIS `useAppPoolCredentials`.
    pub use_app_pool_credentials: bool,
    /// `Negotiate:Kerberos`: no NTLM.
    pub only: bool,
    /// Allowed clock skew, seconds.
    pub max_skew_seconds: i64,
    /// The server clock's offset from the domain's, seconds.
    pub clock_skew_seconds: i64,
    /// The decrypting account's keys for the SPN.
    #[serde(skip)]
    pub keys: ServiceKeys,
    /// The password of the account that holds the SPN (what the KDC encrypts tickets with).
    #[serde(skip)]
    pub spn_password: Option<Secret>,
}

/// The emulated machine account's password (nobody types it; the KDC and the server share it).
pub fn machine_password(computer: &str, domain: &str) -> Secret {
    Secret::new(format!("{computer}$@{domain} machine account password"))
}

/// Resolves `[kerberos]`; `identities` are the resolved profile identities.
pub(super) fn resolve(
    file: &ProfileFile,
    identities: &[Identity],
    err: &dyn Fn(&str, &str, &str) -> ProfileError,
) -> Result<Option<KerberosSettings>, ProfileError> {
    let Some(k) = &file.kerberos else { return Ok(None) };
    let realm = k.realm.clone().unwrap_or_else(|| file.ntlm.dns_domain.clone()).to_ascii_uppercase();
    if realm.is_empty() || !realm.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        return Err(err("kerberos.realm", "a realm name such as CONTOSO.LOCAL", &realm));
    }
    let service = &k.service_principal;
    let valid_spn = service.split_once('/').is_some_and(|(class, host)| {
        !class.is_empty() && !host.is_empty() && !host.contains(['/', '@']) && !service.contains(char::is_whitespace)
    });
    if !valid_spn {
        return Err(err("kerberos.service-principal", "a service/host SPN such as HTTP/localhost", service));
    }
    if k.only && k.use_kernel_mode {
        return Err(err(
            "kerberos.only",
            "use-kernel-mode = false (IIS does not allow Negotiate:Kerberos with kernel-mode authentication)",
            "true",
        ));
    }
    if k.only && file.iis.providers.iter().any(|p| matches!(p, super::file::ProviderFile::Ntlm)) {
        return Err(err(
            "kerberos.only",
            "iis.providers = [\"Negotiate\"] (with Negotiate:Kerberos IIS offers no NTLM provider)",
            "true",
        ));
    }
    let machine_account =
        format!("{}\\{}$", file.ntlm.domain.to_ascii_uppercase(), file.ntlm.computer.to_ascii_uppercase());
    let machine_secret = machine_password(&file.ntlm.computer, &file.ntlm.domain);
    let password_of = |key: &str, value: &str| -> Result<(String, Secret), ProfileError> {
        if value.eq_ignore_ascii_case(MACHINE) {
            return Ok((machine_account.clone(), machine_secret.clone()));
        }
        let identity = identity(identities, value)
            .ok_or_else(|| err(key, "\"machine\" or the account of an identity with a password", value))?;
        let password = identity.password.clone().ok_or_else(|| err(key, "an identity with a password", value))?;
        Ok((identity.account.to_string(), password))
    };
    let spn_account = match k.spn_account.as_str() {
        "none" => SpnHolder::None,
        m if m.eq_ignore_ascii_case(MACHINE) => SpnHolder::Machine,
        other => SpnHolder::Account(password_of("kerberos.spn-account", other)?.0),
    };
    let spn_password = match &spn_account {
        SpnHolder::None => None,
        _ => Some(password_of("kerberos.spn-account", &k.spn_account)?.1),
    };
    // HTTP.sys in kernel mode uses the machine account unless told to use the pool's credentials.
    let decrypter = if k.use_kernel_mode && !k.use_app_pool_credentials { MACHINE } else { &k.app_pool_identity };
    let (decrypting_account, password) = password_of("kerberos.app-pool-identity", decrypter)?;
    Ok(Some(KerberosSettings {
        keys: ServiceKeys::derive(password.expose(), service, &realm),
        realm,
        service_principal: service.clone(),
        spn_account,
        decrypting_account,
        use_kernel_mode: k.use_kernel_mode,
        use_app_pool_credentials: k.use_app_pool_credentials,
        only: k.only,
        max_skew_seconds: i64::from(k.max_skew_seconds),
        clock_skew_seconds: k.clock_skew_seconds,
        spn_password,
    }))
}

fn identity<'a>(identities: &'a [Identity], account: &str) -> Option<&'a Identity> {
    let (domain, user) = account.split_once('\\')?;
    identities
        .iter()
        .find(|i| i.account.domain.eq_ignore_ascii_case(domain) && i.account.user.eq_ignore_ascii_case(user))
}
