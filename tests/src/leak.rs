//! Every disguise a client's output may give a secret (issue 17), shared by the `fake-client`
//! script `leak` (which prints one) and the tests (which check that the runner catches it and
//! that no report shows it).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use data_encoding::{BASE32, HEXLOWER, HEXUPPER};

/// Bytes printed before the secret in the `after-first-mib` form: more than the runner keeps.
pub const FILLER: usize = 1024 * 1024 + 4096;

/// The names of the forms that apply to any secret.
pub fn names() -> Vec<String> {
    let mut out: Vec<String> = [
        "raw",
        "upper",
        "lower",
        "percent-full",
        "percent-partial",
        "hex",
        "hex-upper",
        "base32",
        "line-break",
        "crlf-break",
        "ansi",
        "after-first-mib",
    ]
    .map(str::to_owned)
    .to_vec();
    for alphabet in ["std", "url"] {
        for prefix in ["bare", "colon", "user"] {
            for align in 0..3 {
                out.push(format!("base64-{alphabet}-{prefix}-{align}"));
            }
        }
    }
    out
}

/// The names of the forms only a password has.
pub fn password_names() -> Vec<String> {
    ["nt-hash-hex", "nt-hash-upper", "nt-hash-base64"].map(str::to_owned).to_vec()
}

/// The text the form `name` prints for `secret` (of user `user`), or `None` for an unknown
/// name. `after-first-mib` is [`FILLER`] bytes of harmless text and then the secret.
pub fn form(name: &str, secret: &str, user: &str) -> Option<String> {
    let half = secret.len() / 2;
    let (head, tail) = secret.split_at(half);
    let text = match name {
        "raw" => secret.to_owned(),
        "upper" => secret.to_uppercase(),
        "lower" => secret.to_lowercase(),
        "percent-full" => secret.bytes().map(|b| format!("%{b:02X}")).collect(),
        "percent-partial" => {
            let mut out = String::new();
            for (i, c) in secret.chars().enumerate() {
                if i % 3 == 1 { out.push_str(&format!("%{:02x}", c as u32)) } else { out.push(c) }
            }
            out
        }
        "hex" => HEXLOWER.encode(secret.as_bytes()),
        "hex-upper" => HEXUPPER.encode(secret.as_bytes()),
        "base32" => BASE32.encode(secret.as_bytes()),
        "line-break" => format!("{head}\n{tail}"),
        "crlf-break" => format!("{head}\r\n{tail}"),
        "ansi" => format!("\x1b[31m{head}\x1b[0m\x1b[1;32m{tail}\x1b[0m"),
        "after-first-mib" => format!("{}\n{secret}", "all is well. ".repeat(FILLER / 13 + 1)),
        "nt-hash-hex" => HEXLOWER.encode(&ado_mock_server::ntlm::crypto::nt_hash(secret)),
        "nt-hash-upper" => HEXUPPER.encode(&ado_mock_server::ntlm::crypto::nt_hash(secret)),
        "nt-hash-base64" => STANDARD.encode(ado_mock_server::ntlm::crypto::nt_hash(secret)),
        other => return base64_form(other, secret, user),
    };
    Some(text)
}

/// `base64-{std|url}-{bare|colon|user}-{0|1|2}`: the secret (after `:` or `user:`) inside a
/// longer encoded text, `align` bytes after a 3-byte group boundary.
fn base64_form(name: &str, secret: &str, user: &str) -> Option<String> {
    let mut parts = name.strip_prefix("base64-")?.split('-');
    let (alphabet, prefix, align) = (parts.next()?, parts.next()?, parts.next()?.parse::<usize>().ok()?);
    let mut plain: Vec<u8> = b"{\"k\":\"".iter().copied().cycle().take(6 + align).collect();
    match prefix {
        "bare" => {}
        "colon" => plain.push(b':'),
        "user" => plain.extend_from_slice(format!("{user}:").as_bytes()),
        _ => return None,
    }
    plain.extend_from_slice(secret.as_bytes());
    plain.extend_from_slice(b"\"}");
    match alphabet {
        "std" => Some(STANDARD.encode(&plain)),
        "url" => Some(URL_SAFE.encode(&plain)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_form_exists_and_disguises_the_secret() {
        let secret = "Passw0rd!Longer";
        for name in names().iter().chain(&password_names()) {
            let text = form(name, secret, "joseph").unwrap_or_else(|| panic!("{name}"));
            if !matches!(name.as_str(), "raw" | "after-first-mib") {
                assert!(!text.contains(secret), "{name} disguises it: {text}");
            }
        }
        assert_eq!(form("nope", secret, "joseph"), None);
    }
}
