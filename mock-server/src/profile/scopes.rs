//! PAT scopes: which scope grants which route and method (data in `data/scopes.toml`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The scope that grants everything.
pub const FULL_ACCESS: &str = "app_token";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeFile {
    scopes: BTreeMap<String, ScopeEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeEntry {
    parent: Option<String>,
    #[serde(default)]
    patterns: Vec<String>,
}

/// One `path#METHODS` pattern, parsed.
#[derive(Debug)]
struct Pattern {
    segments: Vec<String>,
    methods: Vec<String>,
}

/// The scope table: known scope names, their ancestry and patterns.
pub struct ScopeTable {
    scopes: BTreeMap<String, (Option<String>, Vec<Pattern>)>,
}

impl ScopeTable {
    /// The table shipped with the mock (parsed once).
    pub fn builtin() -> &'static ScopeTable {
        static TABLE: OnceLock<ScopeTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            ScopeTable::parse(include_str!("../../data/scopes.toml"))
                .expect("invariant: data/scopes.toml is valid (tested in scopes::tests)")
        })
    }

    fn parse(text: &str) -> Result<Self, String> {
        let file: ScopeFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut scopes = BTreeMap::new();
        for (name, entry) in file.scopes {
            let patterns = entry.patterns.iter().map(|p| parse_pattern(p)).collect();
            scopes.insert(name, (entry.parent, patterns));
        }
        for (name, (parent, _)) in &scopes {
            if let Some(parent) = parent
                && !scopes.contains_key(parent)
            {
                return Err(format!("scope {name} names unknown parent {parent}"));
            }
        }
        Ok(Self { scopes })
    }

    /// Whether `name` is a scope a PAT may carry.
    pub fn is_known(&self, name: &str) -> bool {
        name == FULL_ACCESS || self.scopes.contains_key(name)
    }

    /// Every known scope name, sorted (for error messages).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(FULL_ACCESS).chain(self.scopes.keys().map(String::as_str))
    }

    /// Whether a token with `granted` scopes may call `method` on the host-relative `path`.
    pub fn allows(&self, granted: &[String], method: &str, path: &str) -> bool {
        granted.iter().any(|scope| self.scope_allows(scope, method, path))
    }

    /// The first granted scope (or ancestor) that allows the request, for explanations.
    pub fn scope_allows(&self, scope: &str, method: &str, path: &str) -> bool {
        if scope == FULL_ACCESS {
            return true;
        }
        let request: Vec<&str> = segments(path).collect();
        let mut current = Some(scope);
        // The chain is acyclic in practice; the bound guards against a bad data file.
        for _ in 0..32 {
            let Some(name) = current else { return false };
            let Some((parent, patterns)) = self.scopes.get(name) else { return false };
            if patterns.iter().any(|p| p.matches(&request, method)) {
                return true;
            }
            current = parent.as_deref();
        }
        false
    }

    /// A scope that would allow the request (the narrowest listed), for hints.
    pub fn suggest(&self, method: &str, path: &str) -> Option<&str> {
        let request: Vec<&str> = segments(path).collect();
        self.scopes
            .iter()
            .find(|(_, (_, patterns))| patterns.iter().any(|p| p.matches(&request, method)))
            .map(|(name, _)| name.as_str())
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

fn parse_pattern(text: &str) -> Pattern {
    let (path, methods) = match text.split_once('#') {
        Some((path, methods)) => (path, methods.split('+').map(str::to_ascii_uppercase).collect()),
        None => (text, vec!["GET".to_owned()]),
    };
    let mut segments: Vec<String> = segments(path).map(str::to_owned).collect();
    if segments.first().is_some_and(|s| s.eq_ignore_ascii_case("DefaultCollection")) {
        segments.remove(0);
    }
    Pattern { segments, methods }
}

impl Pattern {
    fn matches(&self, request: &[&str], method: &str) -> bool {
        self.methods.iter().any(|m| m.eq_ignore_ascii_case(method))
            && request.len() >= self.segments.len()
            && self.segments.iter().zip(request).all(|(p, r)| p == "*" || p.eq_ignore_ascii_case(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(scopes: &str, method: &str, path: &str) -> bool {
        let granted: Vec<String> = scopes.split(' ').map(str::to_owned).collect();
        ScopeTable::builtin().allows(&granted, method, path)
    }

    #[test]
    fn builtin_table_parses() {
        let table = ScopeTable::parse(include_str!("../../data/scopes.toml")).unwrap();
        assert!(table.is_known("vso.code_write"));
        assert!(table.is_known("app_token"));
        assert!(!table.is_known("vso.cod"));
    }

    #[test]
    fn scope_vectors() {
        let cases = [
            ("app_token", "DELETE", "/anything/at/all", true),
            ("vso.base", "OPTIONS", "/_apis", true),
            ("vso.base", "OPTIONS", "/_apis/core", true),
            ("vso.base", "GET", "/_apis/connectionData", true),
            ("vso.base", "GET", "/_apis/projects", false),
            ("vso.profile", "GET", "/_apis/projects", true),
            ("vso.project", "GET", "/_apis/projects/Fabrikam", true),
            ("vso.project", "POST", "/_apis/projects", false),
            ("vso.project_manage", "POST", "/_apis/projects", true),
            ("vso.code", "GET", "/Fabrikam/_apis/git/repositories", true),
            ("vso.code", "GET", "/_apis/git/repositories", true),
            ("vso.code", "GET", "/Fabrikam/_git/Tools/info/refs", true),
            ("vso.code", "POST", "/Fabrikam/_git/Tools/git-upload-pack", true),
            ("vso.code", "POST", "/Fabrikam/_git/Tools/git-receive-pack", false),
            ("vso.code_write", "POST", "/Fabrikam/_git/Tools/git-receive-pack", true),
            ("vso.code_write", "GET", "/Fabrikam/_apis/git/repositories", true),
            ("vso.code_full", "GET", "/Fabrikam/_apis/git/repositories", true),
            ("vso.work", "GET", "/Fabrikam/_apis/git/repositories", false),
            ("vso.work", "GET", "/_apis/wit/workitems/1", true),
            ("vso.work", "POST", "/Fabrikam/_apis/wit/workitems/$Task", false),
            ("vso.work_write", "POST", "/Fabrikam/_apis/wit/workitems/$Task", true),
            ("vso.work vso.code", "GET", "/Fabrikam/_apis/git/repositories", true),
            ("vso.build", "GET", "/_apis/projects", true),
            ("vso.project", "GET", "/_apis/projectCollections", false),
        ];
        for (scopes, method, path, expected) in cases {
            assert_eq!(allows(scopes, method, path), expected, "{scopes} {method} {path}");
        }
    }
}
