//! `publish-extension`: what tfx `extension publish` does at the server URL, at the HTTP level:
//! negotiate the gallery's api-version, look the extension up, upload the package (`PUT`).

use reqwest::Method;

use crate::client::Client;
use crate::operations::{describe, json, negotiate, with_version};
use crate::{Config, Mutant};

/// A stand-in package: the mock does not unpack it (a real VSIX is a zip with a manifest).
const PACKAGE: &[u8] = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

/// Publishes (updates) `contoso.conformance-extension`.
pub async fn publish(client: &mut Client<'_>, config: &Config, base: &str) -> Result<String, String> {
    let skip_negotiation = config.api_version.is_some()
        || config.mutant.is_some_and(|m| matches!(m, Mutant::TooNewApi | Mutant::NoApiVersion));
    let negotiated = if skip_negotiation { None } else { Some(negotiate(client, base, "gallery").await?) };
    let url = format!("{base}/_apis/gallery/publishers/contoso/extensions/conformance-extension");
    let url = with_version(config, &url, negotiated.as_deref());
    let found = client.send(Method::GET, &url, None).await?;
    if found.status >= 400 && found.status != 404 {
        return Err(describe(&Method::GET, &url, &found));
    }
    let response = client.send(Method::PUT, &url, Some((PACKAGE, "application/octet-stream"))).await?;
    let value = json(&Method::PUT, &url, response)?;
    let version = value.pointer("/versions/0/version").and_then(|v| v.as_str()).unwrap_or("?");
    Ok(format!("published contoso.conformance-extension {version}"))
}
