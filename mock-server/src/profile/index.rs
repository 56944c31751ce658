//! Lookups of identities and PATs through an index built once at load, so a profile with tens of
//! thousands of identities costs no more per request than a small one; and the rules by which
//! Windows resolves a logon name (docs/facts/accounts.md).

use std::collections::HashMap;

use super::model::{Identity, Pat, Profile};

/// Positions of identities and PATs by the keys requests use (all lower-cased but tokens).
#[derive(Clone, Debug, Default)]
pub(crate) struct ProfileIndex {
    by_account: HashMap<String, usize>,
    by_user: HashMap<String, Vec<usize>>,
    by_upn: HashMap<String, usize>,
    by_token: HashMap<String, (usize, usize)>,
}

impl ProfileIndex {
    /// Indexes `identities`; `dns_domain` and `domain` give each account of the server's domain
    /// its implicit UPN `user@dns-domain`.
    pub(crate) fn build(identities: &[Identity], domain: &str, dns_domain: &str) -> Self {
        let mut index = Self::default();
        for (i, identity) in identities.iter().enumerate() {
            index.by_account.insert(identity.account.to_string().to_ascii_lowercase(), i);
            index.by_user.entry(identity.account.user.to_ascii_lowercase()).or_default().push(i);
            if identity.account.domain.eq_ignore_ascii_case(domain) {
                let implicit = format!("{}@{}", identity.account.user, dns_domain).to_ascii_lowercase();
                index.by_upn.entry(implicit).or_insert(i);
            }
            if let Some(upn) = &identity.upn {
                index.by_upn.insert(upn.to_ascii_lowercase(), i);
            }
            for (p, pat) in identity.pats.iter().enumerate() {
                index.by_token.insert(pat.token.expose().to_owned(), (i, p));
            }
        }
        index
    }
}

/// Where a bare user name (no domain, no `@`) is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BareName<'a> {
    /// The server's local accounts, then its domain (an NTLM AUTHENTICATE with an empty domain).
    LocalThenDomain,
    /// One domain (IIS Basic: `defaultLogonDomain`, or the local accounts when it is empty).
    In(&'a str),
}

impl Profile {
    /// The identity with this account (`DOMAIN\user`, case-insensitive).
    pub fn identity(&self, account: &str) -> Option<&Identity> {
        let i = *self.index.by_account.get(&*lowercase(account, &mut [0; 128]))?;
        self.identities.get(i)
    }

    /// The identity and PAT whose token is exactly `token`.
    pub fn find_pat(&self, token: &str) -> Option<(&Identity, &Pat)> {
        let (i, p) = *self.index.by_token.get(token)?;
        let identity = self.identities.get(i)?;
        Some((identity, identity.pats.get(p)?))
    }

    /// The identity a user principal name (`user@suffix`) names: an explicit UPN, or the
    /// implicit `user@<dns-domain>` of an account of the server's domain (case-insensitive).
    pub fn upn_identity(&self, upn: &str) -> Option<&Identity> {
        let i = *self.index.by_upn.get(&*lowercase(upn, &mut [0; 128]))?;
        self.identities.get(i)
    }

    /// The identity a Windows logon names, as Windows reads the name (docs/facts/accounts.md):
    /// `user@suffix` with no domain is a UPN; `domain` may be the NetBIOS or the DNS name of
    /// the account's domain; a bare name is looked up as `bare` says. Case-insensitive.
    pub fn logon_identity(&self, user: &str, domain: &str, bare: BareName<'_>) -> Option<&Identity> {
        if user.is_empty() {
            return None;
        }
        if domain.is_empty() && user.contains('@') {
            return self.upn_identity(user);
        }
        let candidates = self.index.by_user.get(&user.to_ascii_lowercase())?;
        let in_domain = |d: &str| {
            candidates.iter().map(|&i| &self.identities[i]).find(|identity| {
                let own = &identity.account.domain;
                own.eq_ignore_ascii_case(d)
                    || (own.eq_ignore_ascii_case(&self.ntlm.domain) && d.eq_ignore_ascii_case(&self.ntlm.dns_domain))
            })
        };
        // `.\user`: LogonUser's "." is the local account database (accounts.md 2.3); an NTLM
        // AUTHENTICATE with domain "." is read the same way (DERIVED, accounts.md 3.6).
        if domain == "." {
            return in_domain(&self.ntlm.computer);
        }
        if !domain.is_empty() {
            return in_domain(domain);
        }
        match bare {
            BareName::LocalThenDomain => in_domain(&self.ntlm.computer).or_else(|| in_domain(&self.ntlm.domain)),
            BareName::In(d) => in_domain(d),
        }
    }

    /// The identity an NTLM AUTHENTICATE names (its user and domain fields as sent).
    pub fn windows_identity(&self, user: &str, domain: &str) -> Option<&Identity> {
        self.logon_identity(user, domain, BareName::LocalThenDomain)
    }
}

/// `text` in ASCII lower case: written into `buffer` when it fits (an account is looked up on
/// every authenticated request), allocated otherwise.
fn lowercase<'a>(text: &'a str, buffer: &'a mut [u8]) -> std::borrow::Cow<'a, str> {
    match buffer.get_mut(..text.len()) {
        Some(slot) => {
            slot.copy_from_slice(text.as_bytes());
            slot.make_ascii_lowercase();
            // ASCII case changes keep UTF-8 valid.
            std::str::from_utf8(slot).map_or_else(|_| text.to_ascii_lowercase().into(), std::borrow::Cow::Borrowed)
        }
        None => text.to_ascii_lowercase().into(),
    }
}
