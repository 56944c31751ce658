//! The mock's job access tokens: JSON Web Tokens (RFC 7519) signed HS256 with a key derived from
//! the profile, so the standalone server, `credentials` and the runner all agree on them.
//!
//! A real Azure DevOps Server signs job tokens with its own certificate (RS256 with an `x5t`
//! header); the claim *names* below are the ones the VSS client library knows (`nameid`, `scp`,
//! `aud`, `iss`, `nbf`, `exp`), their *values* are the mock's own (docs/facts/job-tokens.md: no
//! public capture shows an on-prem token's values).
//!
//! # Implementation notes
//! HS256 over `hmac` + `sha2` rather than a JWT crate: the mock only ever verifies its own
//! tokens, and the JWT crates pull in asymmetric crypto (RSA, elliptic curves) it does not need.
//! Verification checks the header, the signature (constant time) and the claims' shape; time
//! and audience are the decision's to judge.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const HEADER: &str = r#"{"typ":"JWT","alg":"HS256"}"#;

/// The claims of a job token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The build service identity's id.
    pub nameid: String,
    /// Scopes (`app_token`: everything the identity may do).
    pub scp: String,
    /// The collection host the token is valid for (`vso:<collection id>`).
    pub aud: String,
    /// The issuer (`ado-mock-server`).
    pub iss: String,
    /// Not before, Unix seconds.
    pub nbf: i64,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// The token's name in the profile.
    pub jti: String,
    /// The project id, when the job's authorization scope is its project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

/// Why a token is not one of this server's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url parts, or not JSON.
    Malformed,
    /// Another algorithm than HS256.
    Algorithm,
    /// The signature does not verify with this server's key (another server's token, or edited).
    Signature,
}

/// Whether `text` has the shape of a JWT (ADS's "self-describing token" test: at least 20
/// characters, a `.`, three base64url parts).
pub fn looks_like_jwt(text: &str) -> bool {
    text.len() >= 20
        && text.split('.').count() == 3
        && text
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// Signs `claims` with `key`.
pub fn mint(key: &[u8], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(HEADER);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(sign(key, signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// Verifies `token`'s header and signature with `key` and returns its claims.
///
/// # Errors
/// A [`JwtError`] saying why the token is not this server's.
pub fn verify(key: &[u8], token: &str) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let signing_input = &token[..header.len() + 1 + payload.len()];
    let header: serde_json::Value = decode_json(header)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(JwtError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| JwtError::Malformed)?;
    let mut mac = HmacSha256::new_from_slice(key).map_err(|_| JwtError::Signature)?;
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&signature).map_err(|_| JwtError::Signature)?;
    decode_json(payload)
}

fn decode_json<T: for<'de> Deserialize<'de>>(part: &str) -> Result<T, JwtError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

fn sign(key: &[u8], input: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else { return Vec::new() };
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            nameid: "id".into(),
            scp: "app_token".into(),
            aud: "vso:c".into(),
            iss: "ado-mock-server".into(),
            nbf: 10,
            exp: 20,
            jti: "build".into(),
            project: None,
        }
    }

    #[test]
    fn a_minted_token_verifies_and_an_edited_one_does_not() {
        let token = mint(b"key", &claims());
        assert!(looks_like_jwt(&token));
        assert_eq!(verify(b"key", &token), Ok(claims()));
        assert_eq!(verify(b"other key", &token), Err(JwtError::Signature));
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"nameid":"id","scp":"app_token","aud":"vso:other","iss":"ado-mock-server","nbf":10,"exp":99,"jti":"build"}"#);
        parts[1] = &forged;
        assert_eq!(verify(b"key", &parts.join(".")), Err(JwtError::Signature));
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#), parts[1]);
        assert_eq!(verify(b"key", &none), Err(JwtError::Algorithm));
        assert_eq!(verify(b"key", "a.b"), Err(JwtError::Malformed));
    }

    #[test]
    fn a_pat_is_not_jwt_shaped() {
        assert!(!looks_like_jwt(&"a".repeat(52)));
        assert!(!looks_like_jwt("a.b.c"));
    }
}
