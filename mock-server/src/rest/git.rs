//! Real git behind the mock's authentication: one bare repository per repository of the
//! profile, created on first use in the server's own temporary folder (removed when the server
//! shuts down), served by `git http-backend` (it ships with git), plus Git LFS (batch API and
//! basic transfers to local storage) and Scalar's `gvfs/config`.
//!
//! Nothing here decides access: the decision already checked authentication, membership, the
//! PAT's scope (upload-pack and LFS reads need `vso.code`, receive-pack and LFS uploads
//! `vso.code_write`) and the repository's visibility.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::OnceCell;

use super::bodies::{Scope, json};
use super::route::Route;
use super::table::BodyKind;
use super::{RestContext, RestResponse};
use crate::profile::{Collection, Profile, Project, Repo};

/// How long one git process may run before it is killed (a stuck client must not pin it).
const GIT_TIMEOUT: Duration = Duration::from_secs(120);

/// The server's git repositories, created on first use.
#[derive(Default)]
pub(super) struct GitStore {
    repos: OnceCell<Result<Repos, String>>,
}

struct Repos {
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for GitStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dir = self.repos.get().and_then(|r| r.as_ref().ok()).map(|r| r.dir.path().to_owned());
        f.debug_struct("GitStore").field("dir", &dir).finish()
    }
}

impl GitStore {
    /// The temporary folder, once created (tests check it is removed).
    pub(super) fn dir(&self) -> Option<PathBuf> {
        self.repos.get().and_then(|r| r.as_ref().ok()).map(|r| r.dir.path().to_owned())
    }

    async fn repos(&self, profile: &Profile) -> Result<&Repos, String> {
        self.repos.get_or_init(|| create(profile)).await.as_ref().map_err(Clone::clone)
    }
}

/// `repos/{collection id}/{project id}/{repo id}.git`: ids, so names need no escaping.
fn relative(c: &Collection, p: &Project, r: &Repo) -> String {
    format!("{}/{}/{}.git", c.id, p.id, r.id)
}

async fn create(profile: &Profile) -> Result<Repos, String> {
    let dir = tempfile::Builder::new()
        .prefix("ado-mock-git-")
        .tempdir()
        .map_err(|e| format!("cannot create the git folder: {e}"))?;
    for c in &profile.collections {
        for p in &c.projects {
            for r in &p.repos {
                let rel = relative(c, p, r);
                let path = dir.path().join("repos").join(&rel);
                seed(dir.path(), &path, &lfs_dir(dir.path(), &rel), &r.name).await?;
            }
        }
    }
    Ok(Repos { dir })
}

/// A git command isolated from the user's and the system's configuration.
fn git(home: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Azure DevOps Server")
        .env("GIT_AUTHOR_EMAIL", "tfs@contoso.local")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_NAME", "Azure DevOps Server")
        .env("GIT_COMMITTER_EMAIL", "tfs@contoso.local")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// Runs git with `input` on stdin; returns stdout.
async fn run(mut cmd: Command, input: &[u8]) -> Result<Vec<u8>, String> {
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take();
    let input = input.to_vec();
    let writer = tokio::spawn(async move {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(&input).await;
        }
        drop(stdin);
    });
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let work = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let (a, b) = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
        a.and(b).map_err(|e| e.to_string())?;
        let status = child.wait().await.map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("git failed ({status}): {}", String::from_utf8_lossy(&err).trim()));
        }
        Ok(out)
    };
    let out = tokio::time::timeout(GIT_TIMEOUT, work).await.map_err(|_| "git timed out".to_owned())?;
    let _ = writer.await;
    out
}

/// The Git LFS object every repository starts with (`assets/logo.bin`), and its SHA-256.
pub(super) const SEED_LFS_OBJECT: &[u8] = b"A Git LFS object seeded by the mock Azure DevOps Server.\n";
const SEED_LFS_OID: &str = "44ab09b70b6b490fd25fa8c0185e9d36f66559cf8a7690638bc07c62cc38fd9e";

/// Creates a bare repository with one commit: `README.md`, `.gitattributes` routing `*.bin` to
/// Git LFS, and `assets/logo.bin`, an LFS pointer whose object is in the LFS store.
async fn seed(home: &Path, path: &Path, lfs: &Path, name: &str) -> Result<(), String> {
    let text = |v: Vec<u8>| String::from_utf8_lossy(&v).trim().to_owned();
    let mut init = git(home);
    init.args(["init", "--quiet", "--bare", "--initial-branch=main"]).arg(path);
    run(init, b"").await?;
    let at = |args: &[&str]| {
        let mut cmd = git(home);
        cmd.arg("-C").arg(path).args(args);
        cmd
    };
    run(at(&["config", "http.receivepack", "true"]), b"").await?;
    run(at(&["config", "uploadpack.allowFilter", "true"]), b"").await?;
    let readme = format!("# {name}\n\nSeeded by the mock Azure DevOps Server.\n");
    let attributes = "*.bin filter=lfs diff=lfs merge=lfs -text\n";
    let pointer = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{SEED_LFS_OID}\nsize {}\n",
        SEED_LFS_OBJECT.len()
    );
    let blob = |content: Vec<u8>| {
        let cmd = at(&["hash-object", "-w", "--stdin"]);
        async move { run(cmd, &content).await.map(text) }
    };
    let (readme, attributes, pointer) =
        (blob(readme.into_bytes()).await?, blob(attributes.into()).await?, blob(pointer.into_bytes()).await?);
    let assets = text(run(at(&["mktree"]), format!("100644 blob {pointer}\tlogo.bin\n").as_bytes()).await?);
    let listing = format!(
        "100644 blob {attributes}\t.gitattributes\n100644 blob {readme}\tREADME.md\n040000 tree {assets}\tassets\n"
    );
    let tree = text(run(at(&["mktree"]), listing.as_bytes()).await?);
    let commit = text(run(at(&["commit-tree", &tree, "-m", "Initial commit"]), b"").await?);
    run(at(&["update-ref", "refs/heads/main", &commit]), b"").await?;
    let object = super::lfs::object_path(lfs, SEED_LFS_OID);
    std::fs::create_dir_all(object.parent().unwrap_or(lfs)).map_err(|e| format!("cannot create the LFS store: {e}"))?;
    std::fs::write(&object, SEED_LFS_OBJECT).map_err(|e| format!("cannot seed the LFS store: {e}"))?;
    Ok(())
}

/// The repository's folder, if the route names one of the profile.
fn locate(s: &Scope<'_>, route: &Route, repos: &Repos) -> Option<(PathBuf, String)> {
    let (p, r) = s.repo(route)?;
    let c = s.collection?;
    let rel = relative(c, p, r);
    Some((repos.dir.path().join("repos").join(&rel), rel))
}

fn unavailable(error: &str) -> RestResponse {
    tracing::warn!(target: "ado_mock_server::git", "git unavailable: {error}");
    RestResponse::new(
        503,
        "text/plain; charset=utf-8",
        format!("git is not available on the mock server: {error}").into_bytes(),
    )
}

/// Serves the git-backed bodies: smart HTTP, LFS, gvfs/config and the REST bodies read from
/// the repository (refs, commits, items).
pub(super) async fn serve(profile: &Profile, store: &GitStore, route: &Route, ctx: &RestContext<'_>) -> RestResponse {
    let s = Scope::new(profile, ctx);
    let repos = match store.repos(profile).await {
        Ok(repos) => repos,
        Err(e) => return unavailable(&e),
    };
    let Some((path, rel)) = locate(&s, route, repos) else {
        return json(route, &super::bodies::list(Vec::<Value>::new()));
    };
    let home = repos.dir.path();
    match route.body() {
        BodyKind::GitBackend => backend(home, &rel, route, ctx).await.unwrap_or_else(|e| unavailable(&e)),
        BodyKind::LfsBatch => super::lfs::batch(&s, route, ctx, &lfs_dir(home, &rel)),
        BodyKind::LfsObject => super::lfs::object(route, ctx, &lfs_dir(home, &rel)).await,
        BodyKind::GvfsConfig => json(route, &json!({ "AllowedGvfsClientVersions": null, "CacheServers": [] })),
        BodyKind::Refs => refs(home, &path, route, &s).await.unwrap_or_else(|e| unavailable(&e)),
        BodyKind::Commits | BodyKind::Commit => commits(home, &path, route).await.unwrap_or_else(|e| unavailable(&e)),
        _ => items(home, &path, route).await.unwrap_or_else(|e| unavailable(&e)),
    }
}

fn lfs_dir(home: &Path, rel: &str) -> PathBuf {
    home.join("lfs").join(rel)
}

/// One CGI request to `git http-backend`.
async fn backend(home: &Path, rel: &str, route: &Route, ctx: &RestContext<'_>) -> Result<RestResponse, String> {
    let suffix = match route.name {
        "git.info-refs" => "info/refs",
        "git.upload-pack" => "git-upload-pack",
        _ => "git-receive-pack",
    };
    let mut cmd = git(home);
    cmd.arg("http-backend")
        .env("GIT_PROJECT_ROOT", home.join("repos"))
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", format!("/{rel}/{suffix}"))
        .env("REQUEST_METHOD", ctx.method)
        .env("QUERY_STRING", ctx.query.unwrap_or_default())
        .env("CONTENT_LENGTH", ctx.body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        // A REMOTE_USER lets http-backend serve receive-pack (the decision authenticated the caller).
        .env("REMOTE_USER", ctx.principal.map_or("anonymous".to_owned(), |p| p.account.clone()));
    if let Some(v) = ctx.headers.content_type {
        cmd.env("CONTENT_TYPE", v);
    }
    if let Some(v) = ctx.headers.content_encoding {
        cmd.env("HTTP_CONTENT_ENCODING", v);
    }
    if let Some(v) = ctx.headers.git_protocol {
        cmd.env("GIT_PROTOCOL", v);
    }
    let out = run(cmd, ctx.body).await?;
    Ok(parse_cgi(&out))
}

/// Splits a CGI answer into status, content type and body.
fn parse_cgi(out: &[u8]) -> RestResponse {
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, i + 4));
    let split = split.or_else(|| out.windows(2).position(|w| w == b"\n\n").map(|i| (i, i + 2)));
    let (head_end, body_start) = split.unwrap_or((0, 0));
    let head = String::from_utf8_lossy(&out[..head_end]);
    let mut status = 200;
    let mut content_type = String::from("text/plain; charset=utf-8");
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        match name.trim().to_ascii_lowercase().as_str() {
            "status" => status = value.trim().split(' ').next().and_then(|s| s.parse().ok()).unwrap_or(200),
            "content-type" => content_type = value.trim().to_owned(),
            _ => {}
        }
    }
    RestResponse::new(status, content_type, out[body_start..].to_vec())
}

async fn refs(home: &Path, path: &Path, route: &Route, s: &Scope<'_>) -> Result<RestResponse, String> {
    let mut cmd = git(home);
    cmd.arg("-C").arg(path).args(["for-each-ref", "--format=%(refname) %(objectname)"]);
    let out = String::from_utf8_lossy(&run(cmd, b"").await?).into_owned();
    let filter = route.param("filter").unwrap_or_default();
    let values: Vec<Value> = out
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(name, _)| name.trim_start_matches("refs/").starts_with(filter))
        .map(|(name, sha)| json!({ "name": name, "objectId": sha, "url": format!("{}/_apis/git/repositories/{}/refs?filter={}", s.base, route.param("repo").unwrap_or_default(), name.trim_start_matches("refs/")) }))
        .collect();
    Ok(json(route, &super::bodies::list(values)))
}

async fn commits(home: &Path, path: &Path, route: &Route) -> Result<RestResponse, String> {
    let mut cmd = git(home);
    let what = route.param("commit").unwrap_or("main");
    let count = if route.param("commit").is_some() { "-n1" } else { "-n20" };
    cmd.arg("-C").arg(path).args(["log", count, "--format=%H%x09%an%x09%ae%x09%aI%x09%s", what, "--"]);
    let out = String::from_utf8_lossy(&run(cmd, b"").await?).into_owned();
    let values: Vec<Value> = out
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(5, '\t').collect();
            (f.len() == 5).then(|| {
                let who = json!({ "name": f[1], "email": f[2], "date": f[3] });
                json!({ "commitId": f[0], "author": who, "committer": who, "comment": f[4] })
            })
        })
        .collect();
    Ok(match route.body() {
        BodyKind::Commit => json(route, &values.into_iter().next()),
        _ => json(route, &super::bodies::list(values)),
    })
}

async fn items(home: &Path, path: &Path, route: &Route) -> Result<RestResponse, String> {
    let mut cmd = git(home);
    cmd.arg("-C").arg(path).args(["ls-tree", "main"]);
    let out = String::from_utf8_lossy(&run(cmd, b"").await?).into_owned();
    let mut values = vec![json!({ "path": "/", "isFolder": true, "gitObjectType": "tree" })];
    for line in out.lines() {
        let Some((meta, name)) = line.split_once('\t') else { continue };
        let f: Vec<&str> = meta.split(' ').collect();
        if f.len() == 3 {
            values.push(json!({ "objectId": f[2], "gitObjectType": f[1], "path": format!("/{name}"), "isFolder": f[1] == "tree" }));
        }
    }
    Ok(json(route, &super::bodies::list(values)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgi_answers_split_into_status_type_and_body() {
        let r = parse_cgi(b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope");
        assert_eq!((r.status, r.content_type.as_ref(), &r.body[..]), (404, "text/plain", &b"nope"[..]));
        let r = parse_cgi(b"Content-Type: application/x-git-upload-pack-advertisement\n\n001e# service");
        assert_eq!((r.status, &r.body[..]), (200, &b"001e# service"[..]));
    }
}
