//! Success bodies, shaped like the server's (only the fields clients read, plus ids and urls).

use md5::{Digest, Md5};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::locations::locations;
use super::route::Route;
use crate::auth::Principal;
use crate::profile::{Collection, Identity, Profile, Project, Repo, derived_id};

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
}

/// A REST response body.
pub struct RestResponse {
    /// HTTP status.
    pub status: u16,
    /// Content type.
    pub content_type: &'static str,
    /// Body bytes.
    pub body: Vec<u8>,
}

const JSON: &str = "application/json; charset=utf-8";

fn json_response(status: u16, value: &impl Serialize) -> RestResponse {
    RestResponse { status, content_type: JSON, body: serde_json::to_vec(value).unwrap_or_default() }
}

/// The server's collection wrapper, `{"count":N,"value":[...]}`.
#[derive(Serialize)]
struct List<T> {
    count: usize,
    value: Vec<T>,
}

fn list<T: Serialize>(value: Vec<T>) -> List<T> {
    List { count: value.len(), value }
}

/// A project reference as the projects routes serialize it (typed: the hot path).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectRef<'p> {
    id: Uuid,
    name: &'p str,
    url: String,
    state: &'static str,
    revision: u32,
    visibility: &'static str,
    last_update_time: &'static str,
}

/// A repository as the git routes serialize it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RepoRef<'p> {
    id: Uuid,
    name: &'p str,
    url: String,
    project: ProjectRef<'p>,
    default_branch: &'static str,
    size: u64,
    remote_url: String,
    web_url: String,
}

/// Serves an allowed route.
pub fn serve(profile: &Profile, route: &Route, ctx: &RestContext<'_>) -> RestResponse {
    let collection = ctx.collection.and_then(|c| profile.collection(c));
    let identity = ctx.principal.and_then(|p| profile.identity(&p.account));
    let base = base_url(profile, ctx, collection);
    match route {
        Route::Locations { area } => {
            let value = serde_json::to_value(locations(profile.release, collection.is_some(), area.as_deref()))
                .unwrap_or(Value::Null);
            let count = value.as_array().map_or(0, Vec::len);
            json_response(200, &json!({ "count": count, "value": value }))
        }
        Route::ResourceAreas => json_response(200, &json!({ "count": 0, "value": [] })),
        Route::ConnectionData => json_response(200, &connection_data(profile, ctx, collection, identity)),
        Route::ListProjects => {
            let values: Vec<_> = visible(collection, identity).map(|p| project_ref(&base, p)).collect();
            json_response(200, &list(values))
        }
        Route::GetProject { project } => match collection.and_then(|c| c.project(project)) {
            Some(p) => json_response(200, &project_detail(&base, p)),
            None => not_found(),
        },
        Route::CreateProject => {
            let id = Uuid::new_v4();
            json_response(202, &json!({ "id": id, "status": "queued", "url": format!("{base}/_apis/operations/{id}") }))
        }
        Route::ListRepos { project } => {
            let values: Vec<_> = visible(collection, identity)
                .filter(|p| {
                    project.as_ref().is_none_or(|name| p.name.eq_ignore_ascii_case(name) || p.id.to_string() == *name)
                })
                .flat_map(|p| p.repos.iter().map(|r| repo_json(&base, p, r)))
                .collect();
            json_response(200, &list(values))
        }
        Route::GetRepo { repo, .. } => match find_repo(collection, repo) {
            Some((p, r)) => json_response(200, &repo_json(&base, p, r)),
            None => not_found(),
        },
        Route::GitInfoRefs { repo, .. } => match find_repo(collection, repo) {
            Some((_, r)) => info_refs(r, ctx.query),
            None => not_found(),
        },
        Route::GetWorkItem { id, .. } => {
            let number: u32 = id.parse().unwrap_or(0);
            match collection.and_then(|c| c.projects.iter().find(|p| p.work_items.contains(&number))) {
                Some(p) => json_response(200, &work_item(&base, p, number, "Task")),
                None => not_found(),
            }
        }
        Route::CreateWorkItem { project, kind } => match collection.and_then(|c| c.project(project)) {
            Some(p) => {
                let next = collection
                    .map_or(1, |c| c.projects.iter().flat_map(|p| p.work_items.iter()).max().copied().unwrap_or(0) + 1);
                json_response(200, &work_item(&base, p, next, kind))
            }
            None => not_found(),
        },
        Route::ListCollections => {
            let values: Vec<Value> = profile
                .collections
                .iter()
                .filter(|c| identity.is_none_or(|i| i.is_server_admin() || i.is_valid_user_of(&c.name)))
                .map(|c| collection_json(&base, c))
                .collect();
            json_response(200, &list(values))
        }
        Route::GetCollection { collection: name } => {
            match profile.collection(name).or_else(|| profile.collections.iter().find(|c| c.id.to_string() == *name)) {
                Some(c) => json_response(200, &collection_json(&base, c)),
                None => not_found(),
            }
        }
    }
}

fn not_found() -> RestResponse {
    RestResponse { status: 404, content_type: "text/plain; charset=utf-8", body: b"Page not found.".to_vec() }
}

fn base_url(profile: &Profile, ctx: &RestContext<'_>, collection: Option<&Collection>) -> String {
    let mut base = ctx.origin.trim_end_matches('/').to_owned();
    if !profile.virtual_directory.is_empty() {
        base = format!("{base}/{}", profile.virtual_directory);
    }
    match collection {
        Some(c) => format!("{base}/{}", c.name),
        None => base,
    }
}

fn visible<'p>(
    collection: Option<&'p Collection>,
    identity: Option<&'p Identity>,
) -> impl Iterator<Item = &'p Project> {
    collection.into_iter().flat_map(move |c| {
        c.projects.iter().filter(move |p| identity.is_some_and(|i| i.can_see_project(&c.name, &p.name)))
    })
}

fn find_repo<'p>(collection: Option<&'p Collection>, repo: &str) -> Option<(&'p Project, &'p Repo)> {
    collection?.projects.iter().find_map(|p| p.repo(repo).map(|r| (p, r)))
}

fn project_ref<'p>(base: &str, p: &'p Project) -> ProjectRef<'p> {
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
    value["defaultTeam"] = json!({
        "id": derived_id(&["team", &p.id.to_string()]),
        "name": format!("{} Team", p.name),
        "url": format!("{base}/_apis/projects/{}/teams/{}", p.id, derived_id(&["team", &p.id.to_string()])),
    });
    value["_links"] = json!({ "self": { "href": format!("{base}/_apis/projects/{}", p.id) } });
    value
}

fn repo_json<'p>(base: &str, p: &'p Project, r: &'p Repo) -> RepoRef<'p> {
    RepoRef {
        id: r.id,
        name: &r.name,
        url: format!("{base}/{}/_apis/git/repositories/{}", p.id, r.id),
        project: project_ref(base, p),
        default_branch: "refs/heads/main",
        size: 0,
        remote_url: format!("{base}/{}/_git/{}", p.name, r.name),
        web_url: format!("{base}/{}/_git/{}", p.name, r.name),
    }
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

fn collection_json(base: &str, c: &Collection) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "url": format!("{base}/_apis/projectCollections/{}", c.id),
        "state": if c.stopped { "Stopped" } else { "Started" },
    })
}

fn identity_json(identity: Option<&Identity>) -> Value {
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

fn connection_data(
    profile: &Profile,
    ctx: &RestContext<'_>,
    collection: Option<&Collection>,
    identity: Option<&Identity>,
) -> Value {
    let user = identity_json(identity);
    let deployment = derived_id(&["deployment"]);
    let vdir =
        if profile.virtual_directory.is_empty() { "/".to_owned() } else { format!("/{}/", profile.virtual_directory) };
    json!({
        "authenticatedUser": user,
        "authorizedUser": user,
        "instanceId": collection.map_or(deployment, |c| c.id),
        "deploymentId": deployment,
        "deploymentType": "onPremises",
        "locationServiceData": {
            "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
            "defaultAccessMappingMoniker": "PublicAccessMapping",
            "lastChangeId": 1,
            "lastChangeId64": 1,
        },
        "webApplicationRelativeDirectory": vdir,
        "origin": ctx.origin,
    })
}

fn info_refs(repo: &Repo, query: Option<&str>) -> RestResponse {
    let service =
        query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("service="))).unwrap_or("git-upload-pack");
    let service = if service == "git-receive-pack" { "git-receive-pack" } else { "git-upload-pack" };
    let sha = commit_sha(repo);
    let mut body = Vec::new();
    pkt(&mut body, &format!("# service={service}\n"));
    body.extend_from_slice(b"0000");
    pkt(
        &mut body,
        &format!(
            "{sha} HEAD\0multi_ack thin-pack side-band side-band-64k ofs-delta shallow no-progress include-tag symref=HEAD:refs/heads/main\n"
        ),
    );
    pkt(&mut body, &format!("{sha} refs/heads/main\n"));
    body.extend_from_slice(b"0000");
    let content_type = if service == "git-receive-pack" {
        "application/x-git-receive-pack-advertisement"
    } else {
        "application/x-git-upload-pack-advertisement"
    };
    RestResponse { status: 200, content_type, body }
}

fn pkt(out: &mut Vec<u8>, line: &str) {
    out.extend_from_slice(format!("{:04x}", line.len() + 4).as_bytes());
    out.extend_from_slice(line.as_bytes());
}

fn commit_sha(repo: &Repo) -> String {
    let a = Md5::digest(repo.id.as_bytes());
    let b = Md5::digest(a);
    a.iter().chain(b.iter()).take(20).map(|x| format!("{x:02x}")).collect()
}
