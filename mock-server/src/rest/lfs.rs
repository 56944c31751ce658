//! Git LFS: the batch API (`{repo}/info/lfs/objects/batch`) and basic transfers to local
//! storage in the server's temporary folder (git-lfs `docs/api/batch.md`, `basic-transfers.md`).
//!
//! The decision already checked the scope: the batch POST and downloads need `vso.code`, uploads
//! (`PUT` of an object) `vso.code_write`. Objects are stored as sent; their size is checked
//! against the batch request's, not their hash.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

use super::bodies::Scope;
use super::route::Route;
use super::{RestContext, RestResponse};

const LFS_JSON: &str = "application/vnd.git-lfs+json";

#[derive(Deserialize)]
struct BatchRequest {
    operation: String,
    #[serde(default)]
    objects: Vec<Pointer>,
}

#[derive(Deserialize)]
struct Pointer {
    oid: String,
    size: u64,
}

/// A valid object id: 64 lower-case hex digits (SHA-256).
fn valid_oid(oid: &str) -> bool {
    oid.len() == 64 && oid.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(super) fn object_path(dir: &Path, oid: &str) -> PathBuf {
    dir.join(&oid[..2]).join(oid)
}

fn error(status: u16, message: &str) -> RestResponse {
    RestResponse::new(status, LFS_JSON, json!({ "message": message }).to_string().into_bytes())
}

/// `POST {repo}/info/lfs/objects/batch`.
pub(super) fn batch(s: &Scope<'_>, route: &Route, ctx: &RestContext<'_>, dir: &Path) -> RestResponse {
    let Ok(request) = serde_json::from_slice::<BatchRequest>(ctx.body) else {
        return error(422, "the batch request is not valid JSON");
    };
    let upload = match request.operation.as_str() {
        "upload" => true,
        "download" => false,
        other => return error(422, &format!("unknown operation '{other}'")),
    };
    let href_base = format!(
        "{}/{}/_git/{}/info/lfs/objects",
        s.base,
        route.param("project").unwrap_or_default(),
        route.param("repo").unwrap_or_default()
    );
    let objects: Vec<Value> = request
        .objects
        .iter()
        .map(|o| {
            if !valid_oid(&o.oid) {
                return json!({ "oid": o.oid, "size": o.size, "error": { "code": 422, "message": "invalid object id" } });
            }
            let stored = std::fs::metadata(object_path(dir, &o.oid)).map(|m| m.len()).ok();
            let href = format!("{href_base}/{}", o.oid);
            let action = json!({ "href": href, "expires_in": 3600 });
            match (upload, stored) {
                (true, Some(_)) => json!({ "oid": o.oid, "size": o.size, "authenticated": true }),
                (true, None) => json!({ "oid": o.oid, "size": o.size, "authenticated": true, "actions": { "upload": action } }),
                (false, Some(_)) => json!({ "oid": o.oid, "size": o.size, "authenticated": true, "actions": { "download": action } }),
                (false, None) => {
                    json!({ "oid": o.oid, "size": o.size, "error": { "code": 404, "message": "Object does not exist" } })
                }
            }
        })
        .collect();
    let body = json!({ "transfer": "basic", "objects": objects, "hash_algo": "sha256" });
    RestResponse::new(route.status(), LFS_JSON, body.to_string().into_bytes())
}

/// `GET` (download) or `PUT` (upload) of `{repo}/info/lfs/objects/{oid}`.
pub(super) async fn object(route: &Route, ctx: &RestContext<'_>, dir: &Path) -> RestResponse {
    let oid = route.param("oid").unwrap_or_default();
    if !valid_oid(oid) {
        return error(422, "invalid object id");
    }
    let path = object_path(dir, oid);
    // File I/O off the reactor (tokio's `fs` feature is not enabled in this workspace).
    if ctx.method == "PUT" {
        let body = ctx.body.to_vec();
        let stored = tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, body)
        });
        return match stored.await {
            Ok(Ok(())) => RestResponse::new(route.status(), LFS_JSON, Vec::new()),
            Ok(Err(e)) => error(500, &format!("cannot store the object: {e}")),
            Err(e) => error(500, &format!("cannot store the object: {e}")),
        };
    }
    match tokio::task::spawn_blocking(move || std::fs::read(path)).await {
        Ok(Ok(bytes)) => RestResponse::new(route.status(), "application/octet-stream", bytes),
        _ => error(404, "Object does not exist"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_sha256_hex() {
        assert!(valid_oid(&"a".repeat(64)));
        assert!(!valid_oid(&"A".repeat(64)));
        assert!(!valid_oid("../../etc/passwd"));
        assert!(!valid_oid(&"a".repeat(63)));
    }
}
