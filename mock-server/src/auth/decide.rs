//! The decision: one pure function from request facts to what the server answers and why.
//!
//! Layers run in the order the real server applies them (docs/ARCHITECTURE.md, "The layers"): IIS, host
//! state, TFS scheme and credential, credential state and scope, membership, route,
//! api-version, route permission. The first layer that refuses decides.

use std::fmt::Write as _;

use super::answers;
use super::decision::{Answer, Decision, Layer, Principal};
use super::facts::RequestFacts;
use super::iis;
use super::logon::Effects;
use super::reason::Reason;
use super::rules;
use super::service_errors;
use super::tfs::{self, Caller};
use crate::profile::Profile;
use crate::rest::route::Host;

/// Decides one request. Pure: no I/O and no clock (time, randomness and the connection's
/// handshake state are in `facts`; `failed_logons` reads the lockout counters).
pub fn decide(profile: &Profile, facts: &RequestFacts, failed_logons: &dyn Fn(&str) -> u32) -> Decision {
    if facts.target.host == Host::Outside {
        return outside(profile, facts);
    }
    // sslOnly: TFS redirects in BeginRequest, before IIS authentication runs in the pipeline;
    // only kernel-mode (HTTP.sys) Windows handshakes complete before it.
    let redirect = profile.tls.ssl_only && facts.connection.tls.is_none();
    if redirect && !matches!(facts.credential, super::Credential::Windows { .. }) {
        return https_required(facts);
    }
    let pass = match iis::check(profile, facts, failed_logons) {
        Ok(pass) => pass,
        Err(decision) => return decision,
    };
    if redirect {
        return apply(https_required(facts), pass.effects);
    }
    let decision = match tfs_layers(profile, facts, pass.principal) {
        Ok(decision) | Err(decision) => decision,
    };
    apply(decision, pass.effects)
}

fn tfs_layers(profile: &Profile, facts: &RequestFacts, windows: Option<Principal>) -> Result<Decision, Decision> {
    if let Host::Collection { name, stopped: true } = &facts.target.host {
        return Err(Decision::new(
            Layer::Host,
            Reason::CollectionStopped,
            answers::error(503, service_errors::collection_stopped(name)),
            format!("collection {name} is stopped: every request to it gets 503 TF24668"),
            "start the collection in the Administration Console (or ask the server administrator)",
        ));
    }
    let caller = match windows {
        Some(principal) => Caller::Known(principal),
        None => tfs::authenticate(profile, facts)?,
    };
    let principal = match caller {
        Caller::Known(principal) => principal,
        Caller::Anonymous { reason, explanation, hint } => return anonymous(profile, facts, reason, explanation, hint),
    };
    // Refusals from here on know who asked (the IIS log and the journal name them).
    let known = |decision: Decision| decision.with_principal(Some(principal.clone()));
    let identity = tfs::identity_of(profile, &principal);
    tfs::membership(profile, facts, &principal, identity).map_err(known)?;
    let route = rules::route(profile, facts).map_err(known)?;
    rules::api_version(profile, facts, route).map_err(known)?;
    rules::permission(profile, facts, route, identity.map(|i| (&principal, i))).map_err(known)?;
    // Sized up front: `format!` would guess short and grow the string on every allowed request.
    let mut explanation = String::with_capacity(facts.method.len() + facts.path.len() + principal.account.len() + 64);
    let _ = write!(explanation, "{} {} as {} via {}", facts.method, facts.path, principal.account, Via(&principal));
    Ok(Decision::serve(Layer::Permission, route.clone(), explanation).with_principal(Some(principal)))
}

fn anonymous(
    profile: &Profile,
    facts: &RequestFacts,
    reason: Reason,
    explanation: String,
    hint: String,
) -> Result<Decision, Decision> {
    if let Ok(route) = &facts.target.route
        && route.allows_anonymous()
    {
        let explanation = format!("{} {} is served to anonymous callers ({explanation})", facts.method, facts.path);
        return Ok(Decision::serve(Layer::Route, route.clone(), explanation));
    }
    Err(Decision::new(Layer::Scheme, reason, answers::anonymous(profile), format!("{explanation}; 401 TF400813"), hint))
}

/// TFS `sslOnly` (web.config appSettings): a plain-http request gets 302 to https.
fn https_required(facts: &RequestFacts) -> Decision {
    Decision::new(
        Layer::Host,
        Reason::UrlHttpsRequired,
        Answer::HttpsRedirect { path: facts.path.clone() },
        format!(
            "{} {} over plain http: the server is ssl-only (web.config appSettings sslOnly = true), so TFS \
             redirects it to https (302) before any authentication",
            facts.method,
            super::describe::printable(&facts.path, 200)
        ),
        "use the server's https:// URL and trust its certificate; a credential sent to the http:// URL has \
         already crossed the network in clear, so treat it as exposed",
    )
}

fn outside(profile: &Profile, facts: &RequestFacts) -> Decision {
    Decision::new(
        Layer::Host,
        Reason::RouteNotFound,
        Answer::Iis {
            status: 404,
            substatus: 0,
            challenges: Vec::new(),
            module: super::decision::IisModule::StaticFile,
        },
        format!(
            "{} is outside the TFS application /{} (404 from IIS)",
            super::describe::printable(&facts.path, 200),
            profile.virtual_directory
        ),
        format!("start the path with /{}/ (the virtual directory)", profile.virtual_directory),
    )
}

/// How a principal got in, as the explanation says it (written in place, no string of its own).
struct Via<'a>(&'a Principal);

impl std::fmt::Display for Via<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0.via {
            super::decision::Via::Pat { name } => write!(f, "PAT '{name}'"),
            super::decision::Via::Windows { scheme } => write!(f, "{} (Windows authentication)", scheme.scheme()),
            super::decision::Via::IisBasic => f.write_str("IIS Basic authentication"),
            super::decision::Via::JobToken { name } => write!(f, "the job token '{name}'"),
        }
    }
}

/// Merges the IIS layer's side effects into the final decision: a logon that happened stands
/// even if a later layer refuses.
fn apply(mut decision: Decision, effects: Effects) -> Decision {
    if matches!(decision.connection, super::decision::ConnectionUpdate::Keep) {
        decision.connection = effects.connection;
    }
    decision.logon = decision.logon.or(effects.logon);
    decision.leg = decision.leg.or(effects.leg);
    decision.channel_bindings = decision.channel_bindings.or(effects.channel_bindings);
    if let super::decision::Reply::Serve(serve) = &mut decision.answer {
        serve.final_token = effects.final_token;
    }
    decision
}
