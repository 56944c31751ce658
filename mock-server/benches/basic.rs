//! `Credential::parse` on the Authorization values clients send: Basic in every shape TFS
//! distinguishes, plus the other schemes for scale.

// Each bench uses part of the shared support module.
#[allow(dead_code)]
mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use ado_mock_server::auth::{Basic, Credential};
use support::{basic, pat};

/// A check that the header parsed into the intended shape.
type Shape = fn(&Credential) -> bool;

fn bench_parse(c: &mut Criterion) {
    let profile = support::profile_with("");
    let full = pat(&profile, "CONTOSO\\joseph", "full");
    let cases: Vec<(&str, String, Shape)> = vec![
        ("basic.pat-in-password", basic(&format!(":{full}")), |c| pair_with_pat(c)),
        ("basic.pat-in-user", basic(&format!("{full}:")), |c| pair_with_pat(c)),
        ("basic.user-and-pat", basic(&format!("joseph:{full}")), |c| pair_with_pat(c)),
        (
            "basic.user-and-password",
            basic("CONTOSO\\joseph:Passw0rd!"),
            |c| matches!(c, Credential::Basic(b @ Basic::Pair { .. }) if b.pat().is_none()),
        ),
        ("basic.no-colon", basic(&full), |c| matches!(c, Credential::Basic(Basic::NoColon { .. }))),
        ("basic.not-base64", "Basic not*base64".to_owned(), |c| matches!(c, Credential::Basic(Basic::NotBase64))),
        ("bearer", format!("Bearer {full}"), |c| matches!(c, Credential::Bearer { .. })),
        ("ntlm.negotiate", "NTLM TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=".to_owned(), |c| {
            matches!(c, Credential::Windows { token: Some(_), .. })
        }),
    ];
    let mut group = c.benchmark_group("credential-parse");
    for (name, header, check) in &cases {
        let parsed = Credential::parse(Some(header.as_bytes()));
        assert!(check(&parsed), "{name}: parsed as {parsed:?}");
        group.bench_function(*name, |b| b.iter(|| Credential::parse(Some(black_box(header.as_bytes())))));
    }
    group.finish();
}

fn pair_with_pat(credential: &Credential) -> bool {
    matches!(credential, Credential::Basic(b) if b.pat().is_some())
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    targets = bench_parse
}
criterion_main!(benches);
