//! A hanging client is killed with its whole process group at the timeout and the reports are
//! still complete; SIGINT stops a run and still writes partial reports; two runs of the same
//! suite give the same results.json apart from durations.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use regex::Regex;

use super::util::{CLI, Workdir, case, check, fixtures, results, run, show, without_durations, workspace};

/// The pid the `hang` script printed for its `sleep` child.
fn grandchild(case: &serde_json::Value) -> Option<i32> {
    let stdout = case["stdout"]["text"].as_str()?;
    Regex::new(r"child pid (\d+)").ok()?.captures(stdout)?.get(1)?.as_str().parse().ok()
}

fn is_alive(pid: i32) -> bool {
    // A zombie still answers signal 0; a reaped or killed-and-gone process does not.
    kill(Pid::from_raw(pid), None).is_ok()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
}

#[test]
fn a_hanging_client_is_killed_with_its_group_at_the_timeout() {
    let work = Workdir::new();
    let manifest = work.manifest_with("hang", r#"["pat"]"#, 2, "");
    let reports = work.path("reports");
    let started = Instant::now();
    let out = run(&manifest, &fixtures(), &reports, &["--filter", "pat/good", "--jobs", "2"]);
    out.assert_code(1);
    assert!(started.elapsed() < Duration::from_secs(60), "the run took {:?}", started.elapsed());
    let results = results(&reports);
    assert_eq!(results["totals"]["cases"], 2, "{}", out.context());
    for release in ["ads2019", "ads2022"] {
        let c = case(&results, "pat/good", release);
        assert_eq!(c["verdict"], "fail", "{}", show(c));
        assert_eq!(check(c, "timeout"), ("fail", "still running after 2s: killed its process group"));
        assert_eq!(c["exit"]["timed_out"], true);
        let ms = c["duration_ms"].as_u64().unwrap_or_default();
        assert!((2000..30_000).contains(&ms), "killed after {ms} ms");
        let pid = grandchild(c).unwrap_or_else(|| panic!("the hang script printed its child's pid: {}", show(c)));
        assert!(!is_alive(pid), "the client's child {pid} survived the group kill");
    }
    for file in ["junit.xml", "report.html"] {
        let text = std::fs::read_to_string(reports.join(file)).expect("report written");
        assert!(text.contains("pat/good [ads2019]") && text.contains("pat/good [ads2022]"), "{file}:\n{text}");
    }
    // summary.md groups the two releases under their root cause.
    let summary = std::fs::read_to_string(reports.join("summary.md")).expect("summary.md written");
    assert!(summary.contains("### `timeout` (fail): 2 cases in 1 scenario"), "{summary}");
    assert!(summary.contains("`pat/good [ads2019, ads2022]`"), "{summary}");
}

#[test]
fn sigint_stops_the_run_kills_clients_and_writes_partial_reports() {
    let work = Workdir::new();
    let manifest = work.manifest_with("hang", r#"["pat"]"#, 120, "");
    let reports = work.path("reports");
    let mut child = Command::new(CLI)
        .args(["run", "--client", manifest.to_str().unwrap(), "--scenarios", fixtures().to_str().unwrap()])
        .args(["--filter", "pat/", "--jobs", "1", "--report-dir", reports.to_str().unwrap()])
        .current_dir(workspace())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("conformance-dup starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the run announces itself");
    assert!(first.starts_with("Running 4 cases"), "{first}");
    // Give the first client time to start; SIGINT is handled from before the first line.
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    kill(Pid::from_raw(i32::try_from(child.id()).unwrap()), Signal::SIGINT).expect("SIGINT sent");
    let status = child.wait().expect("the run ends");
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?} to stop", started.elapsed());
    assert_eq!(status.code(), Some(1), "an interrupted run exits 1");
    let results = results(&reports);
    assert_eq!(results["totals"]["interrupted"], true, "{results:#}");
    assert_eq!(results["totals"]["not_run"], 4);
    assert!(std::fs::read_to_string(reports.join("summary.md")).unwrap_or_default().contains("Interrupted"));
}

#[test]
fn two_runs_give_the_same_results_apart_from_durations() {
    let work = Workdir::new();
    let extra = "[env]\nFAKE_SCRIPT_pat_expired = \"retry-storm\"\nFAKE_SCRIPT_pat_revoked = \"print-header\"\n";
    let manifest = work.manifest_with("by-scenario", r#"["pat", "ntlm"]"#, 20, extra);
    let mut runs = Vec::new();
    for name in ["one", "two"] {
        let reports = work.path(name);
        run(&manifest, &fixtures(), &reports, &["--jobs", "3"]).assert_code(1);
        let mut r = results(&reports);
        without_durations(&mut r);
        runs.push(r);
    }
    assert_eq!(runs[0]["totals"]["cases"], 6);
    assert_eq!(runs[0], runs[1], "results.json differs between two runs beyond durations");
}
