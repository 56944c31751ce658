//! Layer 1: IIS. Which authentication modules run before TFS sees the request.
//!
//! IIS Windows authentication only consumes `Negotiate`/`NTLM` headers; `Basic` and `Bearer`
//! pass through as anonymous requests for TFS to check, unless IIS Basic authentication is on,
//! in which case IIS takes the Basic header as a Windows logon (ntlm-facts 4.1).

use super::answers;
use super::decision::{ConnectionUpdate, Decision, Layer, Logon, Principal, Via};
use super::describe;
use super::facts::{ConnectionAuth, RequestFacts};
use super::reason::Reason;
use super::windows::{self, WindowsLeg};
use crate::auth::credential::{Basic, Credential};
use crate::profile::{Identity, Profile};

/// What IIS hands to TFS.
pub struct IisPass {
    /// The Windows principal IIS authenticated, if any.
    pub principal: Option<Principal>,
    /// Side effects that stand whatever later layers decide.
    pub effects: Effects,
}

/// Side effects of the IIS layer.
#[derive(Default)]
pub struct Effects {
    /// The connection's next state.
    pub connection: ConnectionUpdate,
    /// A logon to count.
    pub logon: Option<Logon>,
    /// The final SPNEGO token for the 2xx.
    pub final_token: Option<Vec<u8>>,
    /// The handshake leg summary.
    pub leg: Option<String>,
    /// What the client's channel bindings said, for the journal (Windows logons).
    pub channel_bindings: Option<crate::ntlm::BindingsSeen>,
}

/// Runs the IIS layer: either a refusal/handshake step, or what passes to TFS.
pub fn check(
    profile: &Profile,
    facts: &RequestFacts,
    failed_logons: &dyn Fn(&str) -> u32,
) -> Result<IisPass, Decision> {
    let iis = &profile.iis;
    if !iis.anonymous && !iis.windows && !iis.basic {
        return Err(Decision::new(
            Layer::Iis,
            Reason::IisNoMethod,
            answers::iis_401(profile, 2),
            "IIS has no authentication method enabled (Anonymous, Windows and Basic are all off): 401.2 for every request".to_owned(),
            "enable Anonymous and Windows authentication on the TFS site in IIS Manager",
        ));
    }
    match &facts.credential {
        Credential::Windows { scheme, token } if profile.iis.offered_providers().contains(scheme) => {
            match windows::leg(profile, facts, *scheme, token.as_deref(), failed_logons) {
                WindowsLeg::Done(decision) => Err(*decision),
                WindowsLeg::Authenticated { principal, effects } => Ok(IisPass { principal: Some(principal), effects }),
            }
        }
        Credential::Basic(basic) if iis.basic => iis_basic(profile, basic, failed_logons),
        credential => pass_through(profile, facts, credential),
    }
}

fn pass_through(profile: &Profile, facts: &RequestFacts, credential: &Credential) -> Result<IisPass, Decision> {
    let mut effects = Effects::default();
    if let ConnectionAuth::Authenticated { account, scheme } = &facts.connection.auth
        && matches!(credential, Credential::None)
        && let Some(identity) = profile.identity(account)
    {
        let principal = principal(identity, Via::Windows { scheme: *scheme });
        return Ok(IisPass { principal: Some(principal), effects });
    }
    if matches!(facts.connection.auth, ConnectionAuth::Pending { .. }) {
        // A request without a Windows token abandons a half-done handshake.
        effects.connection = ConnectionUpdate::Set(ConnectionAuth::None);
    }
    if profile.iis.anonymous || matches!(facts.connection.auth, ConnectionAuth::Authenticated { .. }) {
        return Ok(IisPass { principal: None, effects });
    }
    let (reason, explanation, hint) = match credential {
        Credential::Windows { scheme, .. } => (
            Reason::IisProviderNotEnabled,
            format!(
                "IIS Anonymous authentication is off and the client used {} which IIS does not offer (offered: {})",
                scheme.scheme(),
                offered(profile)
            ),
            format!("use one of the offered schemes ({}), or add the provider in IIS", offered(profile)),
        ),
        other => (
            Reason::IisAnonymousDisabled,
            format!(
                "IIS Anonymous authentication is off, so a request with {} never reaches TFS; IIS answers 401.2 offering {}",
                other.scheme().map_or("no Authorization header".to_owned(), |s| format!("a {s} header")),
                offered(profile)
            ),
            "authenticate with Windows authentication (NTLM/Negotiate), or enable Anonymous authentication in IIS so that TFS can check PATs".to_owned(),
        ),
    };
    Err(Decision::new(Layer::Iis, reason, answers::iis_401(profile, 2), explanation, hint))
}

fn offered(profile: &Profile) -> String {
    let list: Vec<&str> = answers::iis(profile)
        .iter()
        .map(|c| match c {
            super::decision::Challenge::Windows(p) => p.scheme(),
            _ => "Basic",
        })
        .collect();
    if list.is_empty() { "nothing".to_owned() } else { list.join(", ") }
}

fn iis_basic(profile: &Profile, basic: &Basic, failed_logons: &dyn Fn(&str) -> u32) -> Result<IisPass, Decision> {
    let refuse = |reason: Reason, explanation: String, logon: Option<Logon>| {
        let mut d = Decision::new(
            Layer::Iis,
            reason,
            answers::iis_401(profile, 1),
            explanation,
            "turn IIS Basic authentication off for the TFS site (it prevents PATs), or send DOMAIN\\user with the Windows password",
        );
        d.logon = logon;
        d
    };
    let Basic::Pair { user, password } = basic else {
        return Err(refuse(
            Reason::IisBasicIntercepts,
            "IIS Basic authentication is on and took the Basic header as a Windows logon; it is not user:password, so the logon failed (401.1) and TFS never saw it".to_owned(),
            None,
        ));
    };
    let name = user.expose();
    let (domain, user_name) = name.split_once('\\').unwrap_or(("", name));
    let identity = profile.windows_identity(user_name, domain).filter(|_| !user_name.is_empty());
    let Some(identity) = identity else {
        return Err(refuse(
            Reason::IisBasicIntercepts,
            format!(
                "IIS Basic authentication is on and took the Basic header as a Windows logon for user {} with {} as password; no such Windows account, so the logon failed (401.1) and TFS never saw the credential",
                describe::user(profile, user),
                describe::secret(profile, password)
            ),
            None,
        ));
    };
    let account = identity.account.to_string();
    if let Some(d) = locked_or_disabled(profile, identity, failed_logons, Layer::Iis) {
        return Err(d);
    }
    if identity.password.as_ref().is_none_or(|p| p.expose() != password.expose()) {
        return Err(refuse(
            Reason::IisBasicIntercepts,
            format!(
                "IIS Basic authentication is on and took the Basic header as a Windows logon for {account}; the password ({}) is not the account's Windows password, so the logon failed (401.1) and TFS never saw the credential",
                describe::secret(profile, password)
            ),
            Some(Logon::Failed { account }),
        ));
    }
    let effects = Effects { logon: Some(Logon::Succeeded { account }), ..Effects::default() };
    Ok(IisPass { principal: Some(principal(identity, Via::IisBasic)), effects })
}

/// Refuses a Windows logon of a locked-out or disabled account.
pub fn locked_or_disabled(
    profile: &Profile,
    identity: &Identity,
    failed_logons: &dyn Fn(&str) -> u32,
    layer: Layer,
) -> Option<Decision> {
    let account = identity.account.to_string();
    let threshold = profile.ntlm.lockout_threshold;
    let failures = failed_logons(&account);
    if threshold > 0 && failures >= threshold {
        return Some(Decision::new(
            layer,
            Reason::IdentityLockedOut,
            answers::iis_401(profile, 1),
            format!(
                "{account} is locked out after {failures} failed logons (lockout threshold {threshold}); even the right password fails until it is unlocked"
            ),
            "stop retrying with a wrong password; an administrator unlocks the account (control plane: POST /lockouts/reset)",
        ));
    }
    if !identity.enabled {
        return Some(Decision::new(
            layer,
            Reason::IdentityDisabled,
            answers::iis_401(profile, 1),
            format!("{account} is disabled in the domain: the Windows logon fails (401.1)"),
            "enable the account, or use another one",
        ));
    }
    None
}

/// The principal of an identity.
pub fn principal(identity: &Identity, via: Via) -> Principal {
    Principal {
        account: identity.account.to_string(),
        id: identity.id,
        display_name: identity.display_name.clone(),
        via,
    }
}
