//! Client manifests (`conformance/clients/*.toml`): the command, its capabilities, the
//! operations it implements and its timeout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::LoadError;
use crate::scenario::{Capability, Case, Operation};

const WHAT: &str = "client manifest";
/// The longest timeout a manifest may ask for.
const MAX_TIMEOUT_S: u64 = 3600;

/// The manifest as written (strict: a typo in `capabilities` must not silently skip cases).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ManifestFile {
    /// The client's name, used in reports.
    pub name: String,
    /// The command and its arguments; relative paths resolve against the manifest's folder.
    pub command: Vec<String>,
    /// `pat`, `basic`, `ntlm`, `negotiate`, `bearer`.
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    /// The operations the client implements.
    #[serde(default)]
    pub operations: Vec<Operation>,
    /// Seconds before the client's process group is killed.
    pub timeout_s: u64,
    /// Extra environment variables (not the contract's own).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// A loaded client manifest.
#[derive(Clone, Debug)]
pub struct ClientManifest {
    /// The client's name.
    pub name: String,
    /// The manifest file.
    pub file: PathBuf,
    /// The manifest's folder: relative paths resolve against it and the client runs in it.
    pub dir: PathBuf,
    /// The command, relative paths resolved.
    pub command: Vec<String>,
    /// Capabilities.
    pub capabilities: Vec<Capability>,
    /// Operations.
    pub operations: Vec<Operation>,
    /// The timeout.
    pub timeout: Duration,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

/// Variables a manifest may not set: the contract's and the runner's hygiene.
fn reserved(name: &str) -> bool {
    name.starts_with("ADO_")
        || matches!(name, "HOME" | "TMPDIR" | "AZURE_DEVOPS_CACHE_DIR" | "GIT_TERMINAL_PROMPT" | "GIT_CONFIG_NOSYSTEM")
}

/// Loads and checks a manifest.
///
/// # Errors
/// A [`LoadError`] naming the file and the key.
pub fn load_manifest(path: &Path) -> Result<ClientManifest, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::file(WHAT, path, format!("cannot read: {e}")))?;
    let de = toml::Deserializer::parse(&text).map_err(|e| LoadError::file(WHAT, path, e.to_string().trim_end()))?;
    let raw: ManifestFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let message = e.inner().to_string().trim_end().to_owned();
        if key == "." { LoadError::file(WHAT, path, message) } else { LoadError::key(WHAT, path, key, message) }
    })?;
    let err = |key: &str, message: String| LoadError::key(WHAT, path, key, message);
    if raw.name.trim().is_empty() {
        return Err(err("name", "expected a non-empty name".to_owned()));
    }
    if raw.command.is_empty() || raw.command[0].is_empty() {
        return Err(err("command", "expected a program and its arguments, e.g. [\"bash\", \"client.sh\"]".to_owned()));
    }
    if raw.timeout_s == 0 || raw.timeout_s > MAX_TIMEOUT_S {
        return Err(err("timeout-s", format!("expected 1 to {MAX_TIMEOUT_S} seconds, found `{}`", raw.timeout_s)));
    }
    if let Some(name) = raw.env.keys().find(|k| reserved(k) || k.is_empty() || k.contains('=')) {
        return Err(err(&format!("env.{name}"), "expected a variable the runner does not set itself".to_owned()));
    }
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let command = resolve_command(&dir, &raw.command);
    Ok(ClientManifest {
        name: raw.name,
        file: path.to_owned(),
        dir,
        command,
        capabilities: raw.capabilities,
        operations: raw.operations,
        timeout: Duration::from_secs(raw.timeout_s),
        env: raw.env.into_iter().collect(),
    })
}

/// Makes relative paths absolute against the manifest's folder: the program when it contains
/// a `/`, and any argument naming a file that exists there.
fn resolve_command(dir: &Path, command: &[String]) -> Vec<String> {
    command
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let path = Path::new(part);
            let is_path = if i == 0 { part.contains('/') } else { dir.join(path).exists() };
            if is_path && path.is_relative() { dir.join(path).display().to_string() } else { part.clone() }
        })
        .collect()
}

impl ClientManifest {
    /// The program to execute, found on `path_var` when it names no path.
    pub fn find_program(&self, path_var: Option<&str>) -> Option<PathBuf> {
        let program = &self.command[0];
        if program.contains('/') {
            return Path::new(program).is_file().then(|| PathBuf::from(program));
        }
        std::env::split_paths(path_var.unwrap_or_default()).map(|d| d.join(program)).find(|p| p.is_file())
    }

    /// Why the client cannot run `case` (a missing capability or operation), if it cannot.
    pub fn skip_reason(&self, case: &Case) -> Option<String> {
        let client = &case.scenario.client;
        let mut needed: Vec<Capability> = case.scenario.requires.clone();
        needed.extend(client.auth.capability());
        needed.sort();
        needed.dedup();
        let missing: Vec<&str> = needed.iter().filter(|c| !self.capabilities.contains(c)).map(|c| c.name()).collect();
        if !missing.is_empty() {
            return Some(format!("{} lacks capability {}", self.name, missing.join(", ")));
        }
        if !self.operations.contains(&client.operation) {
            return Some(format!("{} does not implement operation {}", self.name, client.operation.name()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("client.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn resolves_relative_paths_against_the_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("client.sh"), "").unwrap();
        let path = write(
            tmp.path(),
            "name = 'x'\ncommand = ['bash', 'client.sh', '--flag']\ncapabilities = ['pat']\noperations = ['list-projects']\ntimeout-s = 5\n",
        );
        let m = load_manifest(&path).unwrap();
        let dir = std::path::absolute(tmp.path()).unwrap();
        assert_eq!(
            m.command,
            vec!["bash".to_owned(), dir.join("client.sh").display().to_string(), "--flag".to_owned()]
        );
        assert_eq!(m.timeout, Duration::from_secs(5));
    }

    #[test]
    fn refuses_bad_keys_with_the_key() {
        let tmp = tempfile::tempdir().unwrap();
        let cases = [
            ("name = 'x'\ncommand = []\ntimeout-s = 5\n", "command"),
            ("name = 'x'\ncommand = ['a']\ntimeout-s = 0\n", "timeout-s"),
            ("name = 'x'\ncommand = ['a']\ntimeout-s = 5\ncapabilities = ['spnego']\n", "capabilities[0]"),
            ("name = 'x'\ncommand = ['a']\ntimeout-s = 5\n[env]\nADO_PAT = 'x'\n", "env.ADO_PAT"),
            ("name = 'x'\ncommand = ['a']\ntimeout = 5\n", "timeout"),
        ];
        for (text, key) in cases {
            let e = load_manifest(&write(tmp.path(), text)).unwrap_err();
            assert_eq!(e.key.as_deref().unwrap_or("."), key, "{e}");
        }
    }
}
