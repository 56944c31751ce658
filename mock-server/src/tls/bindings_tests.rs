//! The binding against values computed by an independent implementation: requests-ntlm
//! 1.3.0's `_get_certificate_hash` and pyspnego 0.12.4's `GssChannelBindings.pack`, MD5'd, run
//! once over the fixture certificates in `fixtures/` (made with `openssl req -x509`; their keys
//! were thrown away). The table is `(file, certificate hash, MsvAvChannelBindings)`.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::*;

const INDEPENDENT: &[(&str, &str, &str, EndPointHash)] = &[
    (
        include_str!("fixtures/ecdsa-p256-sha256.pem"),
        "4ce6a0aaf580ae605e54d72260b88af8707d76d8bfb2b44aeff8f4ef4bbd6c69",
        "3370c303d70f9f295c42c5f1d9a2b8f5",
        EndPointHash::Sha256,
    ),
    (
        include_str!("fixtures/ecdsa-p384-sha512.pem"),
        "877f5a7240b10f2967f7a5cac6c42058657f1689fec122ecbb9537fe4957f5e86e8a4edd3fc745f4b2151d8b9fd8cc9d24a7a60a0ff4a0dd9a1d2ec099025ffb",
        "051feea4c8755ea55dc42aac7b53be4e",
        EndPointHash::Sha512,
    ),
    (
        include_str!("fixtures/ed25519.pem"),
        "826fc48d32b5b7108f8009c022b056f0084cfb76508db5b9423db7c09c559979",
        "e0ada5fcaa6358fd81294e17cb34db22",
        EndPointHash::Sha256,
    ),
    (
        include_str!("fixtures/rsa-md5.pem"),
        "ce460472c3fabf26637ccb2b8f4651b832278e12c6cef1972b715541717c85b9",
        "9b76ac0b8168ec0c593da57a9759cade",
        EndPointHash::Sha256,
    ),
    (
        include_str!("fixtures/rsa-pss-sha384.pem"),
        "e1f3e09e3b058baee72a42f1485cfd9a7a2f3ccbb71200bf483ef04a2af2bfe57df11137d4321b901b68bf146748363f",
        "291b35108e174fb796eceb132bc97b6b",
        EndPointHash::Sha384,
    ),
    (
        include_str!("fixtures/rsa-sha1.pem"),
        "34f813e54d32ead7a9e85be4f67e6e1e0701d67cef4f96038f8ddb3a04a85257",
        "4744d094e6bfa48e73de66dc9b9e7112",
        EndPointHash::Sha256,
    ),
    (
        include_str!("fixtures/rsa-sha384.pem"),
        "1383ebb16e11a354226c0b458a75ea53fc79bb5600ccbd9689d8ac273dcc29a831e1292bdf03716433d90c36b819fea8",
        "9c488dd8ce3837fa41f94a6365cccf76",
        EndPointHash::Sha384,
    ),
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn der(pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem.as_bytes()).expect("fixture PEM").to_vec()
}

#[test]
fn bindings_match_requests_ntlm_and_pyspnego() {
    for (pem, hash, av, kind) in INDEPENDENT {
        let der = der(pem);
        assert_eq!(signature_hash(&der), Ok(*kind), "{hash}");
        assert_eq!(hex(&end_point_hash(&der).unwrap()), *hash);
        assert_eq!(hex(&expected_av_value(&der).unwrap()), *av);
    }
}

#[test]
fn the_struct_is_four_empty_fields_then_the_application_data() {
    let packed = gss_channel_bindings(b"abc");
    assert_eq!(packed, [&[0u8; 16][..], &[3, 0, 0, 0], b"abc"].concat());
}

#[test]
fn malformed_and_unknown_certificates_are_refused_with_the_reason() {
    assert!(matches!(signature_hash(&[]), Err(BindingError::Malformed(_))));
    assert!(matches!(signature_hash(&[0x30, 0x05, 1, 2]), Err(BindingError::Malformed(_))));
    // A certificate whose signatureAlgorithm is 1.2.3.4 (unknown): tbs, algorithm, signature.
    let unknown = [0x30, 0x0b, 0x30, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x03, 0x00];
    match signature_hash(&unknown) {
        Err(BindingError::Undefined(oid)) => assert_eq!(oid, "1.2.3.4"),
        other => panic!("{other:?}"),
    }
}
