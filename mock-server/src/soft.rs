//! Soft mode (`ado-mock-server --soft`, `ado-conformance serve --soft`): the server serves what
//! it would serve an allowed caller even where the real server would refuse, and the journal row
//! says what the refusal would have been. A team points an existing integration suite at a soft
//! server and reads its client's authentication mistakes from the journal without the suite
//! breaking first.
//!
//! The decision ([`crate::auth::decide`]) is unchanged and stays pure: [`soften`] runs after it,
//! on the answer path, and only turns a final refusal into the route's answer. Three answers
//! are kept as decided, because serving them would break the protocol rather than hide a
//! mistake or because there is nothing to serve:
//!
//! - a Windows handshake step (the 401 carrying a CHALLENGE or a Negotiate token);
//! - the 401 a request *without any credential* gets: it is how every challenge-response client
//!   (NTLM, Negotiate, and Basic after a challenge) learns what to send, so it is not a mistake,
//!   and serving it would stop such clients from ever authenticating;
//! - a path with no route (`route.not_found`, `url.no_collection`, ...): there is no allowed
//!   answer to give.

use serde::{Deserialize, Serialize};

use crate::auth::{Answer, Credential, Decision, Layer, Reason, Reply, RequestFacts};

/// The refusal a soft server did not send: what the real server would have answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WouldRefuse {
    /// The status the real server would have sent (401, 403, 400, 404, 302, 503).
    pub status: u16,
    /// The reason code of the refusal (`pat.scope`, `basic.no_colon`, ...).
    pub reason: Reason,
    /// The layer that would have refused.
    pub layer: Layer,
    /// The refusal's explanation (never a secret; redacted again when the journal is read).
    pub explanation: String,
    /// What would fix it.
    pub hint: String,
}

/// The decision to act on in soft mode, and the refusal it replaces, if any. Pure.
///
/// A refusal becomes [`Reply::Serve`] of the request's route, as the principal the decision
/// found (or anonymously); the connection update, logon, handshake leg and channel bindings of
/// the original decision are kept, so Windows state and lockout counters move as they would.
pub fn soften(decision: Decision, facts: &RequestFacts) -> (Decision, Option<WouldRefuse>) {
    let Reply::Answer(answer) = &decision.answer else { return (decision, None) };
    if matches!(answer, Answer::Handshake { .. })
        || decision.reason == Reason::Ok
        || matches!(facts.credential, Credential::None)
    {
        return (decision, None);
    }
    let Ok(route) = &facts.target.route else { return (decision, None) };
    let would = WouldRefuse {
        status: answer.status(),
        reason: decision.reason,
        layer: decision.layer,
        explanation: decision.explanation.clone(),
        hint: decision.hint.clone(),
    };
    let explanation = format!(
        "soft mode: served although the real server would answer {} {} ({})",
        would.status,
        would.reason.code(),
        decision.explanation
    );
    let mut served = Decision::serve(decision.layer, route.clone(), explanation).with_principal(decision.principal);
    served.connection = decision.connection;
    served.logon = decision.logon;
    served.leg = decision.leg;
    served.channel_bindings = decision.channel_bindings;
    (served, Some(would))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::decide;
    use crate::testing;

    fn facts_with(header: Option<&str>, path: &str) -> RequestFacts {
        let headers: Vec<(&str, &str)> = header.map(|h| ("authorization", h)).into_iter().collect();
        testing::facts(&testing::profile(), "GET", path, &headers, crate::auth::ConnectionAuth::None)
    }

    #[test]
    fn a_refusal_is_served_and_described() {
        let profile = testing::profile();
        let facts = facts_with(Some("Bearer abcdef"), "/tfs/DefaultCollection/_apis/projects?api-version=7.0");
        let decision = decide(&profile, &facts, &|_| 0);
        assert_eq!(decision.reason, Reason::BearerNotSupported);
        let (served, would) = soften(decision.clone(), &facts);
        let would = would.expect("a refusal is recorded");
        assert_eq!(
            (would.status, would.reason, would.explanation),
            (401, Reason::BearerNotSupported, decision.explanation)
        );
        assert_eq!(served.reason, Reason::Ok);
        assert!(matches!(served.answer, Reply::Serve(_)));
        assert!(
            served
                .explanation
                .starts_with("soft mode: served although the real server would answer 401 bearer.not_supported")
        );
    }

    #[test]
    fn challenges_handshakes_misses_and_allowed_requests_stay_as_decided() {
        let profile = testing::profile();
        let cases = [
            (None, "/tfs/DefaultCollection/_apis/projects"),
            (
                Some("NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=="),
                "/tfs/DefaultCollection/_apis/projects",
            ),
            (Some("Bearer abcdef"), "/tfs/NoSuchCollection/_apis/projects"),
            (Some("Bearer abcdef"), "/elsewhere"),
        ];
        for (header, path) in cases {
            let facts = facts_with(header, path);
            let decision = decide(&profile, &facts, &|_| 0);
            let reason = decision.reason;
            let (kept, would) = soften(decision, &facts);
            assert_eq!((kept.reason, would), (reason, None), "{header:?} {path}");
        }
    }
}
