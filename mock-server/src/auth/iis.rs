//! Layer 1: IIS. Which authentication modules run before TFS sees the request.
//!
//! IIS Windows authentication only consumes `Negotiate`/`NTLM` headers; `Basic` and `Bearer`
//! pass through as anonymous requests for TFS to check, unless IIS Basic authentication is on,
//! in which case IIS takes the Basic header as a Windows logon (ntlm-facts 4.1).

use super::answers;
use super::decision::{ConnectionUpdate, Decision, IisModule, Layer, Logon, Principal, Via};
use super::describe;
use super::facts::{ConnectionAuth, RequestFacts};
use super::logon::{Effects, locked_or_disabled, principal};
use super::reason::Reason;
use super::windows::{self, WindowsLeg};
use crate::auth::credential::{Basic, Credential};
use crate::profile::{BareName, Profile};

/// What IIS hands to TFS.
pub(super) struct IisPass {
    /// The Windows principal IIS authenticated, if any.
    pub principal: Option<Principal>,
    /// Side effects that stand whatever later layers decide.
    pub effects: Effects,
}

/// Runs the IIS layer: either a refusal/handshake step, or what passes to TFS.
pub(super) fn check(
    profile: &Profile,
    facts: &RequestFacts,
    failed_logons: &dyn Fn(&str) -> u32,
) -> Result<IisPass, Decision> {
    let iis = &profile.iis;
    if !iis.anonymous && !iis.windows && !iis.basic {
        return Err(Decision::new(
            Layer::Iis,
            Reason::IisNoMethod,
            answers::iis_401(profile, 2, IisModule::WebCore),
            "IIS has no authentication method enabled (Anonymous, Windows and Basic are all off): 401.2 for every request".to_owned(),
            "enable Anonymous and Windows authentication on the TFS site in IIS Manager",
        ));
    }
    match &facts.credential {
        Credential::Windows { scheme, token } if profile.iis.offered_providers().contains(scheme) => {
            match windows::leg(profile, facts, *scheme, token.as_deref(), failed_logons) {
                WindowsLeg::Done(decision) => Err(*decision),
                WindowsLeg::Authenticated { principal, effects } => {
                    Ok(IisPass { principal: Some(principal), effects: *effects })
                }
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
    Err(Decision::new(Layer::Iis, reason, answers::iis_401(profile, 2, IisModule::WebCore), explanation, hint))
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
            answers::iis_401(profile, 1, IisModule::BasicAuthentication),
            explanation,
            "turn IIS Basic authentication off for the TFS site (it prevents PATs), or send DOMAIN\\user (or user@dns-domain) with the Windows password",
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
    // IIS Basic calls LogonUser: a bare name is in `defaultLogonDomain`, and with none set, in
    // the server's own (local) accounts (docs/facts/accounts.md §2).
    let default_domain = &profile.iis.basic_default_domain;
    let bare = BareName::In(if default_domain.is_empty() { &profile.ntlm.computer } else { default_domain });
    let Some(identity) = profile.logon_identity(user_name, domain, bare) else {
        return Err(refuse(
            Reason::IisBasicIntercepts,
            format!(
                "IIS Basic authentication is on and took the Basic header as a Windows logon for user {} with {} as password; the logon failed (401.1) and TFS never saw the credential: {}",
                describe::user(profile, user),
                describe::secret(profile, password),
                unknown_account(profile, user_name, domain)
            ),
            None,
        ));
    };
    let account = identity.account.to_string();
    if let Some(d) = locked_or_disabled(profile, identity, failed_logons, IisModule::BasicAuthentication) {
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

/// Why IIS Basic found no account for a name: a bare name outside `defaultLogonDomain` is the
/// classic case (vso-agent#258: the bare name failed, the UPN worked).
fn unknown_account(profile: &Profile, user: &str, domain: &str) -> String {
    let bare = domain.is_empty() && !user.contains('@');
    let elsewhere = profile.logon_identity(user, "", BareName::LocalThenDomain).filter(|_| bare);
    match elsewhere {
        Some(identity) if profile.iis.basic_default_domain.is_empty() => format!(
            "a bare user name is looked up among the server's local accounts (IIS Basic's default logon domain is empty) and {} is a domain account: send {} or {}, or set the default logon domain",
            identity.account,
            identity.account,
            identity.upn.clone().unwrap_or_else(|| format!("{}@{}", identity.account.user, profile.ntlm.dns_domain))
        ),
        Some(identity) => format!(
            "a bare user name is looked up in the default logon domain {} and the account is {}",
            profile.iis.basic_default_domain, identity.account
        ),
        None => "no such Windows account".to_owned(),
    }
}
