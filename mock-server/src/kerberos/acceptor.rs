//! Accepting one Kerberos AP-REQ (RFC 4120 3.2.3, RFC 4121 4.1) and building the AP-REP.
//!
//! The checks are the ones a Windows acceptor makes, in its order: ticket for us, a key for
//! its enctype, ticket decrypts (else KRB_AP_ERR_MODIFIED, the SPN-on-the-wrong-account
//! symptom), authenticator decrypts and names the ticket's client, authenticator time within
//! the skew, ticket valid now. Replay detection is left out: each mock is short-lived.

use picky_asn1::wrapper::{ExplicitContextTag0, ExplicitContextTag1, ExplicitContextTag2, IntegerAsn1, Optional};
use picky_asn1_der::application_tag::ApplicationTag;
use picky_krb::constants::key_usages::{AP_REP_ENC, AP_REQ_AUTHENTICATOR, TICKET_REP};
use picky_krb::crypto::CipherSuite;
use picky_krb::data_types::{
    Authenticator, EncApRepPart, EncApRepPartInner, EncTicketPart, EncryptedData, KerberosTime, PrincipalName,
};
use picky_krb::messages::{ApRep, ApRepInner, ApReq};

use super::keys::{ServiceKeys, etype_name};
use super::token::{self, TOK_AP_REP, TOK_AP_REQ};
use super::{KrbFailure, KrbLeg};

/// GSS-API checksum type of the authenticator (RFC 4121 4.1.1).
const GSS_CHECKSUM: i64 = 0x8003;
/// GSS_C_MUTUAL_FLAG in that checksum's Flags field.
const GSS_C_MUTUAL_FLAG: u32 = 0x2;
/// GSS_C_DELEG_FLAG.
const GSS_C_DELEG_FLAG: u32 = 0x1;

/// What the acceptor knows: its principal, its key and its clock.
#[derive(Debug, Clone, Copy)]
pub struct AcceptInput<'a> {
    /// The raw Kerberos GSS-API token (the SPNEGO mechToken, or the whole `Negotiate` token).
    pub token: &'a [u8],
    /// The server's service principal without realm, e.g. `HTTP/localhost`.
    pub service: &'a str,
    /// The realm, e.g. `CONTOSO.LOCAL`.
    pub realm: &'a str,
    /// The keys the server decrypts tickets with.
    pub keys: &'a ServiceKeys,
    /// The account those keys belong to (for messages).
    pub decrypting_account: &'a str,
    /// The largest clock difference accepted, seconds (Windows and MIT: 300).
    pub max_skew: i64,
    /// The server's clock, Unix seconds (the true time plus any emulated skew).
    pub now: i64,
    /// The acceptor's initial sequence number for the AP-REP.
    pub sequence: u32,
}

/// A verified AP-REQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The client principal's name, e.g. `joseph`.
    pub user: String,
    /// The client principal's realm, e.g. `CONTOSO.LOCAL`.
    pub realm: String,
    /// The framed AP-REP when the client asked for mutual authentication.
    pub ap_rep: Option<Vec<u8>>,
}

/// Verifies one AP-REQ; `leg` collects what the journal shows either way.
///
/// # Errors
/// A [`KrbFailure`] naming the RFC 4120 error the server would return.
pub fn accept(input: &AcceptInput<'_>, leg: &mut KrbLeg) -> Result<Accepted, KrbFailure> {
    let framed = token::unframe(input.token)?;
    leg.mech = Some(framed.mech.clone());
    if framed.tok_id != TOK_AP_REQ {
        return Err(KrbFailure::malformed(format!("TOK_ID {:02x?} is not an AP-REQ", framed.tok_id)));
    }
    let ap_req: ApReq = picky_asn1_der::from_bytes(framed.message)
        .map_err(|e| KrbFailure::malformed(format!("AP-REQ does not decode: {e}")))?;
    let ap_req = ap_req.0;
    let ticket = &ap_req.ticket.0.0;
    let service = principal_text(&ticket.sname.0);
    let ticket_realm = ticket.realm.0.0.as_utf8().to_owned();
    let etype = integer(&ticket.enc_part.0.etype.0);
    let kvno = ticket.enc_part.0.kvno.0.as_ref().map_or(0, |k| integer(&k.0));
    leg.service = Some(format!("{service}@{ticket_realm}"));
    leg.ticket_etype = Some(etype_name(etype));
    leg.kvno = Some(kvno);
    if !service.eq_ignore_ascii_case(input.service) || !ticket_realm.eq_ignore_ascii_case(input.realm) {
        return Err(KrbFailure::NotUs {
            got: format!("{service}@{ticket_realm}"),
            expected: format!("{}@{}", input.service, input.realm),
        });
    }
    let key = input.keys.key(etype).ok_or_else(|| KrbFailure::NoKey {
        etype: etype_name(etype),
        held: input.keys.etypes().into_iter().map(etype_name).collect::<Vec<_>>().join(", "),
    })?;
    let modified = |what| KrbFailure::Modified {
        what,
        service: format!("{service}@{ticket_realm}"),
        etype: etype_name(etype),
        kvno,
        decrypting_account: input.decrypting_account.to_owned(),
    };
    let plain =
        decrypt(etype, &key, TICKET_REP, &ticket.enc_part.0.cipher.0.0).ok_or_else(|| modified("service ticket"))?;
    let enc_ticket: EncTicketPart = picky_asn1_der::from_bytes(&plain)
        .map_err(|e| KrbFailure::malformed(format!("EncTicketPart does not decode: {e}")))?;
    let enc_ticket = enc_ticket.0;
    let client = principal_text(&enc_ticket.cname.0);
    let client_realm = enc_ticket.crealm.0.0.as_utf8().to_owned();
    leg.client = Some(format!("{client}@{client_realm}"));
    let session_etype = integer(&enc_ticket.key.0.key_type.0);
    let session_key = enc_ticket.key.0.key_value.0.0.clone();
    let authenticator = &ap_req.authenticator.0;
    let plain = decrypt(integer(&authenticator.etype.0), &session_key, AP_REQ_AUTHENTICATOR, &authenticator.cipher.0.0)
        .ok_or_else(|| modified("authenticator"))?;
    let authenticator: Authenticator = picky_asn1_der::from_bytes(&plain)
        .map_err(|e| KrbFailure::malformed(format!("Authenticator does not decode: {e}")))?;
    let authenticator = authenticator.0;
    let from = format!("{}@{}", principal_text(&authenticator.cname.0), authenticator.crealm.0.0.as_utf8());
    if from != format!("{client}@{client_realm}") {
        return Err(KrbFailure::BadMatch { authenticator: from, ticket: format!("{client}@{client_realm}") });
    }
    let ctime = unix(&authenticator.ctime.0)?;
    check_times(input, ctime, &enc_ticket)?;
    let flags = gss_flags(&authenticator);
    let mutual = flags.map_or_else(|| ap_req.ap_options.0.is_set(2), |f| f & GSS_C_MUTUAL_FLAG != 0);
    leg.mutual = mutual;
    leg.delegation = flags.is_some_and(|f| f & GSS_C_DELEG_FLAG != 0);
    let ap_rep = if mutual {
        let part = EncApRepPartInner {
            ctime: ExplicitContextTag0::from(authenticator.ctime.0.clone()),
            cusec: ExplicitContextTag1::from(authenticator.cusec.0.clone()),
            subkey: Optional::from(None),
            seq_number: Optional::from(Some(picky_asn1::wrapper::ExplicitContextTag3::from(
                IntegerAsn1::from_bytes_be_unsigned((input.sequence & 0x7fff_ffff).to_be_bytes().to_vec()),
            ))),
        };
        Some(ap_rep(session_etype, &session_key, part)?)
    } else {
        None
    };
    Ok(Accepted { user: client, realm: client_realm, ap_rep })
}

fn check_times(
    input: &AcceptInput<'_>,
    ctime: i64,
    ticket: &picky_krb::data_types::EncTicketPartInner,
) -> Result<(), KrbFailure> {
    let skew = ctime - input.now;
    if skew.abs() > input.max_skew {
        return Err(KrbFailure::Skew { seconds: skew, allowed: input.max_skew });
    }
    let start = match &ticket.starttime.0 {
        Some(start) => unix(&start.0)?,
        None => unix(&ticket.auth_time.0)?,
    };
    if start - input.max_skew > input.now {
        return Err(KrbFailure::TicketNotYetValid { seconds: start - input.now });
    }
    let end = unix(&ticket.endtime.0)?;
    if end + input.max_skew < input.now {
        return Err(KrbFailure::TicketExpired { seconds: input.now - end });
    }
    Ok(())
}

/// The Flags field of the RFC 4121 4.1.1 checksum, when the authenticator carries one.
fn gss_flags(authenticator: &picky_krb::data_types::AuthenticatorInner) -> Option<u32> {
    let cksum = authenticator.cksum.0.as_ref()?;
    if integer(&cksum.0.cksumtype.0) != GSS_CHECKSUM {
        return None;
    }
    let bytes = cksum.0.checksum.0.0.get(20..24)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

fn ap_rep(etype: i64, session_key: &[u8], part: EncApRepPartInner) -> Result<Vec<u8>, KrbFailure> {
    let internal = |what: &str| KrbFailure::malformed(format!("cannot build the AP-REP: {what}"));
    let plain = picky_asn1_der::to_vec(&EncApRepPart::from(part)).map_err(|_| internal("encoding"))?;
    let suite = suite(etype).ok_or_else(|| internal("session key enctype"))?;
    let cipher = suite.cipher().encrypt(session_key, AP_REP_ENC, &plain).map_err(|_| internal("encryption"))?;
    let rep: ApRep = ApplicationTag::from(ApRepInner {
        pvno: ExplicitContextTag0::from(IntegerAsn1::from_bytes_be_unsigned(vec![5])),
        msg_type: ExplicitContextTag1::from(IntegerAsn1::from_bytes_be_unsigned(vec![15])),
        enc_part: ExplicitContextTag2::from(EncryptedData {
            etype: ExplicitContextTag0::from(IntegerAsn1::from_bytes_be_signed(etype.to_be_bytes().to_vec())),
            kvno: Optional::from(None),
            cipher: ExplicitContextTag2::from(picky_asn1::wrapper::OctetStringAsn1::from(cipher)),
        }),
    });
    let der = picky_asn1_der::to_vec(&rep).map_err(|_| internal("encoding"))?;
    Ok(token::frame(TOK_AP_REP, &der))
}

fn suite(etype: i64) -> Option<CipherSuite> {
    CipherSuite::try_from(usize::try_from(etype).ok()?).ok()
}

fn decrypt(etype: i64, key: &[u8], usage: i32, cipher: &[u8]) -> Option<Vec<u8>> {
    suite(etype)?.cipher().decrypt(key, usage, cipher).ok()
}

/// `name/instance` of a PrincipalName.
pub(super) fn principal_text(name: &PrincipalName) -> String {
    name.name_string.0.0.iter().map(|s| s.0.as_utf8().to_owned()).collect::<Vec<_>>().join("/")
}

/// A DER INTEGER as i64 (saturating for absurd lengths).
pub(super) fn integer(value: &IntegerAsn1) -> i64 {
    let bytes = value.as_signed_bytes_be();
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let start = if negative { -1i64 } else { 0 };
    bytes.iter().take(8).fold(start, |acc, b| (acc << 8) | i64::from(*b))
}

/// A KerberosTime as Unix seconds.
///
/// # Errors
/// [`KrbFailure::Malformed`] for an impossible date.
pub(super) fn unix(time: &KerberosTime) -> Result<i64, KrbFailure> {
    let t = &time.0;
    let bad = || KrbFailure::malformed("invalid KerberosTime");
    let month = time::Month::try_from(t.month()).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(i32::from(t.year()), month, t.day()).map_err(|_| bad())?;
    let clock = time::Time::from_hms(t.hour(), t.minute(), t.second()).map_err(|_| bad())?;
    Ok(time::PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp())
}
