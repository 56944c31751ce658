//! The conformance runner (in progress; see the open issue).
