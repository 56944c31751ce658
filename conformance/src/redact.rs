//! Redaction of everything that must not reach a report: the case's secrets (through the mock
//! server's one [`SecretFinder`], in every form a client might print them), the case's
//! temporary paths, and loopback ports (which change every run).
//!
//! The same finder finds leaks: the `no-secret-leak` check asks [`Redactor::leaks`], so what the
//! check calls a leak is exactly what the reports hide.

use std::sync::{Arc, LazyLock};

use ado_mock_server::Profile;
use ado_mock_server::secret::{SecretFinder, SecretKind, SecretSpec};
use regex::Regex;

use crate::scenario::Case;

static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\b").expect("the port pattern is valid"));

/// Replaces `127.0.0.1:PORT` (and `localhost:PORT`) with `127.0.0.1:<port>`.
pub fn redact_ports(text: &str) -> String {
    PORT.replace_all(text, "$1:<port>").into_owned()
}

/// Redacts one case's secrets, paths and ports; finds leaked secrets.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    finder: Arc<SecretFinder>,
    paths: Vec<(String, String)>,
}

impl Redactor {
    /// A redactor for every PAT and password of `profile`.
    pub fn for_profile(profile: &Profile) -> Self {
        Self { finder: Arc::new(SecretFinder::new(profile.secrets())), paths: Vec::new() }
    }

    /// A redactor for a case: the profile's secrets and the password the scenario hands its
    /// client (a wrong one is a secret too: it may be someone's real password elsewhere).
    pub fn for_case(case: &Case) -> Self {
        let mut secrets = case.profile.secrets();
        let client = &case.scenario.client;
        if let Some(password) = &client.password {
            let owner = client.identity.clone().unwrap_or_else(|| "the scenario".to_owned());
            let user = owner.rsplit('\\').next().unwrap_or_default().to_owned();
            secrets.push(SecretSpec { kind: SecretKind::Password, owner, value: password.clone(), users: vec![user] });
        }
        Self { finder: Arc::new(SecretFinder::new(secrets)), paths: Vec::new() }
    }

    /// The finder behind it (for scanning a client's output as it streams).
    pub fn finder(&self) -> &Arc<SecretFinder> {
        &self.finder
    }

    /// Also replaces `path` (e.g. the case's temporary HOME) with `label`.
    pub fn with_path(mut self, path: &std::path::Path, label: &str) -> Self {
        let text = path.display().to_string();
        if !text.is_empty() {
            self.paths.push((text, label.to_owned()));
            self.paths.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        }
        self
    }

    /// The text with secrets, paths and ports replaced.
    pub fn redact(&self, text: &str) -> String {
        let (mut out, _) = self.finder.redact(text);
        for (path, label) in &self.paths {
            if out.contains(path.as_str()) {
                out = out.replace(path.as_str(), label);
            }
        }
        redact_ports(&out)
    }

    /// Descriptions of the secrets that appear in `text` (each once, in a stable order).
    pub fn leaks(&self, text: &str) -> Vec<String> {
        let mut found: Vec<String> = self.finder.leaks(text).iter().map(|l| l.describe()).collect();
        found.sort();
        found.dedup();
        found
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    fn profile() -> Profile {
        Profile::from_toml_str(ado_mock_server::profile::DEFAULT_PROFILE, "default", 0).expect("default profile")
    }

    #[test]
    fn redacts_every_form_and_names_the_leak() {
        let p = profile();
        let pat = p.identities[0].pats[0].token.expose().to_owned();
        let r = Redactor::for_profile(&p);
        let header = format!("Authorization: Basic {}", STANDARD.encode(format!(":{pat}")));
        let text =
            format!("{pat} {header} pw=Passw0rd%21 {} http://127.0.0.1:4567/tfs", STANDARD.encode("joseph:Passw0rd!"));
        let out = r.redact(&text);
        assert!(!out.contains(&pat) && !out.contains("Passw0rd") && !out.contains("4567"), "{out}");
        assert_eq!(
            out,
            "<redacted pat full> Authorization: Basic <redacted pat full> pw=<redacted password of CONTOSO\\joseph> \
             <redacted password of CONTOSO\\joseph> http://127.0.0.1:<port>/tfs"
        );
        assert_eq!(r.leaks(&header), vec!["base64 of the PAT `full`".to_owned()]);
        assert_eq!(r.leaks("nothing here"), Vec::<String>::new());
    }

    #[test]
    fn paths_are_replaced() {
        let r = Redactor::default().with_path(std::path::Path::new("/tmp/.tmpAbc/home"), "<home>");
        assert_eq!(r.redact("cache in /tmp/.tmpAbc/home/.cache"), "cache in <home>/.cache");
    }

    #[test]
    fn the_longest_path_is_replaced_first_and_an_empty_path_never() {
        let r = Redactor::default()
            .with_path(std::path::Path::new("/tmp/case"), "<case>")
            .with_path(std::path::Path::new(""), "<nothing>")
            .with_path(std::path::Path::new("/tmp/case/home"), "<home>");
        assert_eq!(r.redact("/tmp/case/home/x and /tmp/case/y"), "<home>/x and <case>/y");
        assert_eq!(r.redact("no path"), "no path");
    }

    #[test]
    fn loopback_ports_of_every_spelling_are_redacted() {
        assert_eq!(
            redact_ports("127.0.0.1:4567 localhost:80 [::1]:65535 tfs.contoso.local:8080 127.0.0.1:x"),
            "127.0.0.1:<port> localhost:<port> [::1]:<port> tfs.contoso.local:8080 127.0.0.1:x"
        );
    }

    #[test]
    fn a_case_redacts_the_password_its_scenario_hands_the_client() {
        let catalogue = crate::scenario::load(&crate::scenario::Source::BuiltIn, 0).expect("the library loads");
        let scenario = catalogue.get("ntlm/lockout").expect("ntlm/lockout exists");
        assert_eq!(scenario.client.password.as_deref(), Some("OldPassw0rd"), "the scenario's wrong password");
        let case = &scenario.cases()[0];
        let r = Redactor::for_case(case);
        let pat = case.profile.identities[0].pats[0].token.expose().to_owned();
        assert_eq!(
            r.redact(&format!("pw OldPassw0rd, then {pat}")),
            "pw <redacted password of CONTOSO\\joseph>, then <redacted pat full>"
        );
        assert_eq!(r.leaks(&STANDARD.encode("joseph:OldPassw0rd")), vec!["base64 of the password of CONTOSO\\joseph"]);
        assert!(Redactor::for_profile(&case.profile).leaks("OldPassw0rd").is_empty(), "not a profile secret");
    }

    #[test]
    fn leaks_are_sorted_and_each_named_once() {
        let p = profile();
        let pat = p.identities[0].pats[0].token.expose().to_owned();
        let r = Redactor::for_profile(&p);
        let leaks = r.leaks(&format!("Passw0rd! {pat} Passw0rd! {pat}"));
        assert_eq!(leaks, vec!["the PAT `full`".to_owned(), "the password of CONTOSO\\joseph".to_owned()]);
        assert!(!r.finder().is_empty());
    }

    #[test]
    fn secrets_of_three_four_and_five_characters() {
        // The finder's floor (MIN_SECRET_LEN): shorter secrets would match ordinary words.
        for (value, found) in [("Ab1", false), ("Ab1!", true), ("Ab1!x", true)] {
            let spec = SecretSpec {
                kind: SecretKind::Password,
                owner: "CONTOSO\\short".into(),
                value: value.into(),
                users: vec!["short".into()],
            };
            let r = Redactor { finder: Arc::new(SecretFinder::new(vec![spec])), paths: Vec::new() };
            let text = format!("password {value} end");
            let want =
                if found { "password <redacted password of CONTOSO\\short> end".to_owned() } else { text.clone() };
            assert_eq!(r.redact(&text), want, "{value}");
            assert_eq!(r.leaks(&text).is_empty(), !found, "{value}");
        }
    }
}
