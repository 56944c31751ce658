//! The library as a user embeds it: `MockServer::start()`, the builder, credentials and the
//! journal's reason assertions, with no profile to build and no clock to pass.

use ado_mock_server::{MockServer, Reason, Release, ServeError};

/// The whole of an embedding test, as the crate docs show it: ten lines.
#[tokio::test]
async fn a_test_embeds_the_mock_in_ten_lines() {
    let server = MockServer::start().await;
    let url = format!("{}/_apis/projects?api-version=7.0", server.collection_url("DefaultCollection"));
    let client = ado_tests::http().build().unwrap();
    let with_pat = client.get(&url).basic_auth("", server.pat("full")).send().await.unwrap();
    let anonymous = client.get(&url).send().await.unwrap();
    assert_eq!((with_pat.status().as_u16(), anonymous.status().as_u16()), (200, 401));
    server.journal().assert_reasons(&[Reason::Ok, Reason::AuthAnonymous]);
}

const TWO_PATS: &str = r#"
[[collections]]
name = "DefaultCollection"

[[identities]]
account = 'CONTOSO\ana'
password = "an4-Passw0rd"
groups = ['[DefaultCollection]\Project Collection Valid Users']

[[identities.pats]]
name = "fresh"
scopes = "app_token"
expires = "+1d"

[[identities.pats]]
name = "stale"
scopes = "app_token"
expires = "-1d"
"#;

/// Relative expiries mean "from the server's start", by the server's own clock: a `+1d` PAT
/// works and a `-1d` one is expired, whatever that clock says (here: the year 2001).
#[tokio::test]
async fn relative_expiries_resolve_against_the_servers_clock_at_start() {
    let server = MockServer::builder().profile_toml(TWO_PATS).clock(|| 1_000_000_000).start().await.unwrap();
    let url = format!("{}/_apis/projects?api-version=7.0", server.collection_url("DefaultCollection"));
    let credentials = server.credentials();
    let fresh = credentials.accounts[0].pats.iter().find(|p| p.name == "fresh").unwrap();
    assert_eq!(fresh.expires, 1_000_000_000 + 86_400);
    let client = ado_tests::http().build().unwrap();
    for name in ["fresh", "stale"] {
        client.get(&url).basic_auth("", server.pat(name)).send().await.unwrap();
    }
    server.journal().assert_reasons(&[Reason::Ok, Reason::PatExpired]);
    assert_eq!(credentials.password(r"contoso\ANA"), Some("an4-Passw0rd"));
    assert_eq!(server.pat("missing"), None);
}

/// The switches reach the profile before it is validated: IIS Basic on makes IIS take a PAT sent
/// as Basic as a Windows logon (401.1), and TFS 2015, which predates PATs, offers no TFS `Basic`
/// challenge (docs/facts/release-defaults.md 2.2.4).
#[tokio::test]
async fn the_builders_switches_change_the_emulated_server() {
    let basic = MockServer::builder().iis_basic(true).start().await.unwrap();
    let url = format!("{}/_apis/projects?api-version=4.0", basic.collection_url("DefaultCollection"));
    let answer = ado_tests::http().build().unwrap().get(&url).basic_auth("", basic.pat("full")).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    basic.journal().assert_reasons(&[Reason::IisBasicIntercepts]);

    let old = MockServer::builder().release(Release::Tfs2015).start().await.unwrap();
    let url = format!("{}/_apis/projects", old.collection_url("DefaultCollection"));
    let answer = ado_tests::http().build().unwrap().get(&url).send().await.unwrap();
    let offered: Vec<&str> =
        answer.headers().get_all("www-authenticate").iter().filter_map(|v| v.to_str().ok()).collect();
    assert!(!offered.iter().any(|c| c.starts_with("Basic")), "{offered:?}");
    assert!(offered.iter().any(|c| c.starts_with("NTLM")), "{offered:?}");
}

/// A wrong key or a missing file is an error naming the file or key, never a panic.
#[tokio::test]
async fn a_bad_profile_is_an_error_naming_the_key_or_file() {
    let error = MockServer::builder().set("ntlm.lockout-threshold", "three").start().await.err().unwrap();
    assert!(matches!(error, ServeError::Profile(_)), "{error:?}");
    assert!(error.to_string().contains("ntlm.lockout-threshold"), "{error}");
    let error = MockServer::builder().profile_file("/nonexistent/profile.toml").start().await.err().unwrap();
    assert!(error.to_string().contains("/nonexistent/profile.toml"), "{error}");
}

/// The assertion helper's message lists every row, so a failing test says why.
#[tokio::test]
async fn a_failed_reason_assertion_lists_the_rows() {
    let server = MockServer::start().await;
    let url = format!("{}/_apis/projects", server.collection_url("DefaultCollection"));
    ado_tests::http().build().unwrap().get(url).send().await.unwrap();
    let journal = server.journal();
    let message = std::panic::catch_unwind(|| journal.assert_reasons(&[Reason::Ok])).unwrap_err();
    let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("expected [ok]") && message.contains("auth.anonymous"), "{message}");
    assert!(message.contains("GET /tfs/DefaultCollection/_apis/projects -> 401"), "{message}");
}
