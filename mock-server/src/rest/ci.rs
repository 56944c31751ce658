//! Bodies of the build, release, pipelines, agent-pool and gallery routes.
//!
//! Profiles describe collections, projects and repositories only; the rest is derived from them
//! the way a fresh install looks: one build definition (and pipeline) per repository, the
//! `Default` agent pool (id 1) with one online agent named after the server's computer, a
//! `Default` queue per project, no release pipelines run yet. docs/REST-SURFACE.md says so.

use serde_json::{Value, json};
use uuid::Uuid;

use super::bodies::{Scope, identity_json, json, list, project_ref};
use super::route::Route;
use super::table::BodyKind;
use super::{RestContext, RestResponse};
use crate::profile::{Project, Repo, derived_id};

/// The id of the one build definition of `repo` (1-based position in the project).
fn definitions(p: &Project) -> impl Iterator<Item = (u32, &Repo)> {
    p.repos.iter().zip(1u32..).map(|(r, i)| (i, r))
}

fn definition(base: &str, p: &Project, id: u32, r: &Repo) -> Value {
    json!({
        "id": id,
        "name": format!("{} CI", r.name),
        "path": "\\",
        "type": "build",
        "queueStatus": "enabled",
        "revision": 1,
        "url": format!("{base}/{}/_apis/build/Definitions/{id}", p.id),
        "project": project_ref(base, p),
        "repository": { "id": r.id, "name": r.name, "type": "TfsGit", "defaultBranch": "refs/heads/main" },
    })
}

fn build(s: &Scope<'_>, p: &Project, id: u32, status: &str) -> Value {
    let base = s.base.as_str();
    let (def_id, repo) = definitions(p).nth((id.max(1) as usize - 1) % p.repos.len().max(1)).unzip();
    json!({
        "id": id,
        "buildNumber": format!("20240101.{id}"),
        "status": status,
        "result": if status == "completed" { Some("succeeded") } else { None },
        "queueTime": "2024-01-01T00:00:00Z",
        "url": format!("{base}/{}/_apis/build/Builds/{id}", p.id),
        "definition": def_id.zip(repo).map(|(d, r)| json!({ "id": d, "name": format!("{} CI", r.name) })),
        "project": project_ref(base, p),
        "queue": { "id": 1, "name": "Default", "pool": { "id": 1, "name": "Default" } },
        "requestedFor": identity_json(s.identity),
        "sourceBranch": "refs/heads/main",
    })
}

fn pool(base: &str) -> Value {
    json!({
        "id": 1,
        "name": "Default",
        "isHosted": false,
        "poolType": "automation",
        "size": 1,
        "url": format!("{base}/_apis/distributedtask/pools/1"),
    })
}

/// Serves the build, release, pipelines, distributedtask and gallery bodies.
pub(super) fn serve(s: &Scope<'_>, route: &Route, ctx: &RestContext<'_>) -> RestResponse {
    let base = s.base.as_str();
    let project = s.project(route);
    let id: u32 = route.param("id").and_then(|v| v.parse().ok()).unwrap_or(1);
    let per_project = |f: &dyn Fn(&Project) -> Vec<Value>| list(project.map(f).unwrap_or_default());
    match route.body() {
        BodyKind::BuildDefinitions => json(
            route,
            &per_project(&|p| definitions(p).map(|(i, r)| definition(base, p, i, r)).collect()),
        ),
        BodyKind::BuildDefinition => {
            let found = project.and_then(|p| definitions(p).find(|(i, _)| *i == id).map(|(i, r)| definition(base, p, i, r)));
            json(route, &found)
        }
        BodyKind::Builds => json(route, &per_project(&|p| definitions(p).map(|(i, _)| build(s, p, i, "completed")).collect())),
        BodyKind::Build => json(route, &project.map(|p| build(s, p, id, "completed"))),
        BodyKind::QueuedBuild => {
            let next = project.map_or(1, |p| p.repos.len() as u32 + 1);
            json(route, &project.map(|p| build(s, p, next, "notStarted")))
        }
        BodyKind::ReleaseDefinitions => json(route, &list(Vec::<Value>::new())),
        BodyKind::Pools => json(route, &list(vec![pool(base)])),
        BodyKind::Pool => json(route, &pool(base)),
        BodyKind::Agents => {
            let computer = &s.profile.ntlm.computer;
            let agent = json!({ "id": 1, "name": computer, "version": "2.220.0", "status": "online", "enabled": true });
            json(route, &list(vec![agent]))
        }
        BodyKind::Queues => json(
            route,
            &list(
                project
                    .map(|p| json!({ "id": 1, "name": "Default", "projectId": p.id, "pool": { "id": 1, "name": "Default" } }))
                    .into_iter()
                    .collect(),
            ),
        ),
        BodyKind::Pipelines => json(
            route,
            &per_project(&|p| {
                definitions(p)
                    .map(|(i, r)| json!({ "id": i, "name": format!("{} CI", r.name), "folder": "\\", "revision": 1, "url": format!("{base}/{}/_apis/pipelines/{i}", p.id) }))
                    .collect()
            }),
        ),
        BodyKind::Runs => json(route, &list(Vec::<Value>::new())),
        BodyKind::RunCreated => json(
            route,
            &json!({ "id": 1, "name": "20240101.1", "state": "inProgress", "pipeline": { "id": id }, "createdDate": "2024-01-01T00:00:00Z" }),
        ),
        BodyKind::Extension => json(route, &extension(route, ctx)),
        other => json(route, &json!({ "message": format!("no body for {other:?}") })),
    }
}

/// A `PublishedExtension` for the gallery routes. The version tfx prints comes from the
/// uploaded package's manifest when it can be found, else 1.0.0; the mock keeps no gallery.
fn extension(route: &Route, ctx: &RestContext<'_>) -> Value {
    let publisher = route.param("publisher").unwrap_or("publisher");
    let name = route.param("extension").unwrap_or("extension");
    let version = version_in(ctx.body).unwrap_or_else(|| "1.0.0".to_owned());
    json!({
        "extensionId": derived_id(&["extension", publisher, name]),
        "extensionName": name,
        "displayName": name,
        "flags": "validated, private",
        "publisher": { "publisherId": derived_id(&["publisher", publisher]), "publisherName": publisher, "displayName": publisher },
        "versions": [{
            "version": version,
            "flags": "validated",
            "lastUpdated": "2024-01-01T00:00:00Z",
            "validationResultMessage": null,
        }],
        "lastUpdated": "2024-01-01T00:00:00Z",
        "sharedWith": [],
        "id": Uuid::nil(),
    })
}

/// The `Version="..."` of a VSIX manifest inside an uploaded package (stored, not compressed,
/// entries only: tfx compresses, so this usually finds nothing).
fn version_in(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let at = text.find("<Identity ")?;
    let rest = &text[at..text.len().min(at + 400)];
    let v = rest.split("Version=\"").nth(1)?;
    Some(v.split('"').next()?.to_owned())
}
