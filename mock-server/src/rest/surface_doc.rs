//! The documented REST surface (docs/REST-SURFACE.md) against the code's: releases and their
//! ceilings, every release's location listing at both levels, and the route table.

use std::collections::BTreeSet;

use super::locations::locations;
use super::table::table;
use crate::api_version::ApiVersion;
use crate::profile::Release;

const DOC: &str = include_str!("../../../docs/REST-SURFACE.md");

/// The rows of the markdown table whose header starts with `first`, cells trimmed and unquoted.
fn rows(first: &str) -> Vec<Vec<String>> {
    let mut lines = DOC.lines().skip_while(|l| !l.starts_with(&format!("| {first} |")));
    lines.next().unwrap_or_else(|| panic!("docs/REST-SURFACE.md has no table starting with '{first}'"));
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().trim_matches('`').to_owned()).collect())
        .collect()
}

fn version(text: &str) -> (u16, u16) {
    ApiVersion::parse(text).unwrap_or_else(|| panic!("'{text}' is not a version")).number()
}

#[test]
fn the_documented_tables_are_the_code_s() {
    // Releases: every release of the code, with its ceiling and released version.
    let releases = rows("release");
    let names: Vec<&str> = releases.iter().map(|r| r[0].as_str()).collect();
    let code: Vec<&str> = Release::ALL.iter().map(|r| r.name()).collect();
    assert_eq!(names, code, "the releases table lists every release, oldest first");
    for r in &releases {
        let release = Release::from_name(&r[0]).unwrap();
        assert_eq!(release.api_ceiling().to_string(), r[2], "{} ceiling", r[0]);
        assert_eq!(release.api_released().to_string(), r[3], "{} released version", r[0]);
        assert!(!r[4].is_empty(), "{} names its source", r[0]);
    }

    // Locations: expand the documented rows per release and level; compare with the listing.
    let documented = rows("id");
    assert_eq!(documented.len(), table().resources.len(), "one documented row per location");
    for release in Release::ALL {
        for collection in [true, false] {
            let expected: BTreeSet<String> = documented
                .iter()
                .filter(|d| Release::from_name(&d[5]).unwrap() <= release)
                .filter(|d| d[3] == "both" || (d[3] == "collection") == collection)
                .map(|d| {
                    let released = release.api_released();
                    let listed = d[6] != "preview" && version(&d[6]) <= released.number();
                    let released = if listed { released.to_string() } else { "0.0".to_owned() };
                    format!(
                        "{} {} {} {} v{} min{} max{} rel{}",
                        d[0],
                        d[1],
                        d[2],
                        d[8],
                        d[7],
                        d[4],
                        release.api_ceiling(),
                        released
                    )
                })
                .collect();
            let actual: BTreeSet<String> = locations(release, collection, None)
                .iter()
                .map(|l| {
                    format!(
                        "{} {} {} {} v{} min{} max{} rel{}",
                        l.id,
                        l.area,
                        l.resource_name,
                        l.route_template,
                        l.resource_version,
                        l.min_version,
                        l.max_version,
                        l.released_version
                    )
                })
                .collect();
            assert_eq!(actual, expected, "{release}, collection level: {collection}");
        }
    }

    // Routes: name, methods, paths, scope, permission and status.
    let documented: BTreeSet<String> = rows("route")
        .iter()
        .map(|r| format!("{} [{}] {} {} {} {}", r[0], r[1], r[2].replace("`<br>`", " "), r[4], r[5], r[6]))
        .collect();
    let actual: BTreeSet<String> = table()
        .routes
        .iter()
        .map(|r| {
            let permission = serde_json::to_value(r.permission).unwrap();
            format!(
                "{} [{}] {} {} {} {}",
                r.name,
                r.methods.join(" "),
                r.paths.join(" "),
                r.scope,
                permission.as_str().unwrap(),
                r.status
            )
        })
        .collect();
    assert_eq!(actual, documented, "docs/REST-SURFACE.md routes table");
}
