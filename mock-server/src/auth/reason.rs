//! Reason codes: stable strings that scenarios, journals and users refer to. Never rename one.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! reasons {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, )*) => {
        /// Why the server answered as it did.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Reason {
            $( $(#[$doc])* $variant, )*
        }

        impl Reason {
            /// Every reason, in declaration order.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant),*];

            /// The stable code, e.g. `pat.scope`.
            pub fn code(self) -> &'static str {
                match self { $(Reason::$variant => $code,)* }
            }

            /// The reason with this code.
            pub fn from_code(code: &str) -> Option<Reason> {
                match code { $($code => Some(Reason::$variant),)* _ => None }
            }
        }
    };
}

reasons! {
    /// Allowed.
    Ok => "ok",
    /// No credential reached TFS.
    AuthAnonymous => "auth.anonymous",
    /// `Basic base64(PAT)` without the `:`: TFS ignores it and the request is anonymous.
    BasicNoColon => "basic.no_colon",
    /// The Basic token is not base64.
    BasicNotBase64 => "basic.not_base64",
    /// Basic with a user name and a password that is not a PAT (IIS Basic off): ignored.
    BasicPasswordNotPat => "basic.password_not_pat",
    /// A Bearer token that is not a job token (a PAT sent as Bearer): ignored, so the request is
    /// anonymous. (Job tokens, JWTs the server issued, are accepted as Bearer.)
    BearerNotSupported => "bearer.not_supported",
    /// A JWT that this server did not issue (another server's job token, or an edited one):
    /// ignored, so the request is anonymous.
    JobTokenInvalid => "job_token.invalid",
    /// A job access token past its expiry.
    JobTokenExpired => "job_token.expired",
    /// A job access token used outside the collection its job ran in.
    JobTokenWrongCollection => "job_token.wrong_collection",
    /// A PAT-shaped token the server does not know.
    PatUnknown => "pat.unknown",
    /// A revoked PAT.
    PatRevoked => "pat.revoked",
    /// An expired PAT.
    PatExpired => "pat.expired",
    /// The PAT's scopes do not cover the route and method.
    PatScope => "pat.scope",
    /// The PAT belongs to another collection (or the URL has no collection).
    PatWrongCollection => "pat.wrong_collection",
    /// The account is disabled.
    IdentityDisabled => "identity.disabled",
    /// The account is locked out after failed logons.
    IdentityLockedOut => "identity.locked_out",
    /// Authenticated, but not in *Project Collection Valid Users*.
    MembershipNotValidUser => "membership.not_valid_user",
    /// The route needs a permission the identity lacks (403).
    PermissionDenied => "permission.denied",
    /// The resource exists but the identity may not see it (404).
    PermissionHidden => "permission.hidden",
    /// IIS Anonymous authentication is off and no Windows logon happened.
    IisAnonymousDisabled => "iis.anonymous_disabled",
    /// IIS Basic authentication took the Basic header as a Windows logon (PATs break).
    IisBasicIntercepts => "iis.basic_intercepts",
    /// No IIS authentication method is enabled at all.
    IisNoMethod => "iis.no_method",
    /// The client used a Windows scheme that IIS does not offer; the header was ignored.
    IisProviderNotEnabled => "iis.provider_not_enabled",
    /// The NTLM AUTHENTICATE did not verify (or the token was malformed).
    NtlmBadResponse => "ntlm.bad_response",
    /// An NTLMv1 response while the server accepts NTLMv2 only.
    NtlmV1Refused => "ntlm.v1_refused",
    /// An NTLM AUTHENTICATE on a connection that saw no CHALLENGE.
    NtlmNoHandshake => "ntlm.no_handshake",
    /// A Negotiate token that offers no NTLM (e.g. Kerberos only).
    NtlmUnsupportedMech => "ntlm.unsupported_mech",
    /// "Restrict NTLM: Incoming NTLM traffic" denies the logon (raw NTLM, NTLM under Negotiate,
    /// or inside SPNEGO).
    NtlmBlocked => "ntlm.blocked",
    /// Extended Protection Require: the NTLMv2 AUTHENTICATE over https carried no channel
    /// bindings (IIS 401.1).
    NtlmChannelBindingMissing => "ntlm.channel_binding_missing",
    /// Extended Protection Allow or Require: the channel bindings do not match this TLS channel
    /// (IIS 401.1).
    NtlmChannelBindingMismatch => "ntlm.channel_binding_mismatch",
    /// A handshake step: the server sent its CHALLENGE (not a refusal).
    NtlmChallenge => "ntlm.challenge",
    /// A collection-level API called at the deployment level (no collection in the URL).
    UrlNoCollection => "url.no_collection",
    /// The first path segment names no collection.
    UrlUnknownCollection => "url.unknown_collection",
    /// TFS `sslOnly`: a plain-http request is redirected to https (302).
    UrlHttpsRequired => "url.https_required",
    /// The collection is stopped (503).
    CollectionStopped => "collection.stopped",
    /// The api-version is above the release's ceiling.
    ApiVersionOutOfRange => "api_version.out_of_range",
    /// No api-version on a write request.
    ApiVersionMissing => "api_version.missing",
    /// A preview version requested without `-preview`.
    ApiVersionPreviewRequired => "api_version.preview_required",
    /// The api-version does not parse.
    ApiVersionMalformed => "api_version.malformed",
    /// No such route at this level (404).
    RouteNotFound => "route.not_found",
    /// The route exists but the named project, repository or work item does not (404).
    ResourceNotFound => "resource.not_found",
    /// The Kerberos service ticket does not decrypt with the server's key (the SPN is
    /// registered on another account than the one that decrypts): KRB_AP_ERR_MODIFIED.
    KerberosApErrModified => "kerberos.ap_err_modified",
    /// The client's authenticator time is too far from the server's clock: KRB_AP_ERR_SKEW.
    KerberosSkew => "kerberos.skew",
    /// The service ticket has expired or is not valid yet by the server's clock.
    KerberosTicketInvalid => "kerberos.ticket_invalid",
    /// The ticket is for another SPN than the server's: KRB_AP_ERR_NOT_US.
    KerberosNotUs => "kerberos.not_us",
    /// A Kerberos token that is malformed, uses an enctype the server has no key for, or
    /// whose authenticator names another client.
    KerberosBadToken => "kerberos.bad_token",
    /// The Kerberos client principal maps to no Windows account the server knows.
    KerberosUnknownAccount => "kerberos.unknown_account",
    /// The site allows Kerberos only (`Negotiate:Kerberos`) and the client sent NTLM.
    KerberosRequired => "kerberos.required",
    /// NTLM is refused and no account holds the SPN, so no client can get a ticket.
    KerberosNoSpn => "kerberos.no_spn",
    /// A request head (request line and headers) did not arrive in time: the HTTP server closed
    /// the connection (never decided: see [`Reason::is_limit`]).
    LimitHeaderTimeout => "limit.header_timeout",
    /// The request head was larger than the HTTP server accepts (431).
    LimitHeadersTooLarge => "limit.headers_too_large",
    /// The request body was larger than the server accepts (413).
    LimitBodyTooLarge => "limit.body_too_large",
    /// The request body did not arrive in time (408).
    LimitBodyTimeout => "limit.body_timeout",
}

impl Reason {
    /// Whether this reason allowed the request.
    pub fn is_ok(self) -> bool {
        self == Reason::Ok
    }

    /// Whether this reason is a resource limit of the HTTP server (`limit.*`): answered before
    /// any decision, so [`crate::auth::decide`] never returns it.
    pub fn is_limit(self) -> bool {
        self.code().starts_with("limit.")
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Reason::from_code(&code).ok_or_else(|| serde::de::Error::custom(format!("unknown reason code `{code}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            assert!(seen.insert(r.code()), "duplicate {}", r.code());
            assert_eq!(Reason::from_code(r.code()), Some(*r));
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(serde_json::from_str::<Reason>(&json).unwrap(), *r);
        }
    }

    #[test]
    fn design_codes_are_all_present() {
        let design = "ok auth.anonymous basic.no_colon basic.not_base64 basic.password_not_pat bearer.not_supported \
            pat.unknown pat.revoked pat.expired pat.scope pat.wrong_collection identity.disabled identity.locked_out \
            membership.not_valid_user permission.denied permission.hidden iis.anonymous_disabled iis.basic_intercepts \
            iis.no_method ntlm.bad_response ntlm.v1_refused ntlm.no_handshake ntlm.unsupported_mech url.no_collection \
            url.unknown_collection collection.stopped api_version.out_of_range api_version.missing \
            api_version.preview_required api_version.malformed ntlm.challenge";
        for code in design.split_whitespace() {
            assert!(Reason::from_code(code).is_some(), "missing {code}");
        }
    }
}
