//! CHALLENGE_MESSAGE (type 2): built by the server, parsed by test clients.

use super::super::{AcceptorConfig, Failure, flags};
use super::av_pair;
use super::wire::{array_at, check_header, decode_string, oem_encode, payload, push_field, u32_at, utf16_encode};

/// Full header length: ntlmclient refuses anything shorter, so Version is always sent.
pub const HEADER_LEN: usize = 56;

/// VERSION sent by the emulated server: Windows Server 2019 (10.0.17763), NTLM revision 15.
///
/// Azure DevOps Server 2022 runs on Server 2019 or later; the value is only
/// informational for clients.
pub const SERVER_VERSION: [u8; 8] = [10, 0, 0x63, 0x45, 0, 0, 0, 0x0f];

/// Flags the server sets whatever the client asked for (MS-NLMP 3.2.5.1.1, as IIS does).
const ALWAYS: u32 = flags::REQUEST_TARGET
    | flags::NTLM
    | flags::ALWAYS_SIGN
    | flags::TARGET_TYPE_DOMAIN
    | flags::TARGET_INFO
    | flags::VERSION;

/// Flags echoed only when the client requested them.
const ECHOED: u32 = flags::ESS | flags::KEY_128 | flags::KEY_56 | flags::KEY_EXCH | flags::SIGN | flags::SEAL;

/// The flags the server answers a NEGOTIATE carrying `client` with.
pub fn choose_flags(client: u32) -> u32 {
    // Never both charsets: a client that offers both gets UNICODE.
    let charset = if client & flags::UNICODE != 0 { flags::UNICODE } else { flags::OEM };
    charset | ALWAYS | (client & ECHOED)
}

/// Builds the CHALLENGE for a NEGOTIATE's flags; returns the bytes and the chosen flags.
pub fn build_challenge(
    cfg: &AcceptorConfig,
    negotiate_flags: u32,
    server_challenge: [u8; 8],
    timestamp: u64,
) -> (Vec<u8>, u32) {
    let chosen = choose_flags(negotiate_flags);
    let target_name =
        if chosen & flags::UNICODE != 0 { utf16_encode(&cfg.nb_domain) } else { oem_encode(&cfg.nb_domain) };
    // NetBIOS names are 15 characters; the cap keeps offsets in range for any config.
    let target_name = &target_name[..target_name.len().min(512)];
    let target_info = target_info(cfg, timestamp);

    let mut msg = Vec::with_capacity(HEADER_LEN + target_name.len() + target_info.len());
    msg.extend_from_slice(super::wire::SIGNATURE);
    msg.extend_from_slice(&2u32.to_le_bytes());
    push_field(&mut msg, target_name.len(), HEADER_LEN);
    msg.extend_from_slice(&chosen.to_le_bytes());
    msg.extend_from_slice(&server_challenge);
    msg.extend_from_slice(&[0; 8]);
    push_field(&mut msg, target_info.len(), HEADER_LEN + target_name.len());
    msg.extend_from_slice(&SERVER_VERSION);
    msg.extend_from_slice(target_name);
    msg.extend_from_slice(&target_info);
    (msg, chosen)
}

/// TargetInfo in the order Windows sends it, without MsvAvFlags.
fn target_info(cfg: &AcceptorConfig, timestamp: u64) -> Vec<u8> {
    let mut out = Vec::new();
    av_pair::push_text(&mut out, av_pair::NB_DOMAIN, &cfg.nb_domain);
    av_pair::push_text(&mut out, av_pair::NB_COMPUTER, &cfg.nb_computer);
    av_pair::push_text(&mut out, av_pair::DNS_DOMAIN, &cfg.dns_domain);
    av_pair::push_text(&mut out, av_pair::DNS_COMPUTER, &cfg.dns_computer);
    av_pair::push_text(&mut out, av_pair::DNS_TREE, &cfg.dns_tree);
    av_pair::push_raw(&mut out, av_pair::TIMESTAMP, &timestamp.to_le_bytes());
    av_pair::push_raw(&mut out, av_pair::EOL, &[]);
    out
}

/// A parsed CHALLENGE_MESSAGE, as a client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// NegotiateFlags chosen by the server.
    pub flags: u32,
    /// The 8-byte server challenge.
    pub server_challenge: [u8; 8],
    /// TargetName, decoded per the UNICODE flag.
    pub target_name: String,
    /// TargetInfo bytes as sent (AV pairs).
    pub target_info: Vec<u8>,
    /// VERSION, when the header has room for it.
    pub version: Option<[u8; 8]>,
}

/// Parses a CHALLENGE (the 32-byte old form is accepted too).
///
/// # Errors
/// [`Failure::Malformed`] or [`Failure::UnexpectedMessage`] as for the other parsers.
pub fn parse_challenge(msg: &[u8]) -> Result<Challenge, Failure> {
    check_header(msg, 2, 32)?;
    let flags = u32_at(msg, 20).unwrap_or_default();
    let name = payload(msg, 12, "CHALLENGE target name")?;
    let target_info = if msg.len() >= 48 { payload(msg, 40, "CHALLENGE target info")?.to_vec() } else { Vec::new() };
    Ok(Challenge {
        flags,
        server_challenge: array_at(msg, 24).unwrap_or_default(),
        target_name: decode_string(name, flags & flags::UNICODE != 0, "target name")?,
        target_info,
        version: if msg.len() >= HEADER_LEN { array_at(msg, 48) } else { None },
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::test_support::b64;
    use super::*;

    #[test]
    fn flags_for_curl_match_iis() {
        assert_eq!(choose_flags(0x0008_8206), 0x0289_8206);
    }

    #[test]
    fn flags_for_windows_client_match_iis() {
        let chosen = choose_flags(0xa208_8207);
        assert_eq!(chosen, 0xa289_8205);
        assert_eq!(chosen & flags::KEY_EXCH, 0);
    }

    #[test]
    fn flags_for_pyspnego_echo_sign_seal_key_exch() {
        assert_eq!(choose_flags(0xe208_8237), 0xe289_8235);
    }

    #[test]
    fn curl_challenge_is_oem_and_parses_back() {
        let cfg = AcceptorConfig::example();
        let sc = [1, 2, 3, 4, 5, 6, 7, 8];
        let (msg, chosen) = build_challenge(&cfg, 0x0008_8206, sc, 0x01dc_0000_0000_0000);
        assert!(msg.len() >= HEADER_LEN);
        let parsed = parse_challenge(&msg).unwrap();
        assert_eq!(parsed.flags, chosen);
        assert_eq!(parsed.server_challenge, sc);
        assert_eq!(parsed.target_name, "CONTOSO");
        assert_eq!(&msg[56..63], b"CONTOSO");
        assert_eq!(parsed.version, Some(SERVER_VERSION));
    }

    #[test]
    fn target_info_in_windows_order_with_even_values() {
        let cfg = AcceptorConfig::example();
        let (msg, _) = build_challenge(&cfg, 0xa208_8207, [0; 8], 42);
        let parsed = parse_challenge(&msg).unwrap();
        assert_eq!(parsed.target_name, "CONTOSO");
        let pairs = av_pair::parse(&parsed.target_info);
        let ids: Vec<u16> = pairs.iter().map(|p| p.id).collect();
        assert_eq!(ids, [2, 1, 4, 3, 5, 7]);
        assert!(pairs.iter().all(|p| p.value.len() % 2 == 0));
        assert_eq!(av_pair::text(&pairs, av_pair::DNS_COMPUTER).as_deref(), Some("tfs01.contoso.local"));
        assert_eq!(pairs[5].value, 42u64.to_le_bytes());
        assert!(parsed.target_info.ends_with(&[0, 0, 0, 0]));
    }

    #[test]
    fn ntlmclient_parses_our_challenge() {
        let (msg, _) = build_challenge(&AcceptorConfig::example(), 0x0000_2205, [9; 8], 1);
        let parsed = ntlmclient::Message::try_from(msg.as_slice()).expect("ntlmclient parses it");
        assert!(matches!(parsed, ntlmclient::Message::Challenge(c) if c.challenge == [9; 8]));
    }

    #[test]
    fn parses_real_iis_challenge() {
        let iis = b64(
            "TlRMTVNTUAACAAAAAwADADgAAAAGgokCWZaWL+YcYTMAAAAAAAAAAKgAqAA7AAAABgOAJQAAAA9OQU0CAAYATgBBAE0AAQAYAFMARAAtADgAQQA1ADgALQBFAEQAQwA5AAQAHABuAGEAbQAuAG4AcwByAG8AbwB0AC4AbgBlAHQAAwA2AHMAZAAtADgAYQA1ADgALQBlAGQAYwA5AC4AbgBhAG0ALgBuAHMAcgBvAG8AdAAuAG4AZQB0AAUAFABuAHMAcgBvAG8AdAAuAG4AZQB0AAcACADeFwn0AJTSAQAAAAA=",
        );
        let parsed = parse_challenge(&iis).unwrap();
        assert_eq!(parsed.flags, 0x0289_8206);
        assert_eq!(parsed.target_name, "NAM");
        assert_eq!(parsed.target_info.len(), 168);
    }
}
