//! The runner works from any folder with its built-in library, and refuses bad inputs quickly
//! with exit 2: symbolic-link loops, FIFOs named `*.toml`, a manifest whose program does not
//! exist, a baseline naming no scenario. A bare `--client curl.toml` resolves like
//! `./curl.toml`; `ADO_PYTHON` reaches the Python SDK adapter.

use std::time::{Duration, Instant};

use super::util::{
    ALL_OPERATIONS, FAKE_CLIENT, Workdir, case, conformance, conformance_in, fixtures, results, workspace,
};

/// A manifest `fake.toml` in `dir` running the fake client's `script`.
fn bare_manifest(dir: &std::path::Path, script: &str) {
    let text = format!(
        "name = \"fake\"\ncommand = [{FAKE_CLIENT:?}, {script:?}]\ncapabilities = [\"pat\"]\noperations = {ALL_OPERATIONS}\ntimeout-s = 20\n"
    );
    std::fs::write(dir.join("fake.toml"), text).expect("manifest written");
}

#[test]
fn a_run_from_a_folder_without_scenarios_uses_the_built_in_library() {
    let work = Workdir::new();
    assert!(!work.path("scenarios").exists());
    bare_manifest(work.dir.path(), "good");
    let out = conformance_in(
        work.dir.path(),
        &["run", "--client", "fake.toml", "--filter", "pat/missing-colon", "--release", "ads2022"],
        &[],
    );
    out.assert_code(0);
    // The default report folder is ./reports, named on the last line.
    let last = out.stdout.lines().last().unwrap_or_default();
    assert_eq!(last, "Reports: reports/ (results.json, junit.xml, report.html, summary.md)", "{}", out.context());
    let r = results(&work.path("reports"));
    assert_eq!(case(&r, "pat/missing-colon", "ads2022")["verdict"], "pass", "{}", out.context());
    // The same catalogue as the repository's folder.
    let here = conformance_in(work.dir.path(), &["list"], &[]);
    here.assert_code(0);
    let folder = conformance(&["list", "--scenarios", "scenarios"]);
    assert_eq!(here.stdout, folder.stdout);
    assert!(here.stdout.lines().count() > 40, "{}", here.stdout);
}

#[test]
fn check_refuses_a_manifest_whose_program_is_missing() {
    let work = Workdir::new();
    let missing = work.write(
        "missing.toml",
        "name = \"m\"\ncommand = [\"no-such-client-program\"]\ncapabilities = [\"pat\"]\ntimeout-s = 5\n",
    );
    let relative = work
        .write("relative.toml", "name = \"r\"\ncommand = [\"./nope.sh\"]\ncapabilities = [\"pat\"]\ntimeout-s = 5\n");
    for (manifest, expected) in [
        (missing, "key `command[0]`: expected a program on PATH, found no `no-such-client-program` there"),
        (relative, "key `command[0]`: expected an existing program, found no file"),
    ] {
        let out = conformance(&["check", "--client", manifest.to_str().unwrap()]);
        out.assert_code(2);
        assert!(out.stderr.contains(expected), "{}", out.context());
    }
    conformance(&["check", "--client", "conformance/clients/curl.toml"]).assert_code(0);
}

#[test]
fn a_baseline_entry_naming_no_scenario_is_an_error() {
    let work = Workdir::new();
    let stale = work.write(
        "stale.toml",
        "[[expect]]\nscenario = \"pat/good\"\nverdict = \"fail\"\nreason = \"r\"\n\n\
         [[expect]]\nscenario = \"pat/renamed-long-ago\"\nverdict = \"fail\"\nreason = \"r\"\n\n\
         [[expect]]\nscenario = \"pat/good\"\nrelease = \"tfs2015\"\nverdict = \"fail\"\nreason = \"r\"\n",
    );
    let scenarios = fixtures();
    let out =
        conformance(&["check", "--scenarios", scenarios.to_str().unwrap(), "--baseline", stale.to_str().unwrap()]);
    out.assert_code(2);
    assert!(out.stderr.contains("key `expect[1].scenario`: expected a scenario of"), "{}", out.context());
    assert!(out.stderr.contains("found `pat/renamed-long-ago`"), "{}", out.context());
    assert!(out.stderr.contains("key `expect[2].release`: `pat/good` does not run on `tfs2015`"), "{}", out.context());
    let manifest = work.manifest("good");
    let out = super::util::run(&manifest, &scenarios, &work.path("reports"), &["--baseline", stale.to_str().unwrap()]);
    out.assert_code(2);
    assert!(out.stderr.contains("pat/renamed-long-ago"), "{}", out.context());
}

/// A scenarios folder with the fixture's profile and one good scenario, plus `extra`.
fn folder_with(work: &Workdir, extra: impl FnOnce(&std::path::Path)) -> std::path::PathBuf {
    let root = work.path("scenarios");
    std::fs::create_dir_all(root.join("profiles")).unwrap();
    std::fs::create_dir_all(root.join("pat")).unwrap();
    std::fs::copy(fixtures().join("profiles/default.toml"), root.join("profiles/default.toml")).unwrap();
    std::fs::copy(fixtures().join("pat/good.toml"), root.join("pat/good.toml")).unwrap();
    extra(&root);
    root
}

fn check_quickly(root: &std::path::Path) -> super::util::Outcome {
    let started = Instant::now();
    let out = conformance(&["check", "--scenarios", root.to_str().unwrap()]);
    assert!(started.elapsed() < Duration::from_secs(10), "check took {:?}", started.elapsed());
    out
}

#[test]
fn symbolic_link_loops_are_refused_quickly() {
    let work = Workdir::new();
    let root = folder_with(&work, |root| {
        // Two links pointing at the folder that holds them: walking them naively never ends.
        std::os::unix::fs::symlink(".", root.join("pat/again")).unwrap();
        std::os::unix::fs::symlink("..", root.join("pat/up")).unwrap();
        // Two links pointing at each other.
        std::os::unix::fs::symlink("b.toml", root.join("a.toml")).unwrap();
        std::os::unix::fs::symlink("a.toml", root.join("b.toml")).unwrap();
    });
    let out = check_quickly(&root);
    out.assert_code(2);
    assert!(out.stderr.contains("pat/again: symbolic-link loop"), "{}", out.context());
    assert!(out.stderr.contains("pat/up: symbolic-link loop"), "{}", out.context());
    assert!(out.stderr.contains("a.toml: cannot read: Too many levels of symbolic links"), "{}", out.context());
    let manifest = work.manifest("good");
    super::util::run(&manifest, &root, &work.path("reports"), &[]).assert_code(2);
}

#[test]
fn a_fifo_named_toml_is_refused_without_hanging() {
    let work = Workdir::new();
    let root = folder_with(&work, |root| {
        nix::unistd::mkfifo(&root.join("pat/pipe.toml"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        nix::unistd::mkfifo(&root.join("profiles/fifo.toml"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    });
    let out = check_quickly(&root);
    out.assert_code(2);
    assert!(
        out.stderr.contains("pat/pipe.toml: expected a regular file, found a FIFO (named pipe)"),
        "{}",
        out.context()
    );
    // A FIFO given as a manifest or baseline does not hang either.
    let pipe = root.join("pat/pipe.toml");
    let started = Instant::now();
    let out = conformance(&["check", "--client", pipe.to_str().unwrap(), "--baseline", pipe.to_str().unwrap()]);
    out.assert_code(2);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(out.stderr.contains("invalid client manifest"), "{}", out.context());
}

#[test]
fn ado_python_reaches_the_python_sdk_adapter() {
    let work = Workdir::new();
    let fake = work.write("python", "#!/bin/sh\necho \"fake python ran $1\" >&2\nexit 3\n");
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let reports = work.path("reports");
    let out = conformance_in(
        &workspace(),
        &[
            "run",
            "--client",
            "conformance/clients/python-sdk.toml",
            "--filter",
            "pat/missing-colon",
            "--release",
            "ads2022",
            "--report-dir",
            reports.to_str().unwrap(),
        ],
        &[("ADO_PYTHON", fake.to_str().unwrap())],
    );
    out.assert_code(1);
    let r = results(&reports);
    let c = case(&r, "pat/missing-colon", "ads2022");
    let stderr = c["stderr"]["text"].as_str().unwrap_or_default();
    assert!(stderr.contains("fake python ran") && stderr.contains("python_sdk.py"), "{c:#}");
}

/// The repository stands alone: no file points at the design notes outside it.
#[test]
fn the_repository_points_at_no_document_outside_it() {
    let listed = std::process::Command::new("git")
        .args(["ls-files", "--cached", "--others", "--exclude-standard"])
        .current_dir(workspace())
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "git ls-files: {}", String::from_utf8_lossy(&listed.stderr));
    // Spelled in pieces so this file does not match itself.
    let design = ["DESIGN", ".md"].concat();
    let needles =
        [["..", "/shared"].concat(), ["/work", "/shared"].concat(), ["shared ", "DESIGN"].concat(), design.clone()];
    let cited = regex::Regex::new(&["\\(", "DESIGN", "[ :\"]"].concat()).unwrap();
    let mut found = Vec::new();
    for file in String::from_utf8_lossy(&listed.stdout).lines() {
        let Ok(text) = std::fs::read_to_string(workspace().join(file)) else { continue };
        for (n, line) in text.lines().enumerate() {
            if needles.iter().any(|needle| line.contains(needle.as_str())) || cited.is_match(line) {
                found.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "references to documents outside the repository:\n{}", found.join("\n"));
    // Fact citations such as `(ado-facts 2.4)` resolve to a heading of docs/FACTS.md.
    let facts = std::fs::read_to_string(workspace().join("docs/FACTS.md")).expect("docs/FACTS.md");
    let citation =
        regex::Regex::new(r"\b(ado|ntlm|client)-facts (\d+(?:\.\d+)?(?:\s*[,/-]\s*\d+(?:\.\d+)?)*)").unwrap();
    let number = regex::Regex::new(r"\d+(?:\.\d+)?").unwrap();
    let mut missing = Vec::new();
    let mut cited = 0;
    for file in String::from_utf8_lossy(&listed.stdout).lines() {
        let Ok(text) = std::fs::read_to_string(workspace().join(file)) else { continue };
        for c in citation.captures_iter(&text) {
            for n in number.find_iter(&c[2]) {
                cited += 1;
                let key = format!("### {}-facts {}\n", &c[1], n.as_str());
                if !facts.contains(&key) {
                    missing.push(format!("{file}: {}-facts {}", &c[1], n.as_str()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "citations without a section in docs/FACTS.md:\n{}", missing.join("\n"));
    assert!(cited > 20, "the code cites facts: {cited}");
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    assert!(readme.contains("(docs/CLIENT-CONTRACT.md)") && readme.contains("cargo install --path conformance"));
}

/// Every shipped manifest and baseline passes `check` (a baseline that is not TOML, names a
/// scenario that is gone, or a manifest whose program is missing would fail a user's run).
#[test]
fn the_shipped_clients_and_baselines_check() {
    for client in ["curl", "git", "python-sdk", "reference"] {
        let manifest = format!("conformance/clients/{client}.toml");
        let baseline = format!("conformance/baselines/{client}.toml");
        let mut args = vec!["check", "--client", manifest.as_str(), "--baseline", baseline.as_str()];
        if client == "reference" {
            // Its program is a build product; check the baseline alone.
            args.drain(1..3);
        }
        conformance(&args).assert_code(0);
    }
}
