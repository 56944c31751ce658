//! `OPTIONS _apis[/{area}]`: the resource locations SDKs negotiate versions from, per release
//! (data in `data/resources.toml`, documented in docs/REST-SURFACE.md).

use serde::Serialize;

use super::table::{ResourceRow, table};
use crate::api_version::ApiVersion;
use crate::profile::Release;

/// One `ApiResourceLocation` as the server serializes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResourceLocation {
    /// The location id.
    pub id: &'static str,
    /// The area.
    pub area: &'static str,
    /// The resource name.
    pub resource_name: &'static str,
    /// The route template.
    pub route_template: &'static str,
    /// The resource version.
    pub resource_version: u32,
    /// `minVersion`.
    pub min_version: &'static str,
    /// `maxVersion`: the release's ceiling.
    pub max_version: String,
    /// `releasedVersion`: the release's released version, or `0.0` while the resource is preview.
    pub released_version: String,
}

/// The locations `release` registers at one level, optionally for one area (case-insensitive).
pub fn locations(release: Release, collection_level: bool, area: Option<&str>) -> Vec<ApiResourceLocation> {
    table()
        .resources
        .iter()
        .filter(|r| r.since <= release && r.level.includes(collection_level))
        .filter(|r| area.is_none_or(|a| a.eq_ignore_ascii_case(&r.area)))
        .map(|r| location(release, r))
        .collect()
}

fn location(release: Release, r: &'static ResourceRow) -> ApiResourceLocation {
    let ceiling = release.api_ceiling();
    let released = release.api_released();
    let is_released =
        r.released.as_deref().and_then(ApiVersion::parse).is_some_and(|since| since.number() <= released.number());
    ApiResourceLocation {
        id: &r.id,
        area: &r.area,
        resource_name: &r.resource_name,
        route_template: &r.route_template,
        resource_version: r.resource_version,
        min_version: &r.min_version,
        max_version: format!("{}.{}", ceiling.major, ceiling.minor),
        released_version: if is_released { format!("{}.{}", released.major, released.minor) } else { "0.0".to_owned() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_areas_filter() {
        let coll = locations(Release::Ads2022, true, None);
        assert!(coll.iter().any(|l| l.resource_name == "projects"));
        assert!(!coll.iter().any(|l| l.resource_name == "projectCollections"));
        assert!(!coll.iter().any(|l| l.area == "gallery"), "the gallery is a deployment-level area");
        let dep = locations(Release::Ads2022, false, None);
        assert!(dep.iter().any(|l| l.resource_name == "projectCollections"));
        assert!(dep.iter().any(|l| l.resource_name == "pools"), "the agent lists pools at the server URL");
        let core = locations(Release::Ads2020, true, Some("CORE"));
        assert!(!core.is_empty() && core.iter().all(|l| l.area == "core" && l.max_version == "6.0"));
    }

    /// Location/ResourceAreas arrived with api 3.2 (TFS 2017 Update 2): before it the Python SDK
    /// fails "API resource location e81700f7-... is not registered" (azure-devops-cli-extension
    /// issue 229, TFS 2017 Update 1).
    #[test]
    fn resource_areas_arrive_with_tfs_2017_update_2() {
        let has = |r| locations(r, true, Some("Location")).iter().any(|l| l.id.starts_with("e81700f7"));
        assert!(!has(Release::Tfs2017));
        assert!(!has(Release::Tfs2017u1));
        assert!(has(Release::Tfs2017u2));
        assert!(has(Release::Ads2022u2));
    }

    #[test]
    fn released_versions_follow_the_release() {
        let builds = |r| locations(r, true, Some("build")).into_iter().find(|l| l.resource_name == "builds").unwrap();
        assert_eq!(builds(Release::Ads2019u1).released_version, "5.0");
        assert_eq!(builds(Release::Ads2019u1).max_version, "5.1");
        let release_defs = |r| locations(r, true, Some("release")).into_iter().next().unwrap();
        assert_eq!(release_defs(Release::Tfs2018u2).released_version, "0.0", "4.1-preview in the tfs-4.1 specs");
        assert_eq!(release_defs(Release::Ads2019).released_version, "5.0");
    }
}
