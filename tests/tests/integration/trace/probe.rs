//! `probe` round trip: for every release and every IIS mode the scenario library uses, probing
//! the mock gives a profile that loads, probes back to itself, and answers a battery of
//! anonymous, Windows-handshake and PAT requests as the probed server did.

use std::collections::BTreeSet;
use std::time::Duration;

use ado_conformance::scenario::Source;
use ado_mock_server::probe::{ProbeOptions, probe};
use ado_mock_server::profile::DEFAULT_PROFILE;
use ado_mock_server::{MockServer, Profile, Release};

const NOW: i64 = 1_767_225_600;

/// `[iis]` keys that select an IIS mode (anonymous, windows, providers, basic).
type Mode = (bool, bool, Vec<String>, bool);

/// Every IIS mode of the built-in library's cases.
fn library_modes() -> BTreeSet<Mode> {
    let catalogue = ado_conformance::command::catalogue(&Source::BuiltIn).expect("the library loads");
    let mut modes = BTreeSet::new();
    for scenario in &catalogue.scenarios {
        for case in scenario.cases() {
            let iis = &case.profile.iis;
            let providers = iis.providers.iter().map(|p| p.scheme().to_owned()).collect();
            modes.insert((iis.anonymous, iis.windows, providers, iis.basic));
        }
    }
    modes
}

fn profile(release: Release, (anonymous, windows, providers, basic): &Mode) -> Profile {
    let mut table: toml::Table = DEFAULT_PROFILE.parse().expect("the default profile parses");
    table.insert("release".into(), release.name().into());
    let iis = table.get_mut("iis").and_then(|v| v.as_table_mut()).expect("[iis]");
    iis.insert("anonymous".into(), (*anonymous).into());
    iis.insert("windows".into(), (*windows).into());
    iis.insert("providers".into(), toml::Value::Array(providers.iter().map(|p| p.as_str().into()).collect()));
    iis.insert("basic".into(), (*basic).into());
    Profile::from_toml_str(&toml::to_string(&table).expect("serialises"), "probed", NOW).expect("the profile loads")
}

fn first_pat(profile: &Profile) -> Option<String> {
    profile.identities.iter().flat_map(|i| &i.pats).next().map(|p| p.token.expose().to_owned())
}

async fn probed(server: &MockServer, pat: Option<String>) -> (String, Vec<String>) {
    let options = ProbeOptions {
        url: server.server_url(),
        pat: pat.map(ado_mock_server::secret::Secret::new),
        ca_file: None,
        timeout: Duration::from_secs(10),
    };
    let mut lines = Vec::new();
    let repro = probe(&options, &mut |line| lines.push(line.to_owned())).await.expect("the probe succeeds");
    (repro.to_toml("the probed server"), lines)
}

/// One answer reduced to what a reproduction must match.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    status: u16,
    challenges: Vec<String>,
    server: Option<String>,
    headers: BTreeSet<String>,
    content_type: Option<String>,
    names: Vec<String>,
}

const TFS_HEADERS: &[&str] = &[
    "activityid",
    "x-tfs-session",
    "x-vss-e2eid",
    "access-control-allow-origin",
    "x-vss-senderdeploymentid",
    "x-tfs-serviceerror",
    "x-tfs-soapexception",
    "x-tfs-processid",
];

async fn shape(http: &reqwest::Client, method: &str, url: &str, accept: &str, auth: Option<&str>) -> Shape {
    let mut request = http.request(method.parse().unwrap(), url).header("accept", accept);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = request.send().await.expect("an answer");
    let header = |n: &str| response.headers().get(n).map(|v| v.to_str().unwrap_or("").to_owned());
    let challenges = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| {
            let v = v.to_str().unwrap_or("");
            // A handshake's token is fresh each time; its scheme is what must match.
            if v.len() > 40 { v.split(' ').next().unwrap_or("").to_owned() } else { v.to_owned() }
        })
        .collect();
    let mut headers: BTreeSet<String> =
        TFS_HEADERS.iter().filter(|n| response.headers().contains_key(**n)).map(|n| (*n).to_owned()).collect();
    for cookie in response.headers().get_all("set-cookie") {
        headers.insert(format!("cookie {}", cookie.to_str().unwrap_or("").split('=').next().unwrap_or("")));
    }
    let (status, server, content_type) = (response.status().as_u16(), header("server"), header("content-type"));
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let mut names: Vec<String> = body["value"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| Some(format!("{} {}", r["id"].as_str().or(r["name"].as_str())?, r["maxVersion"])))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    Shape { status, challenges, server, headers, content_type, names }
}

/// The battery: anonymous answers (JSON with and without api-version, HTML, outside the
/// application), a Windows NEGOTIATE, and PAT requests (location table, projects, a too-new
/// api-version, the collections list).
async fn battery(server: &MockServer, pat: Option<&str>) -> Vec<(String, Shape)> {
    use base64::Engine as _;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let base = server.server_url();
    let coll = format!("{base}/DefaultCollection");
    let basic = pat.map(|p| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!(":{p}"))));
    let negotiate = "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==";
    let mut requests: Vec<(&str, String, &str, Option<&str>)> = vec![
        ("GET", format!("{base}/_apis/connectionData"), "application/json", None),
        ("GET", format!("{coll}/_apis/projects?api-version=5.0"), "application/json", None),
        ("GET", format!("{coll}/_apis/projects"), "text/html", None),
        ("GET", format!("{}/elsewhere", server.url()), "text/html", None),
        ("GET", format!("{coll}/_apis/projects"), "application/json", Some(negotiate)),
    ];
    if let Some(basic) = basic.as_deref() {
        requests.extend([
            ("OPTIONS", format!("{base}/_apis"), "application/json", Some(basic)),
            ("GET", format!("{coll}/_apis/projects?api-version=1.0"), "application/json", Some(basic)),
            ("GET", format!("{coll}/_apis/projects?api-version=99.0"), "application/json", Some(basic)),
            ("GET", format!("{base}/_apis/projectCollections?api-version=1.0"), "application/json", Some(basic)),
        ]);
    }
    let mut out = Vec::new();
    for (method, url, accept, auth) in requests {
        let label = format!("{method} {} {accept} {}", url.replace(&base, ""), auth.map_or("anonymous", |a| &a[..5]));
        out.push((label, shape(&http, method, &url, accept, auth).await));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probing_every_release_and_iis_mode_gives_a_profile_that_behaves_the_same() {
    let modes = library_modes();
    assert!(modes.len() >= 5, "the library's IIS modes: {modes:?}");
    for release in Release::ALL {
        for mode in &modes {
            let label = format!("{} {mode:?}", release.name());
            let original = profile(release, mode);
            let pat = first_pat(&original);
            let a = MockServer::builder().profile(original).start().await.expect("server A");
            let (text, lines) = probed(&a, pat.clone()).await;
            assert!(lines.len() <= 12 && lines.iter().all(|l| l.contains(": ")), "{label}: requests {lines:#?}");
            assert!(!pat.as_deref().is_some_and(|p| text.contains(p)), "{label}: the PAT was written");
            let reproduced = Profile::from_toml_str(&text, "probe output", NOW)
                .unwrap_or_else(|e| panic!("{label}: the probe's profile does not load: {e}\n{text}"));
            let pat_b = first_pat(&reproduced);
            let b = MockServer::builder().profile(reproduced).start().await.expect("server B");
            let (again, _) = probed(&b, pat_b.clone()).await;
            let keys = |t: &str| t.parse::<toml::Table>().expect("TOML");
            assert_eq!(keys(&again), keys(&text), "{label}: probing the reproduction gives another profile\n{again}");
            let (left, right) = (battery(&a, pat.as_deref()).await, battery(&b, pat_b.as_deref()).await);
            for ((request, x), (_, y)) in left.iter().zip(&right) {
                assert_eq!(x, y, "{label}: {request} differs\nprofile:\n{text}");
            }
            a.shutdown().await;
            b.shutdown().await;
        }
    }
}
