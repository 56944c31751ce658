//! Helpers shared by the integration tests and the helper binaries of this crate.
//!
//! # Layout
//!
//! - [`ntlm`]: the client side of NTLM (NEGOTIATE, NTLMv2 and NTLMv1 AUTHENTICATE).
//! - [`leak`]: every disguise of a secret a client might print (the runner must catch each).
//!
//! Binaries: `mock-server-dup` and `conformance-dup` (the two CLIs, for `CARGO_BIN_EXE_*`),
//! `fake-client` (scripted raw HTTP client for runner tests), `reference-client` (a correct
//! client and its mutants), `load-test` (bounded mixed load against the standalone server).

pub mod leak;
pub mod ntlm;

/// A reqwest client builder. reqwest is built with rustls but no provider of its own (so the
/// build has no aws-lc); this installs rustls' `ring` provider for the process first.
pub fn http() -> reqwest::ClientBuilder {
    // Err only when a provider is installed already, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}
