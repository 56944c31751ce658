//! Clients that misbehave as processes: flood their output, kill themselves, leave a daemon
//! behind, wait on stdin. None of them may hang or crash the run, and the report stays complete.

use std::time::{Duration, Instant};

use super::util::{Workdir, case, results, run, workspace};

/// A manifest running `bash -c SCRIPT`.
fn bash_client(work: &Workdir, name: &str, script: &str) -> std::path::PathBuf {
    let script = serde_json::to_string(script).expect("a JSON string is a TOML string");
    work.write(
        &format!("{name}.toml"),
        &format!(
            "name = {name:?}\ncommand = [\"bash\", \"-c\", {script}]\ncapabilities = [\"pat\"]\n\
             operations = [\"list-projects\"]\ntimeout-s = 10\n"
        ),
    )
}

/// Runs one case and returns its result and the run's wall time.
fn run_one(work: &Workdir, name: &str, script: &str) -> (serde_json::Value, Duration) {
    let manifest = bash_client(work, name, script);
    let reports = work.path(&format!("reports-{name}"));
    let started = Instant::now();
    let scenarios = workspace().join("scenarios");
    let outcome = run(&manifest, &scenarios, &reports, &["--filter", "pat/missing-colon", "--release", "ads2022"]);
    let elapsed = started.elapsed();
    outcome.assert_code(1);
    for file in ["results.json", "junit.xml", "report.html", "summary.md"] {
        assert!(reports.join(file).exists(), "{file} is written: {}", outcome.context());
    }
    (case(&results(&reports), "pat/missing-colon", "ads2022").clone(), elapsed)
}

#[test]
fn a_client_flooding_its_output_is_capped_and_judged() {
    let work = Workdir::new();
    let (case, elapsed) = run_one(&work, "flood", "yes flood | head -c 50000000; exit 1");
    assert_eq!(case["verdict"], "fail");
    assert!(elapsed < Duration::from_secs(60), "the flood did not stall the run: {elapsed:?}");
    let json = case.to_string();
    assert!(json.len() < 4 * 1024 * 1024, "the report holds a bounded excerpt, not 50 MB: {} bytes", json.len());
}

#[test]
fn a_client_that_kills_itself_is_judged_by_its_signal() {
    let work = Workdir::new();
    let (case, _) = run_one(&work, "selfkill", "kill -9 $$");
    assert_eq!(case["verdict"], "fail");
    assert!(case.to_string().contains("signal 9"), "{case:#}");
}

#[test]
fn a_daemon_left_behind_is_killed_with_the_group() {
    let work = Workdir::new();
    let marker = work.path("daemon-alive");
    let script = format!("(sleep 5; touch {}) & echo started", marker.display());
    let (case, elapsed) = run_one(&work, "daemon", &script);
    assert_eq!(case["verdict"], "fail", "it made no request");
    assert!(elapsed < Duration::from_secs(5), "the run did not wait for the daemon: {elapsed:?}");
    std::thread::sleep(Duration::from_secs(6));
    assert!(!marker.exists(), "the daemon in the client's process group was killed");
}

#[test]
fn a_client_waiting_on_stdin_gets_end_of_file_at_once() {
    let work = Workdir::new();
    let (case, elapsed) = run_one(&work, "stdin", "read line; echo \"read '$line'\"; exit 1");
    assert_eq!(case["verdict"], "fail");
    assert!(elapsed < Duration::from_secs(8), "stdin is closed, not a terminal to wait on: {elapsed:?}");
}
