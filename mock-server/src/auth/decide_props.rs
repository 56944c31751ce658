//! Properties of the decision: total over arbitrary input, and never an allow without a valid
//! credential.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;

use super::{ConnectionAuth, Credential, Reason, decide};
use crate::profile::is_pat_syntax;
use crate::testing;

/// Authorization values: raw bytes, or a scheme followed by base64 of arbitrary bytes.
fn authorization() -> impl Strategy<Value = Vec<u8>> {
    let scheme =
        prop_oneof![Just("Basic"), Just("Bearer"), Just("NTLM"), Just("Negotiate"), Just("basic"), Just("Digest")];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        (scheme.clone(), proptest::collection::vec(any::<u8>(), 0..200)).prop_map(|(s, bytes)| format!(
            "{s} {}",
            STANDARD.encode(bytes)
        )
        .into_bytes()),
        (scheme, "[ -~]{0,120}").prop_map(|(s, text)| format!("{s} {text}").into_bytes()),
        "[ -~]{0,40}:[ -~]{0,60}".prop_map(|pair| format!("Basic {}", STANDARD.encode(pair)).into_bytes()),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/tfs/DefaultCollection/_apis/projects".to_owned()),
        Just("/tfs/DefaultCollection/Fabrikam/_apis/git/repositories".to_owned()),
        Just("/tfs/_apis/projectCollections".to_owned()),
        "(/[a-zA-Z_%0-9.$-]{0,12}){0,6}",
    ]
}

/// Whether the header carries a PAT of the profile (the only way to be allowed without NTLM).
fn carries_known_pat(profile: &crate::profile::Profile, header: &[u8]) -> bool {
    match Credential::parse(Some(header)) {
        Credential::Basic(basic) => {
            basic.pat().is_some_and(|t| is_pat_syntax(t.expose()) && profile.find_pat(t.expose()).is_some())
        }
        _ => false,
    }
}

/// 2,000 cases, unless `PROPTEST_CASES` says otherwise. scripts/mutants.sh lowers it to 300: this
/// property alone took most of each mutant's test time. A mutant only a later case would catch then
/// counts as missed there, never as caught.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn decide_is_total_and_never_allows_without_a_credential(
        header in authorization(),
        method in prop_oneof![Just("GET"), Just("POST"), Just("OPTIONS"), Just("PATCH"), Just("HEAD")],
        path in path(),
        query in proptest::option::of("[ -~]{0,30}"),
    ) {
        let profile = testing::profile();
        let uri = match &query {
            Some(q) => format!("{path}?api-version={}", q.replace([' ', '#', '?'], "")),
            None => path.clone(),
        };
        let Ok(uri) = uri.parse::<axum::http::Uri>() else { return Ok(()) };
        let mut builder = axum::http::Request::builder().method(method).uri(uri);
        if let Ok(value) = axum::http::HeaderValue::from_bytes(&header) {
            builder = builder.header("authorization", value);
        }
        let (parts, _) = builder.body(()).unwrap().into_parts();
        let facts = crate::http::extract::facts(&profile, &parts, (1, ConnectionAuth::None, None), testing::NOW, [7; 8]).0;
        let decision = decide(&profile, &facts, &|_| 0);
        if decision.reason == Reason::Ok {
            let anonymous_route = decision.answer.served().is_some_and(|r| r.name == "location.resource-areas");
            prop_assert!(anonymous_route || carries_known_pat(&profile, &header),
                "allowed {} {} without a valid credential: {}", method, path, decision.explanation);
        }
    }

    #[test]
    fn credential_parsing_round_trips_basic_pairs(user in "[^:\\x00]{0,30}", password in "[ -~]{0,60}") {
        let header = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        match Credential::parse(Some(header.as_bytes())) {
            Credential::Basic(super::Basic::Pair { user: u, password: p }) => {
                prop_assert_eq!(u.expose(), user.as_str());
                prop_assert_eq!(p.expose(), password.as_str());
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }
}
