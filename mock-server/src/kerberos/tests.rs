//! The acceptor against AP-REQs built by `test_support`, playing KDC and client with the same
//! library. The end-to-end proof against a real MIT KDC, curl and Python is in the
//! integration tests.

use std::sync::OnceLock;

use picky_krb::constants::key_usages::AP_REP_ENC;
use picky_krb::crypto::CipherSuite;
use picky_krb::data_types::EncApRepPart;
use picky_krb::messages::ApRep;
use proptest::prelude::*;

use super::keys::ServiceKeys;
use super::test_support::{SESSION_KEY, TestTicket};
use super::token::unframe;
use super::*;

const NOW: i64 = 1_790_000_000;
const REALM: &str = "CONTOSO.LOCAL";

/// A good ticket, encrypted with the key of the "machine" password the server holds.
fn client() -> TestTicket {
    TestTicket::new("machine", NOW)
}

fn server_keys() -> ServiceKeys {
    static KEYS: OnceLock<ServiceKeys> = OnceLock::new();
    KEYS.get_or_init(|| ServiceKeys::derive("machine", "HTTP/localhost", REALM)).clone()
}

fn good_token() -> Vec<u8> {
    static TOKEN: OnceLock<Vec<u8>> = OnceLock::new();
    TOKEN.get_or_init(|| client().token()).clone()
}

fn run(client: &TestTicket) -> (Result<Accepted, KrbFailure>, KrbLeg) {
    let token = client.token();
    let keys = server_keys();
    let input = AcceptInput {
        token: &token,
        service: "HTTP/localhost",
        realm: REALM,
        keys: &keys,
        decrypting_account: "TFS01$",
        max_skew: 300,
        now: NOW,
        sequence: 42,
    };
    let mut leg = KrbLeg::default();
    (accept(&input, &mut leg), leg)
}

#[test]
fn a_good_ticket_is_accepted_and_answered_with_an_ap_rep() {
    let (result, leg) = run(&client());
    let accepted = result.unwrap();
    assert_eq!((accepted.user.as_str(), accepted.realm.as_str()), ("joseph", REALM));
    let framed = unframe(accepted.ap_rep.as_deref().unwrap()).unwrap();
    assert_eq!(framed.tok_id, [2, 0]);
    let rep: ApRep = picky_asn1_der::from_bytes(framed.message).unwrap();
    let cipher = &rep.0.enc_part.0.cipher.0.0;
    let plain = CipherSuite::Aes256CtsHmacSha196.cipher().decrypt(&SESSION_KEY, AP_REP_ENC, cipher).unwrap();
    let part: EncApRepPart = picky_asn1_der::from_bytes(&plain).unwrap();
    assert_eq!(acceptor_unix(&part.0.ctime.0), NOW, "the AP-REP echoes the authenticator's time");
    assert_eq!(
        leg.summary(),
        "Kerberos AP-REQ; ticket for HTTP/localhost@CONTOSO.LOCAL (aes256-cts-hmac-sha1-96, kvno 1); client joseph@CONTOSO.LOCAL; mutual authentication requested"
    );
}

fn acceptor_unix(t: &picky_krb::data_types::KerberosTime) -> i64 {
    super::acceptor::unix(t).unwrap()
}

#[test]
fn without_mutual_authentication_there_is_no_ap_rep() {
    let (result, _) = run(&TestTicket { mutual: false, ..client() });
    assert_eq!(result.unwrap().ap_rep, None);
}

#[test]
fn a_ticket_for_another_accounts_key_is_krb_ap_err_modified() {
    let (result, _) = run(&TestTicket { key_password: "svc-tfs password".to_owned(), ..client() });
    let failure = result.unwrap_err();
    assert_eq!(failure.error_code(), Some(41));
    assert_eq!(
        failure.to_string(),
        "KRB_AP_ERR_MODIFIED: the service ticket for HTTP/localhost@CONTOSO.LOCAL (aes256-cts-hmac-sha1-96, kvno 1) does not decrypt with the key of TFS01$"
    );
}

#[test]
fn clock_skew_beyond_five_minutes_is_refused_and_within_is_accepted() {
    let (result, _) = run(&TestTicket { ctime: NOW + 301, ..client() });
    assert_eq!(result.unwrap_err(), KrbFailure::Skew { seconds: 301, allowed: 300 });
    let (result, _) = run(&TestTicket { ctime: NOW - 600, ..client() });
    assert_eq!(result.unwrap_err(), KrbFailure::Skew { seconds: -600, allowed: 300 });
    assert!(run(&TestTicket { ctime: NOW - 299, ..client() }).0.is_ok());
}

#[test]
fn an_expired_ticket_is_refused() {
    let (result, _) = run(&TestTicket { ticket_end: NOW - 301, ..client() });
    assert_eq!(result.unwrap_err(), KrbFailure::TicketExpired { seconds: 301 });
}

#[test]
fn a_ticket_for_another_service_is_not_us() {
    let (result, _) = run(&TestTicket { service: "HTTP/127.0.0.1", ..client() });
    assert_eq!(result.unwrap_err().error_code(), Some(35));
}

#[test]
fn a_ticket_in_an_enctype_without_a_key_is_nokey() {
    let (result, _) = run(&TestTicket { etype: 16, ..client() });
    assert_eq!(
        result.unwrap_err().to_string(),
        "KRB_AP_ERR_NOKEY: the ticket uses des3-cbc-sha1; the server holds keys for aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No input makes the acceptor panic; damaged tokens are refused.
    #[test]
    fn arbitrary_bytes_are_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let keys = server_keys();
        let input = AcceptInput { token: &bytes, service: "HTTP/localhost", realm: REALM, keys: &keys,
            decrypting_account: "TFS01$", max_skew: 300, now: NOW, sequence: 1 };
        prop_assert!(accept(&input, &mut KrbLeg::default()).is_err());
    }

    /// Flipping any byte of a good token never panics and never yields another principal.
    #[test]
    fn damaged_tokens_never_panic(index in 0usize..2000, bit in 0u8..8) {
        let mut token = good_token();
        let i = index % token.len();
        token[i] ^= 1 << bit;
        let keys = server_keys();
        let input = AcceptInput { token: &token, service: "HTTP/localhost", realm: REALM, keys: &keys,
            decrypting_account: "TFS01$", max_skew: 300, now: NOW, sequence: 1 };
        if let Ok(accepted) = accept(&input, &mut KrbLeg::default()) {
            prop_assert_eq!(accepted.user, "joseph");
        }
    }
}
