//! What every Windows logon shares, whichever module did it (IIS Basic, NTLM/Negotiate): the
//! account's state, the principal it becomes, and the side effects that stand whatever later
//! layers decide. Shared by `iis.rs` and `windows.rs` so neither depends on the other.

use super::answers;
use super::decision::{ConnectionUpdate, Decision, IisModule, Layer, Logon, Principal, Via};
use super::reason::Reason;
use crate::profile::{Identity, Profile};

/// Side effects of a Windows logon (or of the IIS layer).
#[derive(Default)]
pub(super) struct Effects {
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

/// Refuses a Windows logon of a locked-out or disabled account.
pub(super) fn locked_or_disabled(
    profile: &Profile,
    identity: &Identity,
    failed_logons: &dyn Fn(&str) -> u32,
    module: IisModule,
) -> Option<Decision> {
    let layer = Layer::Iis;
    let account = identity.account.to_string();
    let threshold = profile.ntlm.lockout_threshold;
    let failures = failed_logons(&account);
    if threshold > 0 && failures >= threshold {
        return Some(Decision::new(
            layer,
            Reason::IdentityLockedOut,
            answers::iis_401(profile, 1, module),
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
            answers::iis_401(profile, 1, module),
            format!("{account} is disabled in the domain: the Windows logon fails (401.1)"),
            "enable the account, or use another one",
        ));
    }
    None
}

/// The principal of an identity.
pub(super) fn principal(identity: &Identity, via: Via) -> Principal {
    Principal {
        account: identity.account.qualified(),
        id: identity.id,
        display_name: identity.display_name.clone(),
        via,
    }
}
