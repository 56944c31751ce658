//! A minimal DER reader and writer: single-byte tags, definite lengths only.
//!
//! Implementation notes: a general ASN.1 crate (picky-asn1, the one sspi-rs
//! uses) was rejected; SPNEGO needs five tags, and hand-written code keeps
//! every length check visible. A claimed length must fit in the bytes left,
//! so no allocation is ever driven by a length field.

use super::super::Failure;

/// SEQUENCE.
pub const SEQUENCE: u8 = 0x30;
/// OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;
/// OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// ENUMERATED.
pub const ENUMERATED: u8 = 0x0a;

/// Context-specific constructed tag `[n]`.
pub const fn context(n: u8) -> u8 {
    0xa0 | n
}

/// One TLV borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// The whole encoding, tag and length included.
    pub raw: &'a [u8],
}

/// Reads consecutive TLVs from a byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Whether all input has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads the next TLV.
    ///
    /// # Errors
    /// [`Failure::Malformed`] for a multi-byte tag, an indefinite or
    /// over-long length, or content running past the input.
    pub fn read(&mut self) -> Result<Tlv<'a>, Failure> {
        let input = self.rest;
        let (&tag, after_tag) = input.split_first().ok_or_else(|| bad("unexpected end of DER input"))?;
        if tag & 0x1f == 0x1f {
            return Err(bad("multi-byte DER tags are not used by SPNEGO"));
        }
        let (len, after_len) = read_length(after_tag)?;
        if len > after_len.len() {
            return Err(bad(format!("DER length {len} exceeds the {} bytes left", after_len.len())));
        }
        let header = input.len() - after_len.len();
        let (content, rest) = after_len.split_at(len);
        self.rest = rest;
        Ok(Tlv { tag, content, raw: &input[..header + len] })
    }

    /// Reads the next TLV and checks its tag.
    ///
    /// # Errors
    /// As [`Reader::read`], plus a tag other than `tag`.
    pub fn expect(&mut self, tag: u8, what: &str) -> Result<Tlv<'a>, Failure> {
        let tlv = self.read()?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(bad(format!("{what}: expected DER tag {tag:#04x}, got {:#04x}", tlv.tag)))
        }
    }
}

/// Reads the single TLV that makes up `content` (an explicit tag's inside).
pub fn only<'a>(content: &'a [u8], tag: u8, what: &str) -> Result<Tlv<'a>, Failure> {
    Reader::new(content).expect(tag, what)
}

fn read_length(bytes: &[u8]) -> Result<(usize, &[u8]), Failure> {
    let (&first, rest) = bytes.split_first().ok_or_else(|| bad("DER length missing"))?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return Err(bad("indefinite or over-long DER length"));
    }
    let digits = rest.get(..count).ok_or_else(|| bad("DER length truncated"))?;
    let len = digits.iter().fold(0usize, |acc, &d| (acc << 8) | usize::from(d));
    Ok((len, &rest[count..]))
}

fn bad(detail: impl Into<String>) -> Failure {
    Failure::malformed(detail)
}

/// Encodes one TLV with a definite length (long form above 127 bytes).
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let digits = len.to_be_bytes();
        let skip = digits.iter().take_while(|&&d| d == 0).count();
        out.push(0x80 | (digits.len() - skip) as u8);
        out.extend_from_slice(&digits[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Decodes OID content octets to dotted form, or None if malformed.
pub fn oid_to_dotted(content: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for (i, &byte) in content.iter().enumerate() {
        // 9 × 7 bits fit in a u64; anything longer is not a real OID arc.
        if value >> 56 != 0 || (value == 0 && byte == 0x80) {
            return None;
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 != 0 {
            if i + 1 == content.len() {
                return None;
            }
            continue;
        }
        if arcs.is_empty() {
            let first = (value / 40).min(2);
            arcs.extend([first, value - first * 40]);
        } else {
            arcs.push(value);
        }
        value = 0;
    }
    if arcs.is_empty() {
        return None;
    }
    Some(arcs.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
}

/// Encodes a dotted OID to content octets, or None if it is not a valid OID.
pub fn dotted_to_oid(dotted: &str) -> Option<Vec<u8>> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().ok()).collect::<Option<_>>()?;
    let [first, second, rest @ ..] = arcs.as_slice() else {
        return None;
    };
    if *first > 2 || (*first < 2 && *second >= 40) {
        return None;
    }
    let combined = (first * 40).checked_add(*second)?;
    let mut out = Vec::new();
    for arc in std::iter::once(combined).chain(rest.iter().copied()) {
        push_base128(&mut out, arc);
    }
    Some(out)
}

fn push_base128(out: &mut Vec<u8>, value: u64) {
    let groups = (0..10).rev().map(|i| ((value >> (7 * i)) & 0x7f) as u8);
    let mut started = false;
    for (i, group) in groups.enumerate() {
        started |= group != 0 || i == 9;
        if started {
            out.push(if i == 9 { group } else { group | 0x80 });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_round_trip() {
        let cases: &[(&str, &[u8])] = &[
            ("1.3.6.1.4.1.311.2.2.10", &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 2, 2, 0x0a]),
            ("1.3.6.1.5.5.2", &[0x2b, 6, 1, 5, 5, 2]),
            ("1.2.840.48018.1.2.2", &[0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 1, 2, 2]),
            ("1.2.840.113554.1.2.2", &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 1, 2, 2]),
            ("2.999", &[0x88, 0x37]),
        ];
        for (dotted, der) in cases {
            assert_eq!(dotted_to_oid(dotted).as_deref(), Some(*der), "{dotted}");
            assert_eq!(oid_to_dotted(der).as_deref(), Some(*dotted), "{dotted}");
        }
    }

    #[test]
    fn bad_oids_rejected() {
        for dotted in ["", "1", "3.1", "1.40", "1.x.3", "1..2", "2.18446744073709551615"] {
            assert_eq!(dotted_to_oid(dotted), None, "{dotted}");
        }
        for der in [&[][..], &[0x2b, 0x86], &[0x2b, 0x80, 0x01], &[0xff; 12]] {
            assert_eq!(oid_to_dotted(der), None, "{der:?}");
        }
    }

    #[test]
    fn lengths_short_and_long_form() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let encoded = tlv(OCTET_STRING, &vec![7; len]);
            let parsed = Reader::new(&encoded).read().unwrap();
            assert_eq!(parsed.content.len(), len);
            assert_eq!(parsed.raw, encoded.as_slice());
        }
        assert_eq!(&tlv(SEQUENCE, &[0; 0x96])[..3], &[0x30, 0x81, 0x96]);
        assert_eq!(&tlv(SEQUENCE, &[0; 0x175])[..4], &[0x30, 0x82, 0x01, 0x75]);
    }

    #[test]
    fn rejects_lengths_past_input() {
        let cases: &[&[u8]] = &[
            &[0x30],
            &[0x30, 0x05, 1, 2],
            &[0x30, 0x80, 0, 0],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            &[0x30, 0x82, 0x01],
            &[0x1f, 0x01, 0x00],
        ];
        for case in cases {
            assert!(Reader::new(case).read().is_err(), "{case:?}");
        }
    }
}
