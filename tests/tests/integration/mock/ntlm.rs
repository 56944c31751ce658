//! NTLM and Negotiate against the embedded server: reqwest with ntlmclient on one pooled
//! connection, raw sockets for split legs, SPNEGO tokens, lockout and per-request logons.

use std::io::{Read, Write};
use std::net::TcpStream;

use ado_mock_server::ntlm::spnego::{self, NegState, NegTokenResp, Token};
use ado_mock_server::{MockServer, Profile};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};

use super::profile;

const USER: &str = "joseph";
const DOMAIN: &str = "CONTOSO";
const PASSWORD: &str = "Passw0rd!";

fn negotiate() -> Vec<u8> {
    ado_tests::ntlm::negotiate("CLIENTPC")
}

fn authenticate(challenge: &[u8], password: &str) -> Vec<u8> {
    let logon = ado_tests::ntlm::Logon { user: USER, domain: DOMAIN, password, workstation: "CLIENTPC" };
    ado_tests::ntlm::authenticate(challenge, &logon).expect("the server's CHALLENGE parses")
}

/// One pooled HTTP/1.1 connection, as NTLM needs.
fn client() -> reqwest::Client {
    ado_tests::http().pool_max_idle_per_host(1).http1_only().build().expect("client builds")
}

async fn start(overrides: &str) -> (MockServer, String) {
    let server =
        MockServer::builder().profile(profile(overrides)).control_plane(true).start().await.expect("server starts");
    let url = format!("{}/_apis/projects", server.collection_url("DefaultCollection"));
    (server, url)
}

/// Sends a request with an optional Authorization value; returns status, the challenge
/// headers and the body (drained, so the connection returns to the pool).
async fn send(client: &reqwest::Client, url: &str, auth: Option<String>) -> (u16, Vec<String>, String) {
    let mut request = client.get(url);
    if let Some(value) = auth {
        request = request.header(AUTHORIZATION, value);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let challenges =
        response.headers().get_all(WWW_AUTHENTICATE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let body = response.text().await.expect("body read");
    (status, challenges, body)
}

fn token_of(challenges: &[String], scheme: &str) -> Vec<u8> {
    let value = challenges.iter().find_map(|c| c.strip_prefix(&format!("{scheme} "))).expect("a token challenge");
    STANDARD.decode(value).expect("base64 token")
}

fn reasons(server: &MockServer) -> Vec<String> {
    server.journal().iter().map(|e| e.reason.code().to_owned()).collect()
}

#[tokio::test]
async fn reqwest_with_ntlmclient_completes_ntlmv2_and_the_connection_stays_authenticated() {
    let (server, url) = start("").await;
    let client = client();
    let (status, challenges, _) = send(&client, &url, None).await;
    assert_eq!(status, 401);
    assert!(
        challenges.ends_with(&["Negotiate".to_owned(), "NTLM".to_owned()]),
        "separate Windows challenges: {challenges:?}"
    );
    let (status, challenges, body) = send(&client, &url, Some(format!("NTLM {}", STANDARD.encode(negotiate())))).await;
    assert_eq!((status, challenges.len(), body.len()), (401, 1, 341), "HTTP.sys answers leg 2: {challenges:?}");
    let type2 = token_of(&challenges, "NTLM");
    let type3 = authenticate(&type2, PASSWORD);
    let (status, _, body) = send(&client, &url, Some(format!("NTLM {}", STANDARD.encode(type3)))).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = send(&client, &url, None).await;
    assert_eq!(status, 200, "the connection is authenticated: {body}");
    let journal = server.journal();
    assert_eq!(reasons(&server), ["auth.anonymous", "ntlm.challenge", "ok", "ok"]);
    assert!(journal[1..].iter().all(|e| e.connection == journal[1].connection), "legs share one connection");
    assert_eq!(journal[3].identity.as_deref(), Some("CONTOSO\\joseph"));
    assert_eq!(journal[3].via.as_deref(), Some("ntlm"));
}

#[tokio::test]
async fn a_wrong_password_fails_the_handshake() {
    let (server, url) = start("").await;
    let client = client();
    let (_, challenges, _) = send(&client, &url, Some(format!("NTLM {}", STANDARD.encode(negotiate())))).await;
    let type3 = authenticate(&token_of(&challenges, "NTLM"), "not the password");
    let (status, challenges, _) = send(&client, &url, Some(format!("NTLM {}", STANDARD.encode(type3)))).await;
    assert_eq!(status, 401);
    assert_eq!(
        challenges,
        ["Bearer", "Negotiate", "NTLM"],
        "fresh challenges after a failed logon (TFS's Bearer first)"
    );
    assert_eq!(reasons(&server), ["ntlm.challenge", "ntlm.bad_response"]);
    let leg = server.journal()[1].leg.clone().unwrap_or_default();
    assert!(
        leg.contains("joseph") && !leg.contains("not the password"),
        "the leg names the user, not the password: {leg}"
    );
}

/// Sends one raw HTTP/1.1 request on `stream` and returns the response head (and drains the body).
fn raw_request(stream: &mut TcpStream, path: &str, authorization: &str) -> String {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {authorization}\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "server closed early");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(end) = text.find("\r\n\r\n") {
            let head = &text[..end];
            let length: usize = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return head.to_owned();
            }
        }
    }
}

#[tokio::test]
async fn a_type3_on_a_new_connection_is_refused_as_no_handshake() {
    let (server, _) = start("").await;
    let addr = server.addr();
    let path = "/tfs/DefaultCollection/_apis/projects";
    let result = tokio::task::spawn_blocking(move || {
        let mut first = TcpStream::connect(addr).unwrap();
        let head = raw_request(&mut first, path, &format!("NTLM {}", STANDARD.encode(negotiate())));
        let type2 = head.lines().find_map(|l| l.strip_prefix("www-authenticate: NTLM ")).expect("type 2").to_owned();
        let type3 = authenticate(&STANDARD.decode(type2).unwrap(), PASSWORD);
        let mut second = TcpStream::connect(addr).unwrap();
        raw_request(&mut second, path, &format!("NTLM {}", STANDARD.encode(type3)))
    })
    .await
    .unwrap();
    assert!(result.starts_with("HTTP/1.1 401"), "{result}");
    assert_eq!(reasons(&server), ["ntlm.challenge", "ntlm.no_handshake"]);
    let journal = server.journal();
    assert_ne!(journal[0].connection, journal[1].connection);
}

#[tokio::test]
async fn spnego_tokens_complete_the_handshake_through_negotiate() {
    let (server, url) = start("").await;
    let client = client();
    let init = spnego::build_init(&[spnego::NTLMSSP_OID], Some(&negotiate())).unwrap();
    let (status, challenges, _) = send(&client, &url, Some(format!("Negotiate {}", STANDARD.encode(init)))).await;
    assert_eq!(status, 401);
    let Ok(Token::Resp(resp)) = spnego::parse(&token_of(&challenges, "Negotiate")) else { panic!("a NegTokenResp") };
    assert_eq!(resp.neg_state, Some(NegState::AcceptIncomplete));
    assert_eq!(resp.supported_mech.as_deref(), Some(spnego::NTLMSSP_OID));
    let type3 = authenticate(resp.response_token.as_deref().expect("the CHALLENGE"), PASSWORD);
    let answer =
        NegTokenResp { neg_state: None, supported_mech: None, response_token: Some(type3), mech_list_mic: None };
    let answer = spnego::build_resp(&answer).unwrap();
    let (status, challenges, body) = send(&client, &url, Some(format!("Negotiate {}", STANDARD.encode(answer)))).await;
    assert_eq!(status, 200, "{body}");
    let Ok(Token::Resp(last)) = spnego::parse(&token_of(&challenges, "Negotiate")) else {
        panic!("a final NegTokenResp")
    };
    assert_eq!(last.neg_state, Some(NegState::AcceptCompleted));
    assert_eq!(reasons(&server), ["ntlm.challenge", "ok"]);
    assert_eq!(server.journal()[1].via.as_deref(), Some("negotiate"));
}

#[tokio::test]
async fn a_kerberos_only_negotiate_token_is_refused() {
    let (server, url) = start("").await;
    let init = spnego::build_init(&[spnego::MS_KRB5_OID, spnego::KRB5_OID], Some(b"not a real AP-REQ")).unwrap();
    let (status, _, _) = send(&client(), &url, Some(format!("Negotiate {}", STANDARD.encode(init)))).await;
    assert_eq!(status, 401);
    assert_eq!(reasons(&server), ["ntlm.unsupported_mech"]);
}

async fn handshake(url: &str, password: &str) -> u16 {
    let client = client();
    let (_, challenges, _) = send(&client, url, Some(format!("NTLM {}", STANDARD.encode(negotiate())))).await;
    let type3 = authenticate(&token_of(&challenges, "NTLM"), password);
    send(&client, url, Some(format!("NTLM {}", STANDARD.encode(type3)))).await.0
}

#[tokio::test]
async fn repeated_failures_lock_the_account_and_the_control_plane_resets_it() {
    let (server, url) = start("[ntlm]\nlockout-threshold = 2").await;
    assert_eq!(handshake(&url, "bad one").await, 401);
    assert_eq!(handshake(&url, "bad two").await, 401);
    assert_eq!(handshake(&url, PASSWORD).await, 401, "locked even with the right password");
    assert_eq!(server.journal().last().unwrap().reason.code(), "identity.locked_out");
    let reset = client()
        .post(format!("{}/lockouts/reset", server.control_url().expect("a control plane")))
        .bearer_auth(server.control_token().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 204);
    assert_eq!(handshake(&url, PASSWORD).await, 200);
}

#[tokio::test]
async fn per_request_authentication_challenges_every_request() {
    let (server, url) = start("[iis]\npersist-auth-per-connection = false").await;
    let client = client();
    let (_, challenges, _) = send(&client, &url, Some(format!("NTLM {}", STANDARD.encode(negotiate())))).await;
    let type3 = authenticate(&token_of(&challenges, "NTLM"), PASSWORD);
    assert_eq!(send(&client, &url, Some(format!("NTLM {}", STANDARD.encode(type3)))).await.0, 200);
    assert_eq!(send(&client, &url, None).await.0, 401, "the logon covered one request only");
    assert_eq!(reasons(&server), ["ntlm.challenge", "ok", "auth.anonymous"]);
}

#[tokio::test]
async fn with_anonymous_off_iis_refuses_before_tfs_and_ntlm_still_works() {
    let (server, url) = start("[iis]\nanonymous = false").await;
    let (status, challenges, body) = send(&client(), &url, None).await;
    assert_eq!((status, body.len()), (401, 1293));
    assert_eq!(
        challenges,
        ["Bearer", "Negotiate", "NTLM"],
        "IIS's 401.2: no TFS Basic realm, TFS's end-of-request Bearer"
    );
    assert_eq!(handshake(&url, PASSWORD).await, 200);
    assert_eq!(reasons(&server), ["iis.anonymous_disabled", "ntlm.challenge", "ok"]);
}

#[tokio::test]
async fn only_the_configured_providers_are_offered_in_order() {
    let (_server, url) = start("[iis]\nproviders = [\"NTLM\", \"Negotiate\"]").await;
    let (_, challenges, _) = send(&client(), &url, None).await;
    assert_eq!(challenges, ["Bearer", "Basic realm=\"http://tfs.contoso.local:8080/tfs\"", "NTLM", "Negotiate"]);
    let (_server, url) = start("[iis]\nproviders = [\"NTLM\"]").await;
    let (_, challenges, _) = send(&client(), &url, None).await;
    assert!(!challenges.iter().any(|c| c == "Negotiate"), "{challenges:?}");
    let profile: Profile = profile("");
    assert!(profile.iis.windows);
}
