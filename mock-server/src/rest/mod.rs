//! The REST surface real SDKs need: bodies for the routes an allowed request reaches.
//!
//! Everything here runs after the decision allowed the request; nothing here decides access
//! (hidden projects are filtered out of lists, which is how the server shows them).

mod bodies;
pub mod locations;
pub mod route;

pub use bodies::{RestContext, RestResponse, serve};
