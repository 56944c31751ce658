//! Long-term keys of a service principal, derived from an account password (RFC 3962 string-to-key).

use std::fmt;

use picky_krb::crypto::CipherSuite;

use crate::secret::Secret;

/// aes256-cts-hmac-sha1-96 (RFC 3962).
pub const AES256_CTS_HMAC_SHA1_96: i64 = 18;
/// aes128-cts-hmac-sha1-96 (RFC 3962).
pub const AES128_CTS_HMAC_SHA1_96: i64 = 17;

/// The keys an acceptor decrypts service tickets with, one per enctype.
///
/// Debug shows the enctypes only: the keys are secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ServiceKeys {
    keys: Vec<(i64, Secret)>,
}

impl fmt::Debug for ServiceKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceKeys").field("etypes", &self.etypes()).finish()
    }
}

impl ServiceKeys {
    /// Derives the AES keys of `principal@realm` from `password`, with the salt MIT krb5 and
    /// Active Directory use for a principal created with a password: the realm followed by
    /// the principal's components without separators (RFC 4120 4 "default salt";
    /// `HTTP/localhost@CONTOSO.LOCAL` → `CONTOSO.LOCALHTTPlocalhost`).
    pub fn derive(password: &str, principal: &str, realm: &str) -> Self {
        let salt = salt(principal, realm);
        let keys = [
            (AES256_CTS_HMAC_SHA1_96, CipherSuite::Aes256CtsHmacSha196),
            (AES128_CTS_HMAC_SHA1_96, CipherSuite::Aes128CtsHmacSha196),
        ]
        .into_iter()
        .filter_map(|(etype, suite)| {
            let key = suite.cipher().generate_key_from_password(password.as_bytes(), salt.as_bytes()).ok()?;
            Some((etype, Secret::new(hex(&key))))
        })
        .collect();
        Self { keys }
    }

    /// The key for `etype`, as raw bytes.
    pub fn key(&self, etype: i64) -> Option<Vec<u8>> {
        self.keys.iter().find(|(e, _)| *e == etype).map(|(_, k)| unhex(k.expose()))
    }

    /// The enctypes held.
    pub fn etypes(&self) -> Vec<i64> {
        self.keys.iter().map(|(e, _)| *e).collect()
    }
}

/// The default salt of `principal` (components joined without `/`) in `realm`.
pub fn salt(principal: &str, realm: &str) -> String {
    let mut salt = realm.to_owned();
    principal.split('/').for_each(|component| salt.push_str(component));
    salt
}

/// The name of an enctype as MIT krb5 prints it.
pub fn etype_name(etype: i64) -> String {
    match etype {
        AES256_CTS_HMAC_SHA1_96 => "aes256-cts-hmac-sha1-96".to_owned(),
        AES128_CTS_HMAC_SHA1_96 => "aes128-cts-hmac-sha1-96".to_owned(),
        16 => "des3-cbc-sha1".to_owned(),
        23 => "arcfour-hmac (RC4)".to_owned(),
        other => format!("enctype {other}"),
    }
}

// Keys are kept as hex inside `Secret` so that every formatting path redacts them.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2).filter_map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MIT krb5 1.20 `kadmin.local addprinc -pw SvcPassw0rd! HTTP/svc.test` in CONTOSO.LOCAL,
    /// exported with `ktadd -norandkey` and printed by `klist -kKe`.
    #[test]
    fn keys_match_mit_kadmin() {
        let keys = ServiceKeys::derive("SvcPassw0rd!", "HTTP/svc.test", "CONTOSO.LOCAL");
        assert_eq!(
            hex(&keys.key(AES256_CTS_HMAC_SHA1_96).unwrap()),
            "4d3559f9bfeac9a04182f8db0fd5beffe2f88b6c2d4daf88a3a5cb30e43f26d4"
        );
        assert_eq!(hex(&keys.key(AES128_CTS_HMAC_SHA1_96).unwrap()), "0df1ad65bcceae7325d322471c1fc484");
        assert_eq!(keys.key(23), None);
    }

    #[test]
    fn salt_joins_components() {
        assert_eq!(salt("HTTP/localhost", "CONTOSO.LOCAL"), "CONTOSO.LOCALHTTPlocalhost");
        assert_eq!(salt("joseph", "CONTOSO.LOCAL"), "CONTOSO.LOCALjoseph");
    }

    #[test]
    fn debug_hides_keys() {
        let keys = ServiceKeys::derive("pw", "HTTP/h", "R");
        let text = format!("{keys:?}");
        assert_eq!(text, "ServiceKeys { etypes: [18, 17] }");
    }
}
