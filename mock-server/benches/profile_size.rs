//! Per-request cost against the size of the profile (issue 17): one whole request through the
//! router with a 1-identity profile and with a 50,000-identity profile, and the ratio of the
//! two measured in the same run, round by round (target: at most 1.5). Identities and PATs are
//! looked up through the profile's index, so the ratio should stay near 1.
//!
//! It also prints what such a profile costs at start: loading it and building the server's
//! state (the secret finder over every PAT and password is built on first use, not here).

// Each bench uses part of the shared support module.
#[allow(dead_code)]
mod support;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use axum::Router;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tower::ServiceExt;

use ado_mock_server::Profile;
use ado_mock_server::http::{AppState, router};
use ado_mock_server::journal::{DEFAULT_CAPACITY, Journal};
use ado_mock_server::profile::DEFAULT_PROFILE;
use support::{NOW, basic};

const PROJECTS: &str = "/tfs/DefaultCollection/_apis/projects";
/// The large profile's identities (the field report had 58,000); `PROFILE_SIZE` in the
/// environment overrides it.
const LARGE: usize = 50_000;
/// Interleaved rounds for the ratio, and requests per profile in each.
const ROUNDS: usize = 15;
const PER_ROUND: usize = 400;

/// The default profile with `extra` more identities, each with a password and a PAT.
fn profile_text(extra: usize) -> String {
    let mut text = DEFAULT_PROFILE.to_owned();
    for i in 0..extra {
        let _ = write!(
            text,
            "\n[[identities]]\naccount = 'CONTOSO\\user{i:05}'\npassword = \"Pw-{i:05}-long-enough\"\n\
             groups = ['[DefaultCollection]\\Project Collection Valid Users']\n\
             [[identities.pats]]\nname = \"p{i:05}\"\nscopes = \"app_token\"\nexpires = \"+180d\"\n\
             collection = \"DefaultCollection\"\n"
        );
    }
    text
}

struct Server {
    app: Router,
    state: AppState,
    /// `Basic :PAT` of the last identity's PAT (the worst place for a linear search).
    last_pat: String,
}

fn server(identities: usize) -> (Server, Duration) {
    let started = Instant::now();
    let profile = Profile::from_toml_str(&profile_text(identities - 1), "bench profile", NOW).expect("it loads");
    let last = profile.identities.iter().rev().find(|i| !i.pats.is_empty()).expect("an identity with a PAT");
    let last_pat = basic(&format!(":{}", last.pats[0].token.expose()));
    let state = AppState::new(
        profile,
        "http://tfs.contoso.local:8080/tfs".to_owned(),
        Journal::new(DEFAULT_CAPACITY),
        std::sync::Arc::new(|| NOW),
    );
    (Server { app: router(state.clone()), state, last_pat }, started.elapsed())
}

/// Request headers as `(name, value)`.
type Headers = Vec<(&'static str, String)>;

/// The requests compared: a PAT that works, a PAT nobody has, and no credential.
fn requests(server: &Server) -> [(&'static str, Headers, u16); 3] {
    let unknown = basic(":abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst");
    [
        ("pat-200", vec![("authorization", server.last_pat.clone())], 200),
        ("unknown-pat-401", vec![("authorization", unknown)], 401),
        ("anonymous-401", vec![], 401),
    ]
}

fn bench_profile_size(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let large_size = std::env::var("PROFILE_SIZE").ok().and_then(|v| v.parse().ok()).unwrap_or(LARGE);
    let (small, small_start) = server(1);
    let (large, large_start) = server(large_size);
    println!(
        "profile-size: start (load + state): 1 identity {:.1} ms, {large_size} identities {:.1} ms",
        small_start.as_secs_f64() * 1e3,
        large_start.as_secs_f64() * 1e3
    );
    for (size, server) in [(1, &small), (large_size, &large)] {
        let started = Instant::now();
        let finder = server.state.redactor().finder();
        println!(
            "profile-size: the secret finder for {size} identities ({} secrets) is built in {:.1} ms, on first use",
            server.state.profile().secrets().len(),
            started.elapsed().as_secs_f64() * 1e3
        );
        assert!(!finder.is_empty());
    }
    let send = |app: &Router, headers: &[(&str, String)]| {
        let request = support::request("GET", PROJECTS, headers);
        runtime.block_on(app.clone().oneshot(request)).expect("the router is infallible").status().as_u16()
    };
    let mut group = c.benchmark_group("profile-size");
    for (size, server) in [(1, &small), (large_size, &large)] {
        for (name, headers, status) in requests(server) {
            assert_eq!(send(&server.app, &headers), status, "{name} with {size} identities");
            group.bench_function(format!("{name}/{size}"), |b| {
                b.iter_batched(|| headers.clone(), |h| send(&server.app, &h), BatchSize::SmallInput)
            });
        }
    }
    group.finish();
    // The ratio, interleaved round by round so that both sides see the same machine.
    for ((name, small_headers, _), (_, large_headers, _)) in requests(&small).into_iter().zip(requests(&large)) {
        let mut ratios = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let time = |app: &Router, headers: &[(&str, String)]| {
                let started = Instant::now();
                for _ in 0..PER_ROUND {
                    std::hint::black_box(send(app, headers));
                }
                started.elapsed().as_secs_f64()
            };
            let one = time(&small.app, &small_headers);
            let many = time(&large.app, &large_headers);
            ratios.push(many / one);
        }
        ratios.sort_by(f64::total_cmp);
        let verdict = if ratios[ROUNDS / 2] <= 1.5 { "within" } else { "OVER" };
        println!(
            "profile-size: {name}: time per request with {large_size} identities / with 1 = {:.2} (rounds {:.2} to {:.2}); \
             {verdict} the target of 1.5",
            ratios[ROUNDS / 2],
            ratios[0],
            ratios[ROUNDS - 1]
        );
    }
}

criterion_group!(benches, bench_profile_size);
criterion_main!(benches);
