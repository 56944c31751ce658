//! JSON bodies of allowed requests, shaped like the server's (the fields clients read, plus ids
//! and urls), built from the profile. The status is always the route row's.

use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::ci;
use super::locations::locations;
use super::route::Route;
use super::table::BodyKind;
use super::{RestContext, RestResponse};
use crate::profile::{Collection, Identity, Profile, Project, Repo, derived_id};

/// The server's collection wrapper, `{"count":N,"value":[...]}`.
#[derive(Serialize)]
pub(super) struct List<T> {
    count: usize,
    value: Vec<T>,
}

/// Wraps values in the collection wrapper.
pub(super) fn list<T: Serialize>(value: Vec<T>) -> List<T> {
    List { count: value.len(), value }
}

/// What every body needs: the profile, the request's collection and caller, the base URL.
pub(super) struct Scope<'a> {
    pub profile: &'a Profile,
    pub collection: Option<&'a Collection>,
    pub identity: Option<&'a Identity>,
    /// `origin[/vdir][/collection]`.
    pub base: String,
}

impl<'a> Scope<'a> {
    pub(super) fn new(profile: &'a Profile, ctx: &RestContext<'_>) -> Self {
        let collection = ctx.collection.and_then(|c| profile.collection(c));
        let identity = ctx.principal.and_then(|p| profile.identity(&p.account));
        let mut base = ctx.origin.trim_end_matches('/').to_owned();
        if !profile.virtual_directory.is_empty() {
            base = format!("{base}/{}", profile.virtual_directory);
        }
        if let Some(c) = collection {
            base = format!("{base}/{}", c.name);
        }
        Self { profile, collection, identity, base }
    }

    /// Projects of the collection the caller can see.
    pub(super) fn visible(&self) -> impl Iterator<Item = &'a Project> + use<'a> {
        let (collection, identity) = (self.collection, self.identity);
        collection.into_iter().flat_map(move |c| {
            c.projects.iter().filter(move |p| identity.is_some_and(|i| i.can_see_project(&c.name, &p.name)))
        })
    }

    /// The project the route names (or the first visible one).
    pub(super) fn project(&self, route: &Route) -> Option<&'a Project> {
        match route.param("project") {
            Some(name) => self.collection?.project(name),
            None => self.visible().next(),
        }
    }

    /// The repository the route names, with its project.
    pub(super) fn repo(&self, route: &Route) -> Option<(&'a Project, &'a Repo)> {
        let name = route.param("repo")?;
        let c = self.collection?;
        match route.param("project").and_then(|p| c.project(p)) {
            Some(p) => p.repo(name).map(|r| (p, r)),
            None => c.projects.iter().find_map(|p| p.repo(name).map(|r| (p, r))),
        }
    }
}

const JSON: &str = "application/json; charset=utf-8";

/// A JSON answer with the route row's status.
pub(super) fn json(route: &Route, value: &impl Serialize) -> RestResponse {
    RestResponse::new(route.status(), JSON, serde_json::to_vec(value).unwrap_or_default())
}

/// Serves a JSON route (every body kind but git's own, which rest/git.rs answers).
pub(super) fn serve(profile: &Profile, route: &Route, ctx: &RestContext<'_>) -> RestResponse {
    let s = Scope::new(profile, ctx);
    let base = s.base.as_str();
    match route.body() {
        BodyKind::Locations => {
            let value = locations(profile.release, s.collection.is_some(), route.param("area"));
            json(route, &list(value))
        }
        BodyKind::ResourceAreas => json(route, &list(Vec::<Value>::new())),
        BodyKind::ConnectionData => json(route, &connection_data(&s, ctx)),
        BodyKind::Projects => json(route, &list(s.visible().map(|p| project_ref(base, p)).collect())),
        BodyKind::Project => match s.project(route) {
            Some(p) => json(route, &project_detail(base, p)),
            None => json(route, &Value::Null),
        },
        BodyKind::ProjectOperation => {
            let id = Uuid::new_v4();
            json(route, &json!({ "id": id, "status": "queued", "url": format!("{base}/_apis/operations/{id}") }))
        }
        BodyKind::Collections => {
            let values: Vec<Value> = profile
                .collections
                .iter()
                .filter(|c| s.identity.is_none_or(|i| i.is_server_admin() || i.is_valid_user_of(&c.name)))
                .map(|c| collection_json(base, c))
                .collect();
            json(route, &list(values))
        }
        BodyKind::Collection => {
            let name = route.param("collection").unwrap_or_default();
            let c = profile.collection(name).or_else(|| profile.collections.iter().find(|c| c.id.to_string() == name));
            json(route, &c.map(|c| collection_json(base, c)))
        }
        BodyKind::Repositories => {
            let asked = route.param("project");
            let values: Vec<_> = s
                .visible()
                .filter(|p| asked.is_none_or(|name| p.name.eq_ignore_ascii_case(name) || p.id.to_string() == name))
                .flat_map(|p| p.repos.iter().map(move |r| repo_json(base, p, r)))
                .collect();
            json(route, &list(values))
        }
        BodyKind::Repository => json(route, &s.repo(route).map(|(p, r)| repo_json(base, p, r))),
        BodyKind::Pushes | BodyKind::PullRequests => json(route, &list(Vec::<Value>::new())),
        BodyKind::PushCreated => json(route, &json!({ "pushId": 1, "date": "2024-01-01T00:00:00Z", "refUpdates": [] })),
        BodyKind::PullRequestCreated => json(route, &json!({ "pullRequestId": 1, "status": "active" })),
        BodyKind::WorkItem => {
            let number: u32 = route.param("id").and_then(|id| id.parse().ok()).unwrap_or(0);
            let owner = s.collection.and_then(|c| c.projects.iter().find(|p| p.work_items.contains(&number)));
            json(route, &owner.map(|p| work_item(base, p, number, "Task")))
        }
        BodyKind::WorkItemCreated => {
            let next = s
                .collection
                .map_or(1, |c| c.projects.iter().flat_map(|p| p.work_items.iter()).max().copied().unwrap_or(0) + 1);
            let kind = route.param("type").unwrap_or("Task");
            json(route, &s.project(route).map(|p| work_item(base, p, next, kind)))
        }
        BodyKind::Wiql => json(route, &wiql(&s, route)),
        BodyKind::WorkItemsBatch => {
            let items: Vec<Value> =
                s.visible().flat_map(|p| p.work_items.iter().map(move |id| work_item(base, p, *id, "Task"))).collect();
            json(route, &list(items))
        }
        BodyKind::TfvcItems => {
            let items: Vec<Value> = s
                .project(route)
                .map(|p| json!({ "path": format!("$/{}", p.name), "isFolder": true, "version": 1, "url": format!("{base}/_apis/tfvc/items/$/{}", p.name) }))
                .into_iter()
                .collect();
            json(route, &list(items))
        }
        _ => ci::serve(&s, route, ctx),
    }
}

/// A project reference as the projects routes serialize it (typed: the hot path).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ProjectRef<'p> {
    id: Uuid,
    name: &'p str,
    url: String,
    state: &'static str,
    revision: u32,
    visibility: &'static str,
    last_update_time: &'static str,
}

pub(super) fn project_ref<'p>(base: &str, p: &'p Project) -> ProjectRef<'p> {
    ProjectRef {
        id: p.id,
        name: &p.name,
        url: format!("{base}/_apis/projects/{}", p.id),
        state: "wellFormed",
        revision: 1,
        visibility: "private",
        last_update_time: "2024-01-01T00:00:00Z",
    }
}

fn project_detail(base: &str, p: &Project) -> Value {
    let mut value = serde_json::to_value(project_ref(base, p)).unwrap_or(Value::Null);
    let team = derived_id(&["team", &p.id.to_string()]);
    value["defaultTeam"] = json!({
        "id": team,
        "name": format!("{} Team", p.name),
        "url": format!("{base}/_apis/projects/{}/teams/{team}", p.id),
    });
    value["_links"] = json!({ "self": { "href": format!("{base}/_apis/projects/{}", p.id) } });
    value
}

pub(super) fn repo_json(base: &str, p: &Project, r: &Repo) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "url": format!("{base}/{}/_apis/git/repositories/{}", p.id, r.id),
        "project": project_ref(base, p),
        "defaultBranch": "refs/heads/main",
        "size": 0,
        "remoteUrl": format!("{base}/{}/_git/{}", p.name, r.name),
        "webUrl": format!("{base}/{}/_git/{}", p.name, r.name),
    })
}

fn work_item(base: &str, p: &Project, id: u32, kind: &str) -> Value {
    json!({
        "id": id,
        "rev": 1,
        "fields": {
            "System.AreaPath": p.name,
            "System.TeamProject": p.name,
            "System.IterationPath": p.name,
            "System.WorkItemType": kind,
            "System.State": "New",
            "System.Title": format!("{kind} {id}"),
        },
        "url": format!("{base}/_apis/wit/workItems/{id}"),
    })
}

fn wiql(s: &Scope<'_>, route: &Route) -> Value {
    let projects: Vec<&Project> = match route.param("project") {
        Some(_) => s.project(route).into_iter().collect(),
        None => s.visible().collect(),
    };
    let refs: Vec<Value> = projects
        .iter()
        .flat_map(|p| p.work_items.iter())
        .map(|id| json!({ "id": id, "url": format!("{}/_apis/wit/workItems/{id}", s.base) }))
        .collect();
    json!({
        "queryType": "flat",
        "queryResultType": "workItem",
        "asOf": "2024-01-01T00:00:00Z",
        "columns": [{ "referenceName": "System.Id", "name": "ID" }],
        "workItems": refs,
    })
}

fn collection_json(base: &str, c: &Collection) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "url": format!("{base}/_apis/projectCollections/{}", c.id),
        "state": if c.stopped { "Stopped" } else { "Started" },
    })
}

pub(super) fn identity_json(identity: Option<&Identity>) -> Value {
    match identity {
        Some(i) => json!({
            "id": i.id,
            "descriptor": format!("System.Security.Principal.WindowsIdentity;{}", sid(i)),
            "providerDisplayName": i.display_name,
            "isActive": i.enabled,
            "properties": { "Account": { "$type": "System.String", "$value": i.account.to_string() } },
            "resourceVersion": 2,
            "metaTypeId": 0,
        }),
        None => json!({
            "id": "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
            "descriptor": "System:PublicAccess;aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
            "providerDisplayName": "Anonymous",
            "isActive": true,
            "properties": {},
        }),
    }
}

fn sid(i: &Identity) -> String {
    let b = i.id.as_bytes();
    let part = |k: usize| u32::from_le_bytes([b[k], b[k + 1], b[k + 2], b[k + 3]]);
    format!("S-1-5-21-{}-{}-{}-{}", part(0), part(4), part(8), 1000 + (part(12) % 9000))
}

/// `ConnectionData`; with `connectOptions=1` (IncludeServices, what the pipelines agent sends)
/// the location service data carries its (empty on premises) service definitions.
fn connection_data(s: &Scope<'_>, ctx: &RestContext<'_>) -> Value {
    let user = identity_json(s.identity);
    let deployment = derived_id(&["deployment"]);
    let vdir = if s.profile.virtual_directory.is_empty() {
        "/".to_owned()
    } else {
        format!("/{}/", s.profile.virtual_directory)
    };
    let mut location = json!({
        "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
        "defaultAccessMappingMoniker": "PublicAccessMapping",
        "lastChangeId": 1,
        "lastChangeId64": 1,
    });
    let options = ctx.query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("connectOptions=")));
    if options.is_some_and(|o| o == "1" || o.eq_ignore_ascii_case("IncludeServices")) {
        location["serviceDefinitions"] = json!([]);
        location["accessMappings"] = json!([{ "moniker": "PublicAccessMapping", "displayName": "Public Access Mapping", "accessPoint": ctx.origin }]);
    }
    json!({
        "authenticatedUser": user,
        "authorizedUser": user,
        "instanceId": s.collection.map_or(deployment, |c| c.id),
        "deploymentId": deployment,
        "deploymentType": "onPremises",
        "locationServiceData": location,
        "webApplicationRelativeDirectory": vdir,
    })
}
