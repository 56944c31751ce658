//! `OPTIONS _apis[/{area}]`: the resource locations SDKs negotiate versions from
//! (data in `data/resources.toml`).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::profile::Release;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceFile {
    resources: Vec<ResourceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ResourceEntry {
    id: String,
    area: String,
    resource_name: String,
    route_template: String,
    resource_version: u32,
    min_version: String,
    #[serde(default)]
    preview_only: bool,
    level: Level,
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Level {
    Collection,
    Deployment,
    Both,
}

/// One `ApiResourceLocation` as the server serializes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResourceLocation {
    id: String,
    area: String,
    resource_name: String,
    route_template: String,
    resource_version: u32,
    min_version: String,
    max_version: String,
    released_version: String,
}

fn table() -> &'static [ResourceEntry] {
    static TABLE: OnceLock<Vec<ResourceEntry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let file: ResourceFile = toml::from_str(include_str!("../../data/resources.toml"))
            .expect("invariant: data/resources.toml is valid (tested in locations::tests)");
        file.resources
    })
}

/// The locations registered at one level, optionally for one area (case-insensitive).
pub fn locations(release: Release, collection_level: bool, area: Option<&str>) -> Vec<ApiResourceLocation> {
    let ceiling = release.api_ceiling();
    let max = format!("{}.{}", ceiling.major, ceiling.minor);
    let released = release.api_released();
    table()
        .iter()
        .filter(|r| match r.level {
            Level::Both => true,
            Level::Collection => collection_level,
            Level::Deployment => !collection_level,
        })
        .filter(|r| area.is_none_or(|a| a.eq_ignore_ascii_case(&r.area)))
        .map(|r| {
            let min = crate::api_version::ApiVersion::parse(&r.min_version).map_or((1, 0), |v| v.number());
            let min = if min > ceiling.number() {
                format!("{}.{}", ceiling.major, ceiling.minor)
            } else {
                r.min_version.clone()
            };
            ApiResourceLocation {
                id: r.id.clone(),
                area: r.area.clone(),
                resource_name: r.resource_name.clone(),
                route_template: r.route_template.clone(),
                resource_version: r.resource_version,
                min_version: min,
                max_version: max.clone(),
                released_version: if r.preview_only {
                    "0.0".to_owned()
                } else {
                    format!("{}.{}", released.major, released.minor)
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_and_levels_filter() {
        assert!(table().len() >= 6);
        let coll = locations(Release::Ads2022, true, None);
        assert!(coll.iter().any(|l| l.resource_name == "projects"));
        assert!(!coll.iter().any(|l| l.resource_name == "projectCollections"));
        let dep = locations(Release::Ads2022, false, None);
        assert!(dep.iter().any(|l| l.resource_name == "projectCollections"));
        let core = locations(Release::Ads2020, true, Some("CORE"));
        assert!(core.iter().all(|l| l.area == "core" && l.max_version == "6.0"));
        let old = locations(Release::Tfs2015, true, Some("Location"));
        assert!(old.iter().all(|l| l.min_version == "2.0" || l.min_version == "1.0"));
    }
}
