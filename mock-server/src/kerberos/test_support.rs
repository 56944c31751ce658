//! Test support: AP-REQ tokens built here, playing KDC and client with picky-krb (tests only).

use picky_asn1::bit_string::BitString;
use picky_asn1::date::GeneralizedTime;
use picky_asn1::restricted_string::Ia5String;
use picky_asn1::wrapper::{
    Asn1SequenceOf, BitStringAsn1, ExplicitContextTag0, ExplicitContextTag1, ExplicitContextTag2, ExplicitContextTag3,
    ExplicitContextTag4, ExplicitContextTag5, ExplicitContextTag7, GeneralizedTimeAsn1, IntegerAsn1, OctetStringAsn1,
    Optional,
};
use picky_asn1_der::application_tag::ApplicationTag;
use picky_krb::constants::key_usages::{AP_REQ_AUTHENTICATOR, TICKET_REP};
use picky_krb::crypto::CipherSuite;
use picky_krb::data_types::{
    AuthenticatorInner, Checksum, EncTicketPartInner, EncryptedData, EncryptionKey, KerberosStringAsn1, PrincipalName,
    TicketInner, TransitedEncoding,
};
use picky_krb::messages::ApReqInner;

use super::keys::{AES256_CTS_HMAC_SHA1_96, ServiceKeys};
use super::token::{TOK_AP_REQ, frame};

/// The session key of every test ticket.
pub(crate) const SESSION_KEY: [u8; 32] = [7; 32];

/// How the test KDC and client build an AP-REQ.
pub(crate) struct TestTicket {
    /// The SPN.
    pub service: &'static str,
    /// The realm of service and client.
    pub realm: &'static str,
    /// The client's name.
    pub client: &'static str,
    /// The password of the account the KDC encrypts the ticket for.
    pub key_password: String,
    /// The authenticator's time, Unix seconds.
    pub ctime: i64,
    /// The ticket's end, Unix seconds.
    pub ticket_end: i64,
    /// GSS_C_MUTUAL_FLAG.
    pub mutual: bool,
    /// The ticket's enctype.
    pub etype: i64,
}

impl TestTicket {
    /// A ticket for `HTTP/localhost@CONTOSO.LOCAL` from joseph, valid at `now`, encrypted with
    /// the key derived from `key_password`.
    pub(crate) fn new(key_password: &str, now: i64) -> Self {
        Self {
            service: "HTTP/localhost",
            realm: "CONTOSO.LOCAL",
            client: "joseph",
            key_password: key_password.to_owned(),
            ctime: now,
            ticket_end: now + 36_000,
            mutual: true,
            etype: AES256_CTS_HMAC_SHA1_96,
        }
    }
    /// The framed AP-REQ.
    pub(crate) fn token(&self) -> Vec<u8> {
        let service_key =
            ServiceKeys::derive(&self.key_password, self.service, self.realm).key(self.etype).unwrap_or(vec![0; 24]);
        let enc_ticket = EncTicketPartInner {
            flags: ExplicitContextTag0::from(BitStringAsn1::from(BitString::with_len(32))),
            key: ExplicitContextTag1::from(EncryptionKey {
                key_type: ExplicitContextTag0::from(int(AES256_CTS_HMAC_SHA1_96)),
                key_value: ExplicitContextTag1::from(OctetStringAsn1::from(SESSION_KEY.to_vec())),
            }),
            crealm: ExplicitContextTag2::from(string(self.realm)),
            cname: ExplicitContextTag3::from(name(1, self.client)),
            transited: ExplicitContextTag4::from(TransitedEncoding {
                tr_type: ExplicitContextTag0::from(int(1)),
                contents: ExplicitContextTag1::from(OctetStringAsn1::from(Vec::new())),
            }),
            auth_time: ExplicitContextTag5::from(time(self.ctime - 60)),
            starttime: Optional::from(None),
            endtime: ExplicitContextTag7::from(time(self.ticket_end)),
            renew_till: Optional::from(None),
            caddr: Optional::from(None),
            authorization_data: Optional::from(None),
        };
        let plain = picky_asn1_der::to_vec(&ApplicationTag::<_, 3>::from(enc_ticket)).unwrap();
        let ticket = ApplicationTag::<_, 1>::from(TicketInner {
            tkt_vno: ExplicitContextTag0::from(int(5)),
            realm: ExplicitContextTag1::from(string(self.realm)),
            sname: ExplicitContextTag2::from(name(2, self.service)),
            enc_part: ExplicitContextTag3::from(encrypt(self.etype, &service_key, TICKET_REP, &plain)),
        });
        let mut gss = vec![16, 0, 0, 0];
        gss.extend([0; 16]);
        gss.extend(u32::to_le_bytes(if self.mutual { 0x2 | 0x20 } else { 0x20 }));
        let authenticator = AuthenticatorInner {
            authenticator_vno: ExplicitContextTag0::from(int(5)),
            crealm: ExplicitContextTag1::from(string(self.realm)),
            cname: ExplicitContextTag2::from(name(1, self.client)),
            cksum: Optional::from(Some(ExplicitContextTag3::from(Checksum {
                cksumtype: ExplicitContextTag0::from(int(0x8003)),
                checksum: ExplicitContextTag1::from(OctetStringAsn1::from(gss)),
            }))),
            cusec: ExplicitContextTag4::from(int(123)),
            ctime: ExplicitContextTag5::from(time(self.ctime)),
            subkey: Optional::from(None),
            seq_number: Optional::from(None),
            authorization_data: Optional::from(None),
        };
        let plain = picky_asn1_der::to_vec(&ApplicationTag::<_, 2>::from(authenticator)).unwrap();
        let ap_req = ApplicationTag::<_, 14>::from(ApReqInner {
            pvno: ExplicitContextTag0::from(int(5)),
            msg_type: ExplicitContextTag1::from(int(14)),
            ap_options: ExplicitContextTag2::from(BitStringAsn1::from(BitString::with_len(32))),
            ticket: ExplicitContextTag3::from(ticket),
            authenticator: ExplicitContextTag4::from(encrypt(
                AES256_CTS_HMAC_SHA1_96,
                &SESSION_KEY,
                AP_REQ_AUTHENTICATOR,
                &plain,
            )),
        });
        frame(TOK_AP_REQ, &picky_asn1_der::to_vec(&ap_req).unwrap())
    }
}

fn string(text: &str) -> KerberosStringAsn1 {
    KerberosStringAsn1::from(Ia5String::from_string(text.to_owned()).unwrap())
}

fn int(value: i64) -> IntegerAsn1 {
    IntegerAsn1::from_bytes_be_signed(value.to_be_bytes().to_vec())
}

fn name(kind: i64, text: &str) -> PrincipalName {
    PrincipalName {
        name_type: ExplicitContextTag0::from(int(kind)),
        name_string: ExplicitContextTag1::from(Asn1SequenceOf::from(text.split('/').map(string).collect::<Vec<_>>())),
    }
}

fn time(unix: i64) -> GeneralizedTimeAsn1 {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
    GeneralizedTimeAsn1::from(
        GeneralizedTime::new(t.year() as u16, t.month() as u8, t.day(), t.hour(), t.minute(), t.second()).unwrap(),
    )
}

fn encrypt(etype: i64, key: &[u8], usage: i32, plain: &[u8]) -> EncryptedData {
    let suite = CipherSuite::try_from(etype as usize).unwrap();
    EncryptedData {
        etype: ExplicitContextTag0::from(int(etype)),
        kvno: Optional::from(Some(ExplicitContextTag1::from(int(1)))),
        cipher: ExplicitContextTag2::from(OctetStringAsn1::from(suite.cipher().encrypt(key, usage, plain).unwrap())),
    }
}
