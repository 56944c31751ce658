//! Git smart HTTP (protocol v0) and Git LFS at the HTTP level: what git and git-lfs send, with
//! the reference client's authentication.
//!
//! A clone or fetch is `info/refs?service=git-upload-pack` then a `git-upload-pack` POST that
//! wants `main`; a push creates a new branch at `main`'s commit (no new objects: an empty pack);
//! LFS is the batch API, then the object's `PUT` or `GET`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::client::Client;
use crate::operations::describe;

/// An empty pack: header (`PACK`, version 2, 0 objects) and its SHA-1.
const EMPTY_PACK: [u8; 32] = [
    b'P', b'A', b'C', b'K', 0, 0, 0, 2, 0, 0, 0, 0, 0x02, 0x9d, 0x08, 0x82, 0x3b, 0xd8, 0xa8, 0xea, 0xb5, 0x10, 0xad,
    0x6a, 0xc7, 0x5c, 0x82, 0x3c, 0xfd, 0x3e, 0xd3, 0x1e,
];

/// The object the reference client uploads, and its SHA-256 (a constant: no hashing crate).
const LFS_OBJECT: &[u8] = b"A Git LFS object pushed by the reference client.\n";
const LFS_OID: &str = "5528f871984b87b7e356df9dbc39e608374ae3d33611f0375d9738b02ae3de7b";

/// The object every repository of the mock starts with (`assets/logo.bin`).
const SEEDED_OID: &str = "44ab09b70b6b490fd25fa8c0185e9d36f66559cf8a7690638bc07c62cc38fd9e";

fn pkt(line: &str) -> Vec<u8> {
    let mut out = format!("{:04x}", line.len() + 4).into_bytes();
    out.extend_from_slice(line.as_bytes());
    out
}

/// The commit `refs/heads/main` points at, from an `info/refs` advertisement.
async fn main_commit(client: &mut Client<'_>, repo_url: &str, service: &str) -> Result<String, String> {
    let url = format!("{repo_url}/info/refs?service={service}");
    let response = client.send(Method::GET, &url, None).await?;
    if response.status >= 400 {
        return Err(describe(&Method::GET, &url, &response));
    }
    response
        .body
        .split(['\n', '\0'])
        .find(|l| l.ends_with(" refs/heads/main"))
        .and_then(|l| l.get(l.len().saturating_sub(56)..l.len() - 16))
        .map(str::to_owned)
        .ok_or_else(|| format!("GET {}: no refs/heads/main in the advertisement", url.split('?').next().unwrap_or("")))
}

/// `git clone` / `git fetch` of `main`.
pub async fn fetch(client: &mut Client<'_>, repo_url: &str) -> Result<String, String> {
    let sha = main_commit(client, repo_url, "git-upload-pack").await?;
    let mut body = pkt(&format!("want {sha}\n"));
    body.extend_from_slice(b"0000");
    body.extend_from_slice(&pkt("done\n"));
    let url = format!("{repo_url}/git-upload-pack");
    let response = client.send(Method::POST, &url, Some((&body, "application/x-git-upload-pack-request"))).await?;
    if response.status >= 400 {
        return Err(describe(&Method::POST, &url, &response));
    }
    if !response.body.starts_with("0008NAK") || !response.body.contains("PACK") {
        return Err(format!("POST {url}: not a pack (starts {:?})", response.body.get(..8).unwrap_or("")));
    }
    Ok(format!("fetched {sha}"))
}

/// `git push` of a new branch at `main`'s commit.
pub async fn push(client: &mut Client<'_>, repo_url: &str) -> Result<String, String> {
    let sha = main_commit(client, repo_url, "git-receive-pack").await?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let branch = format!("refs/heads/reference-{stamp}");
    let mut body = pkt(&format!("{} {sha} {branch}\0report-status\n", "0".repeat(40)));
    body.extend_from_slice(b"0000");
    body.extend_from_slice(&EMPTY_PACK);
    let url = format!("{repo_url}/git-receive-pack");
    let response = client.send(Method::POST, &url, Some((&body, "application/x-git-receive-pack-request"))).await?;
    if response.status >= 400 {
        return Err(describe(&Method::POST, &url, &response));
    }
    if !response.body.contains("unpack ok") || !response.body.contains(&format!("ok {branch}")) {
        return Err(format!("POST {url}: the push was not accepted: {}", response.body.trim()));
    }
    Ok(format!("pushed {branch}"))
}

async fn batch(
    client: &mut Client<'_>,
    repo_url: &str,
    operation: &str,
    oid: &str,
    size: usize,
) -> Result<Value, String> {
    let url = format!("{repo_url}.git/info/lfs/objects/batch");
    let doc = json!({ "operation": operation, "transfers": ["basic"], "objects": [{ "oid": oid, "size": size }] });
    let body = doc.to_string();
    let response = client.send(Method::POST, &url, Some((body.as_bytes(), "application/vnd.git-lfs+json"))).await?;
    if response.status >= 400 {
        return Err(describe(&Method::POST, &url, &response));
    }
    let value: Value = serde_json::from_str(&response.body).map_err(|e| format!("POST {url}: not JSON ({e})"))?;
    let object = value.pointer("/objects/0").cloned().ok_or_else(|| format!("POST {url}: no object"))?;
    if let Some(error) = object.get("error") {
        return Err(format!("POST {url}: LFS error {error}"));
    }
    Ok(object)
}

/// `git lfs push`: batch (upload), then the object's `PUT`.
pub async fn lfs_push(client: &mut Client<'_>, repo_url: &str) -> Result<String, String> {
    let object = batch(client, repo_url, "upload", LFS_OID, LFS_OBJECT.len()).await?;
    let Some(href) = object.pointer("/actions/upload/href").and_then(Value::as_str) else {
        return Ok(format!("{LFS_OID} already stored"));
    };
    let response = client.send(Method::PUT, href, Some((LFS_OBJECT, "application/octet-stream"))).await?;
    if response.status >= 400 {
        return Err(describe(&Method::PUT, href, &response));
    }
    Ok(format!("uploaded {LFS_OID}"))
}

/// `git lfs pull`: batch (download) of the seeded object, then its `GET`.
pub async fn lfs_pull(client: &mut Client<'_>, repo_url: &str) -> Result<String, String> {
    let object = batch(client, repo_url, "download", SEEDED_OID, 57).await?;
    let href = object
        .pointer("/actions/download/href")
        .and_then(Value::as_str)
        .ok_or("the batch answer has no download action")?
        .to_owned();
    let response = client.send(Method::GET, &href, None).await?;
    if response.status >= 400 {
        return Err(describe(&Method::GET, &href, &response));
    }
    Ok(response.body.lines().next().unwrap_or_default().to_owned())
}
