//! The REST surface: routes and locations as data (`data/routes.toml`, `data/resources.toml`),
//! and the one path by which an allowed request is answered ([`answer`]).
//!
//! Everything here runs after the decision allowed the request; nothing here decides access
//! (hidden projects are filtered out of lists, which is how the server shows them). The status
//! of an answer is the route row's (git http-backend's and LFS storage's own statuses pass
//! through).

use std::borrow::Cow;

mod bodies;
mod ci;
mod git;
mod lfs;
pub mod locations;
pub mod route;
#[cfg(test)]
mod surface_doc;
pub mod table;

pub use git::GitStore;

use crate::auth::Principal;
use crate::profile::Profile;
use route::Route;
use table::BodyKind;

/// Request headers the git and LFS bodies need (read only for routes that take a body).
#[derive(Clone, Debug, Default)]
pub struct GitHeaders<'a> {
    /// `Content-Type`.
    pub content_type: Option<&'a str>,
    /// `Content-Encoding` (git gzips large upload-pack requests).
    pub content_encoding: Option<&'a str>,
    /// `Git-Protocol` (protocol v2).
    pub git_protocol: Option<&'a str>,
}

/// What a body needs besides the profile.
pub struct RestContext<'a> {
    /// `scheme://host[:port]` as the client addressed the server.
    pub origin: &'a str,
    /// The collection the request is for, if any.
    pub collection: Option<&'a str>,
    /// The caller.
    pub principal: Option<&'a Principal>,
    /// The request's query string.
    pub query: Option<&'a str>,
    /// The method (upper case).
    pub method: &'a str,
    /// The request body (empty unless the route takes one).
    pub body: &'a [u8],
    /// Headers for git and LFS.
    pub headers: GitHeaders<'a>,
}

/// A REST response.
#[derive(Clone, Debug)]
pub struct RestResponse {
    /// HTTP status.
    pub status: u16,
    /// Content type.
    pub content_type: Cow<'static, str>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl RestResponse {
    /// A response.
    pub fn new(status: u16, content_type: impl Into<Cow<'static, str>>, body: Vec<u8>) -> Self {
        Self { status, content_type: content_type.into(), body }
    }
}

/// Answers an allowed request: JSON bodies from the profile, or git (`store`) for the routes
/// backed by real repositories.
pub async fn answer(profile: &Profile, store: &GitStore, route: &Route, ctx: &RestContext<'_>) -> RestResponse {
    match route.body() {
        BodyKind::GitBackend
        | BodyKind::LfsBatch
        | BodyKind::LfsObject
        | BodyKind::GvfsConfig
        | BodyKind::Refs
        | BodyKind::Commits
        | BodyKind::Commit
        | BodyKind::GitItems => git::serve(profile, store, route, ctx).await,
        _ => bodies::serve(profile, route, ctx),
    }
}
