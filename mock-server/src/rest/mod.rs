//! The REST surface: routes and locations as data (`data/routes.toml`, `data/resources.toml`),
//! and the one path by which an allowed request is answered ([`answer`]).
//!
//! Everything here runs after the decision allowed the request; nothing here decides access
//! (hidden projects are filtered out of lists, which is how the server shows them). The status
//! of an answer is the route row's (git http-backend's and LFS storage's own statuses pass
//! through).

use std::borrow::Cow;
use std::path::PathBuf;

use axum::body::Bytes;
use cache::BodyCache;
use git::GitStore;

mod bodies;
mod cache;
mod ci;
mod git;
mod lfs;
pub mod locations;
pub mod route;
#[cfg(test)]
mod surface_doc;
pub mod table;

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
    /// Body bytes (shared: a cached body is not copied).
    pub body: Bytes,
}

impl RestResponse {
    /// A response.
    pub fn new(status: u16, content_type: impl Into<Cow<'static, str>>, body: impl Into<Bytes>) -> Self {
        Self { status, content_type: content_type.into(), body: body.into() }
    }
}

/// What the REST module keeps for one server: its git repositories and rendered bodies.
#[derive(Debug, Default)]
pub struct RestState {
    git: GitStore,
    bodies: BodyCache,
}

impl RestState {
    /// The server's git folder, once the first git request created it.
    pub fn git_dir(&self) -> Option<PathBuf> {
        self.git.dir()
    }

    /// How many rendered bodies are kept.
    pub fn cached_bodies(&self) -> usize {
        self.bodies.len()
    }
}

/// Answers an allowed request: JSON bodies from the profile (kept once rendered when they are
/// deterministic), or git for the routes backed by real repositories.
pub async fn answer(profile: &Profile, state: &RestState, route: &Route, ctx: &RestContext<'_>) -> RestResponse {
    let store = &state.git;
    match route.body() {
        BodyKind::GitBackend
        | BodyKind::LfsBatch
        | BodyKind::LfsObject
        | BodyKind::GvfsConfig
        | BodyKind::Refs
        | BodyKind::Commits
        | BodyKind::Commit
        | BodyKind::GitItems => git::serve(profile, store, route, ctx).await,
        _ => state.bodies.get_or_render(route, ctx, || bodies::serve(profile, route, ctx)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{DEFAULT_PROFILE, Profile};

    async fn body(profile: &Profile, method: &str, path: &str, query: Option<&str>) -> (u16, serde_json::Value) {
        let target = route::resolve(profile, method, path);
        let route = target.route.clone().expect("a route");
        let ctx = RestContext {
            origin: "http://tfs:8080",
            collection: target.collection(),
            principal: None,
            query,
            method,
            body: &[],
            headers: GitHeaders::default(),
        };
        let answer = answer(profile, &RestState::default(), &route, &ctx).await;
        (answer.status, serde_json::from_slice(&answer.body).expect("JSON"))
    }

    /// The pipelines agent connects with `connectOptions=1` at the server URL and reads the
    /// location service data; both levels serve connectionData.
    #[tokio::test]
    async fn connection_data_carries_services_when_asked_at_both_levels() {
        let p = Profile::from_toml_str(DEFAULT_PROFILE, "default", 0).unwrap();
        for path in ["/tfs/_apis/connectionData", "/tfs/DefaultCollection/_apis/connectionData"] {
            let (status, plain) = body(&p, "GET", path, None).await;
            assert_eq!(status, 200);
            assert!(plain["locationServiceData"].get("serviceDefinitions").is_none());
            let (_, with) = body(&p, "GET", path, Some("connectOptions=1&lastChangeId=-1")).await;
            assert!(with["locationServiceData"]["serviceDefinitions"].is_array(), "{path}: {with}");
            assert_eq!(with["deploymentType"], "onPremises");
        }
    }

    async fn served(
        p: &Profile,
        state: &RestState,
        principal: &Principal,
        path: &str,
        method: &str,
        query: Option<&str>,
    ) -> RestResponse {
        let target = route::resolve(p, method, path);
        let route = target.route.clone().unwrap();
        let ctx = RestContext {
            origin: "http://tfs:8080",
            collection: target.collection(),
            principal: Some(principal),
            query,
            method,
            body: &[],
            headers: GitHeaders::default(),
        };
        answer(p, state, &route, &ctx).await
    }

    /// A deterministic body is rendered once per route, caller and query, and served again
    /// byte for byte; bodies with fresh ids are never kept.
    #[tokio::test]
    async fn deterministic_bodies_are_rendered_once() {
        let p = Profile::from_toml_str(DEFAULT_PROFILE, "default", 0).unwrap();
        let state = RestState::default();
        let principal = crate::auth::Principal {
            account: "CONTOSO\\joseph".into(),
            id: uuid::Uuid::nil(),
            display_name: "Joseph".into(),
            via: crate::auth::Via::IisBasic,
        };
        let serve = |path, method, query| served(&p, &state, &principal, path, method, query);
        let first = serve("/tfs/DefaultCollection/_apis/projects", "GET", None).await;
        let again = serve("/tfs/DefaultCollection/_apis/projects", "GET", None).await;
        assert_eq!(
            (first.body.as_ptr(), first.body.len()),
            (again.body.as_ptr(), again.body.len()),
            "shared, not re-rendered"
        );
        assert!(String::from_utf8_lossy(&first.body).contains("Fabrikam"));
        serve("/tfs/_apis/connectionData", "GET", Some("connectOptions=1")).await;
        serve("/tfs/_apis/connectionData", "GET", None).await;
        assert_eq!(state.cached_bodies(), 3, "the query is part of the key");
        let a = serve("/tfs/DefaultCollection/_apis/projects", "POST", None).await;
        let b = serve("/tfs/DefaultCollection/_apis/projects", "POST", None).await;
        assert_ne!(a.body, b.body, "a queued project gets a fresh operation id each time");
        assert_eq!(state.cached_bodies(), 3);
    }

    /// Statuses come from the route rows: a queued project is 202, a created push 201.
    #[tokio::test]
    async fn statuses_are_the_route_rows() {
        let p = Profile::from_toml_str(DEFAULT_PROFILE, "default", 0).unwrap();
        let (status, value) = body(&p, "POST", "/tfs/DefaultCollection/_apis/projects", None).await;
        assert_eq!((status, value["status"].as_str()), (202, Some("queued")));
        let (status, value) = body(&p, "POST", "/tfs/DefaultCollection/Fabrikam/_apis/build/builds", None).await;
        assert_eq!((status, value["status"].as_str()), (200, Some("notStarted")));
        let (status, _) =
            body(&p, "POST", "/tfs/DefaultCollection/Fabrikam/_apis/git/repositories/Tools/pushes", None).await;
        assert_eq!(status, 201);
    }
}
