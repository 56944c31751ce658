//! One whole request through the emulated server's router, without sockets (what every
//! request costs the mock beyond HTTP/1.1 itself), and the three steps it is made of: facts,
//! decision, rendering. BENCHMARKS.md reads the throughput gap to the bare endpoint against it.

// Each bench uses part of the shared support module.
#[allow(dead_code)]
mod support;

use std::hint::black_box;
use std::time::Duration;

use axum::Router;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tower::ServiceExt;

use ado_mock_server::auth::ConnectionAuth;
use ado_mock_server::http::{AppState, extract, respond_to, router, system_clock};
use ado_mock_server::journal::{DEFAULT_CAPACITY, Journal};
use ado_mock_server::profile::DEFAULT_PROFILE;
use ado_mock_server::{Profile, Reason, decide};
use support::{basic, pat};

const PROJECTS: &str = "/tfs/DefaultCollection/_apis/projects";

/// Request headers as `(name, value)`.
type Headers = Vec<(&'static str, String)>;

fn server() -> (Router, AppState) {
    // The default profile, as the loopback figures use it (the journal redacts its secrets),
    // loaded at the server clock's time as the binary does: its PATs expire relative to it.
    let clock = system_clock();
    let profile = Profile::from_toml_str(DEFAULT_PROFILE, "default profile", clock()).expect("it loads");
    // The standalone server's journal size: once full, every request also evicts an entry.
    let journal = Journal::new(DEFAULT_CAPACITY);
    let state = AppState::new(profile, "http://tfs.contoso.local:8080/tfs".to_owned(), journal, clock);
    (router(state.clone()), state)
}

fn bench_router(c: &mut Criterion, app: &Router, pat_header: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a current-thread runtime");
    let requests: [(&str, Headers, u16); 3] = [
        ("pat-200", vec![("authorization", pat_header.to_owned())], 200),
        ("anonymous-401", vec![], 401),
        (
            "ntlm-negotiate-401",
            vec![("authorization", "NTLM TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=".to_owned())],
            401,
        ),
    ];
    let mut group = c.benchmark_group("request");
    for (name, headers, status) in &requests {
        let send = |request| runtime.block_on(app.clone().oneshot(request)).expect("the router is infallible");
        assert_eq!(send(support::request("GET", PROJECTS, headers)).status(), *status, "{name}");
        group.bench_function(*name, |b| {
            b.iter_batched(|| support::request("GET", PROJECTS, headers), send, BatchSize::SmallInput)
        });
    }
    group.finish();
}

fn bench_steps(c: &mut Criterion, state: &AppState, pat_header: &str) {
    let parts = support::parts("GET", PROJECTS, &[("authorization", pat_header.to_owned())]);
    let profile = state.profile();
    let now = state.now();
    let facts_of = || extract::facts(profile, black_box(&parts), (7, ConnectionAuth::None, None), now, [0x42; 8]);
    let (facts, extras) = facts_of();
    let decision = decide(profile, &facts, &|_| 0);
    assert_eq!(decision.reason, Reason::Ok);
    let mut group = c.benchmark_group("request-steps");
    group.bench_function("facts", |b| b.iter(facts_of));
    group.bench_function("decide", |b| b.iter(|| decide(profile, black_box(&facts), &|_| 0)));
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    group.bench_function("respond_to", |b| {
        b.iter(|| runtime.block_on(respond_to(state, black_box(&facts), &extras, &decision, &[])))
    });
    group.finish();
}

fn bench_request(c: &mut Criterion) {
    let (app, state) = server();
    let pat_header = basic(&format!(":{}", pat(state.profile(), "CONTOSO\\joseph", "full")));
    bench_router(c, &app, &pat_header);
    bench_steps(c, &state, &pat_header);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = bench_request
}
criterion_main!(benches);
