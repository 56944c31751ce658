//! Baselines: the known results of one client, each with a reason. A run fails only on
//! differences from its baseline.
//!
//! ```toml
//! [[expect]]
//! scenario = "pat/missing-colon"
//! release = "ads2022"          # optional: every release of the scenario
//! verdict = "fail"
//! reason = "the client encodes the PAT without ':' (issue 12)"
//! ```

use std::path::{Path, PathBuf};

use ado_mock_server::Release;
use serde::{Deserialize, Serialize};

use crate::error::LoadError;
use crate::scenario::Catalogue;
use crate::verdict::Verdict;

const WHAT: &str = "baseline";

/// The baseline file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BaselineFile {
    /// The client the baseline is for (informative).
    pub client: Option<String>,
    /// The known results.
    #[serde(default)]
    pub expect: Vec<EntryFile>,
}

/// One `[[expect]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EntryFile {
    /// The scenario id.
    pub scenario: String,
    /// The release; none: every release.
    pub release: Option<String>,
    /// The known verdict.
    pub verdict: Verdict,
    /// Why this is the known result (required).
    pub reason: Option<String>,
}

/// A known result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The scenario id.
    pub scenario: String,
    /// The release, or every release.
    pub release: Option<Release>,
    /// The known verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
}

/// A loaded baseline.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// The file it was loaded from.
    pub file: PathBuf,
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

impl Baseline {
    /// The entry for a case: the release's own entry first, then the scenario-wide one.
    pub fn lookup(&self, scenario: &str, release: Release) -> Option<&Entry> {
        let of = |r: Option<Release>| self.entries.iter().find(|e| e.scenario == scenario && e.release == r);
        of(Some(release)).or_else(|| of(None))
    }

    /// Entries that name no scenario of `catalogue`, or a release the scenario does not run
    /// on: a stale baseline would otherwise hide nothing and say something false.
    pub fn stale_entries(&self, catalogue: &Catalogue) -> Vec<LoadError> {
        let mut errors = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let key = format!("expect[{i}].scenario");
            let Some(scenario) = catalogue.get(&e.scenario) else {
                let message = format!("expected a scenario of {}, found `{}`", catalogue.source, e.scenario);
                errors.push(LoadError::key(WHAT, &self.file, key, message));
                continue;
            };
            if let Some(release) = e.release
                && !scenario.server.releases.iter().any(|(r, _)| *r == release)
            {
                let message = format!(
                    "`{}` does not run on `{release}`; its releases: {}",
                    e.scenario,
                    scenario.release_names().join(", ")
                );
                errors.push(LoadError::key(WHAT, &self.file, format!("expect[{i}].release"), message));
            }
        }
        errors
    }
}

/// Loads and checks a baseline.
///
/// # Errors
/// A [`LoadError`] naming the file and the entry, e.g. for an entry without a reason.
pub fn load_baseline(path: &Path) -> Result<Baseline, LoadError> {
    let text = crate::files::read_text(path).map_err(|e| LoadError::file(WHAT, path, e))?;
    let de = toml::Deserializer::parse(&text).map_err(|e| LoadError::file(WHAT, path, e.to_string().trim_end()))?;
    let raw: BaselineFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let message = e.inner().to_string().trim_end().to_owned();
        if key == "." { LoadError::file(WHAT, path, message) } else { LoadError::key(WHAT, path, key, message) }
    })?;
    let mut entries: Vec<Entry> = Vec::new();
    for (i, e) in raw.expect.into_iter().enumerate() {
        let key = |k: &str| format!("expect[{i}].{k}");
        let reason = e.reason.filter(|r| !r.trim().is_empty()).ok_or_else(|| {
            LoadError::key(WHAT, path, key("reason"), "expected a reason: every known result says why")
        })?;
        let release = match &e.release {
            None => None,
            Some(name) => Some(Release::from_name(name).ok_or_else(|| {
                LoadError::key(
                    WHAT,
                    path,
                    key("release"),
                    format!("expected a release such as ads2022, found `{name}`"),
                )
            })?),
        };
        if entries.iter().any(|o| o.scenario == e.scenario && o.release == release) {
            return Err(LoadError::key(WHAT, path, key("scenario"), format!("`{}` is listed twice", e.scenario)));
        }
        entries.push(Entry { scenario: e.scenario, release, verdict: e.verdict, reason });
    }
    Ok(Baseline { file: path.to_owned(), entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Baseline, LoadError> {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("baseline.toml");
        std::fs::write(&path, text).unwrap();
        load_baseline(&path)
    }

    #[test]
    fn release_entries_win_over_scenario_entries() {
        let b = load(
            "[[expect]]\nscenario = 'a'\nverdict = 'fail'\nreason = 'r1'\n\
             [[expect]]\nscenario = 'a'\nrelease = 'ads2019'\nverdict = 'note'\nreason = 'r2'\n",
        )
        .unwrap();
        assert_eq!(b.lookup("a", Release::Ads2019).map(|e| e.verdict), Some(Verdict::Note));
        assert_eq!(b.lookup("a", Release::Ads2022).map(|e| e.verdict), Some(Verdict::Fail));
        assert_eq!(b.lookup("b", Release::Ads2022), None);
    }

    #[test]
    fn an_entry_without_a_reason_is_refused() {
        let e = load("[[expect]]\nscenario = 'a'\nverdict = 'fail'\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("expect[0].reason"));
        let e = load("[[expect]]\nscenario = 'a'\nverdict = 'broken'\nreason = 'x'\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("expect[0].verdict"), "{e}");
    }
}
