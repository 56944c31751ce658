//! Helpers shared by the integration tests and the helper binaries of this crate.
//!
//! # Layout
//!
//! - [`ntlm`]: the client side of NTLM (NEGOTIATE, NTLMv2 and NTLMv1 AUTHENTICATE).
//!
//! Binaries: `mock-server-dup` and `conformance-dup` (the two CLIs, for `CARGO_BIN_EXE_*`),
//! `fake-client` (scripted raw HTTP client for runner tests), `reference-client` (a correct
//! client and its mutants), `load-test` (bounded mixed load against the standalone server).

pub mod ntlm;
