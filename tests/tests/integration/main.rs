//! The one integration test binary: a `mod` per area.

// The mock server against real sockets and real clients (curl, reqwest, ntlmclient).
mod mock;
// The conformance runner end to end (scripted fake client, reports, serve).
mod runner;
