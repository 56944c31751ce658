//! The recurring answers, built from the profile (which challenges, in which order).
//!
//! Header order follows the captures (ado-facts 2.1, ntlm-facts 4.5): TFS's modules emit
//! `Bearer` and `Basic realm="<public URL>"`, then IIS appends its Windows providers in
//! configured order. With IIS Basic on, TFS stays quiet about Basic and IIS appends its own
//! `Basic realm="<host>"` last (libgit2#4039).

use super::decision::{Answer, Body, Challenge, IisModule, ServiceError};
use super::service_errors;
use crate::profile::Profile;

/// IIS's Windows challenges (none when Windows authentication is off).
pub(super) fn windows(profile: &Profile) -> Vec<Challenge> {
    profile.iis.offered_providers().iter().map(|p| Challenge::Windows(*p)).collect()
}

/// Everything IIS itself offers: Windows providers, then IIS Basic.
pub(super) fn iis(profile: &Profile) -> Vec<Challenge> {
    let mut out = windows(profile);
    if profile.iis.basic {
        out.push(Challenge::IisBasic);
    }
    out
}

/// TFS's full challenge set for an unauthenticated request: its OAuth module's `Bearer` and its
/// Basic module's `Basic realm` (each as the release had it, `[tfs]`), then IIS's.
pub(super) fn full(profile: &Profile) -> Vec<Challenge> {
    let mut out = Vec::new();
    if profile.tfs.bearer_challenge {
        out.push(Challenge::Bearer);
    }
    if profile.tfs.basic_challenge && !profile.iis.basic {
        out.push(Challenge::TfsBasic);
    }
    out.extend(iis(profile));
    out
}

/// 401 TF400813 "Resource not available for anonymous access" with the full challenge set.
pub(super) fn anonymous(profile: &Profile) -> Answer {
    Answer::Tfs { status: 401, challenges: full(profile), body: Body::Error(service_errors::anonymous()) }
}

/// The 401 of a rejected PAT: empty body, Basic only (plus IIS's providers).
pub(super) fn rejected(profile: &Profile) -> Answer {
    rejected_with(profile, Body::Empty)
}

/// The rejected-PAT challenges with a body (the expired-PAT message of 2022).
pub(super) fn rejected_with(profile: &Profile, body: Body) -> Answer {
    let mut challenges = vec![Challenge::TfsBasic];
    challenges.extend(iis(profile));
    Answer::Tfs { status: 401, challenges, body }
}

/// A 401 with a message for an authenticated caller (Bearer plus IIS's providers; no Basic,
/// which TFS only advertises to unauthenticated users).
pub(super) fn unauthorized_user(profile: &Profile, error: ServiceError) -> Answer {
    let mut challenges = Vec::new();
    if profile.tfs.bearer_challenge {
        challenges.push(Challenge::Bearer);
    }
    challenges.extend(iis(profile));
    Answer::Tfs { status: 401, challenges, body: Body::Error(error) }
}

/// An IIS 401.x page. TFS's modules still run their end-of-request handlers on it, so its OAuth
/// module's `Bearer` comes first, then IIS's challenges (agent#1839, GCM#744:
/// docs/facts/release-defaults.md §3).
pub(super) fn iis_401(profile: &Profile, substatus: u8, module: IisModule) -> Answer {
    let mut challenges = Vec::new();
    if profile.tfs.bearer_challenge {
        challenges.push(Challenge::Bearer);
    }
    challenges.extend(iis(profile));
    Answer::Iis { status: 401, substatus, challenges, module }
}

/// A TFS error without challenges (400, 403, 404, 503).
pub(super) fn error(status: u16, error: ServiceError) -> Answer {
    Answer::Tfs { status, challenges: Vec::new(), body: Body::Error(error) }
}
