//! What the benches share: the integration tests' rich profile and request builders.

use axum::body::Body;
use axum::http::Request;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use ado_mock_server::Profile;

/// The instant the benches run at (2026-01-01T00:00:00Z), as in the unit tests.
pub const NOW: i64 = 1_767_225_600;

/// One identity per situation the decision distinguishes (the integration tests' profile).
const PROFILE: &str = include_str!("../../../tests/fixtures/mock/rich.toml");

/// The rich profile with `overrides` (TOML tables or top-level keys) merged over it.
pub fn profile_with(overrides: &str) -> Profile {
    let mut base: toml::Table = toml::from_str(PROFILE).expect("the rich profile parses");
    let extra: toml::Table = toml::from_str(overrides).expect("an override parses");
    ado_mock_server::profile::merge_overrides(&mut base, &extra);
    Profile::from_toml_value(toml::Value::Table(base), "bench profile", NOW).expect("the bench profile is valid")
}

/// A PAT's token by account and name.
pub fn pat(profile: &Profile, account: &str, name: &str) -> String {
    let identity = profile.identity(account).expect("the identity exists");
    identity.pats.iter().find(|p| p.name == name).expect("the PAT exists").token.expose().to_owned()
}

/// `Basic base64(text)`.
pub fn basic(text: &str) -> String {
    format!("Basic {}", STANDARD.encode(text))
}

/// A request with `headers`, as a client would send it to the test profile's host.
pub fn request(method: &str, uri: &str, headers: &[(&str, String)]) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri).header("host", "tfs.contoso.local:8080");
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    builder.body(Body::empty()).expect("a valid request")
}

/// The parts of [`request`].
pub fn parts(method: &str, uri: &str, headers: &[(&str, String)]) -> Parts {
    request(method, uri, headers).into_parts().0
}

/// ntlmclient's NEGOTIATE (as the integration tests and the load generator send it).
pub fn ntlm_negotiate() -> Vec<u8> {
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE
        | ntlmclient::Flags::REQUEST_TARGET
        | ntlmclient::Flags::NEGOTIATE_NTLM
        | ntlmclient::Flags::NEGOTIATE_WORKSTATION_SUPPLIED;
    let message = ntlmclient::Message::Negotiate(ntlmclient::NegotiateMessage {
        flags,
        supplied_domain: String::new(),
        supplied_workstation: "BENCH".to_owned(),
        os_version: ntlmclient::OsVersion::default(),
    });
    message.to_bytes().expect("a NEGOTIATE without payload serialises")
}

/// ntlmclient's NTLMv2 AUTHENTICATE answering `challenge`.
pub fn ntlm_authenticate(challenge: &[u8], user: &str, domain: &str, password: &str) -> Vec<u8> {
    let Ok(ntlmclient::Message::Challenge(challenge)) = ntlmclient::Message::try_from(challenge) else {
        panic!("ntlmclient could not parse the server's CHALLENGE");
    };
    let target_info: Vec<u8> = challenge.target_information.iter().flat_map(|e| e.to_bytes()).collect();
    let credentials =
        ntlmclient::Credentials { username: user.to_owned(), password: password.to_owned(), domain: domain.to_owned() };
    let response = ntlmclient::respond_challenge_ntlm_v2(
        challenge.challenge,
        &target_info,
        ntlmclient::get_ntlm_time(),
        &credentials,
    );
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE | ntlmclient::Flags::NEGOTIATE_NTLM;
    response.to_message(&credentials, "BENCH", flags).to_bytes().expect("ntlmclient serialises")
}
