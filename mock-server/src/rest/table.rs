//! The REST surface as data: resource locations (`data/resources.toml`) and the routes that
//! reach them (`data/routes.toml`), parsed once and checked against each other.
//!
//! A route row names its methods, its path templates (relative to the host: after the
//! collection, or after the virtual directory at deployment level), the location it belongs to,
//! the scope that grants it in the real scope definitions, the permission check the server
//! applies and the body it answers with. docs/REST-SURFACE.md documents both tables.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::profile::Release;

/// Where a resource or route is registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Only at a project collection.
    Collection,
    /// Only at the deployment (server) level.
    Deployment,
    /// At both levels.
    Both,
}

impl Level {
    /// Whether the level includes the collection (`true`) or the deployment (`false`) host.
    pub fn includes(self, collection: bool) -> bool {
        match self {
            Level::Both => true,
            Level::Collection => collection,
            Level::Deployment => !collection,
        }
    }
}

/// One resource location (`ApiResourceLocation`), with the releases that have it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ResourceRow {
    /// The location id the SDKs hard-code.
    pub id: String,
    /// The area (`git`, `distributedtask`, ...).
    pub area: String,
    /// The resource name.
    pub resource_name: String,
    /// The server's route template.
    pub route_template: String,
    /// Where it is registered.
    pub level: Level,
    /// The resource version (the latest the SDKs send).
    pub resource_version: u32,
    /// `minVersion`.
    pub min_version: String,
    /// The first release that has it.
    pub since: Release,
    /// The api-version from which it is released (none: preview on every release).
    #[serde(default)]
    pub released: Option<String>,
    /// Keys of the sources table in docs/REST-SURFACE.md.
    pub sources: Vec<String>,
}

/// The permission check a route applies once the caller is known (auth/rules.rs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    /// None beyond membership.
    None,
    /// The `{project}` in the path, if any, exists and is visible to the caller.
    Project,
    /// The `{repo}` (in `{project}`, if given) exists and is visible.
    Repository,
    /// The work item `{id}` exists and is visible.
    WorkItem,
    /// Creating a project: Project Collection Administrators.
    CreateProject,
    /// Listing or reading project collections (deployment level).
    Collections,
    /// Publishing an extension to the server's gallery: server administrators.
    PublishExtension,
}

/// The body an allowed request gets (rest/bodies.rs, rest/git.rs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    /// The location listing.
    Locations,
    /// `{"count":0,"value":[]}` (on-premises resource areas).
    ResourceAreas,
    /// `ConnectionData`.
    ConnectionData,
    /// Projects visible to the caller.
    Projects,
    /// One project.
    Project,
    /// A queued project creation.
    ProjectOperation,
    /// Project collections visible to the caller.
    Collections,
    /// One collection.
    Collection,
    /// Repositories.
    Repositories,
    /// One repository.
    Repository,
    /// Refs of a repository (read from the real repository).
    Refs,
    /// Commits of a repository (read from the real repository).
    Commits,
    /// One commit.
    Commit,
    /// Items of a repository's root tree.
    GitItems,
    /// Pushes (none recorded).
    Pushes,
    /// A push created through REST.
    PushCreated,
    /// Pull requests (none).
    PullRequests,
    /// A pull request created through REST.
    PullRequestCreated,
    /// One work item.
    WorkItem,
    /// A created work item.
    WorkItemCreated,
    /// A WIQL result.
    Wiql,
    /// Work items by id.
    WorkItemsBatch,
    /// TFVC items of the project.
    TfvcItems,
    /// Build definitions (one per repository).
    BuildDefinitions,
    /// One build definition.
    BuildDefinition,
    /// Builds (one per definition).
    Builds,
    /// One build.
    Build,
    /// A queued build.
    QueuedBuild,
    /// Release definitions.
    ReleaseDefinitions,
    /// Agent pools.
    Pools,
    /// One agent pool.
    Pool,
    /// Agents of a pool.
    Agents,
    /// Agent queues of a project.
    Queues,
    /// Pipelines (one per build definition).
    Pipelines,
    /// Pipeline runs.
    Runs,
    /// A started run.
    RunCreated,
    /// A published extension.
    Extension,
    /// Git smart HTTP through `git http-backend`.
    GitBackend,
    /// The Git LFS batch API.
    LfsBatch,
    /// A Git LFS object (download or upload).
    LfsObject,
    /// Scalar/GVFS `gvfs/config`.
    GvfsConfig,
}

/// One route: methods and path templates that lead to a body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RouteRow {
    /// Stable name, shown in the journal.
    pub name: String,
    /// HTTP methods (`HEAD` is served as `GET`).
    pub methods: Vec<String>,
    /// Path templates relative to the host: literal segments (case-insensitive), `{name}` for one
    /// segment, `{*name}` for the rest (possibly empty), `${name}` for a `$`-prefixed segment.
    pub paths: Vec<String>,
    /// The location id (absent for routes outside the REST location service, e.g. git).
    #[serde(default)]
    pub location: Option<String>,
    /// The level, for routes without a location.
    #[serde(default)]
    pub level: Option<Level>,
    /// The narrowest scope that grants the route in the real scope definitions.
    pub scope: String,
    /// The permission check.
    pub permission: Permission,
    /// The body.
    pub body: BodyKind,
    /// The status of the answer (the only place an allowed request's status comes from,
    /// except git http-backend's own, which passes through).
    #[serde(default = "ok")]
    pub status: u16,
    /// Whether anonymous callers are served (ResourceAreas, ado-facts 1.3).
    #[serde(default)]
    pub anonymous: bool,
    /// Whether api-version rules apply.
    #[serde(default = "yes")]
    pub versioned: bool,
    /// Whether the request body is passed to the REST module (git pushes, LFS uploads).
    #[serde(default)]
    pub takes_body: bool,
    /// Index of the location row (set at load: the request path must not search by id).
    #[serde(skip)]
    resource_index: Option<usize>,
    /// `paths`, each split into its segments at load (the request path must not re-split them).
    #[serde(skip)]
    templates: Vec<Vec<Part>>,
}

/// One segment of a path template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// A literal segment, matched case-insensitively.
    Literal(String),
    /// `{name}`: one segment.
    One(String),
    /// `${name}`: one segment starting with `$` (captured without it).
    Dollar(String),
    /// `{*name}`: the rest of the path, possibly empty; always the last part.
    Rest(String),
}

impl Part {
    fn of(segment: &str) -> Part {
        let inner = |open: &str| segment.strip_prefix(open).and_then(|p| p.strip_suffix('}')).map(str::to_owned);
        if let Some(name) = inner("{*") {
            Part::Rest(name)
        } else if let Some(name) = inner("${") {
            Part::Dollar(name)
        } else if let Some(name) = inner("{") {
            Part::One(name)
        } else {
            Part::Literal(segment.to_owned())
        }
    }
}

fn ok() -> u16 {
    200
}

fn yes() -> bool {
    true
}

impl RouteRow {
    /// The resource row this route belongs to.
    pub fn resource(&self) -> Option<&'static ResourceRow> {
        self.resource_index.map(|i| &table().resources[i])
    }

    /// Where the route is served.
    pub fn level(&self) -> Level {
        self.resource().map_or(self.level.unwrap_or(Level::Collection), |r| r.level)
    }

    /// The path templates, split into parts (same order as `paths`).
    pub fn templates(&self) -> &[Vec<Part>] {
        &self.templates
    }

    /// Whether `release` has the route (its location exists there; routes without a location
    /// exist on every release).
    pub fn exists_on(&self, release: Release) -> bool {
        self.resource().is_none_or(|r| r.since <= release)
    }
}

/// Both tables.
#[derive(Debug)]
pub struct Table {
    /// Resource locations.
    pub resources: Vec<ResourceRow>,
    /// Routes, in matching order.
    pub routes: Vec<RouteRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceFile {
    resources: Vec<ResourceRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    routes: Vec<RouteRow>,
}

/// The shipped tables (parsed and checked once).
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        parse(include_str!("../../data/resources.toml"), include_str!("../../data/routes.toml"))
            .expect("invariant: data/resources.toml and data/routes.toml are valid (tested in table::tests)")
    })
}

fn parse(resources: &str, routes: &str) -> Result<Table, String> {
    let resources: ResourceFile = toml::from_str(resources).map_err(|e| format!("data/resources.toml: {e}"))?;
    let mut routes: RouteFile = toml::from_str(routes).map_err(|e| format!("data/routes.toml: {e}"))?;
    for route in &mut routes.routes {
        if let Some(id) = &route.location {
            let index = resources.resources.iter().position(|r| &r.id == id);
            route.resource_index =
                Some(index.ok_or_else(|| format!("route {} names unknown location {id}", route.name))?);
        }
        if route.location.is_some() == route.level.is_some() {
            return Err(format!("route {} needs exactly one of location and level", route.name));
        }
        if route.methods.is_empty() || route.paths.is_empty() {
            return Err(format!("route {} needs methods and paths", route.name));
        }
        route.templates = route
            .paths
            .iter()
            .map(|path| path.split('/').filter(|s| !s.is_empty()).map(Part::of).collect::<Vec<_>>())
            .collect();
        if route.templates.iter().any(|t| t.iter().rev().skip(1).any(|p| matches!(p, Part::Rest(_)))) {
            return Err(format!("route {}: a {{*rest}} capture must end its path", route.name));
        }
    }
    Ok(Table { resources: resources.resources, routes: routes.routes })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::profile::ScopeTable;

    #[test]
    fn tables_load_and_agree() {
        let t = table();
        assert!(t.resources.len() >= 20 && t.routes.len() >= 30);
        let names: HashSet<&str> = t.routes.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names.len(), t.routes.len(), "route names are unique");
        let ids: HashSet<&str> = t.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), t.resources.len(), "location ids are unique");
        for r in &t.resources {
            assert!(crate::api_version::ApiVersion::parse(&r.min_version).is_some(), "{}", r.id);
            assert!(!r.sources.is_empty(), "{} names its sources", r.id);
        }
    }

    #[test]
    fn a_route_without_its_location_is_refused_at_load() {
        let resources = include_str!("../../data/resources.toml");
        let routes = "[[routes]]\nname = \"x\"\nmethods = [\"GET\"]\npaths = [\"_apis/x\"]\nlocation = \"nope\"\nscope = \"vso.base\"\npermission = \"none\"\nbody = \"projects\"\n";
        assert!(parse(resources, routes).unwrap_err().contains("unknown location nope"));
    }

    /// Sample values for path captures, so a template becomes a path the scope table can match.
    fn sample(template: &str) -> String {
        template
            .split('/')
            .map(|s| match s {
                "{project}" => "Fabrikam",
                "{repo}" => "Tools",
                s if s.starts_with("{*") => "",
                s if s.starts_with("${") => "$Task",
                s if s.starts_with('{') => "1",
                s => s,
            })
            .filter(|s| !s.is_empty())
            .fold(String::new(), |acc, s| format!("{acc}/{s}"))
    }

    /// The scope a route row names grants it in data/scopes.toml, and the read scope below a
    /// write scope does not: the documented scope and the enforced patterns cannot drift apart.
    #[test]
    fn each_route_is_granted_by_its_scope_and_not_by_the_one_below() {
        let scopes = ScopeTable::builtin();
        for route in &table().routes {
            for path in &route.paths {
                let path = sample(path);
                for method in &route.methods {
                    assert!(
                        scopes.allows(std::slice::from_ref(&route.scope), method, &path),
                        "{}: {} does not grant {method} {path}",
                        route.name,
                        route.scope
                    );
                    let below = match route.scope.as_str() {
                        "vso.code_write" => Some("vso.code"),
                        "vso.build_execute" => Some("vso.build"),
                        "vso.work_write" => Some("vso.work"),
                        "vso.project_manage" => Some("vso.project"),
                        "vso.gallery_publish" => Some("vso.gallery"),
                        "vso.agentpools_manage" => Some("vso.agentpools"),
                        _ => None,
                    };
                    if let Some(below) = below {
                        assert!(
                            !scopes.allows(&[below.to_owned()], method, &path),
                            "{}: {below} must not grant {method} {path}",
                            route.name
                        );
                    }
                }
            }
        }
    }
}
