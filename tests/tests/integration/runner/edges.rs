//! The edges of a run: a closed stdout (`| head`), SIGTERM and SIGHUP mid-run, processes a
//! client detaches, a client that tries to wipe the evidence, and `--sandbox`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::util::{CLI, Workdir, case, check, fixtures, results, run, show, workspace};

/// A manifest running `bash -c SCRIPT` with `[env] MARK = <work>/marks`.
fn bash_client(work: &Workdir, name: &str, script: &str, timeout_s: u32) -> std::path::PathBuf {
    let marks = work.path("marks");
    std::fs::create_dir_all(&marks).unwrap();
    let script = serde_json::to_string(script).expect("a JSON string is a TOML string");
    work.write(
        &format!("{name}.toml"),
        &format!(
            "name = {name:?}\ncommand = [\"bash\", \"-c\", {script}]\ncapabilities = [\"pat\"]\n\
             operations = [\"list-projects\"]\ntimeout-s = {timeout_s}\n[env]\nMARK = {:?}\n",
            marks.display()
        ),
    )
}

fn is_alive(pid: i32) -> bool {
    kill(Pid::from_raw(pid), None).is_ok()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
}

/// Every pid written into the marks folder (one file per pid, or pids inside files).
fn marked_pids(work: &Workdir) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(work.path("marks")).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap_or_default();
        out.extend(text.split_whitespace().filter_map(|t| t.parse::<i32>().ok()));
    }
    out
}

fn assert_complete_reports(reports: &Path) {
    let r = results(reports);
    assert!(r["totals"].is_object(), "{r:#}");
    let junit = std::fs::read_to_string(reports.join("junit.xml")).expect("junit.xml");
    assert!(junit.trim_end().ends_with("</testsuites>"), "{junit}");
    let html = std::fs::read_to_string(reports.join("report.html")).expect("report.html");
    assert!(html.trim_end().ends_with("</html>"));
    let md = std::fs::read_to_string(reports.join("summary.md")).expect("summary.md");
    assert!(md.starts_with("# Conformance of"), "{md}");
}

/// Starts a run whose clients detach a `setsid` daemon and then hang, sends `signal` once
/// they are running, and checks: exit 1, four complete reports marked interrupted, no
/// process of any client left, no temporary folder left.
fn stopped_by(signal: Signal) {
    let work = Workdir::new();
    let tmp = work.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let script = "setsid sleep 300 & echo $! > \"$MARK/$$.daemon\"; sleep 300 & echo $! > \"$MARK/$$.child\"; wait";
    let manifest = bash_client(&work, "detach-and-hang", script, 120);
    let reports = work.path("reports");
    let mut child = Command::new(CLI)
        .args(["run", "--client", manifest.to_str().unwrap(), "--scenarios", fixtures().to_str().unwrap()])
        .args(["--filter", "pat/", "--jobs", "2", "--report-dir", reports.to_str().unwrap()])
        .current_dir(workspace())
        .env("TMPDIR", &tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("conformance-dup starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the run announces itself");
    let started = Instant::now();
    while marked_pids(&work).len() < 4 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let pids = marked_pids(&work);
    assert_eq!(pids.len(), 4, "two clients started a daemon and a child each");
    let stopped = Instant::now();
    kill(Pid::from_raw(i32::try_from(child.id()).unwrap()), signal).expect("signal sent");
    let status = child.wait().expect("the run ends");
    assert!(stopped.elapsed() < Duration::from_secs(30), "took {:?} to stop", stopped.elapsed());
    assert_eq!(status.code(), Some(1), "an interrupted run exits 1");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains(&format!("{signal:?}: stopping")), "{stderr}");
    assert_complete_reports(&reports);
    let r = results(&reports);
    assert_eq!(r["totals"]["interrupted"], true, "{r:#}");
    for pid in pids {
        assert!(!is_alive(pid), "process {pid} of a client survived {signal:?}");
    }
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "temporary folders left behind: {left:?}");
}

#[test]
fn sigterm_mid_run_leaves_reports_and_nothing_else() {
    stopped_by(Signal::SIGTERM);
}

#[test]
fn sighup_mid_run_leaves_reports_and_nothing_else() {
    stopped_by(Signal::SIGHUP);
}

#[test]
fn a_detached_process_is_killed_and_reported() {
    let work = Workdir::new();
    // One daemon detached with setsid (the client waits until it has), one orphaned by a
    // subshell (a double fork).
    let script = "setsid sh -c 'echo $$ > \"$MARK/setsid\"; exec sleep 300' & \
                  while [ ! -s \"$MARK/setsid\" ]; do sleep 0.05; done; \
                  (sleep 301 & echo $! > \"$MARK/double\"); exit 1";
    let manifest = bash_client(&work, "daemons", script, 20);
    let reports = work.path("reports");
    let started = Instant::now();
    let out = run(&manifest, &fixtures(), &reports, &["--filter", "pat/expired"]);
    assert!(started.elapsed() < Duration::from_secs(30), "the run did not wait for the daemons");
    out.assert_code(1);
    let r = results(&reports);
    let c = case(&r, "pat/expired", "ads2022");
    let (verdict, detail) = check(c, "no-leftover-process");
    assert_eq!(verdict, "note", "{}", show(c));
    assert!(detail.contains("left 2 process(es)") && detail.contains("(1 detached"), "{detail}");
    for pid in marked_pids(&work) {
        assert!(!is_alive(pid), "the client's daemon {pid} survived");
    }
}

#[test]
fn a_closed_stdout_neither_panics_nor_loses_the_reports() {
    let work = Workdir::new();
    let manifest = work.manifest("good");
    let reports = work.path("reports");
    let mut child = Command::new(CLI)
        .args(["run", "--client", manifest.to_str().unwrap(), "--scenarios", fixtures().to_str().unwrap()])
        .args(["--report-dir", reports.to_str().unwrap()])
        .current_dir(workspace())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_complete_reports(&reports);
    assert_eq!(results(&reports)["totals"]["cases"], 6);
    for args in [vec!["list"], vec!["show", "pat/missing-colon"], vec!["list", "--format", "markdown"]] {
        let mut child = Command::new(CLI)
            .args(&args)
            .current_dir(work.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_client_that_wipes_the_journal_still_gets_insecure_for_its_leak() {
    let work = Workdir::new();
    let manifest = work.manifest("wipe-journal");
    let reports = work.path("reports");
    let out = run(&manifest, &fixtures(), &reports, &["--filter", "pat/good [ads2022]", "--jobs", "1"]);
    out.assert_code(1);
    let r = results(&reports);
    let c = case(&r, "pat/good", "ads2022");
    assert_eq!(c["verdict"], "insecure", "{}", show(c));
    assert!(check(c, "no-secret-leak").1.contains("a secret in the URL of #1"), "{}", show(c));
    let said = c["stdout"]["text"].as_str().unwrap_or_default();
    // It found the runner's listening port(s) and tried; no control plane answered.
    assert!(said.starts_with("wiped 0 of ") && !said.starts_with("wiped 0 of 0 "), "{said}");
}

/// `--sandbox` where bubblewrap is installed: the client reaches its case's server but no other
/// network service, cannot write outside its case folder and sees only its own processes.
/// Without it, the same client can do all three (the documented limits of the default
/// isolation).
#[test]
fn the_sandbox_keeps_the_client_in() {
    let has_bwrap =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).any(|d| d.join("bwrap").is_file());
    if !crate::clients::available("bwrap (bubblewrap)", has_bwrap, "apt-get install bubblewrap (.ci/run does)") {
        return;
    }
    let work = Workdir::new();
    let outside = work.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    // A service on the host's loopback that a sandboxed client must not reach.
    let host_service = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let host_port = host_service.local_addr().unwrap().port();
    // The runner's environment holds a marker; the client looks for it in every process.
    let script = format!(
        "touch {0}/escaped-$$ 2>/dev/null && echo wrote-outside; echo procs=$(ls /proc | grep -c '^[0-9]'); \
         grep -qs runner-only-b7f3 /proc/[0-9]*/environ && echo read-runner-environ; \
         (exec 3<>/dev/tcp/127.0.0.1/{host_port}) 2>/dev/null && echo reached-host; \
         curl -s -o /dev/null -w 'mock=%{{http_code}}\n' \"$ADO_URL/_apis/projects\"; exit 1",
        outside.display()
    );
    let manifest = bash_client(&work, "escape", &script, 20);
    for (sandbox, reports) in [(true, "sandboxed"), (false, "plain")] {
        let reports = work.path(reports);
        let mut extra = vec!["--filter", "pat/expired"];
        if sandbox {
            extra.push("--sandbox");
        }
        let mut args = vec!["run", "--client", manifest.to_str().unwrap(), "--scenarios"];
        let scenarios = fixtures();
        args.extend([scenarios.to_str().unwrap(), "--report-dir", reports.to_str().unwrap()]);
        args.extend(extra);
        let out = super::util::conformance_in(&workspace(), &args, &[("RUNNER_MARK", "runner-only-b7f3")]);
        out.assert_code(1);
        let r = results(&reports);
        let said = case(&r, "pat/expired", "ads2022")["stdout"]["text"].as_str().unwrap_or_default().to_owned();
        let procs: usize = said
            .lines()
            .find_map(|l| l.strip_prefix("procs="))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{said}"));
        assert!(said.contains("mock=401"), "the client reaches its case's server: {said}");
        if sandbox {
            assert!(!said.contains("reached-host"), "only the loopback of its own namespace: {said}");
            assert!(!said.contains("wrote-outside"), "{said}");
            assert!(!said.contains("read-runner-environ"), "{said}");
            assert!(procs < 10, "the sandbox shows only the client's processes: {said}");
        } else {
            assert!(said.contains("wrote-outside") && said.contains("read-runner-environ"), "{said}");
            assert!(said.contains("reached-host"), "{said}");
        }
    }
}
