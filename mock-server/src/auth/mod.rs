//! The authentication and authorization decision (pure) and its inputs and outputs.
//!
//! Layers return `Result<_, Decision>`: `Err` carries the refusal that ends the walk through
//! the layers, not a failure of the server. A decision is made once per request, so the size of
//! that `Err` costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

mod answers;
pub mod credential;
mod decide;
#[cfg(test)]
mod decide_props;
#[cfg(test)]
mod decide_tests;
mod decision;
mod describe;
pub mod facts;
mod iis;
pub mod iis_log;
mod job_token;
mod kerberos;
mod logon;
mod reason;
mod rules;
mod service_errors;
mod tfs;
mod windows;

pub use credential::{Basic, Credential};
pub use decide::decide;
pub use decision::{
    Answer, Body, Challenge, ConnectionUpdate, Decision, IisModule, Layer, Logon, Principal, Reply, Serve,
    ServiceError, Via,
};
pub use describe::printable;
pub use facts::{
    AcceptFacts, ApiVersionFact, ConnectionAuth, ConnectionFacts, RequestFacts, VersionSource, find_api_version,
};
pub use iis_log::IisLog;
pub use kerberos::ntlm_allowed;
pub use reason::Reason;
pub use windows::{acceptor_config, server_challenge};
