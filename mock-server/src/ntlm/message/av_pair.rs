//! AV_PAIR lists (MS-NLMP 2.2.2.1), as in TargetInfo and the NTLMv2 blob.

use super::wire::{u16_at, u32_at, utf16_decode, utf16_encode};

/// MsvAvEOL: ends the list.
pub const EOL: u16 = 0x0000;
/// MsvAvNbComputerName.
pub const NB_COMPUTER: u16 = 0x0001;
/// MsvAvNbDomainName.
pub const NB_DOMAIN: u16 = 0x0002;
/// MsvAvDnsComputerName.
pub const DNS_COMPUTER: u16 = 0x0003;
/// MsvAvDnsDomainName.
pub const DNS_DOMAIN: u16 = 0x0004;
/// MsvAvDnsTreeName.
pub const DNS_TREE: u16 = 0x0005;
/// MsvAvFlags (u32).
pub const FLAGS: u16 = 0x0006;
/// MsvAvTimestamp (FILETIME).
pub const TIMESTAMP: u16 = 0x0007;
/// MsvAvSingleHost.
pub const SINGLE_HOST: u16 = 0x0008;
/// MsvAvTargetName (the SPN).
pub const TARGET_NAME: u16 = 0x0009;
/// MsvAvChannelBindings (MD5 of the bindings).
pub const CHANNEL_BINDINGS: u16 = 0x000A;

/// MsvAvFlags bit: the AUTHENTICATE carries a MIC.
pub const FLAG_MIC_PRESENT: u32 = 0x0000_0002;

/// One AV_PAIR borrowed from a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvPair<'a> {
    /// AvId.
    pub id: u16,
    /// The value bytes.
    pub value: &'a [u8],
}

/// Parses AV pairs up to MsvAvEOL or the end of the input.
///
/// A truncated pair ends the list rather than failing: the list sits inside
/// data that is hashed anyway, so a forged list cannot pass verification.
pub fn parse(mut bytes: &[u8]) -> Vec<AvPair<'_>> {
    let mut out = Vec::new();
    while let (Some(id), Some(len)) = (u16_at(bytes, 0), u16_at(bytes, 2)) {
        if id == EOL {
            break;
        }
        let end = 4 + usize::from(len);
        let Some(value) = bytes.get(4..end) else {
            break;
        };
        out.push(AvPair { id, value });
        bytes = &bytes[end..];
    }
    out
}

/// The MsvAvFlags value, if the list has one.
pub fn msv_av_flags(pairs: &[AvPair<'_>]) -> Option<u32> {
    pairs.iter().find(|p| p.id == FLAGS).and_then(|p| u32_at(p.value, 0))
}

/// The value of the first pair with `id`, decoded as UTF-16LE.
pub fn text(pairs: &[AvPair<'_>], id: u16) -> Option<String> {
    let pair = pairs.iter().find(|p| p.id == id)?;
    utf16_decode(pair.value, "AV pair").ok()
}

/// Longest AV string value written, in UTF-16 units.
///
/// DNS names stop at 255 characters; the cap keeps every length in a u16
/// whatever the configuration says.
const MAX_TEXT_UNITS: usize = 1024;

/// Appends one pair with a UTF-16LE string value (truncated to 1024 units).
pub fn push_text(out: &mut Vec<u8>, id: u16, value: &str) {
    let mut bytes = utf16_encode(value);
    bytes.truncate(MAX_TEXT_UNITS * 2);
    push_raw(out, id, &bytes);
}

/// Appends one pair with a raw value of at most 64 KiB - 1 bytes.
pub fn push_raw(out: &mut Vec<u8>, id: u16, value: &[u8]) {
    let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&value[..usize::from(len)]);
}

/// Short name of an AvId, for the journal.
pub fn name(id: u16) -> &'static str {
    match id {
        EOL => "EOL",
        NB_COMPUTER => "NbComputerName",
        NB_DOMAIN => "NbDomainName",
        DNS_COMPUTER => "DnsComputerName",
        DNS_DOMAIN => "DnsDomainName",
        DNS_TREE => "DnsTreeName",
        FLAGS => "Flags",
        TIMESTAMP => "Timestamp",
        SINGLE_HOST => "SingleHost",
        TARGET_NAME => "TargetName",
        CHANNEL_BINDINGS => "ChannelBindings",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_stops_at_eol_and_reads_flags() {
        let mut list = Vec::new();
        push_text(&mut list, NB_DOMAIN, "CORP");
        push_raw(&mut list, FLAGS, &2u32.to_le_bytes());
        push_raw(&mut list, EOL, &[]);
        push_text(&mut list, NB_COMPUTER, "after eol");
        let pairs = parse(&list);
        assert_eq!(pairs.len(), 2);
        assert_eq!(text(&pairs, NB_DOMAIN).as_deref(), Some("CORP"));
        assert_eq!(msv_av_flags(&pairs), Some(FLAG_MIC_PRESENT));
    }

    #[test]
    fn parse_tolerates_truncation() {
        let list = [2, 0, 0x10, 0, b'a', 0];
        assert!(parse(&list).is_empty());
        assert!(parse(&[1]).is_empty());
    }

    #[test]
    fn push_text_caps_length() {
        let mut out = Vec::new();
        push_text(&mut out, DNS_TREE, &"x".repeat(5000));
        assert_eq!(u16_at(&out, 2), Some(2048));
        assert_eq!(out.len(), 4 + 2048);
    }
}
