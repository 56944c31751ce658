//! Layers 5 to 7: the route exists, the api-version fits the release, the caller may use the
//! resource the route names.

use super::answers;
use super::decision::{Answer, Body, Decision, Layer, Principal};
use super::describe::printable;
use super::facts::RequestFacts;
use super::reason::Reason;
use super::service_errors;
use crate::profile::{Collection, Identity, Profile};
use crate::rest::route::{Miss, Route};
use crate::rest::table::Permission;

/// Layer 5: the path names a route at this level.
pub(super) fn route<'f>(profile: &Profile, facts: &'f RequestFacts) -> Result<&'f Route, Decision> {
    let miss = match &facts.target.route {
        Ok(route) => return Ok(route),
        Err(miss) => miss,
    };
    let path = printable(&facts.path, 200);
    let vdir =
        if profile.virtual_directory.is_empty() { String::new() } else { format!("/{}", profile.virtual_directory) };
    let names: Vec<&str> = profile.collections.iter().map(|c| c.name.as_str()).collect();
    let (reason, explanation, hint) = match miss {
        Miss::NoCollection => (
            Reason::UrlNoCollection,
            format!(
                "{} {path} is a collection-level API called at the deployment level: the URL has no collection, so no route matches (404)",
                facts.method
            ),
            format!(
                "use the collection URL: {vdir}/{}/_apis/...",
                names.first().copied().unwrap_or("DefaultCollection")
            ),
        ),
        Miss::UnknownCollection { segment } => (
            Reason::UrlUnknownCollection,
            format!(
                "'{}' is not a collection of this server (collections: {}), so the deployment level serves {path} and has no such route (404)",
                printable(segment, 64),
                names.join(", ")
            ),
            "check the collection name in the URL (it is matched case-insensitively)".to_owned(),
        ),
        Miss::Nothing => (
            Reason::RouteNotFound,
            format!("no route for {} {path} on this server (404)", facts.method),
            "check the path against the REST API reference for this release".to_owned(),
        ),
    };
    Err(Decision::new(Layer::Route, reason, answers::error(404, service_errors::page_not_found()), explanation, hint))
}

/// Layer 6: the api-version against the release (400, never 401).
pub(super) fn api_version(profile: &Profile, facts: &RequestFacts, route: &Route) -> Result<(), Decision> {
    if !route.versioned() {
        return Ok(());
    }
    let release = profile.release;
    let ceiling = release.api_ceiling();
    let refuse = |reason, status, error, explanation: String, hint: String| {
        Err(Decision::new(Layer::ApiVersion, reason, answers::error(status, error), explanation, hint))
    };
    let Some(fact) = &facts.api_version else {
        if matches!(facts.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE") {
            return refuse(
                Reason::ApiVersionMissing,
                400,
                service_errors::version_missing(&facts.method),
                format!("a {} without api-version: write requests must name one", facts.method),
                format!("add ?api-version={ceiling} (or Accept: application/json;api-version={ceiling})"),
            );
        }
        return Ok(());
    };
    let raw = printable(fact.raw.trim(), 40);
    let Some(version) = fact.parsed else {
        return refuse(
            Reason::ApiVersionMalformed,
            400,
            service_errors::version_malformed(&raw),
            format!("api-version '{raw}' (from the {}) is not {{Major}}.{{Minor}}[-preview[.N]]", source_name(fact)),
            format!("send a version such as {ceiling}"),
        );
    };
    if version.number() > ceiling.number() {
        let explanation = format!(
            "api-version {raw} (from the {}) is newer than {release} supports (latest {ceiling})",
            source_name(fact)
        );
        let hint = format!(
            "pin api-version {ceiling} or lower for {release}, or negotiate it from OPTIONS {{collection}}/_apis"
        );
        if release.unknown_version_is_404() {
            return refuse(
                Reason::ApiVersionOutOfRange,
                404,
                service_errors::page_not_found(),
                format!("{explanation}; this release answers 404 'Page not found.'"),
                hint,
            );
        }
        return refuse(
            Reason::ApiVersionOutOfRange,
            400,
            service_errors::version_out_of_range(&raw, &ceiling.to_string()),
            explanation,
            hint,
        );
    }
    let released = release.api_released();
    // Every release has released at least 1.0, so 1.0 never needs -preview.
    if !version.preview && version.number() > released.number() {
        return refuse(
            Reason::ApiVersionPreviewRequired,
            400,
            service_errors::preview_required(&raw),
            format!(
                "api-version {raw} is still preview on {release} (released: {released}) and was sent without -preview"
            ),
            format!("send {raw}-preview, or {released}"),
        );
    }
    Ok(())
}

fn source_name(fact: &super::facts::ApiVersionFact) -> &'static str {
    match fact.source {
        super::facts::VersionSource::Query => "query string",
        super::facts::VersionSource::Accept => "Accept header",
    }
}

/// Layer 7: the resource exists, the caller may see it, and may do what the route does
/// (the route row's `permission`, data/routes.toml).
pub(super) fn permission(
    profile: &Profile,
    facts: &RequestFacts,
    route: &Route,
    caller: Option<(&Principal, &Identity)>,
) -> Result<(), Decision> {
    let Some((principal, identity)) = caller else { return Ok(()) };
    let collection = facts.target.collection().and_then(|c| profile.collection(c));
    let project = route.param("project");
    match (route.permission(), collection) {
        (Permission::CreateProject, Some(c)) if !identity.is_admin_of(&c.name) => Err(Decision::new(
            Layer::Permission,
            Reason::PermissionDenied,
            answers::error(403, service_errors::insufficient_permissions(&principal.account, "Create new projects")),
            format!(
                "{} may not create projects in {}: that needs [{}]\\Project Collection Administrators",
                principal.account, c.name, c.name
            ),
            format!(
                "ask for membership of [{}]\\Project Collection Administrators (or the 'Create new projects' permission)",
                c.name
            ),
        )),
        (Permission::Project, Some(c)) => match project {
            Some(p) if route.name == "core.projects.get" => visible_project(c, identity, p, project_error(p)),
            Some(p) => visible_project(c, identity, p, service_errors::project_name_missing(p)),
            None => Ok(()),
        },
        (Permission::Repository, Some(c)) => repo_check(c, identity, project, route.param("repo").unwrap_or_default()),
        (Permission::WorkItem, Some(c)) => work_item(c, identity, project, route.param("id").unwrap_or_default()),
        (Permission::Collections, _) => collections(profile, principal, identity, route),
        (Permission::PublishExtension, _) => publish_extension(principal, identity),
        _ => Ok(()),
    }
}

/// Publishing to the server's own gallery (tfx `extension publish` at the deployment level)
/// needs server administration; the exact on-premises message is not in any source seen, so the
/// Access Denied form of the other instance-level permissions is used (docs/REST-SURFACE.md).
fn publish_extension(principal: &Principal, identity: &Identity) -> Result<(), Decision> {
    if identity.is_server_admin() {
        return Ok(());
    }
    Err(Decision::new(
        Layer::Permission,
        Reason::PermissionDenied,
        answers::error(403, service_errors::access_denied_privilege(&principal.display_name, "Publish extensions")),
        format!(
            "{} publishes an extension to this server's gallery, which needs [Team Foundation]\\Team Foundation Administrators",
            principal.account
        ),
        "ask a server administrator to publish it, or to add the account to Team Foundation Administrators",
    ))
}

fn project_error(name: &str) -> super::decision::ServiceError {
    if uuid::Uuid::parse_str(name).is_ok() {
        service_errors::project_id_missing(name)
    } else {
        service_errors::project_name_missing(name)
    }
}

fn not_found(reason: Reason, error: super::decision::ServiceError, explanation: String, hint: &str) -> Decision {
    let layer = if reason == Reason::PermissionHidden { Layer::Permission } else { Layer::Route };
    Decision::new(
        layer,
        reason,
        Answer::Tfs { status: 404, challenges: Vec::new(), body: Body::Error(error) },
        explanation,
        hint,
    )
}

fn visible_project(
    c: &Collection,
    identity: &Identity,
    name: &str,
    error: super::decision::ServiceError,
) -> Result<(), Decision> {
    let shown = printable(name, 64);
    match c.project(name) {
        None => Err(not_found(
            Reason::ResourceNotFound,
            error,
            format!("collection {} has no project '{shown}' (404)", c.name),
            "check the project name or id",
        )),
        Some(p) if !identity.can_see_project(&c.name, &p.name) => Err(not_found(
            Reason::PermissionHidden,
            error,
            format!(
                "project {} exists but {} is in none of its groups, so the server answers as if it did not exist (404)",
                p.name, identity.account
            ),
            "ask a project administrator to add the user to the project (e.g. Readers or Contributors)",
        )),
        Some(_) => Ok(()),
    }
}

fn repo_check(c: &Collection, identity: &Identity, project: Option<&str>, repo: &str) -> Result<(), Decision> {
    let shown = printable(repo, 64);
    let candidates: Vec<_> = match project {
        Some(name) => {
            visible_project(c, identity, name, service_errors::repo_missing(repo))?;
            c.project(name).into_iter().collect()
        }
        None => c.projects.iter().collect(),
    };
    let found = candidates.iter().find_map(|p| p.repo(repo).map(|r| (p, r)));
    match found {
        None => Err(not_found(
            Reason::ResourceNotFound,
            service_errors::repo_missing(repo),
            format!("no repository '{shown}' in {} (404)", c.name),
            "check the repository name",
        )),
        Some((p, _)) if !identity.can_see_project(&c.name, &p.name) => Err(not_found(
            Reason::PermissionHidden,
            service_errors::repo_missing(repo),
            format!("repository {shown} is in project {} which {} cannot see (404)", p.name, identity.account),
            "ask a project administrator to add the user to the project",
        )),
        Some(_) => Ok(()),
    }
}

fn work_item(c: &Collection, identity: &Identity, project: Option<&str>, id: &str) -> Result<(), Decision> {
    let shown = printable(id, 32);
    let missing = || {
        not_found(
            Reason::ResourceNotFound,
            service_errors::work_item_missing(&shown),
            format!("no work item {shown} in {} (404)", c.name),
            "check the work item id",
        )
    };
    let Ok(number) = id.parse::<u32>() else { return Err(missing()) };
    let owner = c.projects.iter().find(|p| p.work_items.contains(&number));
    match (owner, project) {
        (None, _) => Err(missing()),
        (Some(p), Some(asked)) if !p.name.eq_ignore_ascii_case(asked) && p.id.to_string() != asked => Err(missing()),
        (Some(p), _) if !identity.can_see_project(&c.name, &p.name) => Err(not_found(
            Reason::PermissionHidden,
            service_errors::work_item_missing(&shown),
            format!("work item {shown} is in project {} which {} cannot see (404)", p.name, identity.account),
            "ask a project administrator to add the user to the project",
        )),
        _ => Ok(()),
    }
}

fn collections(profile: &Profile, principal: &Principal, identity: &Identity, route: &Route) -> Result<(), Decision> {
    if profile.release.project_collections_need_admin() && !identity.is_server_admin() {
        return Err(Decision::new(
            Layer::Permission,
            Reason::PermissionDenied,
            answers::error(
                403,
                service_errors::access_denied_privilege(&principal.display_name, "Edit instance-level information"),
            ),
            format!(
                "{} lists project collections on {}, which needs instance-level permission ([Team Foundation]\\Team Foundation Administrators)",
                principal.account, profile.release
            ),
            "call collection-level APIs with the collection URL instead, or ask a server administrator",
        ));
    }
    if let Some(collection) = route.param("collection") {
        let visible = profile
            .collection(collection)
            .or_else(|| profile.collections.iter().find(|c| c.id.to_string().eq_ignore_ascii_case(collection)));
        let allowed = visible.is_some_and(|c| identity.is_server_admin() || identity.is_valid_user_of(&c.name));
        if !allowed {
            return Err(not_found(
                Reason::ResourceNotFound,
                service_errors::collection_missing(collection),
                format!("no collection '{}' visible to {}", printable(collection, 64), principal.account),
                "check the collection name or id",
            ));
        }
    }
    Ok(())
}
