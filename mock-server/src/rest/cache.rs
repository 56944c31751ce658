//! Rendered bodies of allowed requests, kept per route, captures, collection, caller, origin and
//! query: the profile does not change while a server runs, so a deterministic body (a project
//! list, a location listing, connectionData) is serialized once and then only copied.
//!
//! Bodies with ids or time in them (a queued project, a created work item), bodies read from
//! git, and bodies that depend on the request body are never cached.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use super::route::Route;
use super::table::BodyKind;
use super::{RestContext, RestResponse};

/// The most bodies kept; when full the cache starts over (a scan over many principals or ids
/// must not grow memory).
const CAPACITY: usize = 1024;

/// The cache (cheap to read from many connections at once).
#[derive(Debug, Default)]
pub(super) struct BodyCache {
    entries: RwLock<HashMap<String, RestResponse>>,
}

fn cacheable(kind: BodyKind) -> bool {
    use BodyKind as B;
    matches!(
        kind,
        B::Locations
            | B::ResourceAreas
            | B::ConnectionData
            | B::Projects
            | B::Project
            | B::Collections
            | B::Collection
            | B::Repositories
            | B::Repository
            | B::Pushes
            | B::PullRequests
            | B::WorkItem
            | B::Wiql
            | B::WorkItemsBatch
            | B::TfvcItems
            | B::BuildDefinitions
            | B::BuildDefinition
            | B::Builds
            | B::Build
            | B::ReleaseDefinitions
            | B::Pools
            | B::Pool
            | B::Agents
            | B::Queues
            | B::Pipelines
            | B::Runs
    )
}

/// Everything the body of a cacheable route depends on.
fn key(route: &Route, ctx: &RestContext<'_>) -> String {
    let mut key = String::with_capacity(128);
    for part in [route.name, ctx.collection.unwrap_or(""), ctx.principal.map_or("", |p| p.account.as_str())] {
        key.push_str(part);
        key.push('\u{1f}');
    }
    for (name, value) in &route.params {
        key.push_str(name);
        key.push('=');
        key.push_str(value);
        key.push('\u{1f}');
    }
    key.push_str(ctx.origin);
    key.push('\u{1f}');
    key.push_str(ctx.query.unwrap_or(""));
    key
}

impl BodyCache {
    /// The cached body, or `render`'s, kept when the route's body is deterministic.
    pub(super) fn get_or_render(
        &self,
        route: &Route,
        ctx: &RestContext<'_>,
        render: impl FnOnce() -> RestResponse,
    ) -> RestResponse {
        if !cacheable(route.body()) {
            return render();
        }
        let key = key(route, ctx);
        if let Some(hit) = self.entries.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return hit.clone();
        }
        let response = render();
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, response.clone());
        response
    }

    /// How many bodies are kept.
    #[allow(clippy::len_without_is_empty)]
    pub(super) fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(PoisonError::into_inner).len()
    }
}
