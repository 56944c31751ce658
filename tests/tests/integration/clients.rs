//! The one rule for a test whose client or tool (the Python SDK venv, pyspnego's Kerberos, an MIT
//! KDC, git-lfs, bubblewrap, ...) is not installed: the test **fails**, naming what is missing
//! and how to install it, unless the run asks to skip such tests with
//! `ADO_SKIP_MISSING_CLIENTS=1`; then it says why and passes. A green run without that variable
//! has therefore run every client.
//!
//! `ADO_REQUIRE_CLIENTS=1` (what `.ci/run` set before this was the default) is still accepted:
//! it wins over a skip request, so CI can never skip.

/// The variable that allows skipping a test whose client is missing.
pub const SKIP_VAR: &str = "ADO_SKIP_MISSING_CLIENTS";
/// The older variable that requires every client (now the default); it overrides [`SKIP_VAR`].
pub const REQUIRE_VAR: &str = "ADO_REQUIRE_CLIENTS";

/// Whether a test can go on: `true` when `present`. Otherwise it panics with `what` is missing
/// and `how` to install it or, when skipping was asked for, prints why it skips and returns
/// `false` (the caller returns).
pub fn available(what: &str, present: bool, how: &str) -> bool {
    if present {
        return true;
    }
    assert!(
        skip_allowed(std::env::var(SKIP_VAR).ok().as_deref(), std::env::var(REQUIRE_VAR).ok().as_deref()),
        "{what} is missing: {how} (or set {SKIP_VAR}=1 to skip the tests that need it)"
    );
    eprintln!("skipping: {what} is missing ({how}); {SKIP_VAR}=1 allows it");
    false
}

/// The rule, from the two variables' values: skip only when asked with `1`, and never under
/// `ADO_REQUIRE_CLIENTS=1`.
fn skip_allowed(skip: Option<&str>, require: Option<&str>) -> bool {
    skip == Some("1") && require != Some("1")
}

#[test]
fn a_missing_client_fails_unless_a_skip_is_asked_for() {
    assert!(!skip_allowed(None, None), "the default is to fail");
    assert!(!skip_allowed(Some("0"), None));
    assert!(!skip_allowed(Some(""), None));
    assert!(skip_allowed(Some("1"), None));
    assert!(skip_allowed(Some("1"), Some("0")));
    assert!(!skip_allowed(Some("1"), Some("1")), "ADO_REQUIRE_CLIENTS=1 wins");
    assert!(!skip_allowed(None, Some("1")));
}

#[test]
fn a_present_client_never_consults_the_rule() {
    assert!(available("something installed", true, "nothing to do"));
}
