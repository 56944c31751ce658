//! Loading and validating profiles: raw file -> [`Profile`], refusing bad input with the file,
//! the key and what was expected.

use std::collections::HashSet;
use std::path::Path;

use md5::{Digest, Md5};
use uuid::Uuid;

use super::file::{BlockedAccountsFile, CollectionFile, IdentityFile, PatFile, ProfileFile, ProviderFile};
use super::index::ProfileIndex;
use super::model::{
    Account, Collection, Group, GroupScope, Identity, Iis, NtlmBlocking, NtlmSettings, Pat, PatCollection, Profile,
    Project, Provider, Repo, TfsSettings, group_names,
};
use super::scopes::ScopeTable;
use super::tfs::{default_iis_version, resolve_job_tokens, signing_key};
use crate::error::ProfileError;
use crate::secret::Secret;
use crate::time_text;

/// Namespace for ids derived from names, so ids are stable across runs.
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2d4e_9a7b_4c3d_8e2f_0a1b_2c3d_4e5f);

impl Profile {
    /// Loads and validates a profile file; relative expiries resolve against `now` (Unix seconds).
    ///
    /// # Errors
    /// A [`ProfileError`] naming the file and the key when the file cannot be read or is invalid.
    pub fn load(path: &Path, now: i64) -> Result<Profile, ProfileError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ProfileError::read(&origin, e))?;
        Self::from_toml_str(&text, &origin, now)
    }

    /// Parses and validates profile text; `origin` names it in errors.
    ///
    /// # Errors
    /// A [`ProfileError`] naming `origin` and the offending key.
    pub fn from_toml_str(text: &str, origin: &str, now: i64) -> Result<Profile, ProfileError> {
        let de = toml::Deserializer::parse(text).map_err(|e| ProfileError::syntax(origin, None, e.to_string()))?;
        let file: ProfileFile = serde_path_to_error::deserialize(de).map_err(|e| path_error(origin, e))?;
        resolve(file, origin, now)
    }

    /// Validates an already-parsed TOML table (a base profile with a scenario's overrides merged in).
    ///
    /// # Errors
    /// A [`ProfileError`] naming `origin` and the offending key.
    pub fn from_toml_value(value: toml::Value, origin: &str, now: i64) -> Result<Profile, ProfileError> {
        let file: ProfileFile = serde_path_to_error::deserialize(value).map_err(|e| path_error(origin, e))?;
        resolve(file, origin, now)
    }
}

fn path_error<E: std::fmt::Display>(origin: &str, e: serde_path_to_error::Error<E>) -> ProfileError {
    let key = e.path().to_string();
    let key = (key != ".").then_some(key);
    ProfileError::syntax(origin, key, e.inner().to_string())
}

pub(super) struct Ctx<'a> {
    pub(super) origin: &'a str,
    pub(super) now: i64,
}

impl Ctx<'_> {
    pub(super) fn err(
        &self,
        key: impl Into<String>,
        expected: impl Into<String>,
        found: impl std::fmt::Display,
    ) -> ProfileError {
        ProfileError::invalid(self.origin, key.into(), format!("expected {}, found `{found}`", expected.into()))
    }
}

fn resolve(file: ProfileFile, origin: &str, now: i64) -> Result<Profile, ProfileError> {
    let ctx = Ctx { origin, now };
    let virtual_directory = file.virtual_directory.trim_matches('/').to_owned();
    if !virtual_directory.is_empty() && !is_path_name(&virtual_directory) {
        return Err(ctx.err(
            "virtual-directory",
            "one path segment of letters, digits, '.', '-', '_' (or \"\")",
            &file.virtual_directory,
        ));
    }
    if let Some(url) = &file.public_url
        && (!(url.starts_with("http://") || url.starts_with("https://")) || url.contains(char::is_whitespace))
    {
        return Err(ctx.err("public-url", "an http:// or https:// URL", url));
    }
    let iis = resolve_iis(&ctx, &file)?;
    let ntlm = resolve_ntlm(&ctx, &file)?;
    let collections = resolve_collections(&ctx, &file.collections, &virtual_directory)?;
    let mut identities = resolve_identities(&ctx, &file.identities, &collections)?;
    let key = signing_key(&collections, &virtual_directory);
    let (job_tokens, services) = resolve_job_tokens(&ctx, &file.job_tokens, &collections, &key)?;
    identities.extend(services);
    let index = ProfileIndex::build(&identities, &ntlm.domain, &ntlm.dns_domain);
    Ok(Profile {
        release: file.release,
        virtual_directory,
        public_url: file.public_url,
        iis,
        ntlm,
        collections,
        identities,
        tfs: TfsSettings::resolve(file.release, &file.tfs),
        job_tokens,
        index,
    })
}

fn resolve_iis(ctx: &Ctx<'_>, file: &ProfileFile) -> Result<Iis, ProfileError> {
    let mut providers = Vec::new();
    for (i, p) in file.iis.providers.iter().enumerate() {
        let p = match p {
            ProviderFile::Negotiate => Provider::Negotiate,
            ProviderFile::Ntlm => Provider::Ntlm,
        };
        if providers.contains(&p) {
            return Err(ctx.err(format!("iis.providers[{i}]"), "each provider once", p.scheme()));
        }
        providers.push(p);
    }
    if file.iis.windows && providers.is_empty() {
        return Err(ctx.err("iis.providers", "at least one of \"Negotiate\", \"NTLM\" when windows = true", "[]"));
    }
    Ok(Iis {
        anonymous: file.iis.anonymous,
        windows: file.iis.windows,
        providers,
        basic: file.iis.basic,
        persist_auth_per_connection: file.iis.persist_auth_per_connection,
        version: resolve_iis_version(ctx, file)?,
        detailed_errors: file.iis.detailed_errors,
        basic_default_domain: resolve_default_domain(ctx, &file.iis.basic_default_domain)?,
        basic_realm: file.iis.basic_realm.clone(),
    })
}

fn resolve_iis_version(ctx: &Ctx<'_>, file: &ProfileFile) -> Result<String, ProfileError> {
    let Some(version) = &file.iis.version else { return Ok(default_iis_version(file.release).to_owned()) };
    let valid = version.split_once('.').is_some_and(|(major, minor)| {
        !major.is_empty() && !minor.is_empty() && (major.bytes().chain(minor.bytes())).all(|b| b.is_ascii_digit())
    });
    if !valid {
        return Err(ctx.err("iis.version", "an IIS version such as \"10.0\", \"8.5\" or \"7.5\"", version));
    }
    Ok(version.clone())
}

fn resolve_default_domain(ctx: &Ctx<'_>, domain: &str) -> Result<String, ProfileError> {
    if !domain.is_empty() && !is_netbios(domain) && !is_dns_name(domain) {
        return Err(ctx.err("iis.basic-default-domain", "a NetBIOS or DNS domain name, or \"\"", domain));
    }
    Ok(domain.to_owned())
}

fn is_netbios(name: &str) -> bool {
    !name.is_empty() && name.len() <= 15 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_dns_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn resolve_ntlm(ctx: &Ctx<'_>, file: &ProfileFile) -> Result<NtlmSettings, ProfileError> {
    let n = &file.ntlm;
    for (key, value) in [("ntlm.domain", &n.domain), ("ntlm.computer", &n.computer)] {
        if !is_netbios(value) {
            return Err(ctx.err(key, "a NetBIOS name (1 to 15 letters, digits or '-')", value));
        }
    }
    if !is_dns_name(&n.dns_domain) {
        return Err(ctx.err("ntlm.dns-domain", "a DNS name", &n.dns_domain));
    }
    let challenge = match &n.challenge {
        None => None,
        Some(text) => Some(parse_hex8(text).ok_or_else(|| ctx.err("ntlm.challenge", "16 hex digits", text))?),
    };
    let timestamp = match &n.timestamp {
        None => None,
        Some(text) => Some(
            time_text::parse_instant(text, ctx.now)
                .ok_or_else(|| ctx.err("ntlm.timestamp", "an RFC 3339 date-time", text))?,
        ),
    };
    Ok(NtlmSettings {
        domain: n.domain.clone(),
        computer: n.computer.clone(),
        dns_domain: n.dns_domain.clone(),
        accept_v1: n.accept_v1,
        lockout_threshold: n.lockout_threshold,
        challenge,
        timestamp,
        seven_bit_challenge: n.seven_bit_challenge,
        blocked: match (n.blocked, n.blocked_accounts) {
            (false, _) => NtlmBlocking::Allowed,
            (true, BlockedAccountsFile::All) => NtlmBlocking::All,
            (true, BlockedAccountsFile::Domain) => NtlmBlocking::DomainAccounts,
        },
    })
}

fn parse_hex8(text: &str) -> Option<[u8; 8]> {
    if text.len() != 16 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 8];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

fn is_path_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn is_display_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.trim() == name
        && !name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\' | '?' | '#' | '%' | '[' | ']'))
}

fn resolve_collections(ctx: &Ctx<'_>, files: &[CollectionFile], vdir: &str) -> Result<Vec<Collection>, ProfileError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (ci, c) in files.iter().enumerate() {
        let key = format!("collections[{ci}].name");
        if !is_display_name(&c.name) || c.name.starts_with('_') {
            return Err(ctx.err(key, "a collection name without '/', '\\', '?', '#', '%' or a leading '_'", &c.name));
        }
        if c.name.eq_ignore_ascii_case(vdir) {
            return Err(ctx.err(key, "a name other than the virtual directory", &c.name));
        }
        if !seen.insert(c.name.to_ascii_lowercase()) {
            return Err(ctx.err(key, "a collection name not used before (names match case-insensitively)", &c.name));
        }
        let id = c.id.unwrap_or_else(|| derived_id(&["collection", &c.name]));
        let projects = resolve_projects(ctx, ci, c)?;
        out.push(Collection {
            name: c.name.clone(),
            id,
            stopped: c.state == super::file::CollectionStateFile::Stopped,
            projects,
        });
    }
    Ok(out)
}

fn resolve_projects(ctx: &Ctx<'_>, ci: usize, c: &CollectionFile) -> Result<Vec<Project>, ProfileError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (pi, p) in c.projects.iter().enumerate() {
        let base = format!("collections[{ci}].projects[{pi}]");
        if !is_display_name(&p.name) || p.name.starts_with('_') {
            return Err(ctx.err(
                format!("{base}.name"),
                "a project name without '/', '\\', '?', '#', '%' or a leading '_'",
                &p.name,
            ));
        }
        if !seen.insert(p.name.to_ascii_lowercase()) {
            return Err(ctx.err(format!("{base}.name"), "a project name not used before in this collection", &p.name));
        }
        let mut repo_names = HashSet::new();
        let mut repos = Vec::new();
        for (ri, r) in p.repos.iter().enumerate() {
            if !is_display_name(r) || !repo_names.insert(r.to_ascii_lowercase()) {
                return Err(ctx.err(format!("{base}.repos[{ri}]"), "a repository name, each once", r));
            }
            repos.push(Repo { name: r.clone(), id: derived_id(&["repo", &c.name, &p.name, r]) });
        }
        let mut ids = HashSet::new();
        for (wi, w) in p.work_items.iter().enumerate() {
            if *w == 0 || !ids.insert(*w) {
                return Err(ctx.err(format!("{base}.work-items[{wi}]"), "a positive work item id, each once", w));
            }
        }
        let id = p.id.unwrap_or_else(|| derived_id(&["project", &c.name, &p.name]));
        out.push(Project { name: p.name.clone(), id, repos, work_items: p.work_items.clone() });
    }
    Ok(out)
}

fn resolve_identities(
    ctx: &Ctx<'_>,
    files: &[IdentityFile],
    collections: &[Collection],
) -> Result<Vec<Identity>, ProfileError> {
    let mut accounts = HashSet::new();
    let mut tokens = HashSet::new();
    let mut out = Vec::new();
    for (ii, f) in files.iter().enumerate() {
        let base = format!("identities[{ii}]");
        let account =
            parse_account(&f.account).ok_or_else(|| ctx.err(format!("{base}.account"), "DOMAIN\\user", &f.account))?;
        if !accounts.insert(account.to_string().to_ascii_lowercase()) {
            return Err(ctx.err(format!("{base}.account"), "an account not listed before", &f.account));
        }
        let mut groups = Vec::new();
        for (gi, g) in f.groups.iter().enumerate() {
            groups.push(parse_group(ctx, &format!("{base}.groups[{gi}]"), g, collections)?);
        }
        let mut pats = Vec::new();
        for (pi, p) in f.pats.iter().enumerate() {
            let pat = resolve_pat(ctx, &format!("{base}.pats[{pi}]"), &account, p, collections)?;
            if pats.iter().any(|q: &Pat| q.name.eq_ignore_ascii_case(&pat.name)) {
                return Err(ctx.err(
                    format!("{base}.pats[{pi}].name"),
                    "a PAT name not used before by this identity",
                    &pat.name,
                ));
            }
            if !tokens.insert(pat.token.expose().to_owned()) {
                return Err(ctx.err(format!("{base}.pats[{pi}].token"), "a token no other PAT has", "<redacted>"));
            }
            pats.push(pat);
        }
        let upn = match &f.upn {
            Some(upn) if !is_upn(upn) => return Err(ctx.err(format!("{base}.upn"), "user@dns.suffix", upn)),
            other => other.clone(),
        };
        out.push(Identity {
            upn,
            id: derived_id(&["identity", &account.to_string().to_ascii_lowercase()]),
            display_name: f.display_name.clone().unwrap_or_else(|| account.user.clone()),
            account,
            password: f.password.as_ref().map(Secret::new),
            enabled: f.enabled,
            groups,
            pats,
        });
    }
    Ok(out)
}

fn is_upn(text: &str) -> bool {
    text.split_once('@').is_some_and(|(user, suffix)| !user.is_empty() && !user.contains('\\') && is_dns_name(suffix))
}

fn parse_account(text: &str) -> Option<Account> {
    let (domain, user) = text.split_once('\\')?;
    let ok = |s: &str| !s.is_empty() && !s.contains(['\\', '/', '@', ':']) && !s.contains(char::is_whitespace);
    (ok(domain) && ok(user)).then(|| Account { domain: domain.to_owned(), user: user.to_owned() })
}

fn parse_group(ctx: &Ctx<'_>, key: &str, text: &str, collections: &[Collection]) -> Result<Group, ProfileError> {
    let expected = "'[Team Foundation]\\<group>', '[<collection>]\\<group>' or '[<project>]\\<group>'";
    let (scope, name) =
        text.strip_prefix('[').and_then(|rest| rest.split_once("]\\")).ok_or_else(|| ctx.err(key, expected, text))?;
    let known = |names: &[&str], extra: Option<String>| {
        names.iter().map(|n| (*n).to_owned()).chain(extra).find(|n| n.eq_ignore_ascii_case(name)).ok_or_else(|| {
            let list = names.join("', '");
            ctx.err(key, format!("a group named one of '{list}'"), name)
        })
    };
    if scope.eq_ignore_ascii_case("Team Foundation") {
        let name = known(group_names::SERVER, None)?;
        return Ok(Group { scope: GroupScope::Server, name });
    }
    if let Some(c) = collections.iter().find(|c| c.name.eq_ignore_ascii_case(scope)) {
        let name = known(group_names::COLLECTION, None)?;
        return Ok(Group { scope: GroupScope::Collection { collection: c.name.clone() }, name });
    }
    let mut owners = collections
        .iter()
        .filter_map(|c| c.projects.iter().find(|p| p.name.eq_ignore_ascii_case(scope)).map(|p| (c, p)));
    match (owners.next(), owners.next()) {
        (Some((c, p)), None) => {
            let name = known(group_names::PROJECT, Some(format!("{} Team", p.name)))?;
            Ok(Group { scope: GroupScope::Project { collection: c.name.clone(), project: p.name.clone() }, name })
        }
        (Some(_), Some(_)) => Err(ctx.err(key, "a project name that only one collection has", scope)),
        (None, _) => Err(ctx.err(key, "'Team Foundation', a collection or a project of this profile in [...]", scope)),
    }
}

fn resolve_pat(
    ctx: &Ctx<'_>,
    key: &str,
    account: &Account,
    f: &PatFile,
    collections: &[Collection],
) -> Result<Pat, ProfileError> {
    if f.name.is_empty() {
        return Err(ctx.err(format!("{key}.name"), "a non-empty name", ""));
    }
    let token = match &f.token {
        Some(t) if is_pat_syntax(t) => t.clone(),
        // The token itself is never echoed, even in an error.
        Some(t) => {
            return Err(ctx.err(
                format!("{key}.token"),
                "52 base32 characters (A-Z, 2-7)",
                format!("{} characters", t.len()),
            ));
        }
        None => derive_token(account, &f.name),
    };
    let table = ScopeTable::builtin();
    let scopes: Vec<String> = f.scopes.split_whitespace().map(str::to_owned).collect();
    if scopes.is_empty() {
        return Err(ctx.err(format!("{key}.scopes"), "at least one scope (app_token for full access)", &f.scopes));
    }
    if let Some(bad) = scopes.iter().find(|s| !table.is_known(s)) {
        return Err(ctx.err(
            format!("{key}.scopes"),
            "known scopes such as app_token, vso.code, vso.work_write, vso.project",
            bad,
        ));
    }
    let expires = time_text::parse_instant(&f.expires, ctx.now).ok_or_else(|| {
        ctx.err(
            format!("{key}.expires"),
            "a date (2027-01-31), an RFC 3339 date-time or a relative time (+30d, -1d, +12h)",
            &f.expires,
        )
    })?;
    let collection = if f.collection == "*" {
        PatCollection::All
    } else {
        let c = collections.iter().find(|c| c.name.eq_ignore_ascii_case(&f.collection)).ok_or_else(|| {
            ctx.err(format!("{key}.collection"), "\"*\" or a collection of this profile", &f.collection)
        })?;
        PatCollection::One(c.name.clone())
    };
    Ok(Pat { name: f.name.clone(), token: Secret::new(token), scopes, expires, revoked: f.revoked, collection })
}

/// Whether `text` has the shape of a PAT: 52 base32 characters, any case (ado-facts 3.1).
pub fn is_pat_syntax(text: &str) -> bool {
    text.len() == 52 && text.bytes().all(|b| b.is_ascii_alphabetic() || (b'2'..=b'7').contains(&b))
}

/// A stable token for a PAT without an explicit one: 52 lowercase base32 characters derived
/// from the account and the PAT name, so runs and reports are reproducible.
pub fn derive_token(account: &Account, name: &str) -> String {
    let seed = format!("ado-mock-pat\0{}\0{}", account.to_string().to_ascii_lowercase(), name);
    let mut bytes = Md5::digest(seed.as_bytes()).to_vec();
    bytes.extend_from_slice(&Md5::digest(format!("{seed}\0second").as_bytes()));
    base32_lower(&bytes)
}

fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// A stable id derived from names.
pub fn derived_id(parts: &[&str]) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, parts.join("/").to_ascii_lowercase().as_bytes())
}
