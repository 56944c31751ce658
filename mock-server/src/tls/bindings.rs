//! Channel bindings of type `tls-server-end-point` (RFC 5929 §4) and the value an NTLMv2
//! client puts in MsvAvChannelBindings: MD5 of its `gss_channel_bindings_struct` (RFC 2744
//! §3.11, laid out as MS-NLMP and pyspnego's `GssChannelBindings.pack` do: initiator address
//! type and address, acceptor address type and address, application data, each length a
//! u32le; every field zero or empty except the application data).
//!
//! The application data is `"tls-server-end-point:"` + H(certificate), where H is the hash of
//! the certificate's signature algorithm, except that MD5 and SHA-1 become SHA-256 (RFC 5929
//! §4.1). For certificates signed without a hash (Ed25519, Ed448) RFC 5929 leaves the binding
//! undefined; requests-ntlm then uses SHA-256 (its `_get_certificate_hash`), and so does this.

use md5::{Digest, Md5};
use sha2::{Sha224, Sha256, Sha384, Sha512};

/// The hash RFC 5929 picks for a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndPointHash {
    /// SHA-224.
    Sha224,
    /// SHA-256 (also for MD5 and SHA-1 signatures).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// Why a certificate has no `tls-server-end-point` binding.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    /// The DER does not parse as an X.509 certificate.
    #[error("the certificate is not valid DER ({0})")]
    Malformed(&'static str),
    /// A signature algorithm with no hash, or one this server does not know.
    #[error(
        "channel bindings are undefined for the certificate's signature algorithm {0} (RFC 5929 4.1); use an RSA or ECDSA certificate"
    )]
    Undefined(String),
}

/// The certificate hash of `tls-server-end-point` for a DER certificate.
///
/// # Errors
/// [`BindingError`] for malformed DER or a signature algorithm without a defined hash.
pub fn end_point_hash(cert_der: &[u8]) -> Result<Vec<u8>, BindingError> {
    Ok(match signature_hash(cert_der)? {
        EndPointHash::Sha224 => Sha224::digest(cert_der).to_vec(),
        EndPointHash::Sha256 => Sha256::digest(cert_der).to_vec(),
        EndPointHash::Sha384 => Sha384::digest(cert_der).to_vec(),
        EndPointHash::Sha512 => Sha512::digest(cert_der).to_vec(),
    })
}

/// The `gss_channel_bindings_struct` bytes for the application data `app`.
pub fn gss_channel_bindings(app: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(20 + app.len());
    // initiator_addrtype, initiator_address (empty), acceptor_addrtype, acceptor_address (empty)
    out.extend_from_slice(&[0u8; 16]);
    out.extend_from_slice(&u32::try_from(app.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(app);
    out
}

/// What MsvAvChannelBindings must hold on a TLS channel whose server certificate is
/// `cert_der`: MD5(gss_channel_bindings_struct("tls-server-end-point:" + H(cert))).
///
/// # Errors
/// As [`end_point_hash`].
pub fn expected_av_value(cert_der: &[u8]) -> Result<[u8; 16], BindingError> {
    let mut app = b"tls-server-end-point:".to_vec();
    app.extend(end_point_hash(cert_der)?);
    Ok(Md5::digest(gss_channel_bindings(&app)).into())
}

/// The hash RFC 5929 uses for the certificate's signature algorithm.
///
/// # Errors
/// [`BindingError`] for malformed DER or an algorithm without a defined hash.
pub fn signature_hash(cert_der: &[u8]) -> Result<EndPointHash, BindingError> {
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }
    let (cert, _) = tlv(cert_der, SEQUENCE).ok_or(BindingError::Malformed("no Certificate SEQUENCE"))?;
    let (_, rest) = any_tlv(cert).ok_or(BindingError::Malformed("no tbsCertificate"))?;
    let (algorithm, _) = tlv(rest, SEQUENCE).ok_or(BindingError::Malformed("no signatureAlgorithm"))?;
    let (oid, params) = tlv(algorithm, OID).ok_or(BindingError::Malformed("no algorithm OID"))?;
    match oid {
        // md5WithRSA, sha1WithRSA, ecdsa-with-SHA1, dsa-with-sha1: RFC 5929 says SHA-256.
        RSA_MD5 | RSA_SHA1 | ECDSA_SHA1 | DSA_SHA1 | RSA_SHA256 | ECDSA_SHA256 | DSA_SHA256 => Ok(EndPointHash::Sha256),
        RSA_SHA224 | ECDSA_SHA224 | DSA_SHA224 => Ok(EndPointHash::Sha224),
        RSA_SHA384 | ECDSA_SHA384 => Ok(EndPointHash::Sha384),
        RSA_SHA512 | ECDSA_SHA512 => Ok(EndPointHash::Sha512),
        RSA_PSS => pss_hash(params),
        // No hash in the algorithm: undefined by RFC 5929; SHA-256 as requests-ntlm does.
        ED25519 | ED448 => Ok(EndPointHash::Sha256),
        other => Err(BindingError::Undefined(dotted(other))),
    }
}

/// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
fn pss_hash(params: &[u8]) -> Result<EndPointHash, BindingError> {
    let Some((seq, _)) = tlv(params, SEQUENCE) else { return Ok(EndPointHash::Sha256) };
    let Some((explicit, _)) = tlv(seq, 0xA0) else { return Ok(EndPointHash::Sha256) };
    let (algorithm, _) = tlv(explicit, SEQUENCE).ok_or(BindingError::Malformed("PSS hashAlgorithm"))?;
    let (oid, _) = tlv(algorithm, OID).ok_or(BindingError::Malformed("PSS hash OID"))?;
    match oid {
        SHA1 | SHA256 => Ok(EndPointHash::Sha256),
        SHA224 => Ok(EndPointHash::Sha224),
        SHA384 => Ok(EndPointHash::Sha384),
        SHA512 => Ok(EndPointHash::Sha512),
        other => Err(BindingError::Undefined(format!("RSASSA-PSS with {}", dotted(other)))),
    }
}

const SEQUENCE: u8 = 0x30;
const OID: u8 = 0x06;

// Signature algorithm OIDs (content bytes): RFC 3279, RFC 4055, RFC 5758.
const RSA_MD5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04];
const RSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
const RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const RSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const RSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const RSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
const RSA_SHA224: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0e];
const ECDSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
const ECDSA_SHA224: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x01];
const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
const DSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03];
const DSA_SHA224: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x01];
const DSA_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02];
const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const ED448: &[u8] = &[0x2b, 0x65, 0x71];
// Hash OIDs inside RSASSA-PSS parameters.
const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
const SHA224: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04];

/// One DER TLV with tag `tag` at the start of `bytes`: (content, rest).
fn tlv(bytes: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *bytes.first()? != tag {
        return None;
    }
    any_tlv(bytes)
}

/// One DER TLV of any (single-byte) tag: (content, rest).
fn any_tlv(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let first = *bytes.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let len = bytes.get(2..2 + n)?.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, 2 + n)
    };
    let content = bytes.get(header..header.checked_add(len)?)?;
    Some((content, &bytes[header + len..]))
}

/// An OID's content bytes in dotted form, for messages.
fn dotted(oid: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut value: u64 = 0;
    for (i, byte) in oid.iter().enumerate() {
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            if parts.is_empty() && i < oid.len() {
                let (a, b) = if value < 80 { (value / 40, value % 40) } else { (2, value - 80) };
                parts.push(a.to_string());
                parts.push(b.to_string());
            } else {
                parts.push(value.to_string());
            }
            value = 0;
        }
    }
    parts.join(".")
}

#[cfg(test)]
#[path = "bindings_tests.rs"]
mod tests;
