//! Kerberos behind `Negotiate`, as HTTP.sys/IIS accepts it (profile `[kerberos]`).
//!
//! Without `[kerberos]` nothing changes: a Kerberos-only token is `ntlm.unsupported_mech` and
//! a NegTokenInit that also offers NTLM gets NTLM. With it, a Kerberos token (raw, or the
//! optimistic mechToken of a NegTokenInit whose first mechanism is Kerberos) is verified and
//! the Windows identity goes on through the same layers as an NTLM logon.

use super::answers;
use super::decision::{ConnectionUpdate, Decision, Layer};
use super::facts::{ConnectionAuth, RequestFacts};
use super::reason::Reason;
use super::windows::{WindowsLeg, authenticated};
use crate::kerberos::{self, AcceptInput, KrbFailure, KrbLeg, token};
use crate::ntlm::spnego::{self, NegState, NegTokenResp, Token};
use crate::profile::{KerberosSettings, Profile, Provider, SpnHolder};

/// Whether the site takes NTLM at all (raw, or inside Negotiate): `Negotiate:Kerberos`
/// (`[kerberos] only`) refuses an NTLM token before any NTLM processing. The Windows policy
/// "Restrict NTLM" (`[ntlm] blocked`) is another thing: it refuses the AUTHENTICATE itself, after
/// the CHALLENGE, naming the account (`windows.rs`, `ntlm.blocked`).
pub fn ntlm_allowed(profile: &Profile) -> bool {
    !profile.kerberos.as_ref().is_some_and(|k| k.only)
}

/// A Kerberos token found in an `Authorization: Negotiate` token.
struct Found {
    token: Vec<u8>,
    /// The first mechanism of the NegTokenInit (echoed as supportedMech), if SPNEGO.
    spnego_mech: Option<String>,
    mechs_offered: Vec<String>,
}

fn find(token: &[u8]) -> Option<Found> {
    if token::looks_like_kerberos(token) {
        return Some(Found { token: token.to_vec(), spnego_mech: None, mechs_offered: Vec::new() });
    }
    let Ok(Token::Init(init)) = spnego::parse(token) else { return None };
    // The optimistic mechToken belongs to the first mechanism: Kerberos's only when it is first.
    let first = init.mech_types.first().filter(|m| token::is_kerberos(m))?.clone();
    let inner = init.mech_token?;
    Some(Found { token: inner, spnego_mech: Some(first), mechs_offered: init.mech_types })
}

/// The Kerberos leg for `Authorization: Negotiate <token>`, or None when the token is not
/// Kerberos's and NTLM may run.
pub(super) fn leg(
    profile: &Profile,
    facts: &RequestFacts,
    scheme: Provider,
    token: &[u8],
    failed_logons: &dyn Fn(&str) -> u32,
) -> Option<WindowsLeg> {
    let settings = profile.kerberos.as_ref()?;
    let found = if scheme == Provider::Negotiate { find(token) } else { None };
    let Some(found) = found else {
        return (!ntlm_allowed(profile)).then(|| ntlm_refused(profile, settings));
    };
    let mut leg = KrbLeg {
        in_spnego: found.spnego_mech.is_some(),
        mechs_offered: found.mechs_offered.clone(),
        ..KrbLeg::default()
    };
    let input = AcceptInput {
        token: &found.token,
        service: &settings.service_principal,
        realm: &settings.realm,
        keys: &settings.keys,
        decrypting_account: &settings.decrypting_account,
        max_skew: settings.max_skew_seconds,
        now: facts.now + settings.clock_skew_seconds,
        sequence: u32::from_be_bytes([facts.nonce[0], facts.nonce[1], facts.nonce[2], facts.nonce[3]]),
    };
    let accepted = match kerberos::accept(&input, &mut leg) {
        Ok(accepted) => accepted,
        Err(failure) => return Some(failed(profile, settings, &failure, leg.summary())),
    };
    if !accepted.realm.eq_ignore_ascii_case(&settings.realm) {
        let why =
            format!("the client {}@{} is from another realm than {}", accepted.user, accepted.realm, settings.realm);
        return Some(refuse(
            profile,
            Reason::KerberosUnknownAccount,
            why,
            "use an account of the server's realm",
            leg.summary(),
        ));
    }
    let domain = profile.ntlm.domain.clone();
    if profile.windows_identity(&accepted.user, &domain).is_none() {
        let why = format!(
            "Kerberos logon of {}@{}: no Windows account {domain}\\{}",
            accepted.user, accepted.realm, accepted.user
        );
        return Some(refuse(
            profile,
            Reason::KerberosUnknownAccount,
            why,
            "add the account to the profile's identities",
            leg.summary(),
        ));
    }
    let final_token = match &found.spnego_mech {
        Some(mech) => Some(accept_completed(mech, accepted.ap_rep)),
        None => accepted.ap_rep,
    };
    Some(authenticated(profile, scheme, &accepted.user, &domain, final_token, leg.summary(), failed_logons))
}

/// negTokenResp{accept-completed, supportedMech = the client's first mechanism, AP-REP}, as
/// IIS sends it on the 200 (RFC 4178 4.2.2: supportedMech in the acceptor's first reply).
fn accept_completed(mech: &str, ap_rep: Option<Vec<u8>>) -> Vec<u8> {
    let reply = NegTokenResp {
        neg_state: Some(NegState::AcceptCompleted),
        supported_mech: Some(mech.to_owned()),
        response_token: ap_rep,
        mech_list_mic: None,
    };
    spnego::build_resp(&reply).unwrap_or_default()
}

fn ntlm_refused(profile: &Profile, settings: &KerberosSettings) -> WindowsLeg {
    if settings.spn_account == SpnHolder::None {
        return refuse(
            profile,
            Reason::KerberosNoSpn,
            format!(
                "the client sent NTLM (it could not get a Kerberos ticket: no account holds the SPN {}) and the site allows Kerberos only (Negotiate:Kerberos)",
                settings.service_principal
            ),
            format!(
                "register the SPN on the account that decrypts tickets: setspn -S {} {}",
                settings.service_principal, settings.decrypting_account
            ),
            "NTLM token refused before any NTLM processing".to_owned(),
        );
    }
    refuse(
        profile,
        Reason::KerberosRequired,
        "the site allows Kerberos only (providers Negotiate:Kerberos) and the client sent NTLM".to_owned(),
        format!(
            "get a Kerberos ticket for {}@{} (kinit, reach the server by the SPN's host name, not an IP or alias), or add the NTLM provider",
            settings.service_principal, settings.realm
        ),
        "NTLM token refused before any NTLM processing".to_owned(),
    )
}

fn failed(profile: &Profile, settings: &KerberosSettings, failure: &KrbFailure, leg: String) -> WindowsLeg {
    let (reason, hint) = match failure {
        KrbFailure::Modified { .. } => (Reason::KerberosApErrModified, modified_hint(settings)),
        KrbFailure::Skew { .. } => (
            Reason::KerberosSkew,
            "synchronize the server's clock with the domain (w32tm /resync); Kerberos allows 5 minutes".to_owned(),
        ),
        KrbFailure::TicketExpired { .. } | KrbFailure::TicketNotYetValid { .. } => {
            (Reason::KerberosTicketInvalid, "get a fresh ticket (klist purge, kinit) and check both clocks".to_owned())
        }
        KrbFailure::NotUs { .. } => (
            Reason::KerberosNotUs,
            format!("request the ticket for {} (the URL's host must be the SPN's host)", settings.service_principal),
        ),
        KrbFailure::NoKey { .. } | KrbFailure::BadMatch { .. } | KrbFailure::Malformed { .. } => {
            (Reason::KerberosBadToken, "send the GSS-API Kerberos token unchanged, AES enctypes".to_owned())
        }
    };
    refuse(profile, reason, format!("Negotiate (Kerberos) logon failed: {failure}"), hint, leg)
}

fn modified_hint(settings: &KerberosSettings) -> String {
    let holder = match &settings.spn_account {
        SpnHolder::Account(account) => account.clone(),
        _ => "the machine account".to_owned(),
    };
    let mode = format!(
        "useKernelMode={}, useAppPoolCredentials={}",
        settings.use_kernel_mode, settings.use_app_pool_credentials
    );
    format!(
        "the SPN {} is registered on {holder} but IIS decrypts tickets with {} ({mode}): run the app pool as {holder} with useAppPoolCredentials=true, or move the SPN (setspn -D, then setspn -S {} {})",
        settings.service_principal,
        settings.decrypting_account,
        settings.service_principal,
        settings.decrypting_account
    )
}

fn refuse(profile: &Profile, reason: Reason, explanation: String, hint: impl Into<String>, leg: String) -> WindowsLeg {
    let mut d = Decision::new(
        Layer::Iis,
        reason,
        answers::iis_401(profile, 1, super::decision::IisModule::WindowsAuthentication),
        explanation,
        hint,
    );
    d.connection = ConnectionUpdate::Set(ConnectionAuth::None);
    d.leg = Some(leg);
    WindowsLeg::Done(Box::new(d))
}
