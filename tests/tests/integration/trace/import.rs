//! Record, import, replay: the test runs a client against the mock and records the HAR itself,
//! `ado-conformance import` turns it into a reproduction, and the reproduction answers the same
//! requests with the same statuses and reasons; no secret or name of the trace is in any file.

use ado_conformance::scenario::Source;
use ado_mock_server::profile::DEFAULT_PROFILE;
use ado_mock_server::secret::SecretFinder;
use ado_mock_server::server::Options;
use ado_mock_server::{MockServer, Profile};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::runner::util::conformance;

/// The client's run: (method, path under the server URL, credential form, accept).
const RUN: &[(&str, &str, &str)] = &[
    ("GET", "/DefaultCollection/_apis/connectionData", "none"),
    ("OPTIONS", "/_apis", "pat"),
    ("GET", "/_apis/connectionData", "pat"),
    ("GET", "/DefaultCollection/_apis/projects?api-version=4.1", "pat"),
    ("GET", "/DefaultCollection/_apis/git/repositories?api-version=4.1", "pat"),
    ("GET", "/DefaultCollection/Fabrikam/_apis/git/repositories/Tools?api-version=4.1", "pat"),
    ("GET", "/DefaultCollection/_apis/projects?api-version=4.1", "no-colon"),
    ("GET", "/DefaultCollection/_apis/projects?api-version=4.1", "bearer"),
    ("GET", "/DefaultCollection/_apis/projects?api-version=9.0", "pat"),
];

fn authorization(form: &str, pat: &str) -> Option<String> {
    let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
    match form {
        "pat" => Some(format!("Basic {}", b64(&format!("joseph:{pat}")))),
        "no-colon" => Some(format!("Basic {}", b64(pat))),
        "bearer" => Some(format!("Bearer {pat}")),
        _ => None,
    }
}

/// Runs the client against `server`, with `rename` applied to paths; returns HAR entries and
/// the (status, reason) of each request.
async fn client_run(
    server: &MockServer,
    pat: &str,
    rename: &dyn Fn(&str) -> String,
) -> (Vec<Value>, Vec<(u16, String)>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let (mut entries, mut answers) = (Vec::new(), Vec::new());
    for (method, path, form) in RUN {
        let url = format!("{}{}", server.server_url(), rename(path));
        let mut headers = vec![
            json!({"name": "Accept", "value": "application/json"}),
            json!({"name": "Cookie", "value": "session=s3cr3t-cookie-value"}),
        ];
        let mut request = http
            .request(method.parse().unwrap(), &url)
            .header("accept", "application/json")
            .header("cookie", "session=s3cr3t-cookie-value");
        if let Some(value) = authorization(form, pat) {
            headers.push(json!({"name": "Authorization", "value": value}));
            request = request.header("authorization", value);
        }
        let before = server.journal().len();
        let response = request.send().await.expect("an answer");
        let status = response.status().as_u16();
        let response_headers: Vec<Value> = response
            .headers()
            .iter()
            .map(|(n, v)| json!({"name": n.as_str(), "value": v.to_str().unwrap_or("")}))
            .collect();
        let mime =
            response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned()).unwrap_or_default();
        let text = response.text().await.unwrap_or_default();
        answers.push((status, server.journal()[before].reason.code().to_owned()));
        entries.push(json!({
            "startedDateTime": "2026-01-01T00:00:00.000Z", "time": 1.0,
            "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "cookies": [], "headers": headers,
                        "queryString": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [], "headers": response_headers,
                         "content": {"size": text.len(), "mimeType": mime, "text": text}, "redirectURL": "", "headersSize": -1, "bodySize": -1},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}
        }));
    }
    (entries, answers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_trace_imports_into_a_reproduction_that_answers_the_same() {
    let text = DEFAULT_PROFILE
        .replace("release = \"ads2022\"", "release = \"tfs2018.2\"")
        .replace("collection = \"DefaultCollection\"", "collection = \"*\"");
    let original = Profile::from_toml_str(&text, "customer", ado_conformance::command::now()).expect("profile");
    let pat = original.identities[0].pats[0].token.expose().to_owned();
    let finder = SecretFinder::new(original.secrets());
    let customer =
        MockServer::start_with(original, Options { control: None, ..Options::default() }).await.expect("server");
    let (entries, answers) = client_run(&customer, &pat, &|p| p.to_owned()).await;
    customer.shutdown().await;
    assert!(answers.iter().any(|(s, _)| *s == 200) && answers.iter().any(|(s, _)| *s == 401), "{answers:?}");

    let work = tempfile::tempdir().expect("tempdir");
    let har = json!({"log": {"version": "1.2", "creator": {"name": "ado-tests", "version": "1"}, "entries": entries}});
    let har_path = work.path().join("customer.har");
    std::fs::write(&har_path, serde_json::to_string_pretty(&har).unwrap()).unwrap();
    let out = work.path().join("repro");
    let outcome = conformance(&["import", har_path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    outcome.assert_code(0);

    // Nothing of the trace's secrets (the PAT, the password, in any encoding; the cookie) nor its
    // names is written.
    for entry in walk(&out) {
        let written = std::fs::read_to_string(&entry).unwrap();
        assert!(finder.leaks(&written).is_empty(), "{}: {:?}", entry.display(), finder.leaks(&written));
        for name in ["contoso.local", "Fabrikam", "joseph", "Tools", "DefaultCollection", "s3cr3t"] {
            assert!(!written.contains(name), "{} holds {name}:\n{written}", entry.display());
        }
    }

    // The reproduction answers the same run (with its own PAT and the placeholders) alike.
    let catalogue = ado_conformance::command::catalogue(&Source::Dir(out.clone())).expect("the reproduction loads");
    let case = catalogue.get("trace/imported").expect("the scenario").cases().remove(0);
    assert_eq!(case.release.name(), "tfs2018.2", "the release is pinned by the location table");
    let reproduction = case.profile.as_ref().clone();
    let repro_pat = reproduction.identities[0].pats[0].token.expose().to_owned();
    let server =
        MockServer::start_with(reproduction, Options { control: None, ..Options::default() }).await.expect("server");
    let rename = |p: &str| {
        p.replace("DefaultCollection", "Collection1").replace("Fabrikam", "Project1").replace("Tools", "Repo2")
    };
    let (_, replayed) = client_run(&server, &repro_pat, &rename).await;
    server.shutdown().await;
    assert_eq!(replayed, answers, "statuses and reasons of the reproduction vs the original");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}
