//! `show ID`: one scenario in full.

use std::fmt::Write as _;

use super::catalogue;
use crate::cli::ShowArgs;
use crate::error::ExpectedError;
use crate::exit_code;
use crate::scenario::Scenario;

pub(super) fn show(args: &ShowArgs) -> anyhow::Result<u8> {
    let source = args.scenarios.source();
    let catalogue = catalogue(&source)?;
    let scenario = catalogue
        .get(&args.id)
        .ok_or_else(|| ExpectedError::UnknownScenario { id: args.id.clone(), scenarios: source })?;
    crate::out::stdout(&render(scenario));
    Ok(exit_code::SUCCESS)
}

/// The scenario as text.
pub fn render(s: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", s.id, s.title);
    let _ = writeln!(out, "file:      {}", s.file.display());
    let _ = writeln!(out, "fault:     {}", s.fault.name());
    let requires: Vec<&str> = s.requires.iter().map(|c| c.name()).collect();
    let _ = writeln!(out, "requires:  {}", if requires.is_empty() { "-".to_owned() } else { requires.join(", ") });
    if let Some(seed) = &s.seed {
        let _ = writeln!(out, "seed:      {seed}");
    }
    let _ = write!(out, "\nsymptom:   {}\ncause:     {}\nfix:       {}\n", s.symptom, s.cause, s.fix);
    let _ =
        write!(out, "\nserver:\n  profile:   {}\n  releases:  {}\n", s.server.profile, s.release_names().join(", "));
    if s.server.overrides.is_empty() {
        let _ = writeln!(out, "  overrides: none");
    } else {
        let mut wrapped = toml::Table::new();
        wrapped.insert("server".to_owned(), toml::Value::Table(s.server.overrides.clone()));
        let text = toml::to_string(&wrapped).unwrap_or_default();
        let _ = writeln!(out, "  overrides:");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let _ = writeln!(out, "    {line}");
        }
    }
    client(&mut out, s);
    expect(&mut out, s);
    out
}

fn client(out: &mut String, s: &Scenario) {
    let c = &s.client;
    let _ = write!(out, "\nclient:\n  auth:        {}\n", c.auth.name());
    let optional = [
        ("identity", c.identity.clone()),
        ("pat", c.pat.clone()),
        ("password", c.password.as_ref().map(|_| "(overridden in the scenario)".to_owned())),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            let _ = writeln!(out, "  {:<12} {value}", format!("{key}:"));
        }
    }
    let _ = writeln!(out, "  operation:   {}", c.operation.name());
    let _ = writeln!(out, "  url:         {} (collection {})", c.url.name(), c.collection);
    let _ = writeln!(out, "  api-version: {}", c.api_version.as_deref().unwrap_or("not pinned"));
    let names =
        [("project", c.project.clone()), ("repo", c.repo.clone()), ("work-item", c.work_item.map(|w| w.to_string()))];
    for (key, value) in names {
        if let Some(value) = value {
            let _ = writeln!(out, "  {:<12} {value}", format!("{key}:"));
        }
    }
}

fn expect(out: &mut String, s: &Scenario) {
    let e = &s.expect;
    let codes = |list: &[ado_mock_server::Reason]| {
        if list.is_empty() { "-".to_owned() } else { list.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ") }
    };
    let _ = write!(out, "\nexpect:\n  outcome:        {}\n", e.outcome.name());
    let _ = writeln!(out, "  reasons:        {}", codes(&e.reasons));
    if !e.any_reasons.is_empty() {
        let _ = writeln!(out, "  any-reasons: {}", codes(&e.any_reasons));
    }
    let _ = writeln!(out, "  forbid-reasons: {}", codes(&e.forbid_reasons));
    let _ = writeln!(out, "  max-requests:   {}", e.max_requests.map_or("-".to_owned(), |m| m.to_string()));
    let _ = writeln!(out, "  message:        {}", e.message.as_ref().map_or("-".to_owned(), |m| format!("/{m}/")));
}
