//! The reference client: does everything an on-premise Azure DevOps client should, behind the
//! conformance client contract (reqwest; ntlmclient for NTLM). With `ADO_MUTANT` set (or a
//! `--mutant NAME` argument) it makes one classic client mistake instead, so the scenario
//! library can be proven to catch it.
//!
//! Mutants: `no-colon`, `bearer`, `pat-in-url`, `secret-printed`, `retry-storm`,
//! `ntlm-new-connection`, `no-collection`, `too-new-api`, `exit0-on-failure`, `hang`,
//! `ntlm-v1`, `negotiate-kerberos`, `ntlm-once`, `no-api-version`, `no-ca-file`,
//! `insecure-tls`, `no-channel-bindings`, `bare-user`.

mod client;
mod gallery;
mod git;
mod ntlm;
mod operations;
mod tls;

use std::process::ExitCode;

/// A classic client mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutant {
    /// Basic base64(PAT), without the ':'.
    NoColon,
    /// `Authorization: Bearer <PAT>`.
    Bearer,
    /// The PAT in the query string.
    PatInUrl,
    /// Prints the secret on stdout.
    SecretPrinted,
    /// Retries a refused request many times.
    RetryStorm,
    /// Opens a new connection for each NTLM leg.
    NtlmNewConnection,
    /// Drops the collection from the URL.
    NoCollection,
    /// Pins api-version 7.2 on every request.
    TooNewApi,
    /// Exits 0 even when the operation failed.
    Exit0OnFailure,
    /// Never finishes.
    Hang,
    /// Answers NTLM with an NTLMv1 response.
    NtlmV1,
    /// Answers a Windows challenge with a Kerberos-only Negotiate token.
    NegotiateKerberos,
    /// Authenticates a connection once and never again.
    NtlmOnce,
    /// Sends no api-version, even on writes.
    NoApiVersion,
    /// Drops the domain from the account name (`joseph`, not `CONTOSO\joseph` or
    /// `joseph@contoso.local`).
    BareUser,
    /// Ignores `ADO_CA_FILE` (trusts no CA: https fails).
    NoCaFile,
    /// Accepts any certificate (verification off).
    InsecureTls,
    /// Sends no channel bindings with NTLM over https (as curl does).
    NoChannelBindings,
}

impl Mutant {
    fn parse(name: &str) -> Option<Mutant> {
        Some(match name {
            "no-colon" => Mutant::NoColon,
            "bearer" => Mutant::Bearer,
            "pat-in-url" => Mutant::PatInUrl,
            "secret-printed" => Mutant::SecretPrinted,
            "retry-storm" => Mutant::RetryStorm,
            "ntlm-new-connection" => Mutant::NtlmNewConnection,
            "no-collection" => Mutant::NoCollection,
            "too-new-api" => Mutant::TooNewApi,
            "exit0-on-failure" => Mutant::Exit0OnFailure,
            "hang" => Mutant::Hang,
            "ntlm-v1" => Mutant::NtlmV1,
            "negotiate-kerberos" => Mutant::NegotiateKerberos,
            "ntlm-once" => Mutant::NtlmOnce,
            "no-api-version" => Mutant::NoApiVersion,
            "bare-user" => Mutant::BareUser,
            "no-ca-file" => Mutant::NoCaFile,
            "insecure-tls" => Mutant::InsecureTls,
            "no-channel-bindings" => Mutant::NoChannelBindings,
            _ => return None,
        })
    }
}

/// The client contract's environment.
pub struct Config {
    /// `ADO_URL` without a trailing slash.
    pub url: String,
    /// `ADO_OPERATION`.
    pub operation: String,
    /// `ADO_AUTH`.
    pub auth: String,
    /// `ADO_PAT`.
    pub pat: String,
    /// `ADO_ACCESS_TOKEN` (a pipeline job token).
    pub access_token: String,
    /// `ADO_USERNAME`.
    pub user: String,
    /// `ADO_PASSWORD`.
    pub password: String,
    /// `ADO_DOMAIN`.
    pub domain: String,
    /// `ADO_PROJECT`.
    pub project: String,
    /// `ADO_REPO`.
    pub repo: String,
    /// `ADO_WORK_ITEM`.
    pub work_item: String,
    /// `ADO_API_VERSION`, when pinned.
    pub api_version: Option<String>,
    /// `ADO_CA_FILE`, when the server speaks TLS.
    pub ca_file: Option<String>,
    /// The mistake to make, if any.
    pub mutant: Option<Mutant>,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// The user name without a UPN suffix (the `bare-user` mutant).
fn bare(user: &str) -> String {
    user.split('@').next().unwrap_or(user).to_owned()
}

fn config() -> Result<Config, String> {
    let args: Vec<String> = std::env::args().collect();
    let named = args.windows(2).find(|w| w[0] == "--mutant").map(|w| w[1].clone());
    let mutant_name = named.or_else(|| std::env::var("ADO_MUTANT").ok()).filter(|m| !m.is_empty());
    let mutant = match mutant_name {
        Some(name) => Some(Mutant::parse(&name).ok_or_else(|| format!("unknown mutant '{name}'"))?),
        None => None,
    };
    let url = var("ADO_URL").trim_end_matches('/').to_owned();
    if url.is_empty() {
        return Err("ADO_URL is not set".to_owned());
    }
    Ok(Config {
        url,
        operation: std::env::var("ADO_OPERATION").unwrap_or_else(|_| "list-projects".to_owned()),
        auth: std::env::var("ADO_AUTH").unwrap_or_else(|_| "none".to_owned()),
        pat: var("ADO_PAT"),
        access_token: var("ADO_ACCESS_TOKEN"),
        user: if mutant == Some(Mutant::BareUser) { bare(&var("ADO_USERNAME")) } else { var("ADO_USERNAME") },
        password: var("ADO_PASSWORD"),
        domain: if mutant == Some(Mutant::BareUser) { String::new() } else { var("ADO_DOMAIN") },
        project: var("ADO_PROJECT"),
        repo: var("ADO_REPO"),
        work_item: std::env::var("ADO_WORK_ITEM").unwrap_or_else(|_| "1".to_owned()),
        api_version: std::env::var("ADO_API_VERSION").ok().filter(|v| !v.is_empty()),
        ca_file: std::env::var("ADO_CA_FILE").ok().filter(|v| !v.is_empty()),
        mutant,
    })
}

fn main() -> ExitCode {
    let config = match config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("reference-client: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime starts");
    let result = runtime.block_on(operations::run(&config));
    match result {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("reference-client: {error}");
            if config.mutant == Some(Mutant::Exit0OnFailure) { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
    }
}
