//! Path resolution: which host (deployment or collection) and which route a request names.
//!
//! Mirrors the server's `OnPremHostResolver` (ado-facts 1.2): the first segment after the
//! virtual directory is looked up as a collection; anything else is served by the deployment
//! host, where collection-level routes do not exist.

use serde::Serialize;
use std::borrow::Cow;

use super::table::{BodyKind, Part, Permission, RouteRow, table};
use crate::profile::{Profile, Release};

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

/// A matched route: its row in `data/routes.toml` and the path's captured values.
#[derive(Clone, Debug, Serialize)]
pub struct Route {
    /// The row's name, e.g. `build.builds.queue`.
    #[serde(rename = "route")]
    pub name: &'static str,
    /// The captured path values, in template order (`project`, `repo`, `id`, ...).
    pub params: Vec<(&'static str, String)>,
    #[serde(skip)]
    row: &'static RouteRow,
}

impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.params == other.params
    }
}

impl Eq for Route {}

impl Route {
    /// The route's row.
    pub fn row(&self) -> &'static RouteRow {
        self.row
    }

    /// A captured value (`project`, `repo`, `id`, ...).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    /// The REST area, used for resource locations; `None` outside the location service (git).
    pub fn area(&self) -> Option<&'static str> {
        self.row.resource().map(|r| r.area.as_str())
    }

    /// Whether api-version rules apply (REST routes other than the OPTIONS listing).
    pub fn versioned(&self) -> bool {
        self.row.versioned
    }

    /// Whether the route answers anonymous callers (ResourceAreas allows anonymous, ado-facts 1.3).
    pub fn allows_anonymous(&self) -> bool {
        self.row.anonymous
    }

    /// The status an allowed request gets (the row's, the only source).
    pub fn status(&self) -> u16 {
        self.row.status
    }

    /// The permission check.
    pub fn permission(&self) -> Permission {
        self.row.permission
    }

    /// The body.
    pub fn body(&self) -> BodyKind {
        self.row.body
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
    let segments: Vec<Cow<'_, str>> = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
    let mut rest: &[Cow<'_, str>] = &segments;
    if !profile.virtual_directory.is_empty() {
        match rest.split_first() {
            Some((first, tail)) if first.eq_ignore_ascii_case(&profile.virtual_directory) => rest = tail,
            _ => return Target { host: Host::Outside, relative_path: path.to_owned(), route: Err(Miss::Nothing) },
        }
    }
    let method = if method.eq_ignore_ascii_case("HEAD") { "GET" } else { method };
    let release = profile.release;
    if let Some((first, tail)) = rest.split_first()
        && let Some(c) = profile.collection(first)
    {
        let host = Host::Collection { name: c.name.clone(), stopped: c.stopped };
        let route = find(release, method, tail, true).ok_or(Miss::Nothing);
        return Target { host, relative_path: join(tail), route };
    }
    let route = find(release, method, rest, false).ok_or_else(|| miss(release, method, rest));
    Target { host: Host::Deployment, relative_path: join(rest), route }
}

fn miss(release: Release, method: &str, rest: &[Cow<'_, str>]) -> Miss {
    if find(release, method, rest, true).is_some() {
        return Miss::NoCollection;
    }
    match rest.split_first() {
        Some((first, tail)) if find(release, method, tail, true).is_some() => {
            Miss::UnknownCollection { segment: first.to_string() }
        }
        _ => Miss::Nothing,
    }
}

fn join(segments: &[Cow<'_, str>]) -> String {
    let mut path = String::with_capacity(segments.iter().map(|s| s.len() + 1).sum::<usize>().max(1));
    for segment in segments {
        path.push('/');
        path.push_str(segment);
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

/// The first route of the release at this level whose method and path match.
fn find(release: Release, method: &str, segs: &[Cow<'_, str>], collection: bool) -> Option<Route> {
    table().routes.iter().filter(|row| row.level().includes(collection) && row.exists_on(release)).find_map(|row| {
        if !row.methods.iter().any(|m| m.eq_ignore_ascii_case(method)) {
            return None;
        }
        let params = row.templates().iter().find_map(|template| capture(template, segs))?;
        Some(Route { name: row.name.as_str(), params, row })
    })
}

/// Matches one template against the segments, returning the captures.
fn capture(template: &'static [Part], segs: &[Cow<'_, str>]) -> Option<Vec<(&'static str, String)>> {
    let rest = matches!(template.last(), Some(Part::Rest(_)));
    if (!rest && template.len() != segs.len()) || (rest && template.len() - 1 > segs.len()) {
        return None;
    }
    let mut params = Vec::new();
    for (i, part) in template.iter().enumerate() {
        match part {
            Part::Rest(name) => params.push((name.as_str(), segs[i..].join("/"))),
            Part::Dollar(name) => params.push((name.as_str(), segs[i].strip_prefix('$')?.to_owned())),
            // git clients (and git-lfs) may name a repository with a `.git` suffix.
            Part::One(name) if name == "repo" => {
                params.push((name.as_str(), segs[i].strip_suffix(".git").unwrap_or(&segs[i]).to_owned()))
            }
            Part::One(name) => params.push((name.as_str(), segs[i].to_string())),
            Part::Literal(text) if text.eq_ignore_ascii_case(&segs[i]) => {}
            Part::Literal(_) => return None,
        }
    }
    Some(params)
}

/// Decodes `%XX` escapes (invalid escapes stay as written; invalid UTF-8 is replaced). A text
/// without `%` is borrowed as it is.
pub fn percent_decode(segment: &str) -> Cow<'_, str> {
    if !segment.contains('%') {
        return Cow::Borrowed(segment);
    }
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
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{DEFAULT_PROFILE, Profile};

    fn profile() -> Profile {
        Profile::from_toml_str(DEFAULT_PROFILE, "default", 0).unwrap()
    }

    /// `name(k=v,...)` of a resolution, for compact expectations.
    fn show(route: &Result<Route, Miss>) -> String {
        match route {
            Ok(r) => {
                let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{}({})", r.name, params.join(","))
            }
            Err(miss) => format!("{miss:?}"),
        }
    }

    #[test]
    fn resolves_hosts_and_routes() {
        let p = profile();
        let coll = Host::Collection { name: "DefaultCollection".into(), stopped: false };
        let cases: Vec<(&str, &str, Host, &str)> = vec![
            ("GET", "/tfs/DefaultCollection/_apis/projects", coll.clone(), "core.projects.list()"),
            ("GET", "/TFS/defaultcollection/_APIS/Projects/", coll.clone(), "core.projects.list()"),
            ("OPTIONS", "/tfs/defaultcollection/_apis", coll.clone(), "locations()"),
            ("OPTIONS", "/tfs/DefaultCollection/_apis/git", coll.clone(), "locations(area=git)"),
            (
                "GET",
                "/tfs/DefaultCollection/Fabrikam/_git/Tools/info/refs",
                coll.clone(),
                "git.info-refs(project=Fabrikam,repo=Tools)",
            ),
            (
                "POST",
                "/tfs/DefaultCollection/Fabrikam/_git/Tools.git/info/lfs/objects/batch",
                coll.clone(),
                "git.lfs.batch(project=Fabrikam,repo=Tools)",
            ),
            (
                "POST",
                "/tfs/DefaultCollection/Fabrikam/_apis/wit/workitems/$Task",
                coll.clone(),
                "wit.workitems.create(project=Fabrikam,type=Task)",
            ),
            (
                "GET",
                "/tfs/DefaultCollection/My%20Project/_apis/git/repositories",
                coll.clone(),
                "git.repositories.list(project=My Project)",
            ),
            (
                "GET",
                "/tfs/DefaultCollection/Fabrikam/_apis/git/repositories/Tools/refs/heads/main",
                coll.clone(),
                "git.refs.list(project=Fabrikam,repo=Tools,filter=heads/main)",
            ),
            (
                "POST",
                "/tfs/DefaultCollection/Fabrikam/_apis/build/builds",
                coll.clone(),
                "build.builds.queue(project=Fabrikam)",
            ),
            ("GET", "/tfs/_apis/distributedtask/pools", Host::Deployment, "distributedtask.pools.list()"),
            ("GET", "/tfs/DefaultCollection/_apis/distributedtask/pools", coll.clone(), "distributedtask.pools.list()"),
            (
                "GET",
                "/tfs/_apis/gallery/publishers/contoso/extensions/tools",
                Host::Deployment,
                "gallery.extensions.get(publisher=contoso,extension=tools)",
            ),
            ("GET", "/tfs/_apis/resourceAreas", Host::Deployment, "location.resource-areas(areaId=)"),
            ("GET", "/tfs/_apis/projectCollections", Host::Deployment, "core.collections.list()"),
            ("GET", "/tfs/_apis/connectionData", Host::Deployment, "location.connection-data()"),
            ("GET", "/tfs/_apis/projects", Host::Deployment, "NoCollection"),
            ("POST", "/tfs/DefaultCollection/_apis/gallery/extensions", coll.clone(), "Nothing"),
            ("GET", "/tfs/Nope/_apis/projects", Host::Deployment, "UnknownCollection { segment: \"Nope\" }"),
            ("GET", "/tfs/Nope/_apis/connectionData", Host::Deployment, "UnknownCollection { segment: \"Nope\" }"),
            ("GET", "/tfs/_apis/nothing", Host::Deployment, "Nothing"),
            ("DELETE", "/tfs/DefaultCollection/_apis/projects", coll.clone(), "Nothing"),
            ("GET", "/DefaultCollection/_apis/projects", Host::Outside, "Nothing"),
        ];
        for (method, path, host, route) in cases {
            let t = resolve(&p, method, path);
            assert_eq!((t.host, show(&t.route)), (host, route.to_owned()), "{method} {path}");
        }
        assert_eq!(
            resolve(&p, "GET", "/tfs/DefaultCollection/Fabrikam/_apis/git/repositories").relative_path,
            "/Fabrikam/_apis/git/repositories"
        );
    }

    /// Each release has only the routes of the resources it had (data/resources.toml `since`).
    #[test]
    fn routes_follow_the_release() {
        let mut p = profile();
        let pipelines = "/tfs/DefaultCollection/Fabrikam/_apis/pipelines";
        let areas = "/tfs/DefaultCollection/_apis/ResourceAreas";
        for (release, has_pipelines, has_areas) in [
            (Release::Tfs2017u1, false, false),
            (Release::Tfs2017u2, false, true),
            (Release::Ads2019u1, false, true),
            (Release::Ads2020, true, true),
        ] {
            p.release = release;
            assert_eq!(resolve(&p, "GET", pipelines).route.is_ok(), has_pipelines, "{release}");
            assert_eq!(resolve(&p, "GET", areas).route.is_ok(), has_areas, "{release}");
        }
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
