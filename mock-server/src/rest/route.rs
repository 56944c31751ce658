//! Path resolution: which host (deployment or collection) and which route a request names.
//!
//! Mirrors the server's `OnPremHostResolver` (ado-facts 1.2): the first segment after the
//! virtual directory is looked up as a collection; anything else is served by the deployment
//! host, where collection-level routes do not exist.

use serde::Serialize;

use crate::profile::Profile;

/// Where a path leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "level", rename_all = "kebab-case")]
pub enum Host {
    /// Outside the TFS application (the virtual directory does not match): IIS answers 404.
    Outside,
    /// The deployment (server) level.
    Deployment,
    /// A project collection.
    Collection {
        /// Canonical collection name.
        name: String,
        /// Whether it is stopped.
        stopped: bool,
    },
}

/// A route the mock serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "route", rename_all = "kebab-case")]
pub enum Route {
    /// `OPTIONS _apis[/{area}]`: resource locations.
    Locations {
        /// The area, if the client asked for one.
        area: Option<String>,
    },
    /// `GET _apis/ResourceAreas`.
    ResourceAreas,
    /// `GET _apis/connectionData`.
    ConnectionData,
    /// `GET {coll}/_apis/projects`.
    ListProjects,
    /// `GET {coll}/_apis/projects/{idOrName}`.
    GetProject {
        /// Name or id as requested.
        project: String,
    },
    /// `POST {coll}/_apis/projects`.
    CreateProject,
    /// `GET {coll}[/{project}]/_apis/git/repositories`.
    ListRepos {
        /// Project as requested.
        project: Option<String>,
    },
    /// `GET {coll}[/{project}]/_apis/git/repositories/{repo}`.
    GetRepo {
        /// Project as requested.
        project: Option<String>,
        /// Repository name or id as requested.
        repo: String,
    },
    /// `GET {coll}/{project}/_git/{repo}/info/refs` (git smart HTTP).
    GitInfoRefs {
        /// Project as requested.
        project: String,
        /// Repository as requested.
        repo: String,
    },
    /// `GET {coll}[/{project}]/_apis/wit/workitems/{id}`.
    GetWorkItem {
        /// Project as requested.
        project: Option<String>,
        /// The id segment as requested.
        id: String,
    },
    /// `POST|PATCH {coll}/{project}/_apis/wit/workitems/${type}`.
    CreateWorkItem {
        /// Project as requested.
        project: String,
        /// The work item type, without `$`.
        kind: String,
    },
    /// `GET _apis/projectCollections` (deployment level).
    ListCollections,
    /// `GET _apis/projectCollections/{idOrName}` (deployment level).
    GetCollection {
        /// Name or id as requested.
        collection: String,
    },
}

impl Route {
    /// The REST area, used for resource locations; `None` for git smart HTTP.
    pub fn area(&self) -> Option<&'static str> {
        match self {
            Route::Locations { .. } | Route::ResourceAreas | Route::ConnectionData => Some("Location"),
            Route::ListProjects
            | Route::GetProject { .. }
            | Route::CreateProject
            | Route::ListCollections
            | Route::GetCollection { .. } => Some("core"),
            Route::ListRepos { .. } | Route::GetRepo { .. } => Some("git"),
            Route::GetWorkItem { .. } | Route::CreateWorkItem { .. } => Some("wit"),
            Route::GitInfoRefs { .. } => None,
        }
    }

    /// Whether api-version rules apply (REST routes other than the OPTIONS listing).
    pub fn versioned(&self) -> bool {
        !matches!(self, Route::Locations { .. } | Route::GitInfoRefs { .. })
    }

    /// Whether the route answers anonymous callers (ResourceAreas allows anonymous, ado-facts 1.3).
    pub fn allows_anonymous(&self) -> bool {
        matches!(self, Route::ResourceAreas)
    }
}

/// Why no route matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Miss {
    /// A collection-level route at the deployment level: the URL lacks the collection.
    NoCollection,
    /// The first segment would be a collection, but no collection has that name.
    UnknownCollection {
        /// The segment as requested.
        segment: String,
    },
    /// Nothing at this path.
    Nothing,
}

/// The resolved request target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    /// Which host serves it.
    pub host: Host,
    /// The path relative to the host (after the collection, or after the virtual directory),
    /// percent-decoded, with a leading `/`. PAT scopes match against it.
    pub relative_path: String,
    /// The route, or why there is none.
    pub route: Result<Route, Miss>,
}

impl Target {
    /// The collection name if the host is a collection.
    pub fn collection(&self) -> Option<&str> {
        match &self.host {
            Host::Collection { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Resolves `path` (without query) for `method` against the profile.
pub fn resolve(profile: &Profile, method: &str, path: &str) -> Target {
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
    let mut rest: &[String] = &segments;
    if !profile.virtual_directory.is_empty() {
        match rest.split_first() {
            Some((first, tail)) if first.eq_ignore_ascii_case(&profile.virtual_directory) => rest = tail,
            _ => return Target { host: Host::Outside, relative_path: path.to_owned(), route: Err(Miss::Nothing) },
        }
    }
    let method = if method.eq_ignore_ascii_case("HEAD") { "GET" } else { method };
    let lowered: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lowered.iter().map(String::as_str).collect();
    if let Some((first, tail)) = rest.split_first()
        && let Some(c) = profile.collection(first)
    {
        let host = Host::Collection { name: c.name.clone(), stopped: c.stopped };
        let (segs, l) = (tail, &lower[1..]);
        let route = collection_route(method, segs, l).or_else(|| shared_route(method, segs, l)).ok_or(Miss::Nothing);
        return Target { host, relative_path: join(tail), route };
    }
    let route = deployment_route(method, rest, &lower)
        .or_else(|| shared_route(method, rest, &lower))
        .ok_or_else(|| miss(method, rest, &lower));
    Target { host: Host::Deployment, relative_path: join(rest), route }
}

fn miss(method: &str, rest: &[String], lower: &[&str]) -> Miss {
    if collection_route(method, rest, lower).is_some() {
        return Miss::NoCollection;
    }
    match rest.split_first() {
        Some((first, tail))
            if collection_route(method, tail, &lower[1..]).is_some()
                || shared_route(method, tail, &lower[1..]).is_some() =>
        {
            Miss::UnknownCollection { segment: first.clone() }
        }
        _ => Miss::Nothing,
    }
}

fn join(segments: &[String]) -> String {
    format!("/{}", segments.join("/"))
}

/// Routes both levels serve.
fn shared_route(method: &str, segs: &[String], l: &[&str]) -> Option<Route> {
    match (method, l) {
        ("OPTIONS", ["_apis"]) => Some(Route::Locations { area: None }),
        ("OPTIONS", ["_apis", _]) => Some(Route::Locations { area: Some(segs[1].clone()) }),
        ("GET", ["_apis", "resourceareas", ..]) => Some(Route::ResourceAreas),
        ("GET", ["_apis", "connectiondata"]) => Some(Route::ConnectionData),
        _ => None,
    }
}

fn deployment_route(method: &str, segs: &[String], l: &[&str]) -> Option<Route> {
    match (method, l) {
        ("GET", ["_apis", "projectcollections"]) => Some(Route::ListCollections),
        ("GET", ["_apis", "projectcollections", _]) => Some(Route::GetCollection { collection: segs[2].clone() }),
        _ => None,
    }
}

fn collection_route(method: &str, segs: &[String], l: &[&str]) -> Option<Route> {
    let s = |i: usize| segs[i].clone();
    match (method, l) {
        ("GET", ["_apis", "projects"]) => Some(Route::ListProjects),
        ("POST", ["_apis", "projects"]) => Some(Route::CreateProject),
        ("GET", ["_apis", "projects", _]) => Some(Route::GetProject { project: s(2) }),
        ("GET", ["_apis", "git", "repositories"]) => Some(Route::ListRepos { project: None }),
        ("GET", ["_apis", "git", "repositories", _]) => Some(Route::GetRepo { project: None, repo: s(3) }),
        ("GET", [_, "_apis", "git", "repositories"]) => Some(Route::ListRepos { project: Some(s(0)) }),
        ("GET", [_, "_apis", "git", "repositories", _]) => Some(Route::GetRepo { project: Some(s(0)), repo: s(4) }),
        ("GET", [_, "_git", _, "info", "refs"]) => Some(Route::GitInfoRefs { project: s(0), repo: s(2) }),
        ("GET", ["_apis", "wit", "workitems", _]) => Some(Route::GetWorkItem { project: None, id: s(3) }),
        ("GET", [_, "_apis", "wit", "workitems", _]) => Some(Route::GetWorkItem { project: Some(s(0)), id: s(4) }),
        ("POST" | "PATCH", [_, "_apis", "wit", "workitems", kind]) if kind.starts_with('$') => {
            Some(Route::CreateWorkItem { project: s(0), kind: segs[4][1..].to_owned() })
        }
        _ => None,
    }
}

/// Decodes `%XX` escapes (invalid escapes stay as written; invalid UTF-8 is replaced).
pub fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{DEFAULT_PROFILE, Profile};

    fn profile() -> Profile {
        Profile::from_toml_str(DEFAULT_PROFILE, "default", 0).unwrap()
    }

    #[test]
    fn resolves_hosts_and_routes() {
        let p = profile();
        let coll = Host::Collection { name: "DefaultCollection".into(), stopped: false };
        let cases: Vec<(&str, &str, Host, Result<Route, Miss>)> = vec![
            ("GET", "/tfs/DefaultCollection/_apis/projects", coll.clone(), Ok(Route::ListProjects)),
            ("GET", "/TFS/defaultcollection/_APIS/Projects/", coll.clone(), Ok(Route::ListProjects)),
            ("OPTIONS", "/tfs/defaultcollection/_apis", coll.clone(), Ok(Route::Locations { area: None })),
            (
                "GET",
                "/tfs/DefaultCollection/Fabrikam/_git/Tools/info/refs",
                coll.clone(),
                Ok(Route::GitInfoRefs { project: "Fabrikam".into(), repo: "Tools".into() }),
            ),
            (
                "POST",
                "/tfs/DefaultCollection/Fabrikam/_apis/wit/workitems/$Task",
                coll.clone(),
                Ok(Route::CreateWorkItem { project: "Fabrikam".into(), kind: "Task".into() }),
            ),
            (
                "GET",
                "/tfs/DefaultCollection/My%20Project/_apis/git/repositories",
                coll.clone(),
                Ok(Route::ListRepos { project: Some("My Project".into()) }),
            ),
            ("GET", "/tfs/_apis/projectCollections", Host::Deployment, Ok(Route::ListCollections)),
            ("GET", "/tfs/_apis/connectionData", Host::Deployment, Ok(Route::ConnectionData)),
            ("GET", "/tfs/_apis/projects", Host::Deployment, Err(Miss::NoCollection)),
            (
                "GET",
                "/tfs/Nope/_apis/projects",
                Host::Deployment,
                Err(Miss::UnknownCollection { segment: "Nope".into() }),
            ),
            (
                "GET",
                "/tfs/Nope/_apis/connectionData",
                Host::Deployment,
                Err(Miss::UnknownCollection { segment: "Nope".into() }),
            ),
            ("GET", "/tfs/_apis/nothing", Host::Deployment, Err(Miss::Nothing)),
            ("DELETE", "/tfs/DefaultCollection/_apis/projects", coll.clone(), Err(Miss::Nothing)),
            ("GET", "/DefaultCollection/_apis/projects", Host::Outside, Err(Miss::Nothing)),
        ];
        for (method, path, host, route) in cases {
            let t = resolve(&p, method, path);
            assert_eq!((t.host, t.route), (host, route), "{method} {path}");
        }
        assert_eq!(
            resolve(&p, "GET", "/tfs/DefaultCollection/Fabrikam/_apis/git/repositories").relative_path,
            "/Fabrikam/_apis/git/repositories"
        );
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%2"), "%2");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
    }

    proptest::proptest! {
        #[test]
        fn resolution_is_total(method in "[A-Z]{1,8}", path in "(/[\\PC]{0,10}){0,8}") {
            let p = profile();
            let t = resolve(&p, &method, &path);
            proptest::prop_assert!(t.relative_path.starts_with('/') || t.host == Host::Outside);
        }
    }
}
