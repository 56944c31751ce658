//! The line IIS writes to its W3C log for each answer (`sc-status sc-substatus
//! sc-win32-status`, `cs-username`), and the reverse: which reasons produce a line a customer
//! copied from their server's log (docs/facts/iis-log.md). Support engineers read that log
//! first; the sub-status and Win32 status never appear on the wire.

use serde::{Deserialize, Serialize};

use super::decision::{Decision, Layer};
use super::reason::Reason;

/// `ERROR_ACCESS_DENIED`: an anonymous request refused.
pub const ACCESS_DENIED: u32 = 5;
/// `ERROR_LOGON_FAILURE`: IIS Basic, unknown user or bad password.
pub const LOGON_FAILURE: u32 = 1326;
/// `ERROR_ACCOUNT_DISABLED`.
pub const ACCOUNT_DISABLED: u32 = 1331;
/// `ERROR_ACCOUNT_LOCKED_OUT`.
pub const ACCOUNT_LOCKED_OUT: u32 = 1909;
/// `SEC_E_UNSUPPORTED_FUNCTION` (0x80090302): NTLM blocked by policy.
pub const SEC_E_UNSUPPORTED_FUNCTION: u32 = 0x8009_0302;
/// `SEC_E_INVALID_TOKEN` (0x80090308): a type 3 without the type 2 on its connection.
pub const SEC_E_INVALID_TOKEN: u32 = 0x8009_0308;
/// `SEC_E_LOGON_DENIED` (0x8009030C): a Windows logon denied.
pub const SEC_E_LOGON_DENIED: u32 = 0x8009_030C;
/// `SEC_E_BAD_BINDINGS` (0x80090346): the channel bindings do not match (Extended Protection).
pub const SEC_E_BAD_BINDINGS: u32 = 0x8009_0346;
/// `SEC_E_NO_CREDENTIALS` (0x8009030E): logged for the challenge (continue) leg.
pub const SEC_E_NO_CREDENTIALS: u32 = 0x8009_030E;
/// `ERROR_FILE_NOT_FOUND`: IIS's own 404.
pub const FILE_NOT_FOUND: u32 = 2;

/// The W3C log fields IIS writes for one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IisLog {
    /// `sc-status`.
    pub sc_status: u16,
    /// `sc-substatus`.
    pub sc_substatus: u8,
    /// `sc-win32-status` (decimal, as IIS writes it).
    pub sc_win32_status: u32,
    /// `cs-username` (`-` when nobody logged on).
    pub cs_username: String,
}

impl IisLog {
    /// The log fields of a decision answered with `status`; `basic_user` is the user field of
    /// a Basic credential (IIS Basic logs it as sent, even when the logon fails).
    pub fn of(decision: &Decision, status: u16, basic_user: Option<&str>) -> IisLog {
        let (sc_substatus, sc_win32_status) = Self::codes(decision, status);
        let cs_username = Self::username(decision, basic_user).to_owned();
        IisLog { sc_status: status, sc_substatus, sc_win32_status, cs_username }
    }

    /// `sc-substatus` and `sc-win32-status` of a decision answered with `status`.
    pub fn codes(decision: &Decision, status: u16) -> (u8, u32) {
        let windows = decision.leg.is_some();
        match decision.reason {
            Reason::Ok => (0, 0),
            Reason::NtlmChallenge => (1, SEC_E_NO_CREDENTIALS),
            Reason::NtlmNoHandshake | Reason::NtlmUnsupportedMech => (1, SEC_E_INVALID_TOKEN),
            Reason::NtlmBlocked => (1, SEC_E_UNSUPPORTED_FUNCTION),
            Reason::NtlmChannelBindingMissing | Reason::NtlmChannelBindingMismatch => (1, SEC_E_BAD_BINDINGS),
            Reason::IisAnonymousDisabled | Reason::IisNoMethod | Reason::IisProviderNotEnabled => (2, ACCESS_DENIED),
            Reason::IisBasicIntercepts => (1, LOGON_FAILURE),
            Reason::IdentityLockedOut if decision.layer == Layer::Iis && !windows => (1, ACCOUNT_LOCKED_OUT),
            Reason::IdentityDisabled if decision.layer == Layer::Iis && !windows => (1, ACCOUNT_DISABLED),
            Reason::RouteNotFound if decision.layer == Layer::Host => (0, FILE_NOT_FOUND),
            _ if status == 401 && decision.layer == Layer::Iis => (1, SEC_E_LOGON_DENIED),
            // TFS answered: IIS saw an anonymous request, whatever TFS made of its credential.
            _ if status == 401 => (2, ACCESS_DENIED),
            _ => (0, 0),
        }
    }

    /// `cs-username`: who logged on, or the user of a Basic credential IIS refused (`basic_user`,
    /// logged as sent), or `-`.
    pub fn username<'a>(decision: &'a Decision, basic_user: Option<&'a str>) -> &'a str {
        let windows = decision.leg.is_some();
        match (&decision.principal, decision.reason) {
            // Who logged on, however (a PAT's or job token's owner: UNVERIFIED, no capture).
            (Some(p), _) => &p.account,
            (_, Reason::IisBasicIntercepts | Reason::IdentityLockedOut | Reason::IdentityDisabled)
                if decision.layer == Layer::Iis && !windows =>
            {
                basic_user.filter(|u| !u.is_empty()).unwrap_or("-")
            }
            _ => "-",
        }
    }

    /// `401 2 5`, the three numbers as they stand in the log line.
    pub fn triple(&self) -> String {
        format!("{} {} {}", self.sc_status, self.sc_substatus, self.sc_win32_status)
    }
}

/// What a log line's three numbers say, and the reasons that produce them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogReading {
    /// `sc-status sc-substatus sc-win32-status`.
    pub triple: String,
    /// `cs-username`, when the line had the default fields.
    pub user: Option<String>,
    /// What the numbers mean.
    pub meaning: String,
    /// The reason codes that produce them.
    pub reasons: Vec<Reason>,
}

/// Reads a customer's IIS log line: the default W3C fields (`date time s-ip cs-method
/// cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status
/// sc-substatus sc-win32-status time-taken`), any line ending in those numbers, or just the
/// three numbers.
///
/// # Errors
/// A sentence saying what was expected when the line holds no status triple.
pub fn read_line(line: &str) -> Result<LogReading, String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let numeric = |f: &&str| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit());
    let trailing = fields.iter().rev().take_while(|f| numeric(f)).count();
    let run = fields.len() - trailing;
    // The triple is the first plausible status of the trailing numbers with two after it: the
    // default fields end `sc-status sc-substatus sc-win32-status time-taken`, and logs with
    // `sc-bytes cs-bytes` enabled put those between the triple and time-taken.
    let is_status = |f: &str| f.parse::<u64>().is_ok_and(|n| (100..=599).contains(&n));
    let start = (run..fields.len().saturating_sub(2)).find(|&i| is_status(fields[i])).ok_or_else(|| {
        format!(
            "expected an IIS log line ending in sc-status sc-substatus sc-win32-status [sc-bytes cs-bytes] [time-taken] (e.g. `401 2 5 15`), found `{}`",
            line.trim()
        )
    })?;
    let parse = |i: usize| fields[i].parse::<u64>().map_err(|_| format!("`{}` is not a number", fields[i]));
    let (status, substatus, win32) = (parse(start)?, parse(start + 1)?, parse(start + 2)?);
    // The default layout has 15 fields; cs-username is the eighth.
    let user = (fields.len() == 15).then(|| fields[7].to_owned());
    let (meaning, reasons) = meaning(status, substatus, win32);
    let meaning = match (reasons.is_empty(), win32_name(win32)) {
        (true, Some((name, what))) => format!("{meaning}; sc-win32-status {win32} is {name}: {what}"),
        _ => meaning.to_owned(),
    };
    Ok(LogReading { triple: format!("{status} {substatus} {win32}"), user, meaning, reasons })
}

/// The meaning of a triple and the reasons behind it (docs/facts/iis-log.md §4).
fn meaning(status: u64, substatus: u64, win32: u64) -> (&'static str, Vec<Reason>) {
    use Reason as R;
    match (status, substatus, win32) {
        (401, 2, 5) => (
            "401.2, access denied: no Windows logon happened. Either IIS refused (Anonymous off, or a scheme IIS does not offer) or TFS answered 401 to a request IIS saw as anonymous (no credential, a PAT or job token TFS rejected, Bearer, Basic without a PAT)",
            vec![
                R::AuthAnonymous,
                R::BasicNoColon,
                R::BasicNotBase64,
                R::BasicPasswordNotPat,
                R::BearerNotSupported,
                R::JobTokenInvalid,
                R::JobTokenExpired,
                R::JobTokenWrongCollection,
                R::PatUnknown,
                R::PatRevoked,
                R::PatExpired,
                R::PatScope,
                R::PatWrongCollection,
                R::IdentityDisabled,
                R::MembershipNotValidUser,
                R::IisAnonymousDisabled,
                R::IisNoMethod,
                R::IisProviderNotEnabled,
            ],
        ),
        (401, 1, 2_148_074_254) => (
            "401.1 SEC_E_NO_CREDENTIALS: the NTLM/Negotiate challenge leg (normal; a following `200 0 0` with the user means it succeeded; as the last line, the client gave up after the challenge)",
            vec![R::NtlmChallenge],
        ),
        (401, 1, 2_148_074_248) => (
            "401.1 SEC_E_INVALID_TOKEN: an NTLM AUTHENTICATE on a connection that had not received the CHALLENGE (load balancer, proxy, HTTP/1.0, Connection: close between legs), or a token IIS cannot use",
            vec![R::NtlmNoHandshake, R::NtlmUnsupportedMech],
        ),
        (401, 1, 2_148_074_252) => (
            "401.1 SEC_E_LOGON_DENIED: a Windows logon was denied (wrong password, unknown user, locked out or disabled: the Security log's event 4625 sub-status says which; for Kerberos, a ticket the server could not use: SPN on the wrong account, clock skew, or a site that takes Kerberos only)",
            vec![
                R::NtlmBadResponse,
                R::NtlmV1Refused,
                R::IdentityLockedOut,
                R::IdentityDisabled,
                R::KerberosApErrModified,
                R::KerberosSkew,
                R::KerberosTicketInvalid,
                R::KerberosNotUs,
                R::KerberosBadToken,
                R::KerberosUnknownAccount,
                R::KerberosRequired,
                R::KerberosNoSpn,
            ],
        ),
        (401, 1, 2_148_074_242) => (
            "401.1 SEC_E_UNSUPPORTED_FUNCTION: NTLM blocked by the 'Restrict NTLM: Incoming NTLM traffic' policy (event 4625 sub-status 0xC0000418)",
            vec![R::NtlmBlocked],
        ),
        (401, 1, 2_148_074_310) => (
            "401.1 SEC_E_BAD_BINDINGS: Extended Protection refused the Windows logon: the client sent no channel bindings (Require) or ones for another TLS channel (a proxy terminating TLS, or the wrong certificate)",
            vec![R::NtlmChannelBindingMissing, R::NtlmChannelBindingMismatch],
        ),
        (302, 0, 0) => ("302 from TFS: sslOnly redirects plain http to https", vec![R::UrlHttpsRequired]),
        (401, 1, 1326) => (
            "401.1 ERROR_LOGON_FAILURE from IIS Basic: wrong password, unknown user, a bare user name looked up among local accounts, or a PAT sent to a server with IIS Basic on",
            vec![R::IisBasicIntercepts],
        ),
        (401, 1, 1909) => ("401.1 ERROR_ACCOUNT_LOCKED_OUT from IIS Basic", vec![R::IdentityLockedOut]),
        (401, 1, 1331) => ("401.1 ERROR_ACCOUNT_DISABLED from IIS Basic", vec![R::IdentityDisabled]),
        (200 | 201 | 202 | 204 | 304, 0, 0) => ("success; cs-username is who logged on", vec![R::Ok]),
        (400, 0, 0) => (
            "400 from TFS: an api-version problem",
            vec![R::ApiVersionOutOfRange, R::ApiVersionMissing, R::ApiVersionPreviewRequired, R::ApiVersionMalformed],
        ),
        (403, 0, 0) => ("403 from TFS: the identity lacks a permission", vec![R::PermissionDenied]),
        (404, 0, 0) => (
            "404 from TFS: no such route or resource, or one the identity may not see (or an api-version newer than TFS 2015-2018 knew)",
            vec![
                R::UrlNoCollection,
                R::UrlUnknownCollection,
                R::RouteNotFound,
                R::ResourceNotFound,
                R::PermissionHidden,
                R::ApiVersionOutOfRange,
            ],
        ),
        (404, 0, 2) => ("404 from IIS: the path is outside the TFS application", vec![R::RouteNotFound]),
        (503, 0, 0) => ("503 from TFS: the collection is stopped", vec![R::CollectionStopped]),
        _ => ("no reason the mock knows produces these numbers", Vec::new()),
    }
}

/// Win32 errors an IIS log shows in `sc-win32-status` that no emulated reason produces, named
/// so a reader still learns what happened (winerror.h; Microsoft's "System Error Codes").
fn win32_name(code: u64) -> Option<(&'static str, &'static str)> {
    Some(match code {
        64 => ("ERROR_NETNAME_DELETED", "the client closed the connection before the answer was sent"),
        121 => ("ERROR_SEM_TIMEOUT", "the connection timed out"),
        1236 => ("ERROR_CONNECTION_ABORTED", "the connection was aborted (often the client)"),
        1327 => (
            "ERROR_ACCOUNT_RESTRICTION",
            "an account restriction (e.g. a blank password, or a policy) refused the logon",
        ),
        1328 => ("ERROR_INVALID_LOGON_HOURS", "the account may not log on at this time"),
        1329 => ("ERROR_INVALID_WORKSTATION", "the account may not log on from this computer"),
        1330 => ("ERROR_PASSWORD_EXPIRED", "the Windows password has expired (IIS Basic cannot change it)"),
        1385 => ("ERROR_LOGON_TYPE_NOT_GRANTED", "the account lacks the logon right IIS Basic's logon type needs"),
        1793 => ("ERROR_ACCOUNT_EXPIRED", "the Windows account has expired"),
        1907 => ("ERROR_PASSWORD_MUST_CHANGE", "the password must be changed at next logon, which IIS Basic cannot do"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_w3c_line_is_read_with_its_user() {
        let line = "2016-06-21 00:00:49 10.230.31.23 GET /tfs/Coll/_git/R/info/refs service=git-receive-pack 443 - 10.0.0.9 git/2.8.3.windows.1 - 401 2 5 0";
        let reading = read_line(line).unwrap();
        assert_eq!((reading.triple.as_str(), reading.user.as_deref()), ("401 2 5", Some("-")));
        assert!(reading.reasons.contains(&Reason::AuthAnonymous) && reading.reasons.contains(&Reason::PatScope));
        let basic = read_line(
            "2011-05-12 15:50:12 192.168.0.211 POST /msdeploy.axd site=x 8172 user1 192.168.0.203 - - 401 1 1326 124",
        )
        .unwrap();
        assert_eq!(
            (basic.reasons.as_slice(), basic.user.as_deref()),
            (&[Reason::IisBasicIntercepts][..], Some("user1"))
        );
        assert_eq!(read_line("401 1 2148074254").unwrap().reasons, [Reason::NtlmChallenge]);
        assert!(read_line("GET /tfs 401").is_err());
    }

    /// Logs with more fields than the default (`s-sitename s-computername`, `cs-version`,
    /// `cs-host`, and `sc-bytes cs-bytes` after the triple) are read by the triple's position.
    #[test]
    fn a_line_with_byte_counts_after_the_triple_is_read_at_the_triple() {
        let line = "2025-03-14 09:12:46 W3SVC1 TFS01 10.1.2.3 GET /tfs/Main/_apis/projects - 8080 - 10.9.8.7 HTTP/1.1 curl/8.5 - tfs.fabrikam.test 401 2 5 1293 211 15";
        assert_eq!(read_line(line).unwrap().triple, "401 2 5");
        assert_eq!(read_line("x 200 0 0 5120 300").unwrap().triple, "200 0 0");
        assert!(read_line("5 1293 211").is_err(), "no plausible status");
    }

    /// A Win32 code no emulated reason produces is still named.
    #[test]
    fn win32_codes_without_a_reason_are_named() {
        for (code, name) in [
            (1330, "ERROR_PASSWORD_EXPIRED"),
            (1793, "ERROR_ACCOUNT_EXPIRED"),
            (1907, "ERROR_PASSWORD_MUST_CHANGE"),
            (1385, "ERROR_LOGON_TYPE_NOT_GRANTED"),
            (1327, "ERROR_ACCOUNT_RESTRICTION"),
        ] {
            let reading = read_line(&format!("401 1 {code}")).unwrap();
            assert!(reading.reasons.is_empty() && reading.meaning.contains(name), "{code}: {}", reading.meaning);
        }
    }
}
