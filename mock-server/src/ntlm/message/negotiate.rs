//! NEGOTIATE_MESSAGE (type 1) parsing, MS-NLMP 2.2.1.1.

use super::super::{Failure, flags};
use super::wire::{array_at, check_header, payload, u32_at, utf16_decode};

/// Length of the fixed part every real client sends (curl stops there).
const MIN_LEN: usize = 32;

/// A parsed NEGOTIATE_MESSAGE. Holds nothing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiate {
    /// NegotiateFlags as sent.
    pub flags: u32,
    /// The supplied domain, when OEM_DOMAIN_SUPPLIED is set and it is non-empty.
    pub domain: Option<String>,
    /// The supplied workstation, when OEM_WORKSTATION_SUPPLIED is set and it is non-empty.
    pub workstation: Option<String>,
    /// The client's VERSION, when the VERSION flag is set and the header has room.
    pub version: Option<[u8; 8]>,
}

/// Parses a NEGOTIATE of 32 bytes or more.
///
/// # Errors
/// [`Failure::Malformed`] for a bad signature, a short message or a supplied
/// name outside the message; [`Failure::UnexpectedMessage`] for another type.
pub fn parse_negotiate(msg: &[u8]) -> Result<Negotiate, Failure> {
    check_header(msg, 1, MIN_LEN)?;
    let flags = u32_at(msg, 12).unwrap_or_default();
    let domain = supplied(msg, flags, flags::OEM_DOMAIN_SUPPLIED, 16, "NEGOTIATE domain")?;
    let workstation = supplied(msg, flags, flags::OEM_WORKSTATION_SUPPLIED, 24, "NEGOTIATE workstation")?;
    let version = if flags & flags::VERSION != 0 { array_at::<8>(msg, 32) } else { None };
    Ok(Negotiate { flags, domain, workstation, version })
}

fn supplied(msg: &[u8], flags: u32, bit: u32, at: usize, what: &str) -> Result<Option<String>, Failure> {
    if flags & bit == 0 {
        return Ok(None);
    }
    let bytes = payload(msg, at, what)?;
    Ok((!bytes.is_empty()).then(|| informal_text(bytes)))
}

/// Decodes a name that is only shown in the journal.
///
/// The field is OEM by the spec, but ntlmclient writes UTF-16 there; NUL
/// bytes in every odd position give that away.
fn informal_text(bytes: &[u8]) -> String {
    let looks_utf16 = bytes.len().is_multiple_of(2) && bytes.iter().skip(1).step_by(2).all(|&b| b == 0);
    match utf16_decode(bytes, "name") {
        Ok(text) if looks_utf16 => text,
        _ => super::wire::oem_decode(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::test_support::b64;
    use super::*;

    struct Case {
        name: &'static str,
        b64: &'static str,
        flags: u32,
        domain: Option<&'static str>,
        workstation: Option<&'static str>,
    }

    const CASES: &[Case] = &[
        Case {
            name: "curl 32-byte OEM",
            b64: "TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=",
            flags: 0x0008_8206,
            domain: None,
            workstation: None,
        },
        Case {
            name: "typed-rest-client with OEM names",
            b64: "TlRMTVNTUAABAAAAA7IAAAoACgApAAAACQAJACAAAABMSUdIVENJVFlVUlNBLU1JTk9S",
            flags: 0x0000_b203,
            domain: Some("URSA-MINOR"),
            workstation: Some("LIGHTCITY"),
        },
        Case {
            name: "pyspnego 40-byte",
            b64: "TlRMTVNTUAABAAAAN4II4gAAAAAoAAAAAAAAACgAAAAADAAAAAAADw==",
            flags: 0xe208_8237,
            domain: None,
            workstation: None,
        },
        Case {
            name: "ntlmclient 56-byte with UTF-16 workstation",
            b64: "TlRMTVNTUAABAAAABSIAAAAAAAAoAAAAEAAQACgAAAAAAAAAAAAAAEMATABJAEUATgBUAFAAQwA=",
            flags: 0x0000_2205,
            domain: None,
            workstation: Some("CLIENTPC"),
        },
        Case {
            name: "Windows 7 SSPI",
            b64: "TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==",
            flags: 0xa208_8207,
            domain: None,
            workstation: None,
        },
    ];

    #[test]
    fn real_client_negotiates_parse() {
        for case in CASES {
            let neg = parse_negotiate(&b64(case.b64)).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_eq!(neg.flags, case.flags, "{}", case.name);
            assert_eq!(neg.domain.as_deref(), case.domain, "{}", case.name);
            assert_eq!(neg.workstation.as_deref(), case.workstation, "{}", case.name);
        }
    }

    #[test]
    fn version_read_only_with_flag() {
        let win7 = parse_negotiate(&b64(CASES[4].b64)).unwrap();
        assert_eq!(win7.version, Some([6, 1, 0xb1, 0x1d, 0, 0, 0, 0x0f]));
        assert_eq!(parse_negotiate(&b64(CASES[3].b64)).unwrap().version, None);
    }

    #[test]
    fn rejects_short_and_out_of_range() {
        let curl = b64(CASES[0].b64);
        assert!(matches!(parse_negotiate(&curl[..31]), Err(Failure::Malformed { .. })));
        let mut bad = b64(CASES[1].b64);
        bad[16] = 0x40;
        assert!(matches!(parse_negotiate(&bad), Err(Failure::Malformed { .. })));
    }
}
