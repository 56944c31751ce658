//! Bounds-checked little-endian reads, security buffers and string codecs.

use super::super::Failure;

/// "NTLMSSP\0", the first eight bytes of every NTLM message.
pub const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

/// Reads a u16 at `off`, or None past the end.
pub fn u16_at(buf: &[u8], off: usize) -> Option<u16> {
    let bytes = buf.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([bytes[0], bytes[1]]))
}

/// Reads a u32 at `off`, or None past the end.
pub fn u32_at(buf: &[u8], off: usize) -> Option<u32> {
    let bytes = buf.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// Copies `N` bytes at `off`, or None past the end.
pub fn array_at<const N: usize>(buf: &[u8], off: usize) -> Option<[u8; N]> {
    buf.get(off..off.checked_add(N)?)?.try_into().ok()
}

/// The message type of an NTLM message, or None when the signature is missing.
pub fn message_type(msg: &[u8]) -> Option<u32> {
    if msg.starts_with(SIGNATURE) { u32_at(msg, 8) } else { None }
}

/// Checks the signature and message type and the minimum header length.
pub fn check_header(msg: &[u8], want_type: u32, min_len: usize) -> Result<(), Failure> {
    match message_type(msg) {
        None if msg.len() < 12 && SIGNATURE.starts_with(&msg[..msg.len().min(8)]) => {
            Err(Failure::malformed("truncated NTLM message"))
        }
        None => Err(Failure::malformed("missing NTLMSSP signature")),
        Some(t) if t != want_type => Err(Failure::UnexpectedMessage { got: t }),
        Some(_) if msg.len() < min_len => Err(Failure::malformed(format!(
            "NTLM message type {want_type} is {} bytes, shorter than its {min_len}-byte header",
            msg.len()
        ))),
        Some(_) => Ok(()),
    }
}

/// A security buffer header: `Len u16 | MaxLen u16 | Offset u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Length in bytes.
    pub len: usize,
    /// Offset from the start of the message.
    pub offset: usize,
}

/// Reads the security buffer header at `at`.
pub fn field_at(msg: &[u8], at: usize) -> Option<Field> {
    Some(Field { len: usize::from(u16_at(msg, at)?), offset: usize::try_from(u32_at(msg, at + 4)?).ok()? })
}

/// Returns the payload of the security buffer whose header is at `at`.
///
/// An empty buffer is accepted with any offset (curl and typed-rest-client
/// point empty buffers anywhere); a non-empty one must lie inside `msg`.
pub fn payload<'a>(msg: &'a [u8], at: usize, what: &str) -> Result<&'a [u8], Failure> {
    let field = field_at(msg, at).ok_or_else(|| Failure::malformed(format!("{what}: truncated")))?;
    if field.len == 0 {
        return Ok(&[]);
    }
    field.offset.checked_add(field.len).and_then(|end| msg.get(field.offset..end)).ok_or_else(|| {
        Failure::malformed(format!(
            "{what}: {} bytes at offset {} run past the {}-byte message",
            field.len,
            field.offset,
            msg.len()
        ))
    })
}

/// Decodes UTF-16LE; unpaired surrogates become U+FFFD.
pub fn utf16_decode(bytes: &[u8], what: &str) -> Result<String, Failure> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Failure::malformed(format!("{what}: odd-length UTF-16 string")));
    }
    let units = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    Ok(char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
}

/// Encodes a string as UTF-16LE.
pub fn utf16_encode(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Decodes an OEM string as Latin-1.
///
/// curl widens each byte of its UTF-8 input to one UTF-16 unit when it
/// hashes, which is exactly Latin-1; any other OEM code page would make the
/// NTLMv2 key differ from curl's for non-ASCII names.
pub fn oem_decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Encodes a string as Latin-1, with '?' for characters outside it.
pub fn oem_encode(s: &str) -> Vec<u8> {
    s.chars().map(|c| u8::try_from(c).unwrap_or(b'?')).collect()
}

/// Decodes a string field as UTF-16LE when `unicode`, else as OEM.
pub fn decode_string(bytes: &[u8], unicode: bool, what: &str) -> Result<String, Failure> {
    if unicode { utf16_decode(bytes, what) } else { Ok(oem_decode(bytes)) }
}

/// Formats a VERSION structure as "major.minor.build rev N".
pub fn version_text(v: &[u8; 8]) -> String {
    let build = u16::from_le_bytes([v[2], v[3]]);
    format!("{}.{}.{} rev {}", v[0], v[1], build, v[7])
}

/// Appends a security buffer header for `len` bytes at `offset`.
///
/// Callers keep messages far below 64 KiB, so the casts cannot truncate.
pub fn push_field(out: &mut Vec<u8>, len: usize, offset: usize) {
    let len = u16::try_from(len).unwrap_or(u16::MAX);
    let offset = u32::try_from(offset).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_accepts_empty_buffer_with_any_offset() {
        let mut msg = vec![0u8; 16];
        msg[4..8].copy_from_slice(&0xffff_ffffu32.to_le_bytes());
        assert_eq!(payload(&msg, 0, "x"), Ok(&[][..]));
    }

    #[test]
    fn payload_rejects_buffer_past_end() {
        let mut msg = vec![0u8; 16];
        msg[0] = 4;
        msg[4] = 14;
        assert!(payload(&msg, 0, "x").is_err());
        msg[4] = 12;
        assert_eq!(payload(&msg, 0, "x").map(<[u8]>::len), Ok(4));
    }

    #[test]
    fn payload_rejects_offset_overflow() {
        let mut msg = vec![0u8; 16];
        msg[0] = 4;
        msg[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(payload(&msg, 0, "x").is_err());
    }

    #[test]
    fn strings_round_trip() {
        assert_eq!(utf16_decode(&utf16_encode("Zaphod ä"), "x").unwrap(), "Zaphod ä");
        assert_eq!(oem_decode(&oem_encode("testuser")), "testuser");
        assert_eq!(oem_encode("a€"), b"a?");
        assert!(utf16_decode(&[0x41], "x").is_err());
    }

    #[test]
    fn check_header_distinguishes_failures() {
        assert!(matches!(check_header(b"NTLM", 1, 32), Err(Failure::Malformed { .. })));
        assert!(matches!(check_header(b"HTTP/1.1 200", 1, 32), Err(Failure::Malformed { .. })));
        let mut msg = SIGNATURE.to_vec();
        msg.extend_from_slice(&2u32.to_le_bytes());
        assert_eq!(check_header(&msg, 1, 12), Err(Failure::UnexpectedMessage { got: 2 }));
        assert!(check_header(&msg, 2, 12).is_ok());
        assert!(check_header(&msg, 2, 13).is_err());
    }
}
