//! From a customer's evidence to a local reproduction (docs/TRACE.md): soft mode lets a mutant
//! client pass while the journal lists its mistakes; `probe` fingerprints every release and
//! IIS mode of the library into a profile that behaves the same; a HAR recorded from a client's
//! run imports into a reproduction that answers the same, with no secret of the trace written.

mod import;
mod probe;
mod soft;
