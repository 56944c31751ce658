//! Real git and git-lfs through the embedded mock: clone, fetch and push over a PAT and over
//! NTLM, a read-only PAT's push refused as the server refuses it (empty 401, `pat.scope`, on
//! `git-receive-pack`), LFS push and pull, and the server's git folder removed at shutdown.

use std::path::Path;
use std::process::{Command, Output};

use ado_mock_server::MockServer;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{profile, token};

/// How git is authenticated.
#[derive(Clone)]
enum Auth {
    /// `http.extraheader: Authorization: Basic base64(':' + PAT)`.
    Pat(String),
    /// User name and password through GIT_ASKPASS, NTLM allowed.
    Ntlm { askpass: String },
}

/// Runs git (off the runtime's threads: the server runs on them) in `dir`, isolated from the
/// user's configuration.
async fn git(dir: &Path, auth: &Auth, args: &[&str]) -> Output {
    let (dir, auth) = (dir.to_owned(), auth.clone());
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("git");
        cmd.current_dir(&dir)
            .env("HOME", &dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@contoso.local")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@contoso.local");
        match &auth {
            Auth::Pat(pat) => {
                let header = format!("Authorization: Basic {}", STANDARD.encode(format!(":{pat}")));
                cmd.args(["-c", &format!("http.extraheader={header}")]);
            }
            Auth::Ntlm { askpass } => {
                cmd.env("GIT_ASKPASS", askpass).args(["-c", "http.allowNTLMAuth=true"]);
            }
        }
        cmd.args(&args).output().expect("git runs")
    })
    .await
    .expect("git finished")
}

fn ok(output: &Output, what: &str) {
    assert!(output.status.success(), "{what} failed: {}", String::from_utf8_lossy(&output.stderr));
}

fn repo_url(server: &MockServer, repo: &str) -> String {
    format!("{}/Fabrikam/_git/{repo}", server.collection_url("DefaultCollection"))
}

/// Clones, commits a file and pushes it; a second clone fetches the pushed commit.
async fn clone_push_fetch(server: &MockServer, auth: &Auth, work: &Path) {
    let url = repo_url(server, "Tools");
    ok(&git(work, auth, &["clone", "--quiet", &url, "a"]).await, "clone");
    let a = work.join("a");
    assert!(a.join("README.md").is_file(), "the seeded commit was cloned");
    std::fs::write(a.join("pushed.txt"), "pushed by the test\n").unwrap();
    ok(&git(&a, auth, &["add", "pushed.txt"]).await, "add");
    ok(&git(&a, auth, &["commit", "--quiet", "-m", "pushed"]).await, "commit");
    ok(&git(&a, auth, &["push", "--quiet", "origin", "HEAD:main"]).await, "push");
    let head = git(&a, auth, &["rev-parse", "HEAD"]).await;
    std::fs::create_dir_all(work.join("b")).unwrap();
    let b = work.join("b");
    ok(&git(&b, auth, &["init", "--quiet"]).await, "init");
    ok(&git(&b, auth, &["fetch", "--quiet", &url, "main"]).await, "fetch");
    let fetched = git(&b, auth, &["rev-parse", "FETCH_HEAD"]).await;
    assert_eq!(fetched.stdout, head.stdout, "the fetch sees the pushed commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_clones_fetches_and_pushes_with_a_pat_and_the_folder_is_removed() {
    let p = profile("");
    let auth = Auth::Pat(token(&p, "CONTOSO\\joseph", "full"));
    let server = MockServer::builder().profile(p).start().await.unwrap();
    let work = tempfile::tempdir().unwrap();
    clone_push_fetch(&server, &auth, work.path()).await;
    let journal = server.journal();
    assert!(journal.iter().any(|e| e.path.ends_with("/git-receive-pack") && e.status == 200));
    assert!(journal.iter().all(|e| e.reason.code() == "ok"), "{journal:#?}");
    let folder = server.state().rest().git_dir().expect("the git folder was created");
    assert!(folder.is_dir());
    server.shutdown().await;
    assert!(!folder.exists(), "the server's git folder is removed at shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_clones_fetches_and_pushes_with_ntlm() {
    let server = MockServer::builder().profile(profile("")).start().await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let askpass = work.path().join("askpass.sh");
    std::fs::write(
        &askpass,
        "#!/bin/sh\ncase \"$1\" in Username*) echo 'CONTOSO\\joseph';; *) echo 'Passw0rd!';; esac\n",
    )
    .unwrap();
    std::fs::set_permissions(&askpass, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let auth = Auth::Ntlm { askpass: askpass.display().to_string() };
    clone_push_fetch(&server, &auth, work.path()).await;
    let journal = server.journal();
    let reasons: Vec<&str> = journal.iter().map(|e| e.reason.code()).collect();
    assert!(reasons.contains(&"ntlm.challenge"), "{reasons:?}");
    assert!(
        journal
            .iter()
            .any(|e| e.path.ends_with("/git-receive-pack") && e.status == 200 && e.via.as_deref() == Some("ntlm")),
        "the push was authenticated with NTLM: {journal:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_with_a_read_only_pat_is_refused_with_401_pat_scope() {
    let p = profile("");
    let auth = Auth::Pat(token(&p, "CONTOSO\\joseph", "code"));
    let server = MockServer::builder().profile(p).start().await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let url = repo_url(&server, "Tools");
    ok(&git(work.path(), &auth, &["clone", "--quiet", &url, "a"]).await, "clone with vso.code");
    let a = work.path().join("a");
    std::fs::write(a.join("x.txt"), "x\n").unwrap();
    ok(&git(&a, &auth, &["add", "x.txt"]).await, "add");
    ok(&git(&a, &auth, &["commit", "--quiet", "-m", "x"]).await, "commit");
    let push = git(&a, &auth, &["push", "origin", "HEAD:main"]).await;
    assert!(!push.status.success(), "the push must fail");
    let stderr = String::from_utf8_lossy(&push.stderr);
    // git reports the 401 of its POST as a failed authentication, or, with no credential helper
    // to ask, as a user name it could not read.
    assert!(["401", "Authentication failed", "could not read Username"].iter().any(|m| stderr.contains(m)), "{stderr}");
    let refused = server.journal().into_iter().find(|e| e.reason.code() == "pat.scope").expect("a pat.scope refusal");
    assert!(refused.path.ends_with("/git-receive-pack"), "refused on the receive-pack POST: {}", refused.path);
    assert_eq!((refused.method.as_str(), refused.status), ("POST", 401));
}

fn git_lfs_available() -> bool {
    let found = Command::new("git").args(["lfs", "version"]).output().is_ok_and(|o| o.status.success());
    crate::clients::available("git-lfs", found, "apt-get install git-lfs (.ci/run does)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_lfs_pushes_and_pulls_an_object_with_a_pat() {
    if !git_lfs_available() {
        return;
    }
    let p = profile("");
    let auth = Auth::Pat(token(&p, "CONTOSO\\joseph", "full"));
    let server = MockServer::builder().profile(p).start().await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let url = repo_url(&server, "Fabrikam");
    ok(&git(work.path(), &auth, &["clone", "--quiet", &url, "a"]).await, "clone");
    let a = work.path().join("a");
    ok(&git(&a, &auth, &["lfs", "install", "--local"]).await, "lfs install");
    let object: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(a.join("assets/pushed.bin"), &object).unwrap();
    ok(&git(&a, &auth, &["add", "assets/pushed.bin"]).await, "add");
    ok(&git(&a, &auth, &["commit", "--quiet", "-m", "lfs"]).await, "commit");
    ok(&git(&a, &auth, &["push", "--quiet", "origin", "HEAD:main"]).await, "push with LFS");
    let b = work.path().join("b");
    let clone = git(
        work.path(),
        &auth,
        &["-c", "filter.lfs.smudge=", "-c", "filter.lfs.required=false", "clone", "--quiet", &url, "b"],
    )
    .await;
    ok(&clone, "second clone");
    ok(&git(&b, &auth, &["lfs", "install", "--local"]).await, "lfs install");
    ok(&git(&b, &auth, &["lfs", "pull"]).await, "lfs pull");
    assert_eq!(std::fs::read(b.join("assets/pushed.bin")).unwrap(), object, "the pushed object came back");
    let seeded = std::fs::read_to_string(b.join("assets/logo.bin")).unwrap();
    assert!(seeded.starts_with("A Git LFS object seeded"), "the seeded object replaced its pointer: {seeded}");
    let journal = server.journal();
    let batch = |op: &str| journal.iter().any(|e| e.method == op && e.path.contains("/info/lfs/objects/"));
    assert!(batch("PUT") && batch("GET"), "an upload and a download went through the mock: {journal:#?}");
    // git-lfs also asks for the locking API, which Azure DevOps does not serve (404): it then
    // goes on without lock verification.
    let refused: Vec<_> = journal.iter().filter(|e| e.reason.code() != "ok").collect();
    assert!(refused.iter().all(|e| e.path.ends_with("/info/lfs/locks/verify") && e.status == 404), "{refused:#?}");
}

/// Scalar/GVFS asks `{repo}/gvfs/config` first; it is a git read (`vso.code`), and the REST
/// routes around git (refs, commits) are read from the real repository.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gvfs_config_and_refs_are_served_behind_the_scope_check() {
    let p = profile("");
    let (code, work) = (token(&p, "CONTOSO\\joseph", "code"), token(&p, "CONTOSO\\joseph", "work"));
    let server = MockServer::builder().profile(p).start().await.unwrap();
    let http = ado_tests::http().build().unwrap();
    let get = |url: String, pat: &str| http.get(url).basic_auth("", Some(pat)).send();
    let repo = repo_url(&server, "Tools");
    let config = get(format!("{repo}/gvfs/config"), &code).await.unwrap();
    assert_eq!(config.status().as_u16(), 200);
    let config: serde_json::Value = config.json().await.unwrap();
    assert!(config.get("CacheServers").is_some_and(serde_json::Value::is_array), "{config}");
    let refused = get(format!("{repo}/gvfs/config"), &work).await.unwrap();
    assert_eq!(refused.status().as_u16(), 401, "a PAT without vso.code is refused");
    let refs_url = format!("{}/Fabrikam/_apis/git/repositories/Tools/refs", server.collection_url("DefaultCollection"));
    let refs: serde_json::Value = get(refs_url, &code).await.unwrap().json().await.unwrap();
    let main = refs["value"].as_array().unwrap().iter().find(|r| r["name"] == "refs/heads/main").expect("main");
    assert_eq!(main["objectId"].as_str().map(str::len), Some(40), "{refs}");
    let journal = server.journal();
    let reasons: Vec<&str> = journal.iter().map(|e| e.reason.code()).collect();
    assert_eq!(reasons, ["ok", "pat.scope", "ok"]);
}
