//! Server releases and what each one fixes: the api-version ceiling and a few behaviours.

use serde::{Deserialize, Serialize};

use crate::api_version::ApiVersion;

/// A Team Foundation Server / Azure DevOps Server release.
///
/// Ceilings follow the "API and Server Version Mapping" table of the Azure DevOps REST API
/// reference (TFS 2015 RTW 2.0 ... Azure DevOps Server 2022.1 7.1) and, for the updates it does
/// not list, the maxima seen in error messages ("The latest REST API version this server supports
/// is 5.1"); docs/REST-SURFACE.md gives the source of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Release {
    /// Team Foundation Server 2015 (REST 2.0).
    #[serde(rename = "tfs2015")]
    Tfs2015,
    /// Team Foundation Server 2015 Update 1 (REST 2.1).
    #[serde(rename = "tfs2015.1")]
    Tfs2015u1,
    /// Team Foundation Server 2015 Update 2 (REST 2.2).
    #[serde(rename = "tfs2015.2")]
    Tfs2015u2,
    /// Team Foundation Server 2015 Update 3 (REST 2.3).
    #[serde(rename = "tfs2015.3")]
    Tfs2015u3,
    /// Team Foundation Server 2015 Update 4 (REST 2.3).
    #[serde(rename = "tfs2015.4")]
    Tfs2015u4,
    /// Team Foundation Server 2017 (REST 3.0).
    #[serde(rename = "tfs2017")]
    Tfs2017,
    /// Team Foundation Server 2017 Update 1 (REST 3.1).
    #[serde(rename = "tfs2017.1")]
    Tfs2017u1,
    /// Team Foundation Server 2017 Update 2 (REST 3.2).
    #[serde(rename = "tfs2017.2")]
    Tfs2017u2,
    /// Team Foundation Server 2018 (REST 4.0).
    #[serde(rename = "tfs2018")]
    Tfs2018,
    /// Team Foundation Server 2018 Update 1 (REST 4.0).
    #[serde(rename = "tfs2018.1")]
    Tfs2018u1,
    /// Team Foundation Server 2018 Update 2 (REST 4.1).
    #[serde(rename = "tfs2018.2")]
    Tfs2018u2,
    /// Team Foundation Server 2018 Update 3 (REST 4.1).
    #[serde(rename = "tfs2018.3")]
    Tfs2018u3,
    /// Azure DevOps Server 2019 (REST 5.0).
    #[serde(rename = "ads2019")]
    Ads2019,
    /// Azure DevOps Server 2019 Update 1 (REST 5.1).
    #[serde(rename = "ads2019.1")]
    Ads2019u1,
    /// Azure DevOps Server 2020 (REST 6.0).
    #[serde(rename = "ads2020")]
    Ads2020,
    /// Azure DevOps Server 2020 Update 1 (REST 6.1).
    #[serde(rename = "ads2020.1")]
    Ads2020u1,
    /// Azure DevOps Server 2022 (REST 7.0).
    #[serde(rename = "ads2022")]
    Ads2022,
    /// Azure DevOps Server 2022 Update 1 (REST 7.1).
    #[serde(rename = "ads2022.1")]
    Ads2022u1,
    /// Azure DevOps Server 2022 Update 2 (REST 7.1).
    #[serde(rename = "ads2022.2")]
    Ads2022u2,
}

impl Release {
    /// Every release, oldest first.
    pub const ALL: [Release; 19] = [
        Release::Tfs2015,
        Release::Tfs2015u1,
        Release::Tfs2015u2,
        Release::Tfs2015u3,
        Release::Tfs2015u4,
        Release::Tfs2017,
        Release::Tfs2017u1,
        Release::Tfs2017u2,
        Release::Tfs2018,
        Release::Tfs2018u1,
        Release::Tfs2018u2,
        Release::Tfs2018u3,
        Release::Ads2019,
        Release::Ads2019u1,
        Release::Ads2020,
        Release::Ads2020u1,
        Release::Ads2022,
        Release::Ads2022u1,
        Release::Ads2022u2,
    ];

    /// The profile spelling, e.g. `ads2019.1`.
    pub fn name(self) -> &'static str {
        match self {
            Release::Tfs2015 => "tfs2015",
            Release::Tfs2015u1 => "tfs2015.1",
            Release::Tfs2015u2 => "tfs2015.2",
            Release::Tfs2015u3 => "tfs2015.3",
            Release::Tfs2015u4 => "tfs2015.4",
            Release::Tfs2017 => "tfs2017",
            Release::Tfs2017u1 => "tfs2017.1",
            Release::Tfs2017u2 => "tfs2017.2",
            Release::Tfs2018 => "tfs2018",
            Release::Tfs2018u1 => "tfs2018.1",
            Release::Tfs2018u2 => "tfs2018.2",
            Release::Tfs2018u3 => "tfs2018.3",
            Release::Ads2019 => "ads2019",
            Release::Ads2019u1 => "ads2019.1",
            Release::Ads2020 => "ads2020",
            Release::Ads2020u1 => "ads2020.1",
            Release::Ads2022 => "ads2022",
            Release::Ads2022u1 => "ads2022.1",
            Release::Ads2022u2 => "ads2022.2",
        }
    }

    /// Parses the profile spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name().eq_ignore_ascii_case(name))
    }

    /// The product name shown in page titles.
    pub fn product(self) -> &'static str {
        if self >= Release::Ads2019 { "Azure DevOps Server" } else { "Microsoft Team Foundation Server" }
    }

    /// The latest REST api-version the release accepts (its `maxVersion`).
    pub fn api_ceiling(self) -> ApiVersion {
        let (major, minor) = match self {
            Release::Tfs2015 => (2, 0),
            Release::Tfs2015u1 => (2, 1),
            Release::Tfs2015u2 => (2, 2),
            Release::Tfs2015u3 => (2, 3),
            Release::Tfs2015u4 => (2, 3),
            Release::Tfs2017 => (3, 0),
            Release::Tfs2017u1 => (3, 1),
            Release::Tfs2017u2 => (3, 2),
            Release::Tfs2018 => (4, 0),
            Release::Tfs2018u1 => (4, 0),
            Release::Tfs2018u2 => (4, 1),
            Release::Tfs2018u3 => (4, 1),
            Release::Ads2019 => (5, 0),
            Release::Ads2019u1 => (5, 1),
            Release::Ads2020 => (6, 0),
            Release::Ads2020u1 => (6, 1),
            Release::Ads2022 => (7, 0),
            Release::Ads2022u1 => (7, 1),
            Release::Ads2022u2 => (7, 1),
        };
        ApiVersion::new(major, minor)
    }

    /// The latest version released without `-preview` (its `releasedVersion`).
    ///
    /// On an update release the new minor version is still preview: asking for `5.1` on
    /// 2019 Update 1 without `-preview` gets `VssInvalidPreviewVersionException`.
    pub fn api_released(self) -> ApiVersion {
        let ceiling = self.api_ceiling();
        ApiVersion::new(ceiling.major, 0)
    }

    /// Whether a too-new api-version gets 404 "Page not found." instead of a 400
    /// (TFS 2018 RTM and older, ado-facts 6.2).
    pub fn unknown_version_is_404(self) -> bool {
        self <= Release::Tfs2018
    }

    /// Whether `_apis/projectCollections` needs instance-level permission (2015 to 2019.1);
    /// later releases list the collections the caller may see.
    pub fn project_collections_need_admin(self) -> bool {
        self <= Release::Ads2019u1
    }

    /// Whether personal access tokens exist at all (TFS 2017 and later).
    pub fn has_pats(self) -> bool {
        self >= Release::Tfs2017
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ceilings_never_fall() {
        let mut last = ApiVersion::new(0, 0);
        for r in Release::ALL {
            assert_eq!(Release::from_name(r.name()), Some(r));
            let parsed: Release = toml::Value::String(r.name().into()).try_into().unwrap();
            assert_eq!(parsed, r);
            assert!(r.api_ceiling().number() >= last.number(), "{r}");
            last = r.api_ceiling();
        }
        assert_eq!(Release::Ads2020.api_ceiling().to_string(), "6.0");
        assert_eq!(Release::Ads2019u1.api_released().to_string(), "5.0");
        // The mapping table: updates that added no api-version share their RTM's ceiling.
        assert_eq!(Release::Tfs2015u4.api_ceiling(), Release::Tfs2015u3.api_ceiling());
        assert_eq!(Release::Tfs2017u1.api_ceiling().to_string(), "3.1");
        assert_eq!(Release::Tfs2018u1.api_ceiling().to_string(), "4.0");
    }
}
