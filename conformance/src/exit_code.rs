//! The process exit codes of `ado-conformance`, documented once.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every case ran and nothing failed (relative to the baseline, when one is given) |
//! | 1 | at least one case failed (a `fail` or `insecure` verdict not in the baseline, or a difference from the baseline), or the run was interrupted before every case finished |
//! | 2 | unusable input or setup: a bad scenario, manifest or baseline, an unknown scenario id, a report that cannot be written, a command-line error, or an unexpected internal error |
//!
//! An interrupted run (SIGINT) exits 1: it did not show that the client conforms, but what ran
//! is judged and reported, so it is not an input error either.

/// Nothing failed.
pub const SUCCESS: u8 = 0;
/// At least one case failed, or the run was interrupted.
pub const RUN_FAILED: u8 = 1;
/// Unusable input or setup, or an unexpected error.
pub const SETUP_ERROR: u8 = 2;
