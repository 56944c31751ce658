//! The embedded [`MockServer`]: URLs, the journal (bounded, redacted), the control plane on its
//! own port, and shutdown.

use ado_mock_server::MockServer;
use ado_mock_server::server::Options;

use super::{profile, token};

#[tokio::test]
async fn a_pat_in_the_url_is_redacted_in_the_journal_and_flagged() {
    let p = profile("");
    let pat = token(&p, "CONTOSO\\joseph", "full");
    let server = MockServer::builder().profile(p).control_plane(true).start().await.unwrap();
    let url = format!("{}/_apis/projects?token={pat}", server.collection_url("DefaultCollection"));
    let status = ado_tests::http().build().unwrap().get(&url).send().await.unwrap().status().as_u16();
    assert_eq!(status, 401);
    let entry = &server.journal()[0];
    assert!(entry.secret_in_url);
    assert!(!entry.path.contains(&pat), "{}", entry.path);
    assert!(entry.path.contains("<redacted pat full>"), "{}", entry.path);
    let control = ado_tests::http()
        .build()
        .unwrap()
        .get(format!("{}/journal", server.control_url().expect("a control plane")))
        .bearer_auth(server.control_token().expose())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!control.contains(&pat));
    for key in ["\"method\"", "\"path\"", "\"status\"", "\"reason\"", "\"explanation\"", "\"hint\"", "\"connection\""] {
        assert!(control.contains(key), "the control plane's journal has {key}: {control}");
    }
}

#[tokio::test]
async fn the_control_plane_serves_health_profile_and_clears_the_journal() {
    let p = profile("");
    let secrets: Vec<String> = p.secrets().into_iter().map(|s| s.value).collect();
    let server = MockServer::builder().profile(p).control_plane(true).start().await.unwrap();
    let http = ado_tests::http().build().expect("client builds");
    ado_tests::http()
        .build()
        .unwrap()
        .get(format!("{}/_apis/projects", server.collection_url("DefaultCollection")))
        .send()
        .await
        .unwrap();
    let health: serde_json::Value = http
        .get(format!("{}/healthz", server.control_url().expect("a control plane")))
        .bearer_auth(server.control_token().expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["journal_entries"], 1);
    let profile = http
        .get(format!("{}/profile", server.control_url().expect("a control plane")))
        .bearer_auth(server.control_token().expose())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(profile.contains("DefaultCollection") && profile.contains("<redacted>"));
    for secret in &secrets {
        assert!(!profile.contains(secret.as_str()), "GET /profile leaks a secret");
    }
    let cleared = http
        .delete(format!("{}/journal", server.control_url().expect("a control plane")))
        .bearer_auth(server.control_token().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 204);
    assert!(server.journal().is_empty());
}

/// The control plane holds the evidence: without the per-start token, with a wrong one, or
/// under a Host that is not loopback (DNS rebinding), it refuses and the journal stays whole;
/// the token never shows in the journal, even when a client sends it to the emulated port.
#[tokio::test]
async fn the_control_plane_refuses_without_its_token_or_under_a_foreign_host() {
    let server = MockServer::builder().profile(profile("")).control_plane(true).start().await.unwrap();
    let control = server.control_url().expect("a control plane");
    let token = server.control_token().expose().to_owned();
    let port = server.control_addr().unwrap().port();
    let http = ado_tests::http().build().expect("client builds");
    // The token, sent where a client might send it: to the emulated port.
    http.get(format!("{}/_apis/projects?t={token}", server.collection_url("DefaultCollection")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    for path in ["/journal", "/healthz", "/profile", "/lockouts"] {
        let bare = http.get(format!("{control}{path}")).send().await.unwrap();
        assert_eq!(bare.status().as_u16(), 401, "{path} without a token");
        assert_eq!(bare.headers()["www-authenticate"], "Bearer realm=\"control plane\"");
    }
    let attempts = [
        (None, None, 401),
        (Some(format!("Bearer {}x", &token[..token.len() - 1])), None, 401),
        (Some(token.clone()), None, 401),
        (Some(format!("Basic {token}")), None, 401),
        (Some(format!("Bearer {token}")), Some(format!("attacker.example:{port}")), 403),
        (Some(format!("Bearer {token}")), Some(format!("127.0.0.1:{}", port.wrapping_add(1))), 403),
    ];
    for (authorization, host, status) in attempts {
        let mut request = http.delete(format!("{control}/journal"));
        if let Some(a) = &authorization {
            request = request.header("authorization", a);
        }
        if let Some(h) = &host {
            request = request.header("host", h);
        }
        let got = request.send().await.unwrap().status().as_u16();
        assert_eq!(got, status, "DELETE /journal with {authorization:?} and Host {host:?}");
        assert_eq!(server.journal().len(), 1, "the journal is untouched");
    }
    let journal = http.get(format!("{control}/journal")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(journal.status().as_u16(), 200);
    let text = journal.text().await.unwrap();
    assert!(!text.contains(&token), "the token is redacted from the journal: {text}");
    assert!(text.contains("<redacted secret control-token>"), "{text}");
    let localhost = http
        .get(format!("http://localhost:{port}/healthz"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(localhost, 200, "localhost is a loopback name");
    let wiped = http.delete(format!("{control}/journal")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(wiped.status().as_u16(), 204);
    assert!(server.journal().is_empty());
}

#[tokio::test]
async fn the_journal_is_bounded() {
    let options = Options { journal_capacity: 3, ..Options::default() };
    let server = MockServer::start_with(profile(""), options).await.unwrap();
    let client = ado_tests::http().build().expect("client builds");
    for _ in 0..5 {
        client.get(format!("{}/_apis/projects", server.collection_url("DefaultCollection"))).send().await.unwrap();
    }
    let journal = server.journal();
    assert_eq!(journal.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(server.state().journal().dropped(), 2);
}

#[tokio::test]
async fn shutdown_stops_the_server_and_frees_the_port() {
    let server = MockServer::builder().profile(profile("")).start().await.unwrap();
    let addr = server.addr();
    assert!(server.url().starts_with("http://127.0.0.1:"));
    assert_eq!(server.collection_url("DefaultCollection"), format!("http://{addr}/tfs/DefaultCollection"));
    server.shutdown().await;
    let refused = tokio::net::TcpStream::connect(addr).await;
    assert!(refused.is_err(), "nothing listens after shutdown");
}

#[tokio::test]
async fn the_python_sdk_request_shape_is_served() {
    // OPTIONS on the lower-cased collection URL, then ResourceAreas, then projects with the
    // api-version only in Accept (client-facts 3.1).
    let p = profile("");
    let pat = token(&p, "CONTOSO\\joseph", "full");
    let server = MockServer::builder().profile(p).start().await.unwrap();
    let http = ado_tests::http().build().expect("client builds");
    let base = server.url();
    let options = http
        .request(reqwest::Method::OPTIONS, format!("{base}/tfs/defaultcollection/_apis"))
        .basic_auth("", Some(&pat))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(options.status().as_u16(), 200);
    let locations: serde_json::Value = options.json().await.unwrap();
    let ids: Vec<&str> = locations["value"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"603fe2ac-9723-48b9-88ad-09305aa6c6e1") && ids.contains(&"e81700f7-3be2-46de-8624-2eb35882fcaa")
    );
    let areas = http
        .get(format!("{base}/tfs/DefaultCollection/_apis/ResourceAreas"))
        .basic_auth("", Some(&pat))
        .header("accept", "application/json;api-version=7.0-preview.1")
        .send()
        .await
        .unwrap();
    assert_eq!(areas.text().await.unwrap(), r#"{"count":0,"value":[]}"#);
    let projects = http
        .get(format!("{base}/tfs/DefaultCollection/_apis/projects"))
        .basic_auth("", Some(&pat))
        .header("accept", "application/json;api-version=7.0")
        .header("x-tfs-session", "d93edded-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(projects.headers()["x-tfs-session"], "d93edded-0000-4000-8000-000000000000", "the session is echoed");
    assert!(projects.text().await.unwrap().contains("Fabrikam"));
}
