//! The one integration test binary: a `mod` per area.

// The mock server against real sockets and real clients (curl, reqwest, ntlmclient).
mod mock;
// The conformance runner end to end (scripted fake client, reports, serve).
mod runner;
// The scenario library's proof: reference and mutants, baselines of real clients, the catalogue.
mod library;
// From evidence to a reproduction: soft mode, `probe` round trips, HAR import and replay.
mod trace;
// The one rule for a test whose client is not installed (fail, or skip when asked).
mod clients;
