//! Pipeline job access tokens (`System.AccessToken`): JWTs the server issued to a job, sent as
//! `Authorization: Bearer <token>` or as the Basic password (docs/facts/job-tokens.md). Valid on
//! their own collection until they expire, as the job's build service identity; a project-scoped
//! job's identity sees only its project, which the permission layer enforces.

use super::answers;
use super::decision::{Decision, Layer, Via};
use super::facts::RequestFacts;
use super::logon::principal;
use super::reason::Reason;
use super::service_errors;
use super::tfs::Caller;
use crate::jwt::{self, JwtError};
use crate::profile::{Profile, signing_key};
use crate::rest::route::Host;
use crate::time_text::format_instant;

/// Where the token came from, for explanations.
#[derive(Clone, Copy)]
pub(super) enum Carrier {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// The Basic password (user `OAuth`, empty, or anything).
    BasicPassword,
}

impl Carrier {
    fn text(self) -> &'static str {
        match self {
            Carrier::Bearer => "a Bearer token",
            Carrier::BasicPassword => "a JWT in the Basic password",
        }
    }
}

/// Checks a JWT-shaped credential as a job token of this server.
pub(super) fn authenticate(
    profile: &Profile,
    facts: &RequestFacts,
    token: &str,
    carrier: Carrier,
) -> Result<Caller, Decision> {
    let key = signing_key(&profile.collections, &profile.virtual_directory);
    let claims = match jwt::verify(&key, token) {
        Ok(claims) => claims,
        Err(error) => {
            let why = match error {
                JwtError::Malformed => "is JWT-shaped but does not decode",
                JwtError::Algorithm => "is signed with an algorithm this server does not issue",
                JwtError::Signature => "was not signed by this server (another server's job token, or edited)",
            };
            return Ok(Caller::Anonymous {
                reason: Reason::JobTokenInvalid,
                explanation: format!(
                    "{} {why}: the OAuth module finds no principal and the request is anonymous",
                    carrier.text()
                ),
                hint: "use the job's own System.AccessToken (issued by this server for this run), or a PAT as Basic"
                    .to_owned(),
            });
        }
    };
    let known = profile.job_tokens.iter().find(|t| t.name == claims.jti);
    let identity = known.and_then(|t| profile.identity(&t.account));
    let (Some(job), Some(identity)) = (known, identity) else {
        return Ok(Caller::Anonymous {
            reason: Reason::JobTokenInvalid,
            explanation: format!("{} names a job token this server no longer knows: anonymous", carrier.text()),
            hint: "use the job's current System.AccessToken".to_owned(),
        });
    };
    let who = format!("the job token '{}' of {}", job.name, identity.display_name);
    if claims.exp <= facts.now {
        return Err(Decision::new(
            Layer::Credential,
            Reason::JobTokenExpired,
            answers::unauthorized_user(profile, service_errors::user_not_authorized("")),
            format!(
                "{who} expired at {}: 401 TF400813 'The user '' is not authorized' (a job token lives for its job, 48 hours at most)",
                format_instant(claims.exp)
            ),
            "use the token of the current run (System.AccessToken is issued per job); do not store it between runs",
        ));
    }
    let here = match &facts.target.host {
        Host::Collection { name, .. } if name.eq_ignore_ascii_case(&job.collection) => None,
        Host::Collection { name, .. } => Some(format!("collection {name}")),
        _ => Some("the deployment level".to_owned()),
    };
    if let Some(here) = here {
        return Err(Decision::new(
            Layer::Credential,
            Reason::JobTokenWrongCollection,
            answers::unauthorized_user(profile, service_errors::user_not_authorized("")),
            format!("{who} is valid in collection {} only, but the request is for {here}: 401", job.collection),
            format!(
                "call {} with the job token, or use a PAT (or a service connection) for other collections",
                job.collection
            ),
        ));
    }
    Ok(Caller::Known(principal(identity, Via::JobToken { name: job.name.clone() })))
}
