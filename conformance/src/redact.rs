//! Redaction of everything that must not reach a report: the profile's secrets (raw,
//! URL-encoded and base64, as a client might print an `Authorization` header), the case's
//! temporary paths, and loopback ports (which change every run).
//!
//! The same needles find leaks: the `no-secret-leak` check asks [`Redactor::leaks`].

use std::sync::LazyLock;

use ado_mock_server::Profile;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use regex::Regex;

/// Secrets shorter than this are not searched for (they would match ordinary words).
const MIN_SECRET: usize = 4;
/// Shortest base64 fragment searched for when a secret sits at an unknown offset.
const MIN_FRAGMENT: usize = 8;

static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\b").expect("the port pattern is valid"));

/// Replaces `127.0.0.1:PORT` (and `localhost:PORT`) with `127.0.0.1:<port>`.
pub fn redact_ports(text: &str) -> String {
    PORT.replace_all(text, "$1:<port>").into_owned()
}

#[derive(Clone, Debug)]
struct Needle {
    text: String,
    replacement: String,
    /// How a leak is described, e.g. "base64 of the PAT `full`".
    description: String,
}

/// Redacts one case's secrets, paths and ports; finds leaked secrets.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    needles: Vec<Needle>,
    paths: Vec<(String, String)>,
}

impl Redactor {
    /// A redactor for every PAT and password of `profile`, in every form a client could print.
    pub fn for_profile(profile: &Profile) -> Self {
        let mut needles = Vec::new();
        for (kind, owner, secret) in profile.secrets() {
            let value = secret.expose();
            if value.len() < MIN_SECRET {
                continue;
            }
            let (label, described) = match kind {
                "pat" => (format!("pat {owner}"), format!("the PAT `{owner}`")),
                _ => (format!("{kind} of {owner}"), format!("the {kind} of {owner}")),
            };
            let user =
                profile.identities.iter().find(|i| i.account.to_string() == owner).map(|i| i.account.user.clone());
            needles.extend(forms(value, user.as_deref(), &owner, &label, &described));
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.text.len()));
        needles.dedup_by(|a, b| a.text == b.text);
        Self { needles, paths: Vec::new() }
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
        let mut out = text.to_owned();
        for needle in &self.needles {
            if out.contains(&needle.text) {
                out = out.replace(&needle.text, &needle.replacement);
            }
        }
        for (path, label) in &self.paths {
            if out.contains(path.as_str()) {
                out = out.replace(path.as_str(), label);
            }
        }
        redact_ports(&out)
    }

    /// Descriptions of the secrets that appear in `text` (each once, in a stable order).
    pub fn leaks(&self, text: &str) -> Vec<String> {
        let mut found: Vec<String> =
            self.needles.iter().filter(|n| text.contains(&n.text)).map(|n| n.description.clone()).collect();
        found.sort();
        found.dedup();
        found
    }
}

/// The raw, URL-encoded and base64 forms of one secret.
fn forms(value: &str, user: Option<&str>, owner: &str, label: &str, described: &str) -> Vec<Needle> {
    let needle = |text: String, replacement: &str, description: String| Needle {
        text,
        replacement: format!("<redacted {replacement}>"),
        description,
    };
    let mut out = vec![needle(value.to_owned(), label, described.to_owned())];
    let encoded = ado_mock_server::http::url_encode_component(value);
    if encoded != value {
        out.push(needle(encoded, label, format!("{described} (URL-encoded)")));
    }
    let b64_label = format!("base64 of {label}");
    let b64_described = format!("base64 of {described}");
    let mut exact = vec![format!(":{value}"), value.to_owned()];
    if let Some(user) = user {
        exact.push(format!("{user}:{value}"));
        exact.push(format!("{owner}:{value}"));
    }
    for plain in exact {
        out.push(needle(STANDARD.encode(plain), &b64_label, b64_described.clone()));
    }
    for fragment in base64_fragments(value.as_bytes()) {
        out.push(needle(fragment, &b64_label, b64_described.clone()));
    }
    out
}

/// The base64 text that encodes `secret` whatever precedes it: for each of the three
/// alignments, the characters of the 3-byte groups that lie wholly inside the secret.
pub fn base64_fragments(secret: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for offset in 0..3usize {
        let mut padded = vec![0u8; offset];
        padded.extend_from_slice(secret);
        let encoded = STANDARD.encode(&padded);
        let first_group = offset.div_ceil(3);
        let last_group = padded.len() / 3;
        if last_group <= first_group {
            continue;
        }
        let fragment = &encoded[first_group * 4..last_group * 4];
        if fragment.len() >= MIN_FRAGMENT {
            out.push(fragment.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile::from_toml_str(ado_mock_server::profile::DEFAULT_PROFILE, "default", 0).expect("default profile")
    }

    #[test]
    fn fragments_find_a_secret_behind_any_prefix() {
        let secret = b"x3gjqdssmc3vjuzitux42uuq6jrtvph5xvmnm2hxfmqjmdyconkq";
        let fragments = base64_fragments(secret);
        for prefix in ["", ":", "user:", "CONTOSO\\joseph:", "ab"] {
            let mut plain = prefix.as_bytes().to_vec();
            plain.extend_from_slice(secret);
            let encoded = STANDARD.encode(&plain);
            assert!(fragments.iter().any(|f| encoded.contains(f.as_str())), "prefix {prefix:?}");
        }
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
            "<redacted pat full> Authorization: Basic <redacted base64 of pat full> pw=<redacted password of CONTOSO\\joseph> \
             <redacted base64 of password of CONTOSO\\joseph> http://127.0.0.1:<port>/tfs"
        );
        assert_eq!(r.leaks(&header), vec!["base64 of the PAT `full`".to_owned()]);
        assert_eq!(r.leaks("nothing here"), Vec::<String>::new());
    }

    #[test]
    fn paths_are_replaced() {
        let r = Redactor::default().with_path(std::path::Path::new("/tmp/.tmpAbc/home"), "<home>");
        assert_eq!(r.redact("cache in /tmp/.tmpAbc/home/.cache"), "cache in <home>/.cache");
    }
}
