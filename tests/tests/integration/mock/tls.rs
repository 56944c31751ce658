//! HTTPS against the standalone binary and the embedded server, verification always on: curl,
//! the Python SDK (requests-ntlm for NTLM) and git; Extended Protection Require and Allow;
//! sslOnly; the trust-failure switches; a customer's own certificate; the temporary folder.

use std::path::Path;
use std::process::Command;

use ado_mock_server::MockServer;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};

use super::python_sdk::python;
use super::{Standalone, curl, profile, token, workspace};

fn tls(extra: &str) -> Standalone {
    Standalone::start(&format!("[tls]\nenabled = true\n{extra}"))
}

fn ca(server: &Standalone) -> &str {
    server.ca_file.as_deref().expect("an https server prints its ca-file")
}

fn last(server: &Standalone) -> serde_json::Value {
    server.journal().last().cloned().expect("the journal has an entry")
}

#[test]
fn curl_verifies_the_generated_certificate_and_the_folder_goes_away_at_exit() {
    let mut server = tls("");
    assert!(server.url.starts_with("https://127.0.0.1:"), "{}", server.url);
    let ca_file = ca(&server).to_owned();
    let pat = format!(":{}", token(&server.profile, "CONTOSO\\joseph", "full"));
    let projects = format!("{}/_apis/projects", server.collection());
    let (status, body) = curl(&["--cacert", &ca_file, "-u", &pat, &projects]);
    assert_eq!((status, body.contains("Fabrikam")), (200, true), "{body}");
    assert_eq!(last(&server)["scheme"], "https");

    // Without the CA, curl refuses the certificate and no request reaches the server.
    let before = server.journal().len();
    let output =
        Command::new("curl").args(["-sS", "-u", &pat, &projects]).env_remove("CURL_CA_BUNDLE").output().unwrap();
    assert_eq!(output.status.code(), Some(60), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(server.journal().len(), before);

    // The same port serves plain http too (a site with both bindings).
    let plain = projects.replacen("https://", "http://", 1);
    assert_eq!(curl(&["-u", &pat, &plain]).0, 200);
    assert_eq!(last(&server)["scheme"], "http");

    // The temporary folder holds the certificates, never a key; it is removed at exit.
    let folder = Path::new(&ca_file).parent().unwrap().to_owned();
    let mut names: Vec<String> =
        std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["ca.pem", "server.pem"]);
    for name in &names {
        let text = std::fs::read_to_string(folder.join(name)).unwrap();
        assert!(text.contains("BEGIN CERTIFICATE") && !text.contains("PRIVATE KEY"), "{name}");
    }
    assert!(!server.log().contains("PRIVATE KEY"));
    server.terminate();
    assert!(!folder.exists(), "{} is removed when the server stops", folder.display());
}

#[test]
fn ssl_only_redirects_plain_http_to_https_with_path_and_query() {
    let server = tls("ssl-only = true");
    let pat = format!(":{}", token(&server.profile, "CONTOSO\\joseph", "full"));
    let https = format!("{}/_apis/projects?api-version=7.0", server.collection());
    let http = https.replacen("https://", "http://", 1);
    let output = Command::new("curl").args(["-sS", "-o", "/dev/null", "-D", "-", "-u", &pat, &http]).output().unwrap();
    let head = String::from_utf8_lossy(&output.stdout).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 302"), "{head}");
    assert!(head.contains(&format!("location: {}", https.to_ascii_lowercase())), "{head}");
    let entry = last(&server);
    assert_eq!((entry["reason"].as_str(), entry["scheme"].as_str()), (Some("url.https_required"), Some("http")));
    // curl follows but, as it should, does not take the credential to another scheme and port.
    let (status, _) = curl(&["-L", "--cacert", ca(&server), "-u", &pat, &http]);
    assert_eq!((status, server.last_reason().as_str()), (401, "auth.anonymous"));
    assert_eq!(curl(&["--cacert", ca(&server), "-u", &pat, &https]).0, 200);
}

#[test]
fn extended_protection_require_refuses_curl_ntlm_and_accepts_requests_ntlm() {
    let server = tls("[iis]\nextended-protection = \"require\"");
    let projects = format!("{}/_apis/projects", server.collection());
    let (status, _) = curl(&["--cacert", ca(&server), "--ntlm", "-u", "CONTOSO\\joseph:Passw0rd!", &projects]);
    assert_eq!(status, 401);
    let refused = last(&server);
    assert_eq!(refused["reason"], "ntlm.channel_binding_missing");
    assert_eq!(refused["channel_bindings"], "absent", "curl sends no channel bindings");
    let hint = refused["hint"].as_str().unwrap();
    assert!(hint.contains("requests-ntlm") && hint.contains("Allow") && hint.contains("PAT"), "{hint}");
    // A PAT is the way around it.
    let pat = format!(":{}", token(&server.profile, "CONTOSO\\joseph", "full"));
    assert_eq!(curl(&["--cacert", ca(&server), "-u", &pat, &projects]).0, 200);

    let Some(python) = python() else { return };
    let script = "import sys, requests, requests_ntlm\n\
        r = requests.get(sys.argv[1], auth=requests_ntlm.HttpNtlmAuth('CONTOSO\\\\joseph', 'Passw0rd!'), verify=sys.argv[2])\n\
        print(r.status_code)";
    let output = Command::new(python).args(["-c", script, &projects, ca(&server)]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.trim(), "200", "{}", String::from_utf8_lossy(&output.stderr));
    let accepted = last(&server);
    assert_eq!((accepted["reason"].as_str(), accepted["channel_bindings"].as_str()), (Some("ok"), Some("matched")));
}

/// One pooled HTTP/1.1 connection trusting `ca_pem`, keeping the peer certificate.
fn client(ca_pem: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM");
    ado_tests::http()
        .pool_max_idle_per_host(1)
        .http1_only()
        .tls_info(true)
        .tls_certs_only([ca])
        .build()
        .expect("client builds")
}

/// A full NTLM handshake on one connection binding `bindings` (`None`: none, `Some(None)`:
/// the right ones for the peer certificate); returns the final status.
async fn ntlm_logon(client: &reqwest::Client, url: &str, bindings: Option<Option<[u8; 16]>>) -> u16 {
    let negotiate = format!("NTLM {}", STANDARD.encode(ado_tests::ntlm::negotiate("CLIENTPC")));
    let leg2 = client.get(url).header(AUTHORIZATION, negotiate).send().await.expect("leg 2");
    let peer = leg2.extensions().get::<reqwest::tls::TlsInfo>().and_then(|i| i.peer_certificate()).map(<[u8]>::to_vec);
    let challenge = leg2.headers()[WWW_AUTHENTICATE].to_str().unwrap().strip_prefix("NTLM ").unwrap().to_owned();
    leg2.text().await.unwrap();
    let bindings = match bindings {
        None => None,
        Some(Some(fixed)) => Some(fixed),
        Some(None) => Some(ado_mock_server::tls::bindings::expected_av_value(&peer.expect("TLS")).unwrap()),
    };
    let logon = ado_tests::ntlm::Logon { user: "joseph", domain: "CONTOSO", password: "Passw0rd!", workstation: "PC" };
    let auth = ado_tests::ntlm::authenticate_bound(&STANDARD.decode(challenge).unwrap(), &logon, bindings).unwrap();
    let leg3 = client.get(url).header(AUTHORIZATION, format!("NTLM {}", STANDARD.encode(auth))).send().await.unwrap();
    leg3.status().as_u16()
}

#[tokio::test]
async fn extended_protection_allow_takes_missing_bindings_and_refuses_wrong_ones() {
    let server = MockServer::builder()
        .profile(profile("[tls]\nenabled = true\n[iis]\nextended-protection = \"allow\""))
        .start()
        .await
        .unwrap();
    let url = format!("{}/_apis/projects", server.collection_url("DefaultCollection"));
    let seen = |server: &MockServer| {
        let e = server.journal().into_vec().pop().unwrap();
        (e.reason.code(), e.channel_bindings.map(|b| b.name()))
    };
    let http = client(server.ca_pem().unwrap());
    assert_eq!(ntlm_logon(&http, &url, None).await, 200);
    assert_eq!(seen(&server), ("ok", Some("absent")));
    let http = client(server.ca_pem().unwrap());
    assert_eq!(ntlm_logon(&http, &url, Some(None)).await, 200);
    assert_eq!(seen(&server), ("ok", Some("matched")));
    let http = client(server.ca_pem().unwrap());
    assert_eq!(ntlm_logon(&http, &url, Some(Some([0x99; 16]))).await, 401);
    assert_eq!(seen(&server), ("ntlm.channel_binding_mismatch", Some("mismatched")));
    // Over plain http there is no channel to compare with.
    let plain = url.replacen("https://", "http://", 1);
    assert_eq!(ntlm_logon(&client(server.ca_pem().unwrap()), &plain, Some(Some([0x99; 16]))).await, 200);
    assert_eq!(seen(&server), ("ok", Some("unchecked")));
    server.shutdown().await;
}

#[tokio::test]
async fn each_trust_failure_is_refused_by_curl_and_seen_by_the_server() {
    // curl (OpenSSL) checks the host name after the handshake, so the server sees no alert then.
    let cases = [
        ("wrong-host", "no alternative certificate subject name matches", false),
        ("expired", "certificate has expired", true),
        ("unknown-ca", "unable to get local issuer certificate", true),
    ];
    for (failure, curl_says, alert) in cases {
        let server = MockServer::builder()
            .profile(profile(&format!("[tls]\nenabled = true\ntrust-failure = \"{failure}\"")))
            .start()
            .await
            .unwrap();
        let url = format!("{}/_apis/projects", server.collection_url("DefaultCollection"));
        let ca = server.ca_file().unwrap().to_str().unwrap().to_owned();
        let run = |args: Vec<String>| async move {
            tokio::task::spawn_blocking(move || Command::new("curl").args(&args).output().unwrap()).await.unwrap()
        };
        let refused = run(vec!["-sS".into(), "--cacert".into(), ca.clone(), url.clone()]).await;
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success() && stderr.contains(curl_says), "{failure}: {stderr}");
        assert!(server.journal().is_empty(), "{failure}: no request got through");
        // The alert reaches the server's task a moment after curl has exited.
        for _ in 0..60 {
            if !alert {
                break;
            }
            if !server.tls().unwrap().handshake_failures().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let failures = server.tls().unwrap().handshake_failures();
        assert!(failures.is_empty() != alert, "{failure}: the server saw the refusal: {failures:?}");
        // The certificate is only untrusted: with verification off the request goes through.
        let insecure = run(vec!["-sSk".into(), "-o".into(), "/dev/null".into(), url.clone()]).await;
        assert!(insecure.status.success(), "{failure}");
        assert_eq!(server.journal().len(), 1);
        server.shutdown().await;
    }
}

#[tokio::test]
async fn a_customers_certificate_and_key_are_served_and_a_bad_key_is_refused_without_quoting_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    std::fs::write(dir.path().join("server.pem"), cert.pem()).unwrap();
    std::fs::write(dir.path().join("server.key"), key.serialize_pem()).unwrap();
    let settings = |key_file: &str| {
        format!(
            "[tls]\nenabled = true\ncertificate = {:?}\nkey = {:?}",
            dir.path().join("server.pem").display().to_string(),
            dir.path().join(key_file).display().to_string()
        )
    };
    let server = MockServer::builder().profile(profile(&settings("server.key"))).start().await.unwrap();
    assert_eq!(server.ca_pem(), Some(cert.pem().as_str()));
    let url = format!("{}/_apis/projects", server.collection_url("DefaultCollection"));
    let status = client(&cert.pem()).get(&url).send().await.unwrap().status();
    assert_eq!(status, 401, "served with the customer's certificate (anonymous 401)");
    server.shutdown().await;

    let secret = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu";
    std::fs::write(
        dir.path().join("bad.key"),
        format!("-----BEGIN NOT A KEY-----\n{secret}\n-----END NOT A KEY-----\n"),
    )
    .unwrap();
    let error = MockServer::builder()
        .profile(profile(&settings("bad.key")))
        .start()
        .await
        .err()
        .expect("a bad key is refused")
        .to_string();
    assert!(error.contains("bad.key") && error.contains("no PEM private key"), "{error}");
    assert!(!error.contains(secret), "{error}");
}

#[test]
fn the_python_sdk_uses_https_with_verification_for_pats_and_ntlm() {
    let Some(python) = python() else { return };
    let server = tls("");
    let full = token(&server.profile, "CONTOSO\\joseph", "full");
    let sdk = |vars: &[(&str, &str)], ca: Option<&str>| {
        let cache = tempfile::tempdir().unwrap();
        let mut command = Command::new(&python);
        command
            .arg(workspace().join("conformance/clients/python_sdk.py"))
            .env("ADO_URL", server.collection())
            .env("AZURE_DEVOPS_CACHE_DIR", cache.path())
            .env_remove("REQUESTS_CA_BUNDLE")
            .env_remove("SSL_CERT_FILE")
            .env_remove("CURL_CA_BUNDLE")
            .envs(vars.iter().copied());
        if let Some(ca) = ca {
            command.env("REQUESTS_CA_BUNDLE", ca);
        }
        let output = command.output().unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let pat = [("ADO_AUTH", "pat"), ("ADO_PAT", full.as_str())];
    let (ok, stdout, stderr) = sdk(&pat, Some(ca(&server)));
    assert!(ok && stdout.trim() == "Fabrikam", "{stderr}");
    let (ok, _, stderr) = sdk(&pat, None);
    assert!(!ok && stderr.contains("CERTIFICATE_VERIFY_FAILED"), "verification is on by default: {stderr}");
    let ntlm =
        [("ADO_AUTH", "ntlm"), ("ADO_USERNAME", "joseph"), ("ADO_DOMAIN", "CONTOSO"), ("ADO_PASSWORD", "Passw0rd!")];
    let (ok, stdout, stderr) = sdk(&ntlm, Some(ca(&server)));
    assert!(ok && stdout.trim() == "Fabrikam", "requests-ntlm over https: {stderr}");
    assert_eq!(last(&server)["channel_bindings"], "matched", "requests-ntlm binds to the channel");
}

#[test]
fn git_ls_remote_over_https_trusts_git_ssl_cainfo_only() {
    let server = tls("");
    let full = token(&server.profile, "CONTOSO\\joseph", "full");
    let home = tempfile::tempdir().unwrap();
    let url = format!("{}/Fabrikam/_git/Tools", server.collection());
    let header = format!("Authorization: Basic {}", STANDARD.encode(format!(":{full}")));
    let git = |ca: Option<&str>| {
        let mut command = Command::new("git");
        command
            .args(["-c", &format!("http.extraheader={header}"), "ls-remote", &url])
            .env("HOME", home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_SSL_CAINFO")
            .env_remove("SSL_CERT_FILE");
        if let Some(ca) = ca {
            command.env("GIT_SSL_CAINFO", ca);
        }
        let output = command.output().expect("git runs (a prerequisite of the tests)");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, stdout, stderr) = git(Some(ca(&server)));
    assert!(ok && stdout.contains("refs/heads/main"), "{stderr}");
    let (ok, _, stderr) = git(None);
    assert!(!ok && stderr.to_ascii_lowercase().contains("certificate"), "{stderr}");
}
