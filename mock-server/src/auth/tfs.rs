//! Layers 2 and 3: TFS's scheme handling and the credential's state and scope (ado-facts 3).

use super::answers;
use super::decision::{Body, Decision, Layer, Principal, Via};
use super::describe;
use super::facts::RequestFacts;
use super::job_token::{self, Carrier};
use super::logon::principal;
use super::reason::Reason;
use super::service_errors;
use crate::auth::credential::{Basic, Credential};
use crate::jwt;
use crate::profile::{Identity, Pat, PatCollection, Profile, ScopeTable};
use crate::rest::route::Host;
use crate::secret::Secret;
use crate::time_text::format_instant;

/// The fix on a release without PATs (TFS 2015): Windows authentication, not a token.
const NO_PATS_HINT: &str = "this release has no PATs (TFS 2017 brought them on premises): authenticate with the Windows account (NTLM or Negotiate), or turn on IIS Basic authentication for user name and password";

/// What TFS makes of the credential.
pub(super) enum Caller {
    /// An authenticated principal.
    Known(Principal),
    /// Anonymous: why (the reason a 401 would carry), what was seen and what would fix it.
    Anonymous {
        /// The reason code.
        reason: Reason,
        /// What was seen.
        explanation: String,
        /// What would fix it.
        hint: String,
    },
}

/// Runs TFS's authentication modules over the credential.
pub(super) fn authenticate(profile: &Profile, facts: &RequestFacts) -> Result<Caller, Decision> {
    let anon =
        |reason, explanation: String, hint: &str| Ok(Caller::Anonymous { reason, explanation, hint: hint.to_owned() });
    match &facts.credential {
        Credential::None => anon(
            Reason::AuthAnonymous,
            "no Authorization header: the request is anonymous".to_owned(),
            if profile.release.has_pats() {
                "send a PAT as Basic base64(':' + PAT), or authenticate with NTLM"
            } else {
                NO_PATS_HINT
            },
        ),
        Credential::Basic(Basic::Empty) => anon(
            Reason::AuthAnonymous,
            "'Basic' with an empty token is ignored: the request is anonymous".to_owned(),
            "send Basic base64(':' + PAT)",
        ),
        Credential::Basic(Basic::NotBase64) => Err(Decision::new(
            Layer::Scheme,
            Reason::BasicNotBase64,
            answers::rejected(profile),
            "the Basic token is not valid base64 (padding or characters): TFS rejects it with an empty 401".to_owned(),
            "encode ':' + PAT with standard base64 including '=' padding, on one line",
        )),
        Credential::Basic(Basic::NoColon { content }) => anon(
            Reason::BasicNoColon,
            format!(
                "the Basic credential decodes to {} with no ':' so TFS ignores it and treats the request as anonymous",
                describe::secret(profile, content)
            ),
            "encode ':' + PAT (any user name, or none, before the colon), e.g. curl -u :$PAT",
        ),
        Credential::Basic(basic @ Basic::Pair { user, password }) => match basic.pat() {
            Some(token) if profile.release.has_pats() => pat(profile, facts, token),
            _ if jwt::looks_like_jwt(password.expose()) => {
                job_token::authenticate(profile, facts, password.expose(), Carrier::BasicPassword)
            }
            _ if jwt::looks_like_jwt(user.expose()) => {
                job_token::authenticate(profile, facts, user.expose(), Carrier::BasicPassword)
            }
            _ => anon(
                Reason::BasicPasswordNotPat,
                format!(
                    "Basic with user {} and password {}: {}; with IIS Basic authentication off TFS on-premises ignores user name/password Basic, so the request is anonymous",
                    describe::user(profile, user),
                    describe::secret(profile, password),
                    match (profile.release.has_pats(), basic.pat().is_some()) {
                        (true, _) => "neither slot is a PAT",
                        (false, true) =>
                            "the password has a PAT's shape, but this release predates PATs (TFS 2017 brought them on premises), so TFS does not read it as one",
                        (false, false) => "neither slot is a PAT, and this release predates PATs",
                    }
                ),
                if profile.release.has_pats() {
                    "send a PAT in the password slot (Basic base64(':' + PAT)), or use NTLM for the Windows password"
                } else {
                    NO_PATS_HINT
                },
            ),
        },
        Credential::Bearer { token } if jwt::looks_like_jwt(token.expose()) => {
            job_token::authenticate(profile, facts, token.expose(), Carrier::Bearer)
        }
        Credential::Bearer { token } => anon(
            Reason::BearerNotSupported,
            format!(
                "a Bearer token ({}) that is not a JWT: on premises Bearer carries only job access tokens (System.AccessToken, a JWT the server issued), so TFS ignores it and the request is anonymous",
                describe::secret(profile, token)
            ),
            "send a PAT as Basic base64(':' + PAT) instead of Bearer",
        ),
        Credential::Windows { scheme, .. } => anon(
            Reason::IisProviderNotEnabled,
            format!(
                "the client sent {} but IIS {}; the header is ignored and the request is anonymous",
                scheme.scheme(),
                if profile.iis.windows { "does not offer that provider" } else { "has Windows authentication off" }
            ),
            "use a PAT (Basic), or enable Windows authentication with that provider in IIS",
        ),
        Credential::Other { scheme } if scheme.starts_with('<') => anon(
            Reason::AuthAnonymous,
            format!(
                "the Authorization header starts with no scheme the server knows ({}; a PAT or password sent without 'Basic'?): the request is anonymous",
                &scheme[1..scheme.len() - 1]
            ),
            "send Basic base64(':' + PAT), or NTLM/Negotiate; never the bare secret",
        ),
        Credential::Other { scheme } => anon(
            Reason::AuthAnonymous,
            format!("the '{scheme}' scheme is not one the server understands: the request is anonymous"),
            "send Basic base64(':' + PAT), or NTLM/Negotiate",
        ),
    }
}

fn pat(profile: &Profile, facts: &RequestFacts, token: &Secret) -> Result<Caller, Decision> {
    let reject = |reason, explanation: String, hint: &str| {
        Err(Decision::new(Layer::Credential, reason, answers::rejected(profile), explanation, hint))
    };
    let Some((identity, pat)) = profile.find_pat(token.expose()) else {
        return reject(
            Reason::PatUnknown,
            "Basic carries a 52-character PAT that this server does not know: TFS rejects it with an empty 401"
                .to_owned(),
            "create a new PAT on this server (PATs are per server and, usually, per collection) and check it was copied whole",
        );
    };
    // Built only on the refusal paths: the allowed path is the hot one.
    let who = || format!("the PAT '{}' of {}", pat.name, identity.account);
    if pat.revoked {
        return reject(
            Reason::PatRevoked,
            format!("{} was revoked: TFS rejects it with an empty 401", who()),
            "a revoked PAT is still configured (credential cache, CI secret, git credential store): replace it with the new one",
        );
    }
    if pat.expires <= facts.now {
        return Err(expired(profile, &who(), pat));
    }
    if !identity.enabled {
        return reject(
            Reason::IdentityDisabled,
            format!("{} belongs to a disabled account: TFS rejects it with an empty 401", who()),
            "enable the account, or use a PAT of an enabled one",
        );
    }
    if let Some(d) = wrong_collection(profile, facts, who, pat) {
        return Err(d);
    }
    let method = facts.method.as_str();
    let path = facts.target.relative_path.as_str();
    let table = ScopeTable::builtin();
    if !table.allows(&pat.scopes, method, path) {
        let needed = table.suggest(method, path).map_or(String::new(), |s| format!(" (e.g. {s})"));
        return reject(
            Reason::PatScope,
            format!(
                "{} has scopes '{}', which do not allow {method} {path}{needed}: TFS rejects it with an empty 401",
                who(),
                pat.scopes.join(" ")
            ),
            &format!("create a PAT with a scope that covers this call{needed}, or full access"),
        );
    }
    Ok(Caller::Known(principal(identity, Via::Pat { name: pat.name.clone() })))
}

fn expired(profile: &Profile, who: &str, pat: &Pat) -> Decision {
    let when = format_instant(pat.expires);
    let hint = "create a new PAT (or extend this one) and update every place that stores the old one";
    if profile.tfs.expired_pat_message {
        let answer = answers::rejected_with(profile, Body::Error(service_errors::pat_expired()));
        let explanation = format!(
            "{who} expired at {when}: {} answers 401 'The Personal Access Token used has expired.'",
            profile.release
        );
        Decision::new(Layer::Credential, Reason::PatExpired, answer, explanation, hint)
    } else {
        let explanation =
            format!("{who} expired at {when}: {} rejects it with an empty 401, like an unknown PAT", profile.release);
        Decision::new(Layer::Credential, Reason::PatExpired, answers::rejected(profile), explanation, hint)
    }
}

fn wrong_collection(profile: &Profile, facts: &RequestFacts, who: impl Fn() -> String, pat: &Pat) -> Option<Decision> {
    let PatCollection::One(valid) = &pat.collection else { return None };
    let here = match &facts.target.host {
        Host::Collection { name, .. } if name.eq_ignore_ascii_case(valid) => return None,
        Host::Collection { name, .. } => format!("collection {name}"),
        _ => match &facts.target.route {
            Err(crate::rest::route::Miss::UnknownCollection { segment }) => {
                format!(
                    "the deployment level ('{}' is not a collection of this server)",
                    describe::printable(segment, 64)
                )
            }
            _ => "the deployment level (the URL names no collection)".to_owned(),
        },
    };
    Some(Decision::new(
        Layer::Credential,
        Reason::PatWrongCollection,
        answers::anonymous(profile),
        format!(
            "{} is valid for collection {valid} only, but the request is for {here}: the token is not recognised there and the request is anonymous (TF400813)",
            who()
        ),
        format!(
            "use the collection URL ({}/{valid}/...) or a PAT created for all accessible collections",
            vdir_prefix(profile)
        ),
    ))
}

fn vdir_prefix(profile: &Profile) -> String {
    if profile.virtual_directory.is_empty() { String::new() } else { format!("/{}", profile.virtual_directory) }
}

/// Layer 4: *Project Collection Valid Users* (or a known identity at the deployment level).
pub(super) fn membership(
    profile: &Profile,
    facts: &RequestFacts,
    caller: &Principal,
    identity: Option<&Identity>,
) -> Result<(), Decision> {
    let Some(identity) = identity else { return Ok(()) };
    let ok = match &facts.target.host {
        Host::Collection { name, .. } => identity.is_valid_user_of(name),
        _ => identity.is_valid_at_deployment(),
    };
    if ok {
        return Ok(());
    }
    let place = match &facts.target.host {
        Host::Collection { name, .. } => format!("[{name}]\\Project Collection Valid Users"),
        _ => "any group of this server".to_owned(),
    };
    Err(Decision::new(
        Layer::Membership,
        Reason::MembershipNotValidUser,
        answers::unauthorized_user(profile, service_errors::user_not_authorized(&identity.id.to_string())),
        format!(
            "{} authenticated but is not a member of {place}: 401 TF400813 'The user ... is not authorized'",
            caller.account
        ),
        "ask a Project Collection Administrator to add the user to a group of the collection (or a project in it)",
    ))
}

/// The identity behind a principal.
pub(super) fn identity_of<'p>(profile: &'p Profile, caller: &Principal) -> Option<&'p Identity> {
    profile.identity(&caller.account)
}
