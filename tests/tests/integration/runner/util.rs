//! Helpers: temporary client manifests for `fake-client`, running the CLI through
//! `conformance-dup`, and reading `results.json` with failures that show everything.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The scripted fake client.
pub const FAKE_CLIENT: &str = env!("CARGO_BIN_EXE_fake-client");
/// `ado-conformance` as a binary of this crate.
pub const CLI: &str = env!("CARGO_BIN_EXE_conformance-dup");

/// Every operation of the contract.
pub const ALL_OPERATIONS: &str = r#"["connection-data", "list-projects", "get-project", "list-repos", "git-ls-remote", "get-work-item", "create-work-item", "list-collections", "create-project"]"#;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace").to_owned()
}

/// The runner's fixture scenarios.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/runner/scenarios")
}

/// A temporary folder for manifests, baselines and reports.
pub struct Workdir {
    /// The folder.
    pub dir: tempfile::TempDir,
}

impl Workdir {
    /// A new folder.
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("a temporary folder") }
    }

    /// A path inside it.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A manifest running `fake-client SCRIPT` with every capability and a 20 s timeout.
    pub fn manifest(&self, script: &str) -> PathBuf {
        self.manifest_with(script, r#"["pat", "basic", "ntlm", "negotiate", "bearer"]"#, 20, "")
    }

    /// A manifest with the given capabilities (a TOML array), timeout and extra TOML lines.
    pub fn manifest_with(&self, script: &str, capabilities: &str, timeout_s: u64, extra: &str) -> PathBuf {
        let path = self.path(&format!("fake-{script}.toml"));
        let text = format!(
            "name = \"fake-{script}\"\ncommand = [{FAKE_CLIENT:?}, {script:?}]\ncapabilities = {capabilities}\n\
             operations = {ALL_OPERATIONS}\ntimeout-s = {timeout_s}\n{extra}\n"
        );
        std::fs::write(&path, text).expect("manifest written");
        path
    }

    /// Writes a file into the folder.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("file written");
        path
    }
}

/// What a CLI run produced.
#[derive(Debug)]
pub struct Outcome {
    /// The command line, for failure messages.
    pub command: String,
    /// The exit code (-1 for a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `ado-conformance run --client MANIFEST --scenarios SCENARIOS --report-dir REPORTS EXTRA...`.
pub fn run(manifest: &Path, scenarios: &Path, reports: &Path, extra: &[&str]) -> Outcome {
    let mut args = vec![
        "run",
        "--client",
        manifest.to_str().expect("UTF-8 path"),
        "--scenarios",
        scenarios.to_str().expect("UTF-8 path"),
        "--report-dir",
        reports.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    conformance(&args)
}

/// Runs `ado-conformance ARGS` in the workspace root.
pub fn conformance(args: &[&str]) -> Outcome {
    conformance_in(&workspace(), args, &[])
}

/// Runs `ado-conformance ARGS` in `dir` with extra environment variables.
pub fn conformance_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let output = Command::new(CLI)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("conformance-dup runs");
    Outcome {
        command: format!("ado-conformance {}", args.join(" ")),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Outcome {
    /// Panics with the command, the exit code and the output unless the exit code is `code`.
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "{}", self.context());
        self
    }

    /// Everything about the run, for failure messages.
    pub fn context(&self) -> String {
        format!(
            "command: {}\nexit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }
}

/// `results.json` of a report folder.
pub fn results(report_dir: &Path) -> Value {
    let text = std::fs::read_to_string(report_dir.join("results.json")).expect("results.json written");
    serde_json::from_str(&text).expect("results.json is JSON")
}

/// The case `scenario [release]` of a results document.
pub fn case<'a>(results: &'a Value, scenario: &str, release: &str) -> &'a Value {
    results["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["scenario"] == scenario && c["release"] == release))
        .unwrap_or_else(|| {
            panic!("no case {scenario} [{release}] in {}", serde_json::to_string_pretty(results).unwrap_or_default())
        })
}

/// The named check of a case: (verdict, detail).
pub fn check<'a>(case: &'a Value, name: &str) -> (&'a str, &'a str) {
    let check = case["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no check {name} in {case:#}"));
    (check["verdict"].as_str().unwrap_or_default(), check["detail"].as_str().unwrap_or_default())
}

/// The case with its transcript, for failure messages.
pub fn show(case: &Value) -> String {
    serde_json::to_string_pretty(case).unwrap_or_default()
}

/// Removes every `duration_ms` field (the only thing two runs may differ in).
pub fn without_durations(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("duration_ms");
            map.values_mut().for_each(without_durations);
        }
        Value::Array(items) => items.iter_mut().for_each(without_durations),
        _ => {}
    }
}
