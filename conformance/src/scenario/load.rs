//! Loading scenarios: raw file -> [`Scenario`], refusing bad input with the file, the key and
//! what was expected.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use ado_mock_server::{Profile, Release};

use super::file::ScenarioFile;
use super::model::{Scenario, ServerSpec};
use super::source::{Source, SourceFile, profile_text, scenario_files};
use super::validate::{client_spec, expect_spec};
use crate::error::{LoadError, LoadErrors};
use ado_mock_server::profile::merge_overrides as merge;

const WHAT: &str = "scenario";

/// Every scenario of a source, sorted by id.
#[derive(Debug)]
pub struct Catalogue {
    /// Where the scenarios came from.
    pub source: Source,
    /// The scenarios, sorted by id.
    pub scenarios: Vec<Arc<Scenario>>,
}

impl Catalogue {
    /// The scenario with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Scenario>> {
        self.scenarios.iter().find(|s| s.id == id)
    }
}

/// Loads every `*.toml` below `dir` (except `dir/profiles/`) as a scenario; relative PAT
/// expiries resolve against `now` (Unix seconds).
///
/// # Errors
/// Every file that does not load, each naming the file and the key.
pub fn load_dir(dir: &Path, now: i64) -> Result<Catalogue, LoadErrors> {
    load(&Source::Dir(dir.to_owned()), now)
}

/// Loads every scenario of `source`; relative PAT expiries resolve against `now`.
///
/// # Errors
/// Every file that does not load, each naming the file and the key; loops and non-regular
/// files in a folder.
pub fn load(source: &Source, now: i64) -> Result<Catalogue, LoadErrors> {
    let files = scenario_files(source)?;
    let mut profiles = BaseProfiles::new(source);
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match load_file(&file, &mut profiles, now) {
            Ok(s) => scenarios.push(Arc::new(s)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Catalogue { source: source.clone(), scenarios })
}

/// The id of a file below the source: the relative path without `.toml`, `/` separators.
fn scenario_id(relative: &Path) -> String {
    relative.with_extension("").components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Base profiles (`profiles/<name>.toml` of the source) read once per load.
struct BaseProfiles<'a> {
    source: &'a Source,
    cache: HashMap<String, Result<toml::Table, String>>,
}

impl<'a> BaseProfiles<'a> {
    fn new(source: &'a Source) -> Self {
        Self { source, cache: HashMap::new() }
    }

    fn get(&mut self, name: &str) -> Result<toml::Table, String> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return Err(format!("expected a profile name (letters, digits, '-', '_', '.'), found `{name}`"));
        }
        let source = self.source;
        self.cache
            .entry(name.to_owned())
            .or_insert_with(|| {
                let text = profile_text(source, name)?;
                text.parse::<toml::Table>().map_err(|e| format!("profile `{name}` is not valid TOML: {e}"))
            })
            .clone()
    }
}

fn load_file(source: &SourceFile, profiles: &mut BaseProfiles<'_>, now: i64) -> Result<Scenario, LoadError> {
    let file = source.shown.as_path();
    let text = source.text.as_deref().map_err(|e| LoadError::file(WHAT, file, e.clone()))?;
    let raw = parse(file, text)?;
    let err = |key: &str, message: String| LoadError::key(WHAT, file, key, message);
    for (key, value) in [("title", &raw.title), ("symptom", &raw.symptom), ("cause", &raw.cause), ("fix", &raw.fix)] {
        if value.trim().is_empty() {
            return Err(err(key, "expected a non-empty text".to_owned()));
        }
    }
    let server = server_spec(file, raw.server, profiles, now)?;
    let first = Arc::clone(&server.releases[0].1);
    let client = client_spec(raw.client, &first).map_err(|(key, message)| err(&key, message))?;
    let expect = expect_spec(raw.expect).map_err(|(key, message)| err(&key, message))?;
    Ok(Scenario {
        id: scenario_id(&source.relative),
        file: file.to_owned(),
        title: raw.title,
        seed: raw.seed,
        symptom: raw.symptom,
        cause: raw.cause,
        fix: raw.fix,
        fault: raw.fault,
        requires: raw.requires,
        server,
        client,
        expect,
    })
}

fn parse(file: &Path, text: &str) -> Result<ScenarioFile, LoadError> {
    let de = toml::Deserializer::parse(text).map_err(|e| LoadError::file(WHAT, file, e.to_string().trim_end()))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let message = e.inner().to_string().trim_end().to_owned();
        if key == "." { LoadError::file(WHAT, file, message) } else { LoadError::key(WHAT, file, key, message) }
    })
}

fn server_spec(
    file: &Path,
    mut server: toml::Table,
    profiles: &mut BaseProfiles<'_>,
    now: i64,
) -> Result<ServerSpec, LoadError> {
    let err = |key: &str, message: String| LoadError::key(WHAT, file, key, message);
    let name = match server.remove("profile") {
        None => "default".to_owned(),
        Some(toml::Value::String(s)) => s,
        Some(other) => return Err(err("server.profile", format!("expected a profile name, found `{other}`"))),
    };
    let releases = match server.remove("releases") {
        None => None,
        Some(value) => Some(parse_releases(&value).map_err(|m| err("server.releases", m))?),
    };
    if releases.is_some() && server.contains_key("release") {
        return Err(err("server.release", "expected either `release` or `releases`, not both".to_owned()));
    }
    let mut base = profiles.get(&name).map_err(|m| err("server.profile", m))?;
    merge(&mut base, &server);
    let origin = format!("{} (profile `{name}` with the scenario's overrides)", file.display());
    let resolve = |table: toml::Table| {
        Profile::from_toml_value(toml::Value::Table(table), &origin, now).map_err(|e| {
            let message = format!("{} (profile `{name}` with the scenario's overrides)", e.message.trim_end());
            match e.key {
                Some(key) => err(&format!("server.{key}"), message),
                None => LoadError::file(WHAT, file, message),
            }
        })
    };
    let resolved = match releases {
        None => {
            let profile = resolve(base)?;
            vec![(profile.release, Arc::new(profile))]
        }
        Some(list) => list
            .into_iter()
            .map(|release| {
                let mut table = base.clone();
                table.insert("release".to_owned(), toml::Value::String(release.name().to_owned()));
                resolve(table).map(|p| (release, Arc::new(p)))
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(ServerSpec { profile: name, overrides: server, releases: resolved })
}

fn parse_releases(value: &toml::Value) -> Result<Vec<Release>, String> {
    let names: Vec<String> = Release::ALL.iter().map(|r| r.name().to_owned()).collect();
    let expected = format!("a non-empty array of releases ({})", names.join(", "));
    let items = value.as_array().filter(|a| !a.is_empty()).ok_or_else(|| format!("expected {expected}"))?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let release = item
            .as_str()
            .and_then(Release::from_name)
            .ok_or_else(|| format!("item {i}: expected one of {}, found `{item}`", names.join(", ")))?;
        if out.contains(&release) {
            return Err(format!("item {i}: `{release}` is listed twice"));
        }
        out.push(release);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_relative_paths_without_extension() {
        assert_eq!(scenario_id(Path::new("pat/missing-colon.toml")), "pat/missing-colon");
    }

    #[test]
    fn releases_are_checked() {
        let ok: toml::Value = toml::Value::Array(vec!["ads2019".into(), "ads2022".into()]);
        assert_eq!(parse_releases(&ok).unwrap(), vec![Release::Ads2019, Release::Ads2022]);
        let dup = toml::Value::Array(vec!["ads2019".into(), "ADS2019".into()]);
        assert!(parse_releases(&dup).unwrap_err().contains("twice"));
        let bad = toml::Value::Array(vec!["ads2030".into()]);
        assert!(parse_releases(&bad).unwrap_err().contains("expected one of tfs2015"));
        assert!(parse_releases(&toml::Value::Array(vec![])).is_err());
    }
}
