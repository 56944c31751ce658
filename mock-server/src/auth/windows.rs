//! Windows authentication legs (NTLM, and Negotiate carrying NTLM), as IIS/HTTP.sys runs them.
//!
//! The handshake state belongs to the TCP connection: it arrives in
//! [`RequestFacts::connection`] and leaves as a [`ConnectionUpdate`].

use super::answers;
use super::decision::{Answer, ConnectionUpdate, Decision, IisModule, Layer, Logon, Principal, Via};
use super::facts::{ConnectionAuth, RequestFacts};
use super::logon::{Effects, locked_or_disabled, principal};
use super::reason::Reason;
use crate::ntlm::{self, Failure, Step, StepInput};
use crate::profile::{Profile, Provider};

/// Seconds between 1601-01-01 and 1970-01-01 (FILETIME epoch).
const FILETIME_EPOCH_OFFSET: i64 = 11_644_473_600;

/// The outcome of one Windows leg.
pub(super) enum WindowsLeg {
    /// The request is answered now (a CHALLENGE, or a refusal).
    Done(Box<Decision>),
    /// The logon succeeded; TFS layers continue with this principal.
    Authenticated {
        /// Who logged on.
        principal: Principal,
        /// Connection state, logon count, final token and leg summary.
        effects: Box<Effects>,
    },
}

/// The acceptor settings of a profile.
pub fn acceptor_config(profile: &Profile) -> ntlm::AcceptorConfig {
    let n = &profile.ntlm;
    ntlm::AcceptorConfig {
        nb_domain: n.domain.to_ascii_uppercase(),
        nb_computer: n.computer.to_ascii_uppercase(),
        dns_domain: n.dns_domain.to_ascii_lowercase(),
        dns_computer: format!("{}.{}", n.computer.to_ascii_lowercase(), n.dns_domain.to_ascii_lowercase()),
        dns_tree: n.dns_domain.to_ascii_lowercase(),
        accept_v1: n.accept_v1,
    }
}

/// The server challenge for a new handshake: the profile's fixed one or the request's nonce.
pub fn server_challenge(profile: &Profile, nonce: [u8; 8]) -> [u8; 8] {
    let mut challenge = profile.ntlm.challenge.unwrap_or(nonce);
    if profile.ntlm.seven_bit_challenge {
        challenge.iter_mut().for_each(|b| *b &= 0x7f);
    }
    challenge
}

/// Runs one leg for `Authorization: <scheme> <token>`.
pub(super) fn leg(
    profile: &Profile,
    facts: &RequestFacts,
    scheme: Provider,
    token: Option<&[u8]>,
    failed_logons: &dyn Fn(&str) -> u32,
) -> WindowsLeg {
    let Some(token) = token else {
        return refuse(
            profile,
            Reason::NtlmBadResponse,
            format!("{} header without a base64 token", scheme.scheme()),
            None,
            None,
        );
    };
    if let Some(outcome) = super::kerberos::leg(profile, facts, scheme, token, failed_logons) {
        return outcome;
    }
    let pending = match &facts.connection.auth {
        ConnectionAuth::Pending { handshake, .. } => Some(handshake.as_ref()),
        _ => None,
    };
    let unix = profile.ntlm.timestamp.unwrap_or(facts.now);
    let timestamp = u64::try_from((unix + FILETIME_EPOCH_OFFSET).max(0)).unwrap_or(0) * 10_000_000;
    let input = StepInput {
        token,
        negotiate_scheme: scheme == Provider::Negotiate,
        pending,
        server_challenge: server_challenge(profile, facts.nonce),
        timestamp,
        channel_bindings: ntlm::ChannelBindingCheck {
            token_checking: profile.iis.extended_protection,
            expected: facts.connection.tls.and_then(|tls| tls.channel_bindings),
        },
    };
    let password_of = |user: &str, domain: &str| {
        profile.windows_identity(user, domain).and_then(|i| i.password.as_ref()).map(|p| p.expose().to_owned())
    };
    match ntlm::step(&acceptor_config(profile), input, &password_of) {
        Step::Continue { token, pending, leg } => {
            let mut d = Decision::new(
                Layer::Iis,
                Reason::NtlmChallenge,
                Answer::Handshake { scheme, token },
                format!("{} handshake step: {}", scheme.scheme(), leg.summary()),
                "send the next token on this same connection",
            );
            d.connection = ConnectionUpdate::Set(ConnectionAuth::Pending { scheme, handshake: Box::new(pending) });
            d.leg = Some(leg.summary());
            WindowsLeg::Done(Box::new(d))
        }
        Step::Authenticated { user, domain, leg, .. } if blocked(profile, &user, &domain) => {
            refuse_blocked(profile, scheme, &user, &domain, Some(leg.summary()))
        }
        Step::Failed { failure, leg } if named(&failure).is_some_and(|(u, d)| blocked(profile, u, d)) => {
            let (user, domain) = named(&failure).unwrap_or_default();
            refuse_blocked(profile, scheme, user, domain, Some(leg.summary()))
        }
        Step::Authenticated { user, domain, final_token, leg, .. } => {
            let mut outcome = authenticated(profile, scheme, &user, &domain, final_token, leg.summary(), failed_logons);
            match &mut outcome {
                WindowsLeg::Done(d) => d.channel_bindings = leg.channel_bindings,
                WindowsLeg::Authenticated { effects, .. } => effects.channel_bindings = leg.channel_bindings,
            }
            outcome
        }
        Step::Failed { failure, leg } => {
            let mut outcome = failed(profile, scheme, failure, leg.summary(), failed_logons);
            if let WindowsLeg::Done(d) = &mut outcome {
                d.channel_bindings = leg.channel_bindings;
            }
            outcome
        }
    }
}

/// The account an AUTHENTICATE named, when the failure knows it.
fn named(failure: &Failure) -> Option<(&str, &str)> {
    match failure {
        Failure::WrongPassword { user, domain, .. }
        | Failure::V1Refused { user, domain }
        | Failure::BadMic { user, domain }
        | Failure::UnknownUser { user, domain } => Some((user, domain)),
        _ => None,
    }
}

/// Whether "Restrict NTLM: Incoming NTLM traffic" denies this logon: the policy refuses the
/// AUTHENTICATE itself, whatever the password (docs/facts/ntlm-policy.md).
fn blocked(profile: &Profile, user: &str, domain: &str) -> bool {
    let account_domain = profile.windows_identity(user, domain).map_or(domain, |i| i.account.domain.as_str());
    profile.ntlm.denies(account_domain)
}

fn refuse_blocked(profile: &Profile, scheme: Provider, user: &str, domain: &str, leg: Option<String>) -> WindowsLeg {
    let who = if domain.is_empty() { user.to_owned() } else { format!("{domain}\\{user}") };
    let explanation = format!(
        "the server's 'Network security: Restrict NTLM: Incoming NTLM traffic' policy denies NTLM ({} carried an NTLM AUTHENTICATE for {who}): 401.1, Security log 4625 with status 0x80090302 and sub-status 0xC0000418 (STATUS_NTLM_BLOCKED)",
        scheme.scheme()
    );
    let hint = "NTLM is blocked on this server whatever the password: use Kerberos (Negotiate with a ticket for the server's SPN), or a PAT over Basic, or ask the administrator to allow NTLM (or add the client to the policy's exceptions)";
    let mut d = Decision::new(
        Layer::Iis,
        Reason::NtlmBlocked,
        answers::iis_401(profile, 1, IisModule::WindowsAuthentication),
        explanation,
        hint,
    );
    d.connection = ConnectionUpdate::Set(ConnectionAuth::None);
    d.leg = leg;
    WindowsLeg::Done(Box::new(d))
}

/// The Windows logon of `domain\user` succeeded: account checks, then the connection state.
pub(super) fn authenticated(
    profile: &Profile,
    scheme: Provider,
    user: &str,
    domain: &str,
    final_token: Option<Vec<u8>>,
    leg: String,
    failed_logons: &dyn Fn(&str) -> u32,
) -> WindowsLeg {
    let Some(identity) = profile.windows_identity(user, domain) else {
        return refuse(profile, Reason::NtlmBadResponse, format!("no account {domain}\\{user}"), Some(leg), None);
    };
    if let Some(mut d) = locked_or_disabled(profile, identity, failed_logons, IisModule::WindowsAuthentication) {
        d.leg = Some(leg);
        d.connection = ConnectionUpdate::Set(ConnectionAuth::None);
        return WindowsLeg::Done(Box::new(d));
    }
    let account = identity.account.to_string();
    // With authPersistSingleRequest the logon covers this request only.
    let next = if profile.iis.persist_auth_per_connection {
        ConnectionAuth::Authenticated { account: account.clone(), scheme }
    } else {
        ConnectionAuth::None
    };
    let effects = Effects {
        connection: ConnectionUpdate::Set(next),
        logon: Some(Logon::Succeeded { account }),
        final_token,
        leg: Some(leg),
        channel_bindings: None,
    };
    WindowsLeg::Authenticated { principal: principal(identity, Via::Windows { scheme }), effects: Box::new(effects) }
}

fn failed(
    profile: &Profile,
    scheme: Provider,
    failure: Failure,
    leg: String,
    failed_logons: &dyn Fn(&str) -> u32,
) -> WindowsLeg {
    let (reason, account) = match &failure {
        Failure::NoHandshake => (Reason::NtlmNoHandshake, None),
        Failure::ChannelBindingMissing { .. } => (Reason::NtlmChannelBindingMissing, None),
        Failure::ChannelBindingMismatch { .. } => (Reason::NtlmChannelBindingMismatch, None),
        Failure::UnsupportedMech { .. } => (Reason::NtlmUnsupportedMech, None),
        Failure::V1Refused { user, domain } => (Reason::NtlmV1Refused, account_of(profile, user, domain)),
        Failure::WrongPassword { user, domain, .. } | Failure::BadMic { user, domain } => {
            (Reason::NtlmBadResponse, account_of(profile, user, domain))
        }
        _ => (Reason::NtlmBadResponse, None),
    };
    if let Some(identity) = account.as_deref().and_then(|a| profile.identity(a))
        && let Some(mut d) = locked_or_disabled(profile, identity, failed_logons, IisModule::WindowsAuthentication)
        && d.reason == Reason::IdentityLockedOut
    {
        d.leg = Some(leg);
        d.connection = ConnectionUpdate::Set(ConnectionAuth::None);
        return WindowsLeg::Done(Box::new(d));
    }
    let counts = matches!(failure, Failure::WrongPassword { .. } | Failure::BadMic { .. });
    let logon = account.filter(|_| counts).map(|account| Logon::Failed { account });
    let explanation = format!("{} logon failed: {failure}", scheme.scheme());
    refuse(profile, reason, explanation, Some(leg), logon)
}

fn account_of(profile: &Profile, user: &str, domain: &str) -> Option<String> {
    profile.windows_identity(user, domain).map(|i| i.account.to_string())
}

fn refuse(
    profile: &Profile,
    reason: Reason,
    explanation: String,
    leg: Option<String>,
    logon: Option<Logon>,
) -> WindowsLeg {
    let hint = match reason {
        Reason::NtlmNoHandshake => {
            "send the AUTHENTICATE (type 3) on the connection that received the CHALLENGE (type 2); keep-alive must stay on"
        }
        Reason::NtlmUnsupportedMech => {
            "offer NTLM (1.3.6.1.4.1.311.2.2.10) in the Negotiate token, or use the NTLM scheme: the server has no Kerberos"
        }
        Reason::NtlmV1Refused => {
            "use NTLMv2 (the server's LAN Manager level refuses NTLMv1), or set accept-v1 = true in the profile"
        }
        Reason::NtlmChannelBindingMissing => {
            "this client sends no channel bindings (curl --ntlm, ntlmclient and most non-Windows NTLM code do not): \
             use a client that binds NTLM to the TLS channel (requests-ntlm/pyspnego, .NET, Windows SSPI), \
             set IIS Extended Protection to Allow (iis.extended-protection = \"allow\"), or use a PAT"
        }
        Reason::NtlmChannelBindingMismatch => {
            "the client bound NTLM to another TLS channel: a TLS-inspecting proxy or load balancer between client \
             and server re-encrypts with its own certificate; connect directly, terminate TLS on the server, or \
             turn Extended Protection off for that path (IIS: Allow does not help, wrong bindings are refused)"
        }
        _ => "check the user name, domain and password; NTLM must run all three legs on one keep-alive connection",
    };
    let mut d = Decision::new(
        Layer::Iis,
        reason,
        answers::iis_401(profile, 1, IisModule::WindowsAuthentication),
        explanation,
        hint,
    );
    d.connection = ConnectionUpdate::Set(ConnectionAuth::None);
    d.leg = leg;
    d.logon = logon;
    WindowsLeg::Done(Box::new(d))
}
