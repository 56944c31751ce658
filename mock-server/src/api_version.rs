//! REST api-versions: `{major}.{minor}[-preview[.{resource-version}]]`.

use std::fmt;

/// A parsed api-version as a client sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ApiVersion {
    /// Major version, e.g. 7 in `7.1-preview.4`.
    pub major: u16,
    /// Minor version, e.g. 1 in `7.1-preview.4`.
    pub minor: u16,
    /// Whether the `-preview` suffix was given.
    pub preview: bool,
    /// The resource version after `-preview.`, if any.
    pub resource_version: Option<u16>,
}

impl ApiVersion {
    /// A released (non-preview) version.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor, preview: false, resource_version: None }
    }

    /// Parses the server's accepted syntax; `None` when the string is malformed.
    ///
    /// The server rejects anything else with `VssInvalidApiResourceVersionException`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (number, stage) = match text.split_once('-') {
            Some((number, stage)) => (number, Some(stage)),
            None => (text, None),
        };
        let (major, minor) = number.split_once('.')?;
        let major = parse_component(major)?;
        let minor = parse_component(minor)?;
        let (preview, resource_version) = match stage {
            None => (false, None),
            Some(stage) => parse_stage(stage)?,
        };
        Some(Self { major, minor, preview, resource_version })
    }

    /// The version number without stage, for comparisons against ceilings.
    pub fn number(&self) -> (u16, u16) {
        (self.major, self.minor)
    }

    /// The same number without the preview stage.
    pub fn released(&self) -> Self {
        Self::new(self.major, self.minor)
    }
}

fn parse_component(text: &str) -> Option<u16> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_stage(stage: &str) -> Option<(bool, Option<u16>)> {
    let (name, resource) = match stage.split_once('.') {
        Some((name, resource)) => (name, Some(parse_component(resource)?)),
        None => (stage, None),
    };
    name.eq_ignore_ascii_case("preview").then_some((true, resource))
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.preview {
            f.write_str("-preview")?;
            if let Some(r) = self.resource_version {
                write!(f, ".{r}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let cases = [
            ("1.0", Some("1.0")),
            ("7.1-preview", Some("7.1-preview")),
            ("7.1-preview.4", Some("7.1-preview.4")),
            (" 6.0 ", Some("6.0")),
            ("5.1-PREVIEW.1", Some("5.1-preview.1")),
            ("7", None),
            ("7.x", None),
            ("7.1-beta", None),
            ("7.1-preview.", None),
            ("", None),
            ("-1.0", None),
            ("99999.0", None),
        ];
        for (input, expected) in cases {
            let got = ApiVersion::parse(input).map(|v| v.to_string());
            assert_eq!(got.as_deref(), expected, "input {input:?}");
        }
    }

    #[test]
    fn compares_by_number() {
        let a = ApiVersion::parse("7.1-preview.4").unwrap();
        assert!(a.number() > ApiVersion::new(7, 0).number());
        assert_eq!(a.released(), ApiVersion::new(7, 1));
    }

    proptest::proptest! {
        #[test]
        fn parsing_is_total_and_round_trips(text in "\\PC{0,24}") {
            if let Some(v) = ApiVersion::parse(&text) {
                proptest::prop_assert_eq!(ApiVersion::parse(&v.to_string()), Some(v));
            }
        }

        #[test]
        fn valid_versions_parse(major in 0u16..100, minor in 0u16..100, preview: bool, rv in proptest::option::of(0u16..50)) {
            let text = match (preview, rv) {
                (false, _) => format!("{major}.{minor}"),
                (true, None) => format!("{major}.{minor}-preview"),
                (true, Some(r)) => format!("{major}.{minor}-preview.{r}"),
            };
            let v = ApiVersion::parse(&text).expect("valid");
            proptest::prop_assert_eq!(v.to_string(), text);
        }
    }
}
