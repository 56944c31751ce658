//! The NTLM acceptor's two legs and what they cost: the CHALLENGE (type 2) built for a
//! NEGOTIATE, and the AUTHENTICATE (type 3) parsed and verified, both through `ntlm::step` as
//! the server runs them and in parts; plus the hashes verification rests on (MD4, HMAC-MD5), so
//! the handshake figure in BENCHMARKS.md can be read against them.

// Each bench uses part of the shared support module.
#[allow(dead_code)]
mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use ado_mock_server::ntlm::message::{build_challenge, parse_authenticate, parse_negotiate};
use ado_mock_server::ntlm::verify::{Exchange, verify};
use ado_mock_server::ntlm::{AcceptorConfig, Pending, Step, StepInput, crypto, step};

const SERVER_CHALLENGE: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
const TIMESTAMP: u64 = 0x01dc_0000_0000_0000;
const PASSWORD: &str = "Passw0rd!";

fn password_of(user: &str, domain: &str) -> Option<String> {
    (user.eq_ignore_ascii_case("joseph") && domain.eq_ignore_ascii_case("CONTOSO")).then(|| PASSWORD.to_owned())
}

fn input<'a>(token: &'a [u8], pending: Option<&'a Pending>) -> StepInput<'a> {
    StepInput {
        token,
        negotiate_scheme: false,
        pending,
        server_challenge: SERVER_CHALLENGE,
        timestamp: TIMESTAMP,
        channel_bindings: Default::default(),
    }
}

/// A handshake up to the AUTHENTICATE: NEGOTIATE, the server's CHALLENGE and state, AUTHENTICATE.
struct Handshake {
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    pending: Pending,
    authenticate: Vec<u8>,
}

fn handshake(cfg: &AcceptorConfig) -> Handshake {
    let negotiate = support::ntlm_negotiate();
    let Step::Continue { token: challenge, pending, .. } = step(cfg, input(&negotiate, None), &password_of) else {
        panic!("a NEGOTIATE starts a handshake");
    };
    let authenticate = support::ntlm_authenticate(&challenge, "joseph", "CONTOSO", PASSWORD);
    Handshake { negotiate, challenge, pending, authenticate }
}

fn bench_type2(c: &mut Criterion, cfg: &AcceptorConfig, h: &Handshake) {
    let mut group = c.benchmark_group("ntlm-type2");
    group.bench_function("step", |b| b.iter(|| step(cfg, input(black_box(&h.negotiate), None), &password_of)));
    let flags = parse_negotiate(&h.negotiate).expect("ntlmclient's NEGOTIATE parses").flags;
    group.bench_function("build_challenge", |b| {
        b.iter(|| build_challenge(cfg, black_box(flags), SERVER_CHALLENGE, TIMESTAMP))
    });
    group.finish();
}

fn bench_type3(c: &mut Criterion, cfg: &AcceptorConfig, h: &Handshake) {
    let leg = || step(cfg, input(black_box(&h.authenticate), Some(&h.pending)), &password_of);
    assert!(matches!(leg(), Step::Authenticated { .. }), "the AUTHENTICATE verifies");
    let mut group = c.benchmark_group("ntlm-type3");
    group.bench_function("step", |b| b.iter(leg));
    group.bench_function("parse_authenticate", |b| b.iter(|| parse_authenticate(black_box(&h.authenticate))));
    let auth = parse_authenticate(&h.authenticate).expect("ntlmclient's AUTHENTICATE parses");
    let exchange = Exchange {
        negotiate: &h.negotiate,
        challenge: &h.challenge,
        authenticate: &h.authenticate,
        server_challenge: SERVER_CHALLENGE,
    };
    group.bench_function("verify", |b| b.iter(|| verify(black_box(&auth), &exchange, false, &password_of)));
    group.finish();
}

fn bench_hashes(c: &mut Criterion) {
    let mut group = c.benchmark_group("ntlm-hashes");
    group.bench_function("nt_hash (MD4)", |b| b.iter(|| crypto::nt_hash(black_box(PASSWORD))));
    let nt = crypto::nt_hash(PASSWORD);
    group.bench_function("ntowf_v2 (HMAC-MD5)", |b| b.iter(|| crypto::ntowf_v2(black_box(&nt), "joseph", "CONTOSO")));
    let blob = [0x5au8; 120];
    group.bench_function("hmac_md5 (120-byte blob)", |b| {
        b.iter(|| crypto::hmac_md5(black_box(&nt), &[&SERVER_CHALLENGE, black_box(&blob)]))
    });
    group.finish();
}

fn bench_ntlm(c: &mut Criterion) {
    let cfg = AcceptorConfig::example();
    let h = handshake(&cfg);
    bench_type2(c, &cfg, &h);
    bench_type3(c, &cfg, &h);
    bench_hashes(c);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    targets = bench_ntlm
}
criterion_main!(benches);
