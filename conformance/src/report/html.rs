//! `report.html`: one self-contained page (inline CSS and JavaScript, no network): a row per
//! case, a verdict filter, and per case its checks, the wire transcript with the server's
//! explanation and hint for each request, and the client's output. Everything is escaped.

use std::fmt::Write as _;

use super::groups::groups;
use crate::result::{CaseResult, Exchange, RunRecord};
use crate::verdict::Verdict;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}\
.badge{display:inline-block;min-width:5em;text-align:center;border-radius:3px;padding:1px 4px;color:#fff;font-weight:600}\
.v-pass{background:#2e7d32}.v-note{background:#0277bd}.v-skip{background:#9e9d24}.v-fail{background:#c62828}.v-insecure{background:#6a1b9a}\
pre{background:#f6f6f6;padding:6px;white-space:pre-wrap;word-break:break-all}details{margin:4px 0}\
.transcript td{font-family:monospace;font-size:90%}.why{color:#555}.known{color:#555;font-style:italic}\
.root{border-left:4px solid #c62828;padding:2px 10px;margin:10px 0}.root.v-insecure-border{border-color:#6a1b9a}\
.root dl{display:grid;grid-template-columns:max-content auto;gap:2px 10px;margin:4px 0 10px}.root dt{font-weight:600}.root dd{margin:0}\
.expected{background:#757575}";

const SCRIPT: &str = "function applyFilter(){var on={};document.querySelectorAll('#filters input').forEach(function(b){on[b.dataset.verdict]=b.checked;});\
document.querySelectorAll('tbody tr[data-verdict]').forEach(function(r){r.style.display=on[r.dataset.verdict]?'':'none';});}\
document.querySelectorAll('#filters input').forEach(function(b){b.addEventListener('change',applyFilter);});applyFilter();";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The HTML page.
pub fn render(record: &RunRecord) -> String {
    let t = &record.totals;
    let client = escape(&record.client.name);
    let status = if t.succeeded() { "passed" } else { "failed" };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Conformance of {client}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<h1>Conformance of {client}: {status}</h1>\n"
    );
    let _ = writeln!(
        h,
        "<p>{} cases; {} failed the run; {} matched the baseline{}.</p>",
        t.cases,
        t.failed,
        t.expected,
        if t.interrupted { format!("; interrupted, {} not run", t.not_run) } else { String::new() }
    );
    root_causes(&mut h, record);
    h.push_str("<div id=\"filters\">Show:");
    for v in Verdict::ALL {
        let _ = write!(
            h,
            " <label><input type=\"checkbox\" data-verdict=\"{0}\" checked> <span class=\"badge v-{0}\">{0}</span> {1}</label>",
            v.name(),
            t.of(v)
        );
    }
    h.push_str("</div>\n<table id=\"cases\">\n<thead><tr><th>verdict</th><th>case</th><th>title</th><th>findings</th></tr></thead>\n<tbody>\n");
    for case in &record.cases {
        case_rows(&mut h, case);
    }
    let _ = write!(h, "</tbody>\n</table>\n<script>{SCRIPT}</script>\n</body>\n</html>\n");
    h
}

/// The failures grouped by root cause, at the top of the page and never folded.
fn root_causes(h: &mut String, record: &RunRecord) {
    let groups = groups(record);
    if groups.is_empty() {
        return;
    }
    h.push_str("<section id=\"root-causes\">\n<h2>Failures by root cause</h2>\n");
    for g in &groups {
        let border = if g.verdict == Verdict::Insecure { " v-insecure-border" } else { "" };
        let _ = writeln!(
            h,
            "<div class=\"root{border}\"><h3><span class=\"badge v-{0}\">{0}</span> <code>{1}</code>: {2}</h3>\n<p><b>What to do</b>: {3}</p>",
            g.verdict.name(),
            escape(g.root_cause),
            escape(&g.size()),
            escape(g.check_fix)
        );
        for s in &g.scenarios {
            let d = s.diagnosis;
            let _ = writeln!(h, "<h4><code>{}</code>: {}</h4>\n<dl>", escape(&s.label()), escape(s.title));
            let mut rows = vec![
                ("Finding", d.finding.clone()),
                ("Symptom", d.symptom.clone()),
                ("Cause", d.cause.clone()),
                ("Fix", d.fix.clone()),
            ];
            rows.extend(d.server.iter().map(|l| ("Server said", l.clone())));
            rows.extend(d.hint.iter().map(|l| ("Server hint", l.clone())));
            for (term, text) in rows {
                let _ = writeln!(h, "<dt>{term}</dt><dd>{}</dd>", escape(&text));
            }
            let _ = writeln!(h, "<dt>Reproduce</dt><dd><code>{}</code></dd>\n</dl>", escape(&d.reproduce));
        }
        h.push_str("</div>\n");
    }
    h.push_str("</section>\n");
}

fn case_rows(h: &mut String, c: &CaseResult) {
    let v = c.verdict.name();
    let known = match &c.baseline {
        Some(b) if b.matched => format!("<div class=\"known\">known: {}</div>", escape(&b.reason)),
        Some(b) => format!("<div class=\"known\">baseline expected {}: {}</div>", b.verdict, escape(&b.reason)),
        None => String::new(),
    };
    // A failure the baseline expects is not shown as a red failure.
    let badge = if c.verdict.is_failure() && c.baseline.as_ref().is_some_and(|b| b.matched) {
        format!("<span class=\"badge expected\" title=\"{v}, as the baseline expects\">expected</span>")
    } else {
        format!("<span class=\"badge v-{v}\">{v}</span>")
    };
    let findings: Vec<String> = match &c.skip_reason {
        Some(why) => vec![escape(why)],
        None => c.findings().map(|f| format!("<b>{}</b>: {}", escape(&f.name), escape(&f.detail))).collect(),
    };
    let _ = writeln!(
        h,
        "<tr data-verdict=\"{v}\"><td>{badge}</td><td><code>{}</code></td><td>{}{known}</td><td>{}</td></tr>",
        escape(&c.label()),
        escape(&c.title),
        findings.join("<br>")
    );
    let _ = writeln!(
        h,
        "<tr data-verdict=\"{v}\"><td></td><td colspan=\"3\"><details><summary>checks, transcript ({} request{}), output</summary>",
        c.requests.len(),
        if c.requests.len() == 1 { "" } else { "s" }
    );
    checks_table(h, c);
    transcript(h, &c.requests);
    for (name, out) in [("stdout", &c.stdout), ("stderr", &c.stderr)] {
        let cut = if out.truncated { " (truncated)" } else { "" };
        let _ = writeln!(h, "<div>client {name}{cut}:</div><pre>{}</pre>", escape(&out.text));
    }
    h.push_str("</details></td></tr>\n");
}

fn checks_table(h: &mut String, c: &CaseResult) {
    if c.checks.is_empty() {
        return;
    }
    h.push_str("<table class=\"checks\"><tr><th>check</th><th>verdict</th><th>detail</th></tr>\n");
    for check in &c.checks {
        let v = check.verdict.name();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td><span class=\"badge v-{v}\">{v}</span></td><td>{}</td></tr>",
            escape(&check.name),
            escape(&check.detail)
        );
    }
    h.push_str("</table>\n");
}

fn transcript(h: &mut String, requests: &[Exchange]) {
    if requests.is_empty() {
        h.push_str("<p>No request reached the server.</p>\n");
        return;
    }
    h.push_str("<table class=\"transcript\"><tr><th>#</th><th>conn</th><th>request</th><th>answer</th><th>credential</th><th>offered</th></tr>\n");
    for e in requests {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            e.seq,
            e.connection,
            escape(&e.method),
            escape(&e.path),
            e.status,
            escape(&e.reason),
            escape(&credential(e)),
            escape(&e.offered.join(", "))
        );
        let hint = if e.hint.is_empty() { String::new() } else { format!("<br>fix: {}", escape(&e.hint)) };
        let _ = writeln!(
            h,
            "<tr><td></td><td></td><td colspan=\"4\" class=\"why\">{}{hint}</td></tr>",
            escape(&e.explanation)
        );
    }
    h.push_str("</table>\n");
}

/// A one-line credential summary: `Basic (user:secret)`, `NTLM type 3`, `none`.
pub fn credential(e: &Exchange) -> String {
    let Some(scheme) = &e.scheme else { return "none".to_owned() };
    let mut text = scheme.clone();
    match (e.basic_colon, e.ntlm_message) {
        (Some(true), _) => text.push_str(" (user:secret)"),
        (Some(false), _) => text.push_str(" (no ':')"),
        (_, Some(0)) => text.push_str(" SPNEGO token"),
        (_, Some(n)) => text.push_str(&format!(" type {n}")),
        _ => {}
    }
    if let Some(leg) = &e.leg {
        text.push_str(&format!(", {leg}"));
    }
    if let Some(v) = &e.api_version {
        text.push_str(&format!(", api-version {v}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
