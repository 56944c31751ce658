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
/// The timeout of a manifest that names none (the Python SDK needs about 5 s for a case whose
/// server answers 5xx, since msrest retries with backoff).
pub const DEFAULT_TIMEOUT_S: u64 = 60;

fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_S
}

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
    /// Seconds before the client's process group is killed [default: 60].
    #[serde(default = "default_timeout")]
    pub timeout_s: u64,
    /// Extra environment variables (not the contract's own).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Variables passed through from the runner's environment when set there (e.g.
    /// `ADO_PYTHON`, the interpreter the Python SDK adapter runs); never a contract variable.
    #[serde(default)]
    pub pass_env: Vec<String>,
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
    /// Names passed through from the runner's environment.
    pub pass_env: Vec<String>,
}

/// Variables a manifest may not set: the contract's and the runner's hygiene.
fn reserved(name: &str) -> bool {
    name.starts_with("ADO_") || runner_owned(name)
}

/// Variables the runner sets for every client (besides the contract).
fn runner_owned(name: &str) -> bool {
    matches!(
        name,
        "HOME"
            | "TMPDIR"
            | "XDG_CONFIG_HOME"
            | "XDG_CACHE_HOME"
            | "AZURE_DEVOPS_CACHE_DIR"
            | "GIT_TERMINAL_PROMPT"
            | "GIT_CONFIG_NOSYSTEM"
    )
}

/// Whether `name` may be listed in `pass-env`: not a contract variable (whatever the user's
/// shell holds, the case decides those) and not one the runner sets.
fn passable(name: &str) -> bool {
    !name.is_empty()
        && !name.contains('=')
        && !crate::contract::VARIABLES.iter().any(|v| v.name == name)
        && !runner_owned(name)
}

/// Loads and checks a manifest.
///
/// # Errors
/// A [`LoadError`] naming the file and the key.
pub fn load_manifest(path: &Path) -> Result<ClientManifest, LoadError> {
    let text = crate::files::read_text(path).map_err(|e| LoadError::file(WHAT, path, e))?;
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
    if let Some((i, name)) = raw.pass_env.iter().enumerate().find(|(_, n)| !passable(n)) {
        return Err(err(
            &format!("pass-env[{i}]"),
            format!("expected a variable that is neither a contract variable nor set by the runner, found `{name}`"),
        ));
    }
    // A bare `curl.toml` has the parent "": resolve against the current folder like `./curl.toml`.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
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
        pass_env: raw.pass_env,
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

    /// The program, or an error naming the manifest's `command` key.
    ///
    /// # Errors
    /// A [`LoadError`] when `command[0]` is neither a file beside the manifest nor on `path_var`.
    pub fn require_program(&self, path_var: Option<&str>) -> Result<PathBuf, LoadError> {
        self.find_program(path_var).ok_or_else(|| {
            let program = &self.command[0];
            let message = if program.contains('/') {
                format!("expected an existing program, found no file `{program}`")
            } else {
                format!("expected a program on PATH, found no `{program}` there")
            };
            LoadError::key(WHAT, &self.file, "command[0]", message)
        })
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
