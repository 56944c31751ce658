//! The server's error messages and exception types (ado-facts 2.5, 6.2), one constructor each.

use serde_json::json;

use super::decision::ServiceError;

fn err(
    message: String,
    type_name: &'static str,
    type_key: &'static str,
    event_id: u32,
    controller: bool,
) -> ServiceError {
    ServiceError { message, type_name, type_key, event_id, custom_properties: None, from_controller: controller }
}

/// TF400813 for anonymous requests.
pub(super) fn anonymous() -> ServiceError {
    err(
        "TF400813: Resource not available for anonymous access. Client authentication required.".to_owned(),
        "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server",
        "UnauthorizedRequestException",
        3000,
        false,
    )
}

/// TF400813 for an authenticated identity outside the collection's valid users.
pub(super) fn user_not_authorized(identity_id: &str) -> ServiceError {
    err(
        format!("TF400813: The user '{identity_id}' is not authorized to access this resource."),
        "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server",
        "UnauthorizedRequestException",
        3000,
        false,
    )
}

/// The expired-PAT 401 of Azure DevOps Server 2022.
pub(super) fn pat_expired() -> ServiceError {
    let mut e = err(
        "Access Denied: The Personal Access Token used has expired.".to_owned(),
        "Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi",
        "AccessCheckException",
        3000,
        true,
    );
    e.custom_properties = Some(json!({
        "Descriptor": null,
        "IdentityDisplayName": null,
        "Token": null,
        "RequestedPermissions": 0,
        "NamespaceId": "00000000-0000-0000-0000-000000000000"
    }));
    e
}

/// `VssVersionOutOfRangeException`.
pub(super) fn version_out_of_range(requested: &str, latest: &str) -> ServiceError {
    err(
        format!(
            "The requested REST API version of {requested} is out of range for this server. \
             The latest REST API version this server supports is {latest}."
        ),
        "Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi",
        "VssVersionOutOfRangeException",
        3000,
        true,
    )
}

/// `VssVersionNotSpecifiedException`.
pub(super) fn version_missing(method: &str) -> ServiceError {
    err(
        format!(
            "No api-version was supplied for the \"{method}\" request. The version must be supplied either as part of \
             the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter \
             (e.g. \"?api-version=1.0\")."
        ),
        "Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi",
        "VssVersionNotSpecifiedException",
        3000,
        true,
    )
}

/// `VssInvalidPreviewVersionException`.
pub(super) fn preview_required(requested: &str) -> ServiceError {
    err(
        format!(
            "The requested version \"{requested}\" of the resource is under preview. The -preview flag must be \
             supplied in the api-version for such requests. For example: \"{requested}-preview\""
        ),
        "Microsoft.VisualStudio.Services.WebApi.VssInvalidPreviewVersionException, Microsoft.VisualStudio.Services.WebApi",
        "VssInvalidPreviewVersionException",
        3000,
        true,
    )
}

/// `VssInvalidApiResourceVersionException`.
pub(super) fn version_malformed(raw: &str) -> ServiceError {
    err(
        format!(
            "Invalid api version string: \"{raw}\". Api version string must be in the format: \
             {{Major}}.{{Minor}}[-preview[.{{ResourceVersion}}]]."
        ),
        "Microsoft.VisualStudio.Services.WebApi.VssInvalidApiResourceVersionException, Microsoft.VisualStudio.Services.WebApi",
        "VssInvalidApiResourceVersionException",
        3000,
        true,
    )
}

/// TF50309 (creating a project without "Create new projects").
pub(super) fn insufficient_permissions(account: &str, permission: &str) -> ServiceError {
    err(
        format!(
            "TF50309: The following account does not have sufficient permissions to complete the operation: \
             {account}. The following permissions are needed to perform this operation: {permission}."
        ),
        "System.UnauthorizedAccessException, mscorlib",
        "UnauthorizedAccessException",
        0,
        true,
    )
}

/// `AccessCheckException` for a privilege (e.g. "Edit instance-level information").
pub(super) fn access_denied_privilege(who: &str, permission: &str) -> ServiceError {
    err(
        format!("Access Denied: {who} needs the following permission(s) to perform this action: {permission}"),
        "Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi",
        "AccessCheckException",
        3000,
        true,
    )
}

/// TF200016 (project by name).
pub(super) fn project_name_missing(name: &str) -> ServiceError {
    err(
        format!(
            "TF200016: The following project does not exist: {name}. Verify that the name of the project is correct \
             and that the project exists on the specified Azure DevOps Server."
        ),
        "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, Microsoft.TeamFoundation.Core.WebApi",
        "ProjectDoesNotExistWithNameException",
        3000,
        true,
    )
}

/// VS800075 (project by id).
pub(super) fn project_id_missing(id: &str) -> ServiceError {
    err(
        format!("VS800075: The project with id '{id}' does not exist, or you do not have permission to access it."),
        "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistException, Microsoft.TeamFoundation.Core.WebApi",
        "ProjectDoesNotExistException",
        3000,
        true,
    )
}

/// TF401019 (Git repository).
pub(super) fn repo_missing(name: &str) -> ServiceError {
    err(
        format!(
            "TF401019: The Git repository with name or identifier {name} does not exist or you do not have \
             permissions for the operation you are attempting."
        ),
        "Microsoft.TeamFoundation.Git.Server.GitRepositoryNotFoundException, Microsoft.TeamFoundation.Git.Server",
        "GitRepositoryNotFoundException",
        3000,
        true,
    )
}

/// TF401232 (work item).
pub(super) fn work_item_missing(id: &str) -> ServiceError {
    err(
        format!("TF401232: Work item {id} does not exist, or you do not have permissions to read it."),
        "Microsoft.TeamFoundation.WorkItemTracking.Server.WorkItemUnauthorizedAccessException, Microsoft.TeamFoundation.WorkItemTracking.Server",
        "WorkItemUnauthorizedAccessException",
        3000,
        true,
    )
}

/// The collection named in `_apis/projectCollections/{id}` does not exist.
pub(super) fn collection_missing(name: &str) -> ServiceError {
    err(
        format!("The collection with id '{name}' does not exist."),
        "Microsoft.TeamFoundation.Framework.Server.CollectionDoesNotExistException, Microsoft.TeamFoundation.Framework.Server",
        "CollectionDoesNotExistException",
        3000,
        true,
    )
}

/// TF24668 (stopped collection).
pub(super) fn collection_stopped(name: &str) -> ServiceError {
    err(
        format!(
            "TF24668: The following team project collection is stopped: {name}. Start the collection and then try again."
        ),
        "Microsoft.TeamFoundation.Framework.Server.HostShutdownException, Microsoft.TeamFoundation.Framework.Server",
        "HostShutdownException",
        3000,
        false,
    )
}

/// The framework's 404 for a path without a route.
pub(super) fn page_not_found() -> ServiceError {
    err("Page not found.".to_owned(), "", "", 0, false)
}
