//! The contract's operations as REST calls: GETs without an api-version unless one is pinned,
//! writes with one negotiated from `OPTIONS {base}/_apis/{area}`.

use reqwest::Method;
use serde_json::Value;

use ado_mock_server::rest::route::percent_decode;

use crate::client::{Client, Response, strip_query};
use crate::{Config, Mutant};

/// Runs the configured operation; `Ok` holds what to print.
pub async fn run(config: &Config) -> Result<String, String> {
    if config.mutant == Some(Mutant::SecretPrinted) {
        let secret = [&config.pat, &config.access_token, &config.password]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or(&config.password);
        println!("using credential {secret}");
    }
    if config.mutant == Some(Mutant::Hang) {
        tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
    }
    let base = match config.mutant {
        Some(Mutant::NoCollection) => {
            config.url.rsplit_once('/').map_or(config.url.clone(), |(head, _)| head.to_owned())
        }
        _ => config.url.clone(),
    };
    let mut client = Client::new(config)?;
    let project = &config.project;
    match config.operation.as_str() {
        "connection-data" => {
            get(&mut client, config, &format!("{base}/_apis/connectionData"), "/authenticatedUser/providerDisplayName")
                .await
        }
        "list-projects" => names(get_json(&mut client, config, &format!("{base}/_apis/projects")).await?),
        "get-project" => get(&mut client, config, &format!("{base}/_apis/projects/{project}"), "/name").await,
        "list-repos" => {
            names(get_json(&mut client, config, &format!("{base}/{project}/_apis/git/repositories")).await?)
        }
        "list-collections" => names(get_json(&mut client, config, &format!("{base}/_apis/projectCollections")).await?),
        "get-work-item" => {
            get(
                &mut client,
                config,
                &format!("{base}/{project}/_apis/wit/workitems/{}", config.work_item),
                "/fields/System.Title",
            )
            .await
        }
        "git-clone" | "git-fetch" => {
            crate::git::fetch(&mut client, &format!("{base}/{project}/_git/{}", config.repo)).await
        }
        "git-push" => crate::git::push(&mut client, &format!("{base}/{project}/_git/{}", config.repo)).await,
        "lfs-push" => crate::git::lfs_push(&mut client, &format!("{base}/{project}/_git/{}", config.repo)).await,
        "lfs-pull" => crate::git::lfs_pull(&mut client, &format!("{base}/{project}/_git/{}", config.repo)).await,
        "list-pools" => {
            // The pipelines agent's configuration: connectionData (with its services), then pools.
            get(&mut client, config, &format!("{base}/_apis/connectionData?connectOptions=1"), "/deploymentType")
                .await?;
            names(get_json(&mut client, config, &format!("{base}/_apis/distributedtask/pools")).await?)
        }
        "list-build-definitions" => {
            names(get_json(&mut client, config, &format!("{base}/{project}/_apis/build/definitions")).await?)
        }
        "queue-build" => {
            let definitions =
                get_json(&mut client, config, &format!("{base}/{project}/_apis/build/definitions")).await?;
            let id = definitions
                .pointer("/value/0/id")
                .and_then(Value::as_u64)
                .ok_or("the project has no build definition")?;
            let doc = format!(r#"{{"definition":{{"id":{id}}}}}"#);
            let url = format!("{base}/{project}/_apis/build/builds");
            post(&mut client, config, &base, "build", &url, &doc, "application/json", "/id").await
        }
        "publish-extension" => crate::gallery::publish(&mut client, config, &base).await,
        "git-ls-remote" => {
            ls_remote(&mut client, &format!("{base}/{project}/_git/{}/info/refs?service=git-upload-pack", config.repo))
                .await
        }
        "create-work-item" => {
            let doc = r#"[{"op":"add","path":"/fields/System.Title","value":"Created by the reference client"}]"#;
            let url = format!("{base}/{project}/_apis/wit/workitems/$Task");
            post(&mut client, config, &base, "wit", &url, doc, "application/json-patch+json", "/id").await
        }
        "create-project" => {
            let doc = format!(
                r#"{{"name":"{project}-new","capabilities":{{"versioncontrol":{{"sourceControlType":"Git"}},"processTemplate":{{"templateTypeId":"6b724908-ef14-45cf-84f8-768b5384da45"}}}}}}"#
            );
            post(&mut client, config, &base, "core", &format!("{base}/_apis/projects"), &doc, "application/json", "/id")
                .await
        }
        other => Err(format!("operation '{other}' is not implemented")),
    }
}

pub fn with_version(config: &Config, url: &str, negotiated: Option<&str>) -> String {
    let version = match config.mutant {
        Some(Mutant::TooNewApi) => Some("7.2".to_owned()),
        Some(Mutant::NoApiVersion) => None,
        _ => config.api_version.clone().or(negotiated.map(str::to_owned)),
    };
    match version {
        Some(v) => format!("{url}{}api-version={v}", if url.contains('?') { '&' } else { '?' }),
        None => url.to_owned(),
    }
}

async fn get_json(client: &mut Client<'_>, config: &Config, url: &str) -> Result<Value, String> {
    let url = with_version(config, url, None);
    let response = client.send(Method::GET, &url, None).await?;
    json(&Method::GET, &url, response)
}

async fn get(client: &mut Client<'_>, config: &Config, url: &str, field: &str) -> Result<String, String> {
    let value = get_json(client, config, url).await?;
    Ok(value.pointer(field).map_or_else(|| value.to_string(), |v| v.as_str().map_or(v.to_string(), str::to_owned)))
}

#[allow(clippy::too_many_arguments)]
async fn post(
    client: &mut Client<'_>,
    config: &Config,
    base: &str,
    area: &str,
    url: &str,
    doc: &str,
    content_type: &str,
    field: &str,
) -> Result<String, String> {
    let negotiated = if config.api_version.is_some()
        || config.mutant.is_some_and(|m| matches!(m, Mutant::TooNewApi | Mutant::NoApiVersion))
    {
        None
    } else {
        Some(negotiate(client, base, area).await?)
    };
    let url = with_version(config, url, negotiated.as_deref());
    let response = client.send(Method::POST, &url, Some((doc.as_bytes(), content_type))).await?;
    let value = json(&Method::POST, &url, response)?;
    Ok(value.pointer(field).map_or_else(|| value.to_string(), Value::to_string))
}

/// The released version of the area, or its maximum with `-preview` if nothing is released.
pub async fn negotiate(client: &mut Client<'_>, base: &str, area: &str) -> Result<String, String> {
    let url = format!("{base}/_apis/{area}");
    let response = client.send(Method::OPTIONS, &url, None).await?;
    let value = json(&Method::OPTIONS, &url, response)?;
    let first = value.pointer("/value/0").ok_or_else(|| format!("OPTIONS {url} listed no resource"))?;
    let field = |name: &str| first.get(name).and_then(Value::as_str).unwrap_or("0.0").to_owned();
    let released = field("releasedVersion");
    Ok(if released == "0.0" { format!("{}-preview", field("maxVersion")) } else { released })
}

pub fn json(method: &Method, url: &str, response: Response) -> Result<Value, String> {
    if response.status >= 300 {
        return Err(describe(method, url, &response));
    }
    serde_json::from_str(&response.body).map_err(|e| format!("{method} {}: not JSON ({e})", strip_query(url)))
}

/// `HTTP 401 from GET <url>: <the server's message>`, never the query string.
pub fn describe(method: &Method, url: &str, response: &Response) -> String {
    let service_error = response
        .headers
        .get("x-tfs-serviceerror")
        .and_then(|v| v.to_str().ok())
        .map(|v| percent_decode(&v.replace('+', " ")).into_owned());
    let message = service_error.or_else(|| {
        serde_json::from_str::<Value>(&response.body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
    });
    let offered = response.offered();
    let mut text = format!("HTTP {} from {method} {}", response.status, strip_query(url));
    let location = response.headers.get("location").and_then(|v| v.to_str().ok());
    if let Some(location) = location.filter(|_| (300..400).contains(&response.status)) {
        // Not followed: the credential would go along to wherever the server points.
        text.push_str(&format!(": redirected to {}; use that URL", strip_query(location)));
    } else if let Some(message) = message {
        text.push_str(&format!(": {message}"));
    } else if response.status == 401 {
        text.push_str(": unauthorized");
    }
    if response.status == 401 && !offered.is_empty() {
        text.push_str(&format!(" (server offers {})", offered.join(", ")));
    }
    text
}

fn names(value: Value) -> Result<String, String> {
    let list = value.get("value").and_then(Value::as_array).ok_or("the response has no 'value' list")?;
    Ok(list.iter().filter_map(|v| v.get("name").and_then(Value::as_str)).collect::<Vec<_>>().join("\n"))
}

async fn ls_remote(client: &mut Client<'_>, url: &str) -> Result<String, String> {
    let response = client.send(Method::GET, url, None).await?;
    if response.status >= 300 {
        return Err(describe(&Method::GET, url, &response));
    }
    let refs: Vec<&str> = response.body.lines().filter(|l| l.contains("refs/")).collect();
    Ok(refs.join("\n"))
}
