//! `ado-conformance` (in progress).
fn main() {}
