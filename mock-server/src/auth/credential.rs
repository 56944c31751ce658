//! The `Authorization` header, parsed once, the way TFS and IIS read it (ado-facts 3.2).

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::profile::{Provider, is_pat_syntax};
use crate::secret::Secret;

/// .NET `Convert.FromBase64String`: padding required, trailing bits ignored, whitespace skipped.
const DOTNET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// What the client presented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// No `Authorization` header.
    None,
    /// `Basic ...`.
    Basic(Basic),
    /// `Bearer <token>`.
    Bearer {
        /// The token (often a PAT sent the wrong way).
        token: Secret,
    },
    /// `NTLM <b64>` or `Negotiate <b64>`.
    Windows {
        /// The scheme as sent.
        scheme: Provider,
        /// The decoded token; `None` when absent or not base64.
        token: Option<Vec<u8>>,
    },
    /// Any other scheme (Digest, garbage, a bare secret without a scheme word).
    Other {
        /// The scheme word when it is a known HTTP authentication scheme, otherwise a
        /// description of its shape (the word may be a bare password or PAT, so it is never kept).
        scheme: String,
    },
}

/// A Basic credential as TFS's Basic module sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Basic {
    /// `Basic` with no token.
    Empty,
    /// The token is not base64.
    NotBase64,
    /// Decoded, but without `:` (typically base64 of the bare PAT).
    NoColon {
        /// The decoded text.
        content: Secret,
    },
    /// `user:password`, split at the first `:`.
    Pair {
        /// The user slot (may hold the PAT).
        user: Secret,
        /// The password slot.
        password: Secret,
    },
}

impl Basic {
    /// The PAT this credential carries (user slot first, then password, as the server checks).
    pub fn pat(&self) -> Option<&Secret> {
        match self {
            Basic::Pair { user, password } => [user, password].into_iter().find(|s| is_pat_syntax(s.expose())),
            _ => None,
        }
    }
}

impl Credential {
    /// Parses the header value; `None` when the header is absent.
    pub fn parse(header: Option<&[u8]>) -> Credential {
        let Some(raw) = header else { return Credential::None };
        let Ok(text) = std::str::from_utf8(raw) else {
            return Credential::Other { scheme: "<not UTF-8>".to_owned() };
        };
        let text = text.trim();
        let (scheme, rest) = match text.split_once(|c: char| c.is_ascii_whitespace()) {
            Some((scheme, rest)) => (scheme, rest.trim()),
            None => (text, ""),
        };
        if scheme.eq_ignore_ascii_case("Basic") {
            Credential::Basic(parse_basic(rest))
        } else if scheme.eq_ignore_ascii_case("Bearer") {
            Credential::Bearer { token: Secret::new(rest) }
        } else if scheme.eq_ignore_ascii_case("NTLM") {
            Credential::Windows { scheme: Provider::Ntlm, token: decode_token(rest) }
        } else if scheme.eq_ignore_ascii_case("Negotiate") {
            Credential::Windows { scheme: Provider::Negotiate, token: decode_token(rest) }
        } else {
            Credential::Other { scheme: other_scheme(scheme) }
        }
    }

    /// The scheme word for journals (`Basic`, `NTLM`, ...), `None` without a header.
    pub fn scheme(&self) -> Option<String> {
        self.scheme_name().map(str::to_owned)
    }

    /// [`Credential::scheme`], borrowed.
    pub fn scheme_name(&self) -> Option<&str> {
        match self {
            Credential::None => None,
            Credential::Basic(_) => Some("Basic"),
            Credential::Bearer { .. } => Some("Bearer"),
            Credential::Windows { scheme, .. } => Some(scheme.scheme()),
            Credential::Other { scheme } => Some(scheme),
        }
    }
}

fn parse_basic(token: &str) -> Basic {
    if token.is_empty() {
        return Basic::Empty;
    }
    // .NET's Convert.FromBase64String skips white space inside the token.
    let compact: std::borrow::Cow<'_, str> = if token.bytes().any(|b| b.is_ascii_whitespace()) {
        token.chars().filter(|c| !c.is_ascii_whitespace()).collect::<String>().into()
    } else {
        token.into()
    };
    let Ok(bytes) = DOTNET_BASE64.decode(compact.as_bytes()) else { return Basic::NotBase64 };
    // Encoding.UTF8.GetString: invalid sequences become U+FFFD rather than failing.
    let decoded = String::from_utf8_lossy(&bytes);
    match decoded.split_once(':') {
        Some((user, password)) => Basic::Pair { user: Secret::new(user), password: Secret::new(password) },
        None => Basic::NoColon { content: Secret::new(decoded.into_owned()) },
    }
}

fn decode_token(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() {
        return None;
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    DOTNET_BASE64.decode(compact.as_bytes()).ok()
}

/// HTTP authentication schemes other than the four the server reads (IANA registry, plus the
/// few seen in Azure DevOps traffic): kept by name; any other first word is described, never
/// kept, because clients that forget the scheme word send a bare secret (`Authorization: <PAT>`).
const OTHER_SCHEMES: &[&str] = &[
    "Digest",
    "Kerberos",
    "HOBA",
    "Mutual",
    "SCRAM-SHA-1",
    "SCRAM-SHA-256",
    "vapid",
    "AWS4-HMAC-SHA256",
    "OAuth",
    "Token",
    "PrivateToken",
    "ApiKey",
    "TFS-Federated",
    "DPoP",
    "GSSAPI",
    "PASSPORT1.4",
];

fn other_scheme(word: &str) -> String {
    match OTHER_SCHEMES.iter().find(|s| s.eq_ignore_ascii_case(word)) {
        Some(known) => (*known).to_owned(),
        None => format!("<unknown scheme word of {} characters>", word.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn basic(decoded: &str) -> Credential {
        let header = format!("Basic {}", STANDARD.encode(decoded));
        Credential::parse(Some(header.as_bytes()))
    }

    #[test]
    fn basic_forms() {
        let pat = "a".repeat(52);
        assert_eq!(
            basic(&format!(":{pat}")),
            Credential::Basic(Basic::Pair { user: Secret::new(""), password: Secret::new(&pat) })
        );
        assert_eq!(basic(&pat), Credential::Basic(Basic::NoColon { content: Secret::new(&pat) }));
        assert_eq!(
            basic("a:b:c"),
            Credential::Basic(Basic::Pair { user: Secret::new("a"), password: Secret::new("b:c") })
        );
        assert_eq!(Credential::parse(Some(b"Basic")), Credential::Basic(Basic::Empty));
        assert_eq!(Credential::parse(Some(b"basic !!!!")), Credential::Basic(Basic::NotBase64));
        assert_eq!(
            Credential::parse(Some(b"Basic YWJj")),
            Credential::Basic(Basic::NoColon { content: Secret::new("abc") })
        );
        assert_eq!(Credential::parse(Some(b"Basic YWJ")), Credential::Basic(Basic::NotBase64), "padding is required");
    }

    #[test]
    fn pat_slot_prefers_user() {
        let pat = "b".repeat(52);
        let Credential::Basic(b) = basic(&format!("{pat}:x")) else { panic!() };
        assert_eq!(b.pat().map(Secret::expose), Some(pat.as_str()));
        let Credential::Basic(b) = basic("user:notapat") else { panic!() };
        assert_eq!(b.pat(), None);
    }

    #[test]
    fn other_schemes() {
        assert_eq!(Credential::parse(None), Credential::None);
        assert_eq!(Credential::parse(Some(b"Bearer abc")), Credential::Bearer { token: Secret::new("abc") });
        assert_eq!(
            Credential::parse(Some(b"NTLM TlRMTVNTUAABAAAA")),
            Credential::Windows { scheme: Provider::Ntlm, token: Some(b"NTLMSSP\0\x01\0\0\0".to_vec()) }
        );
        assert_eq!(
            Credential::parse(Some(b"Negotiate")),
            Credential::Windows { scheme: Provider::Negotiate, token: None }
        );
        assert_eq!(Credential::parse(Some(b"digest x=y")), Credential::Other { scheme: "Digest".into() });
        assert_eq!(
            Credential::parse(Some(b"Passw0rd!")),
            Credential::Other { scheme: "<unknown scheme word of 9 characters>".into() },
            "a bare secret is never kept"
        );
        assert_eq!(Credential::parse(Some(b"\xff\xfe")), Credential::Other { scheme: "<not UTF-8>".into() });
    }

    #[test]
    fn whitespace_inside_a_token_is_ignored_like_dotnet_does() {
        assert_eq!(
            Credential::parse(Some(b"Basic YW\r\nJj")),
            Credential::Basic(Basic::NoColon { content: Secret::new("abc") })
        );
        assert_eq!(
            Credential::parse(Some(b"NTLM TlRM TVNT\tUAAB AAAA")),
            Credential::Windows { scheme: Provider::Ntlm, token: Some(b"NTLMSSP\0\x01\0\0\0".to_vec()) }
        );
    }

    #[test]
    fn the_journal_scheme_word_of_each_credential() {
        let cases: [(&[u8], Option<&str>); 6] = [
            (b"Basic YWJj", Some("Basic")),
            (b"Bearer abc", Some("Bearer")),
            (b"NTLM TlRMTVNTUAABAAAA", Some("NTLM")),
            (b"Negotiate", Some("Negotiate")),
            (b"digest x=y", Some("Digest")),
            (b"Passw0rd!", Some("<unknown scheme word of 9 characters>")),
        ];
        for (header, word) in cases {
            assert_eq!(
                Credential::parse(Some(header)).scheme().as_deref(),
                word,
                "{}",
                String::from_utf8_lossy(header)
            );
        }
        assert_eq!(Credential::parse(None).scheme(), None);
    }
}
