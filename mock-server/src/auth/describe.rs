//! Safe descriptions of credentials for explanations: what a value *is*, never the value.

use crate::profile::{Profile, is_pat_syntax};
use crate::secret::Secret;

/// Describes a secret slot: a known PAT or password by owner and name, otherwise its shape.
pub(super) fn secret(profile: &Profile, value: &Secret) -> String {
    let v = value.expose();
    if v.is_empty() {
        return "empty".to_owned();
    }
    if let Some((identity, pat)) = profile.find_pat(v) {
        return format!("the PAT '{}' of {}", pat.name, identity.account);
    }
    if let Some(identity) = profile.identities.iter().find(|i| i.password.as_ref().is_some_and(|p| p.expose() == v)) {
        return format!("the Windows password of {}", identity.account);
    }
    if is_pat_syntax(v) {
        return "a 52-character PAT-shaped token this server does not know".to_owned();
    }
    if is_pat_syntax(v.trim_end()) {
        return "a PAT followed by whitespace (a newline from `echo` without -n?)".to_owned();
    }
    format!("{} characters", v.chars().count())
}

/// Describes a user-name slot: shows ordinary user names, hides anything secret-looking.
pub(super) fn user(profile: &Profile, value: &Secret) -> String {
    let v = value.expose();
    let looks_secret = is_pat_syntax(v.trim())
        || profile.find_pat(v).is_some()
        || profile.identities.iter().any(|i| i.password.as_ref().is_some_and(|p| p.expose() == v));
    if v.is_empty() {
        "empty".to_owned()
    } else if looks_secret {
        secret(profile, value)
    } else {
        format!("'{}'", printable(v, 64))
    }
}

/// A printable, bounded rendering of untrusted text.
pub fn printable(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).map(|c| if c.is_control() { '?' } else { c }).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
