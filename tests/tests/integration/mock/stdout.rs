//! The standalone server's log never stalls serving: a caller that reads the first line and
//! then leaves stdout unread (a pipe fills at about 64 KiB) still gets every answer.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_stdout_is_never_read_answers_5000_requests() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-server-dup"))
        .args(["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the mock server binary starts");
    // Read the first line only; keep the pipe open and unread from here on.
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout piped"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the first line");
    let base = first.trim().strip_prefix("listening on ").expect("listening on ADDR").to_owned();
    let url = format!("{base}/tfs/DefaultCollection/_apis/projects?api-version=7.0");
    let client = ado_tests::http().timeout(std::time::Duration::from_secs(10)).build().unwrap();
    let mut answered = 0;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let (client, url) = (client.clone(), url.clone());
        tasks.spawn(async move {
            let mut ok = 0;
            for i in 0..625 {
                // Each refusal logs a decision line of about 300 bytes: 5,000 of them are ~1.5 MB.
                let response = client.get(&url).basic_auth(format!("user{worker}-{i}"), Some("wrong")).send().await;
                ok += usize::from(response.is_ok_and(|r| r.status().as_u16() == 401));
            }
            ok
        });
    }
    while let Some(done) = tasks.join_next().await {
        answered += done.expect("worker");
    }
    let _ = child.kill();
    let _ = child.wait();
    drop(stdout);
    assert_eq!(answered, 5000, "every request is answered while stdout is full");
}
