//! The other subcommands and the exit codes: list (text and Markdown), show, serve with curl,
//! unknown ids and usage errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::util::{CLI, conformance, workspace};

const FIXTURES: &str = "tests/fixtures/runner/scenarios";

#[test]
fn list_prints_id_fault_releases_and_title() {
    let out = conformance(&["list", "--scenarios", FIXTURES]);
    out.assert_code(0);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn list_markdown_prints_a_catalogue() {
    let out = conformance(&["list", "--scenarios", FIXTURES, "--format", "markdown", "--filter", "pat/"]);
    out.assert_code(0);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn show_prints_the_whole_scenario() {
    let out = conformance(&["show", "pat/expired", "--scenarios", FIXTURES]);
    out.assert_code(0);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn unknown_ids_and_usage_errors_exit_2() {
    let out = conformance(&["show", "pat/nope", "--scenarios", FIXTURES]);
    out.assert_code(2);
    assert_eq!(
        out.stderr,
        "error: no scenario `pat/nope` in tests/fixtures/runner/scenarios (see `ado-conformance list`)\n"
    );
    conformance(&["run"]).assert_code(2);
    conformance(&["run", "--client", "nope.toml", "--scenarios", FIXTURES]).assert_code(2);
    conformance(&["--help"]).assert_code(0);
}

/// `serve` prints the contract as KEY=VALUE lines and `ready`; curl with those values gets the
/// projects; standard input at end of file (not a terminal, as in a script or CI) does not
/// stop it; SIGTERM does, with exit 0.
#[test]
fn serve_prints_the_environment_and_works_with_curl() {
    let mut child = Command::new(CLI)
        .args(["serve", "pat/good", "--scenarios", FIXTURES, "--release", "ads2022"])
        .current_dir(workspace())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut env = Vec::new();
    for line in stdout.lines() {
        let line = line.expect("a line");
        if line == "ready" {
            break;
        }
        let (key, value) = line.split_once('=').unwrap_or_else(|| panic!("not KEY=VALUE: {line}"));
        env.push((key.to_owned(), value.to_owned()));
    }
    let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "ADO_URL",
            "ADO_COLLECTION",
            "ADO_PROJECT",
            "ADO_REPO",
            "ADO_WORK_ITEM",
            "ADO_OPERATION",
            "ADO_AUTH",
            "ADO_PAT",
            "ADO_SCENARIO"
        ]
    );
    let get = |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert!(get("ADO_URL").starts_with("http://127.0.0.1:") && get("ADO_URL").ends_with("/tfs/DefaultCollection"));
    let curl = Command::new("curl")
        .args(["--silent", "--show-error", "--fail", "--user", &format!(":{}", get("ADO_PAT"))])
        .arg(format!("{}/_apis/projects", get("ADO_URL")))
        .output()
        .expect("curl runs");
    let body = String::from_utf8_lossy(&curl.stdout);
    assert!(curl.status.success(), "curl failed: {}", String::from_utf8_lossy(&curl.stderr));
    assert!(body.contains("\"name\":\"Fabrikam\""), "{body}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().expect("wait").is_none(), "serve stopped although stdin is merely at end of file");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM sent");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut stderr).expect("stderr");
    assert!(stderr.contains("control plane on http://127.0.0.1:"), "{stderr}");
    assert!(stderr.contains("GET /tfs/DefaultCollection/_apis/projects -> 200 ok"), "{stderr}");
}

/// `serve`'s control plane (issue 17): its token is on stderr only, never in the client's
/// environment; without it, with a wrong one or under a foreign Host, `DELETE /journal` is
/// refused and the journal keeps the client's leak; with it, the journal reads.
#[test]
fn serve_guards_its_control_plane_with_a_token_the_client_never_gets() {
    let mut child = Command::new(CLI)
        .args(["serve", "pat/good", "--scenarios", FIXTURES, "--release", "ads2022"])
        .current_dir(workspace())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    let env: Vec<String> = stdout.lines().map_while(Result::ok).take_while(|l| l != "ready").collect();
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("serve's first stderr line");
    let control = line.split("control plane on ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_default();
    let token = line.split("Bearer ").nth(1).and_then(|r| r.split('`').next()).unwrap_or_default().to_owned();
    assert!(control.starts_with("http://127.0.0.1:") && token.len() >= 32, "{line}");
    assert!(env.iter().all(|kv| !kv.contains(&token)), "the token is not in the client's environment: {env:?}");
    let get = |k: &str| env.iter().find_map(|kv| kv.strip_prefix(&format!("{k}="))).unwrap_or_default().to_owned();
    // The client leaks its PAT in a URL, then tries to wipe the evidence.
    let leak = Command::new("curl")
        .args(["-s", "-o", "/dev/null"])
        .arg(format!("{}/_apis/projects?pat={}", get("ADO_URL"), get("ADO_PAT")))
        .status();
    assert!(leak.expect("curl runs").success());
    let port = control.rsplit(':').next().unwrap_or_default();
    let attempt = |extra: &[String]| -> String {
        let out = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE"])
            .args(extra)
            .arg(format!("{control}/journal"))
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(attempt(&[]), "401");
    assert_eq!(attempt(&["-H".into(), "Authorization: Bearer guessed".into()]), "401");
    let bearer = format!("Authorization: Bearer {token}");
    assert_eq!(attempt(&["-H".into(), bearer.clone(), "-H".into(), format!("Host: rebinding.example:{port}")]), "403");
    let journal =
        Command::new("curl").args(["-s", "-H", &bearer]).arg(format!("{control}/journal")).output().expect("curl runs");
    let journal = String::from_utf8_lossy(&journal.stdout);
    assert!(journal.contains("\"secret_in_url\":true"), "the leak is still in the journal: {journal}");
    assert!(!journal.contains(&get("ADO_PAT")) && !journal.contains(&token), "{journal}");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM sent");
    assert_eq!(child.wait().expect("serve ends").code(), Some(0));
}
