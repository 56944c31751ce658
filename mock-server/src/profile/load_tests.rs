//! Profile loading: the shipped default parses; each kind of bad profile is refused with the
//! file, the key and what was expected (snapshotted).

use crate::profile::{DEFAULT_PROFILE, PatCollection, Profile, Provider, Release};

#[test]
fn the_default_profile_is_the_canonical_example() {
    let p = Profile::from_toml_str(DEFAULT_PROFILE, "scenarios/profiles/default.toml", 1_000).unwrap();
    assert_eq!(p.release, Release::Ads2022);
    assert_eq!(p.virtual_directory, "tfs");
    assert_eq!(p.public_url.as_deref(), Some("http://tfs.contoso.local:8080/tfs"));
    assert_eq!(p.iis.providers, [Provider::Negotiate, Provider::Ntlm]);
    assert!(p.iis.anonymous && p.iis.windows && !p.iis.basic && p.iis.persist_auth_per_connection);
    assert_eq!(p.ntlm.challenge, Some([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]));
    let joseph = p.identity("contoso\\JOSEPH").expect("accounts match case-insensitively");
    assert!(joseph.is_valid_user_of("defaultcollection"));
    assert!(joseph.can_see_project("DefaultCollection", "Fabrikam"));
    let pat = &joseph.pats[0];
    assert_eq!((pat.name.as_str(), pat.scopes.as_slice()), ("full", ["app_token".to_owned()].as_slice()));
    assert_eq!(pat.expires, 1_000 + 180 * 86_400, "relative expiry resolves at load");
    assert_eq!(pat.collection, PatCollection::One("DefaultCollection".into()));
    assert_eq!(pat.token.expose().len(), 52);
    assert_eq!(p.collection("DEFAULTCOLLECTION").unwrap().projects[0].repos.len(), 2);
}

#[test]
fn derived_tokens_are_stable_and_pat_shaped() {
    let a = Profile::from_toml_str(DEFAULT_PROFILE, "a", 0).unwrap();
    let b = Profile::from_toml_str(DEFAULT_PROFILE, "b", 99).unwrap();
    let token = a.identities[0].pats[0].token.expose();
    assert_eq!(token, b.identities[0].pats[0].token.expose());
    assert!(crate::profile::is_pat_syntax(token));
}

/// Bad profiles, each a small edit of a valid one, with the key the error must name.
const BAD: &[(&str, &str, &str)] = &[
    ("unknown-key", "[iis]\nanonymouse = true", "iis.anonymouse"),
    ("bad-release", "release = \"ads2023\"", "release"),
    ("bad-provider", "[iis]\nproviders = [\"Kerberos\"]", "iis.providers[0]"),
    ("no-provider", "[iis]\nproviders = []", "iis.providers"),
    ("duplicate-provider", "[iis]\nproviders = [\"NTLM\", \"NTLM\"]", "iis.providers[1]"),
    ("bad-challenge", "[ntlm]\nchallenge = \"xyz\"", "ntlm.challenge"),
    ("bad-vdir", "virtual-directory = \"a/b\"", "virtual-directory"),
    ("bad-url", "public-url = \"tfs.contoso.local\"", "public-url"),
    ("duplicate-collection", "[[collections]]\nname = \"C1\"\n[[collections]]\nname = \"c1\"", "collections[1].name"),
    ("bad-state", "[[collections]]\nname = \"C1\"\nstate = \"paused\"", "collections[0].state"),
    ("bad-account", "[[identities]]\naccount = \"joseph\"", "identities[0].account"),
    (
        "unknown-group",
        "[[collections]]\nname = \"C1\"\n[[identities]]\naccount = 'D\\u'\ngroups = ['[C1]\\Project Collection Valid Userz']",
        "identities[0].groups[0]",
    ),
    (
        "unknown-group-scope",
        "[[identities]]\naccount = 'D\\u'\ngroups = ['[Nowhere]\\Readers']",
        "identities[0].groups[0]",
    ),
    (
        "malformed-pat",
        "[[identities]]\naccount = 'D\\u'\npats = [{ name = \"x\", token = \"0123456789\" }]",
        "identities[0].pats[0].token",
    ),
    (
        "unknown-scope",
        "[[identities]]\naccount = 'D\\u'\npats = [{ name = \"x\", scopes = \"vso.cod\" }]",
        "identities[0].pats[0].scopes",
    ),
    (
        "bad-expiry",
        "[[identities]]\naccount = 'D\\u'\npats = [{ name = \"x\", expires = \"next week\" }]",
        "identities[0].pats[0].expires",
    ),
    (
        "pat-for-unknown-collection",
        "[[identities]]\naccount = 'D\\u'\npats = [{ name = \"x\", collection = \"Nope\" }]",
        "identities[0].pats[0].collection",
    ),
    (
        "duplicate-pat-name",
        "[[identities]]\naccount = 'D\\u'\npats = [{ name = \"x\" }, { name = \"X\" }]",
        "identities[0].pats[1].name",
    ),
    ("not-toml", "release = ", ""),
    ("tls-ssl-only-without-tls", "[tls]\nssl-only = true", "tls.ssl-only"),
    ("tls-bad-host", "[tls]\nenabled = true\nhosts = [\"tfs 01\"]", "tls.hosts[0]"),
    ("tls-certificate-without-key", "[tls]\nenabled = true\ncertificate = \"server.pem\"", "tls.key"),
    (
        "tls-trust-failure-with-own-certificate",
        "[tls]\nenabled = true\ncertificate = \"c.pem\"\nkey = \"k.pem\"\ntrust-failure = \"expired\"",
        "tls.trust-failure",
    ),
    ("tls-unknown-trust-failure", "[tls]\nenabled = true\ntrust-failure = \"revoked\"", "tls.trust-failure"),
    ("bad-extended-protection", "[iis]\nextended-protection = \"required\"", "iis.extended-protection"),
];

#[test]
fn bad_profiles_are_refused_with_file_key_and_expectation() {
    for (name, text, key) in BAD {
        let origin = format!("profiles/{name}.toml");
        let error = Profile::from_toml_str(text, &origin, 0).expect_err(name);
        let message = error.to_string();
        assert!(message.contains(&origin), "{name}: names the file: {message}");
        if !key.is_empty() {
            assert_eq!(error.key.as_deref(), Some(*key), "{name}: {message}");
            assert!(message.contains("expected"), "{name}: says what was expected: {message}");
        }
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("profile-error-{name}"), message);
        });
    }
}

#[test]
fn tls_defaults_and_relative_files() {
    let p = Profile::from_toml_str("public-url = \"https://tfs.contoso.local/tfs\"\n[tls]\nenabled = true", "p", 0)
        .unwrap();
    assert_eq!(p.tls.hosts, ["localhost", "127.0.0.1", "tfs.contoso.local"]);
    assert_eq!(p.iis.extended_protection, crate::profile::ExtendedProtection::None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.toml");
    std::fs::write(&file, "[tls]\nenabled = true\ncertificate = \"c.pem\"\nkey = \"/abs/k.pem\"").unwrap();
    let p = Profile::load(&file, 0).unwrap();
    assert_eq!(p.tls.certificate.as_deref(), Some(dir.path().join("c.pem").as_path()));
    assert_eq!(p.tls.key.as_deref(), Some(std::path::Path::new("/abs/k.pem")));
}

#[test]
fn an_unreadable_file_names_the_path() {
    let error = Profile::load(std::path::Path::new("/no/such/profile.toml"), 0).unwrap_err();
    assert!(error.to_string().contains("/no/such/profile.toml"), "{error}");
    assert!(error.io.is_some());
}
