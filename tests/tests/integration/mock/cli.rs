//! The `ado-mock-server` command line: `explain` for a header from a customer's log,
//! `credentials`, and a bad profile refused with exit code 2.

use std::process::Command;

use super::{b64, profile, token, workspace};

fn mock_server(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mock-server-dup")).args(args).output().expect("the binary runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

#[test]
fn explain_says_offline_what_the_server_would_answer_and_why() {
    let fixture = workspace().join("tests/fixtures/mock/rich.toml");
    let pat = token(&profile(""), "CONTOSO\\joseph", "full");
    let header = format!("Authorization: Basic {}", b64(&pat));
    let (code, stdout, stderr) = mock_server(&["explain", "--profile", fixture.to_str().unwrap(), &header]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains(&pat), "the explanation never repeats the PAT");
    let stable: String = stdout
        .lines()
        .filter(|l| {
            !l.contains("activityid")
                && !l.contains("x-tfs-processid")
                && !l.contains("x-vss-e2eid")
                && !l.contains("x-tfs-session")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("explain-no-colon", stable);

    let (code, stdout, _) =
        mock_server(&["explain", "--json", "--profile", fixture.to_str().unwrap(), "--path", "/tfs/_apis/projects"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!((json["reason"].as_str(), json["status"].as_u64()), (Some("auth.anonymous"), Some(401)));
}

#[test]
fn credentials_prints_the_test_accounts_and_pats() {
    let fixture = workspace().join("tests/fixtures/mock/rich.toml");
    let (code, stdout, _) = mock_server(&["credentials", "--profile", fixture.to_str().unwrap()]);
    assert_eq!(code, 0);
    let pat = token(&profile(""), "CONTOSO\\joseph", "full");
    assert!(stdout.contains("CONTOSO\\joseph") && stdout.contains("Passw0rd!") && stdout.contains(&pat), "{stdout}");
}

#[test]
fn a_bad_profile_is_refused_with_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[iis]\nbasics = true\n").unwrap();
    let (code, _, stderr) = mock_server(&["--profile", file.to_str().unwrap(), "--listen", "127.0.0.1:0"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("bad.toml") && stderr.contains("iis.basics") && stderr.contains("expected"), "{stderr}");
}
