//! `ado-conformance import TRACE.har --out DIR`: a customer's trace to a reproduction. Writes
//! `DIR/profiles/<name>.toml` (the server: release, IIS modes, TFS's headers, collections,
//! projects and repositories, all inferred from the trace), `DIR/trace/<name>.toml` (a scenario
//! for `ado-conformance serve trace/<name> --scenarios DIR` and `run`), and `DIR/report.md`
//! (each request of the trace replayed against the reproduction: where the mock and the trace
//! differ). Every name is a placeholder, no credential, cookie or token of the trace is
//! written, and every file is checked for the trace's secrets with the secret finder before it
//! is written.

mod replay;
mod trace;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;

use ado_mock_server::probe::infer::Evidence;
use ado_mock_server::probe::render::{CollectionSeen, Reproduction};
use ado_mock_server::secret::SecretFinder;

use crate::cli::ImportArgs;
use trace::{Presented, Trace};

/// Runs `import`; returns the exit code (0 written, 1 the reproduction differs from the trace).
///
/// # Errors
/// An unreadable trace or an output folder that cannot be written.
pub fn import(args: &ImportArgs) -> anyhow::Result<u8> {
    let trace = trace::read(&args.trace)?;
    if trace.exchanges.is_empty() {
        anyhow::bail!("{}: no http(s) request in the trace", args.trace.display());
    }
    let repro = reproduction(&trace);
    let source = args.trace.file_name().map_or_else(|| "a trace".to_owned(), |n| n.to_string_lossy().into_owned());
    let profile_text = repro.to_toml(&format!("the trace {source}"));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let replayed = runtime.block_on(replay::replay(&profile_text, &trace))?;
    let scenario = scenario(&args.name, &source, &trace, &replayed);
    let report = replay::report(&source, &repro, &replayed);
    let finder = SecretFinder::new(trace.secrets.clone());
    let files = [
        (format!("profiles/{}.toml", args.name), profile_text),
        (format!("trace/{}.toml", args.name), scenario),
        ("report.md".to_owned(), report),
    ];
    for (name, text) in &files {
        let leaks = finder.leaks(text);
        if !leaks.is_empty() {
            let what: Vec<String> = leaks.iter().map(|l| l.describe()).collect();
            anyhow::bail!("refusing to write {name}: it would hold {}", what.join(", "));
        }
    }
    for (name, text) in &files {
        write(&args.out.join(name), text)?;
    }
    for line in &repro.unknown {
        crate::out::stderr(&format!("not inferred: {line}\n"));
    }
    let differ = replayed.iter().filter(|r| r.differs()).count();
    crate::out::stderr(&format!(
        "wrote {} (profile), {} (scenario), {} ({} of {} requests replayed, {differ} differ)\n\
         reproduce: ado-conformance serve trace/{} --scenarios {}\n",
        args.out.join(&files[0].0).display(),
        args.out.join(&files[1].0).display(),
        args.out.join("report.md").display(),
        replayed.iter().filter(|r| r.mock.is_some()).count(),
        replayed.len(),
        args.name,
        args.out.display()
    ));
    Ok(if differ == 0 { crate::exit_code::SUCCESS } else { crate::exit_code::RUN_FAILED })
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The profile's inputs from the trace.
fn reproduction(trace: &Trace) -> Reproduction {
    let mut evidence = Evidence::default();
    let mut collections: Vec<CollectionSeen> = Vec::new();
    let mut account = None;
    for e in &trace.exchanges {
        evidence.learn(&e.answer, &e.accept, e.api_version, e.presented != Presented::Nothing);
        let bare = e.path.split('?').next().unwrap_or("");
        let segments: Vec<&str> = bare.split('/').filter(|s| !s.is_empty()).collect();
        let vdir = usize::from(segments.first().is_some_and(|s| s.eq_ignore_ascii_case("tfs")));
        if e.method == "OPTIONS" && e.answer.status == 200 && bare.ends_with("/_apis") {
            evidence.learn_locations(&e.answer.body, segments.len() == vdir + 1);
        }
        let body: serde_json::Value = serde_json::from_str(&e.answer.body).unwrap_or_default();
        if let Some(user) = body["account"].as_str() {
            account = Some(format!("CONTOSO\\{user}"));
        }
        let Some(collection) = segments.get(vdir).filter(|s| s.starts_with("Collection")) else { continue };
        let index = match collections.iter().position(|c| c.name == *collection) {
            Some(i) => i,
            None => {
                collections.push(CollectionSeen { name: (*collection).to_owned(), projects: Vec::new() });
                collections.len() - 1
            }
        };
        let projects = &mut collections[index].projects;
        let mut add = |project: &str, repo: Option<&str>| {
            if !projects.iter().any(|(p, _)| p == project) {
                projects.push((project.to_owned(), Vec::new()));
            }
            if let (Some(repo), Some(entry)) = (repo, projects.iter_mut().find(|(p, _)| p == project))
                && !entry.1.iter().any(|r| r == repo)
            {
                entry.1.push(repo.to_owned());
            }
        };
        if let Some(project) = segments.get(vdir + 1).filter(|s| s.starts_with("Project")) {
            add(project, None);
        }
        for row in body["value"].as_array().into_iter().flatten() {
            match (row["name"].as_str(), row["project"].as_str()) {
                (Some(repo), Some(project)) => add(project, Some(repo)),
                (Some(project), None) if project.starts_with("Project") => add(project, None),
                _ => {}
            }
        }
    }
    let mut unknown = Vec::new();
    if evidence.ceiling.is_none() {
        unknown.push("the exact release: the trace has no location table (OPTIONS _apis); the release is the oldest matching the headers".into());
    }
    if trace.exchanges.iter().any(|e| e.presented == Presented::Windows) {
        unknown.push(
            "Windows logons (NTLM/Negotiate legs are not replayed; give the identity a password to try them)".into(),
        );
    }
    if account.is_none() {
        unknown.push("the account (no connectionData answered to a credential): CONTOSO\\user1 stands in".into());
    }
    let account = account.or_else(|| Some("CONTOSO\\user1".to_owned()));
    let realm = evidence.realm.clone();
    let virtual_directory = match realm.as_deref().and_then(|r| r.split("://").nth(1)).and_then(|r| r.split_once('/')) {
        Some((_, path)) => path.trim_matches('/').to_owned(),
        None => {
            let tfs = trace.exchanges.iter().all(|e| e.path.to_ascii_lowercase().starts_with("/tfs/"));
            if tfs { "tfs".to_owned() } else { String::new() }
        }
    };
    Reproduction { evidence, virtual_directory, public_url: realm, collections, account, unknown }
}

/// The scenario: the trace's main credential as the client's, its operation, and the reasons
/// the reproduction gave where it answered as the trace did.
fn scenario(name: &str, source: &str, trace: &Trace, replayed: &[replay::Replayed]) -> String {
    let reasons: BTreeSet<&str> =
        replayed.iter().filter(|r| !r.differs()).filter_map(|r| r.reason.as_deref()).collect();
    let accepted = trace.exchanges.iter().any(|e| e.presented == Presented::Pat && e.answer.status < 300);
    let operation = trace
        .exchanges
        .iter()
        .filter(|e| e.presented != Presented::Nothing)
        .find_map(|e| operation(&e.path))
        .unwrap_or("connection-data");
    let (outcome, expect): (&str, Vec<&str>) = if accepted {
        ("success", vec!["ok"])
    } else {
        ("failure", reasons.iter().copied().filter(|r| *r != "ok").collect())
    };
    let quoted: Vec<String> = expect.iter().map(|r| format!("{r:?}")).collect();
    let mut out = String::new();
    let _ = write!(
        out,
        "# Imported from {source} (docs/TRACE.md). Reasons the reproduction gave: {}\n\
         title = \"Reproduction of {source}\"\n\
         symptom = \"What the customer's trace shows (see report.md)\"\n\
         cause = \"To be found: compare the trace's exchanges in report.md\"\n\
         fix = \"To be found\"\n\
         fault = \"server\"\n\n\
         [server]\nprofile = {name:?}\n\n\
         [client]\nauth = \"pat\"\nidentity = 'CONTOSO\\user1'\npat = \"probe\"\noperation = {operation:?}\nurl = \"collection\"\n\n\
         [expect]\noutcome = {outcome:?}\nreasons = [{}]\n",
        reasons.iter().copied().collect::<Vec<_>>().join(", "),
        quoted.join(", ")
    );
    out
}

fn operation(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or("").to_ascii_lowercase();
    [
        ("_apis/connectiondata", "connection-data"),
        ("_apis/projectcollections", "list-collections"),
        ("_apis/git/repositories", "list-repos"),
        ("_apis/projects", "list-projects"),
    ]
    .into_iter()
    .find(|(p, _)| path.ends_with(p))
    .map(|(_, o)| o)
}
