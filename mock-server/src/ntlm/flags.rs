//! NegotiateFlags bits (MS-NLMP 2.2.2.5) and their names for the journal.

/// Strings are UTF-16LE.
pub const UNICODE: u32 = 0x0000_0001;
/// Strings are in the OEM code page.
pub const OEM: u32 = 0x0000_0002;
/// The client asks for the server's TargetName.
pub const REQUEST_TARGET: u32 = 0x0000_0004;
/// Message signing.
pub const SIGN: u32 = 0x0000_0010;
/// Message sealing.
pub const SEAL: u32 = 0x0000_0020;
/// Connectionless mode.
pub const DATAGRAM: u32 = 0x0000_0040;
/// LAN Manager session key.
pub const LM_KEY: u32 = 0x0000_0080;
/// NTLM v1 authentication (always set by real clients).
pub const NTLM: u32 = 0x0000_0200;
/// Anonymous connection.
pub const ANONYMOUS: u32 = 0x0000_0800;
/// The NEGOTIATE carries an OEM domain name.
pub const OEM_DOMAIN_SUPPLIED: u32 = 0x0000_1000;
/// The NEGOTIATE carries an OEM workstation name.
pub const OEM_WORKSTATION_SUPPLIED: u32 = 0x0000_2000;
/// Dummy signatures even without SIGN.
pub const ALWAYS_SIGN: u32 = 0x0000_8000;
/// TargetName is a domain.
pub const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
/// TargetName is a server.
pub const TARGET_TYPE_SERVER: u32 = 0x0002_0000;
/// Extended session security ("NTLM2 key").
pub const ESS: u32 = 0x0008_0000;
/// Identify-level token.
pub const IDENTIFY: u32 = 0x0010_0000;
/// LMOWF-based session key.
pub const NON_NT_SESSION_KEY: u32 = 0x0040_0000;
/// The CHALLENGE carries TargetInfo.
pub const TARGET_INFO: u32 = 0x0080_0000;
/// The message carries a Version field.
pub const VERSION: u32 = 0x0200_0000;
/// 128-bit session key.
pub const KEY_128: u32 = 0x2000_0000;
/// Explicit key exchange (EncryptedRandomSessionKey is used).
pub const KEY_EXCH: u32 = 0x4000_0000;
/// 56-bit session key.
pub const KEY_56: u32 = 0x8000_0000;

const NAMES: [(u32, &str); 22] = [
    (UNICODE, "UNICODE"),
    (OEM, "OEM"),
    (REQUEST_TARGET, "REQUEST_TARGET"),
    (SIGN, "SIGN"),
    (SEAL, "SEAL"),
    (DATAGRAM, "DATAGRAM"),
    (LM_KEY, "LM_KEY"),
    (NTLM, "NTLM"),
    (ANONYMOUS, "ANONYMOUS"),
    (OEM_DOMAIN_SUPPLIED, "OEM_DOMAIN_SUPPLIED"),
    (OEM_WORKSTATION_SUPPLIED, "OEM_WORKSTATION_SUPPLIED"),
    (ALWAYS_SIGN, "ALWAYS_SIGN"),
    (TARGET_TYPE_DOMAIN, "TARGET_TYPE_DOMAIN"),
    (TARGET_TYPE_SERVER, "TARGET_TYPE_SERVER"),
    (ESS, "ESS"),
    (IDENTIFY, "IDENTIFY"),
    (NON_NT_SESSION_KEY, "NON_NT_SESSION_KEY"),
    (TARGET_INFO, "TARGET_INFO"),
    (VERSION, "VERSION"),
    (KEY_128, "128"),
    (KEY_EXCH, "KEY_EXCH"),
    (KEY_56, "56"),
];

/// Names of the set bits, lowest first; reserved bits show once as "RESERVED".
pub fn names(flags: u32) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = NAMES.iter().filter(|(bit, _)| flags & bit != 0).map(|(_, name)| *name).collect();
    let known = NAMES.iter().fold(0, |acc, (bit, _)| acc | bit);
    // Clients must tolerate unknown bits (MS-NLMP), so they are reported, not rejected.
    if flags & !known != 0 {
        out.push("RESERVED");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_curl_flags_in_bit_order() {
        assert_eq!(names(0x0008_8206), ["OEM", "REQUEST_TARGET", "NTLM", "ALWAYS_SIGN", "ESS"]);
    }

    #[test]
    fn names_reports_reserved_bits_once() {
        assert_eq!(names(0x0000_0100 | 0x0000_0400), ["RESERVED"]);
        assert!(names(0).is_empty());
    }
}
