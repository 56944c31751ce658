//! NTLM signing keys and the SPNEGO mechListMIC (MS-NLMP 3.4.4, 3.4.5; MS-SPNG 3.1.5.1).

use super::super::crypto::{self, Key16, ct_eq};
use super::super::flags;

/// Which side signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The client signs, the server verifies.
    ClientToServer,
    /// The server signs, the client verifies.
    ServerToClient,
}

impl Direction {
    fn sign_magic(self) -> &'static [u8] {
        match self {
            Self::ClientToServer => b"session key to client-to-server signing key magic constant\0",
            Self::ServerToClient => b"session key to server-to-client signing key magic constant\0",
        }
    }

    fn seal_magic(self) -> &'static [u8] {
        match self {
            Self::ClientToServer => b"session key to client-to-server sealing key magic constant\0",
            Self::ServerToClient => b"session key to server-to-client sealing key magic constant\0",
        }
    }
}

/// SIGNKEY with extended session security.
pub fn sign_key(session_key: &Key16, dir: Direction) -> Key16 {
    crypto::md5(&[session_key, dir.sign_magic()])
}

/// SEALKEY with extended session security, truncated per 128/56/40-bit flags.
pub fn seal_key(session_key: &Key16, negotiated: u32, dir: Direction) -> Key16 {
    let used = if negotiated & flags::KEY_128 != 0 {
        16
    } else if negotiated & flags::KEY_56 != 0 {
        7
    } else {
        5
    };
    crypto::md5(&[&session_key[..used], dir.seal_magic()])
}

/// Whether a session allows the ESS signatures the mechListMIC needs.
///
/// Without SIGN or KEY_EXCH no signing was negotiated, and without ESS
/// (which NTLMv2 implies) the signature would be the old CRC32 form, which
/// no client of this server uses; the MIC is then left out.
pub fn can_sign(negotiated: u32, ntlm_v2: bool) -> bool {
    // SIGN and KEY_EXCH are distinct bits: cargo-mutants' `|` -> `^` here is equivalent.
    let signing = negotiated & (flags::SIGN | flags::KEY_EXCH) != 0;
    signing && (ntlm_v2 || negotiated & flags::ESS != 0)
}

/// NTLMSSP_MESSAGE_SIGNATURE over `message` with sequence number `seq`, from
/// a fresh RC4 state (the first message in each direction).
pub fn signature(session_key: &Key16, negotiated: u32, dir: Direction, seq: u32, message: &[u8]) -> [u8; 16] {
    let seq = seq.to_le_bytes();
    let mac = crypto::hmac_md5(&sign_key(session_key, dir), &[&seq, message]);
    let mut checksum = mac[..8].to_vec();
    if negotiated & flags::KEY_EXCH != 0 {
        checksum = crypto::rc4(&seal_key(session_key, negotiated, dir), &checksum);
    }
    let mut out = [0u8; 16];
    out[..4].copy_from_slice(&1u32.to_le_bytes());
    out[4..12].copy_from_slice(&checksum);
    out[12..].copy_from_slice(&seq);
    out
}

/// The mechListMIC: the first signature in `dir` over the mechTypes DER as sent.
pub fn mech_list_mic(session_key: &Key16, negotiated: u32, dir: Direction, mech_types_der: &[u8]) -> [u8; 16] {
    signature(session_key, negotiated, dir, 0, mech_types_der)
}

/// Checks a client's mechListMIC (client-to-server keys).
pub fn verify_mech_list_mic(session_key: &Key16, negotiated: u32, mech_types_der: &[u8], mic: &[u8]) -> bool {
    let expected = mech_list_mic(session_key, negotiated, Direction::ClientToServer, mech_types_der);
    ct_eq(&expected, mic)
}

#[cfg(test)]
mod tests {
    use super::super::super::message::wire::utf16_encode;
    use super::super::super::test_support::to_hex;
    use super::*;

    const ESK: Key16 = [0x55; 16];
    /// MS-NLMP 4.2.4 AUTHENTICATE flags (ESS|128|56|KEY_EXCH|SIGN|SEAL...).
    const V2_FLAGS: u32 = 0xe288_8235;

    #[test]
    fn ms_nlmp_4_2_4_4_keys() {
        assert_eq!(to_hex(&sign_key(&ESK, Direction::ClientToServer)), "4788dc861b4782f35d43fd98fe1a2d39");
        assert_eq!(to_hex(&seal_key(&ESK, V2_FLAGS, Direction::ClientToServer)), "59f600973cc4960a25480a7c196e4c58");
    }

    #[test]
    fn ms_nlmp_4_2_4_4_sealed_signature_checksum() {
        // GSS_WrapEx seals "Plaintext" first, then the checksum with the same RC4 stream.
        let plaintext = utf16_encode("Plaintext");
        let key = sign_key(&ESK, Direction::ClientToServer);
        let mac = crypto::hmac_md5(&key, &[&[0; 4], &plaintext]);
        let stream_input = [&plaintext[..], &mac[..8]].concat();
        let sealed = crypto::rc4(&seal_key(&ESK, V2_FLAGS, Direction::ClientToServer), &stream_input);
        assert_eq!(to_hex(&sealed[..18]), "54e50165bf1936dc996020c1811b0f06fb5f");
        assert_eq!(to_hex(&sealed[18..]), "7fb38ec5c55d4976");
    }

    /// MS-NLMP 3.4.4.2: the checksum is the HMAC's first 8 bytes, sealed with RC4 only when
    /// KEY_EXCH was negotiated.
    #[test]
    fn the_checksum_is_sealed_only_with_key_exch() {
        let dir = Direction::ClientToServer;
        let message = b"mechTypes";
        let mac = crypto::hmac_md5(&sign_key(&ESK, dir), &[&0u32.to_le_bytes(), message]);
        let plain = signature(&ESK, V2_FLAGS & !flags::KEY_EXCH, dir, 0, message);
        assert_eq!(&plain[4..12], &mac[..8]);
        let sealed = signature(&ESK, V2_FLAGS, dir, 0, message);
        assert_eq!(&sealed[4..12], crypto::rc4(&seal_key(&ESK, V2_FLAGS, dir), &mac[..8]).as_slice());
    }

    #[test]
    fn signature_layout_matches_iis_final_token_shape() {
        let der = [0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];
        let mic = mech_list_mic(&ESK, V2_FLAGS, Direction::ServerToClient, &der);
        assert_eq!(&mic[..4], &[1, 0, 0, 0]);
        assert_eq!(&mic[12..], &[0, 0, 0, 0]);
        assert_ne!(mic, mech_list_mic(&ESK, V2_FLAGS, Direction::ClientToServer, &der));
        let client = mech_list_mic(&ESK, V2_FLAGS, Direction::ClientToServer, &der);
        assert!(verify_mech_list_mic(&ESK, V2_FLAGS, &der, &client));
        assert!(!verify_mech_list_mic(&ESK, V2_FLAGS, &der[1..], &client));
    }

    /// MS-NLMP 3.4.5.3: with NEGOTIATE_128 the whole key is used, else with NEGOTIATE_56 its
    /// first 7 bytes, else its first 5; 128 wins over 56.
    #[test]
    fn seal_key_truncation() {
        let dir = Direction::ServerToClient;
        let expected = |used: usize| crypto::md5(&[&ESK[..used], dir.seal_magic()]);
        assert_eq!(seal_key(&ESK, flags::KEY_128, dir), expected(16));
        assert_eq!(seal_key(&ESK, flags::KEY_128 | flags::KEY_56, dir), expected(16));
        assert_eq!(seal_key(&ESK, flags::KEY_56, dir), expected(7));
        assert_eq!(seal_key(&ESK, 0, dir), expected(5));
        assert_eq!(seal_key(&ESK, flags::SIGN | flags::SEAL, dir), expected(5));
    }

    #[test]
    fn can_sign_needs_signing_and_ess_or_v2() {
        assert!(can_sign(flags::SIGN, true));
        assert!(can_sign(flags::KEY_EXCH | flags::ESS, false));
        assert!(!can_sign(flags::SIGN, false));
        assert!(!can_sign(flags::ESS | flags::ALWAYS_SIGN, true));
    }
}
