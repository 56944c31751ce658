//! The server's certificate: issued at start-up by a CA generated for this server only (rcgen,
//! ECDSA P-256 with SHA-256), or the customer's own PEM files. The trust-failure switches make
//! a certificate a verifying client must refuse.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use crate::profile::{TlsSettings, TrustFailure};

/// The host name the `wrong-host` certificate is issued for.
pub const WRONG_HOST: &str = "not-this-server.invalid";

/// What the server presents and what a client is told to trust.
pub struct Issued {
    /// The CA certificate(s) a client should trust, PEM.
    pub ca_pem: String,
    /// The chain the server sends, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key. Never logged: rustls' `PrivateKeyDer` prints no key bytes.
    pub key: PrivateKeyDer<'static>,
}

/// Why the certificate could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// rcgen refused the parameters (e.g. a host name it cannot encode).
    #[error("cannot generate the certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// A customer's file could not be read or holds no usable PEM.
    #[error("{what} {path}: {detail}")]
    File {
        /// `certificate` or `key`.
        what: &'static str,
        /// The file.
        path: String,
        /// What was wrong.
        detail: String,
    },
}

/// Issues the certificate for `settings`, valid around `now` (wall-clock Unix seconds: the
/// client checks validity against its own clock, not the profile's).
///
/// # Errors
/// [`CertError`] when rcgen fails or a customer's file is unusable.
pub fn issue(settings: &TlsSettings, now: i64) -> Result<Issued, CertError> {
    if let (Some(cert), Some(key)) = (&settings.certificate, &settings.key) {
        return load_files(cert, key);
    }
    let now = OffsetDateTime::from_unix_timestamp(now).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let trusted = Authority::new("ado-mock-server test CA", now)?;
    // unknown-ca: the leaf comes from a second CA that the CA file does not hold.
    let untrusted;
    let signer = match settings.trust_failure {
        Some(TrustFailure::UnknownCa) => {
            untrusted = Authority::new("ado-mock-server untrusted CA", now)?;
            &untrusted
        }
        _ => &trusted,
    };
    let hosts = match settings.trust_failure {
        Some(TrustFailure::WrongHost) => vec![WRONG_HOST.to_owned()],
        _ => settings.hosts.clone(),
    };
    let (not_before, not_after) = match settings.trust_failure {
        Some(TrustFailure::Expired) => (now - Duration::days(30), now - Duration::days(1)),
        _ => (now - Duration::days(1), now + Duration::days(30)),
    };
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(hosts.clone())?;
    params.distinguished_name = name(&hosts[0]);
    params.not_before = not_before;
    params.not_after = not_after;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(random_serial());
    let leaf = params.signed_by(&key, &signer.issuer)?;
    Ok(Issued {
        ca_pem: trusted.pem,
        chain: vec![leaf.der().clone()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    })
}

/// A generated CA: its certificate (PEM) and what signs with it.
struct Authority {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Authority {
    fn new(common_name: &str, now: OffsetDateTime) -> Result<Self, rcgen::Error> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(365);
        params.serial_number = Some(random_serial());
        let pem = params.self_signed(&key)?.pem();
        Ok(Self { pem, issuer: Issuer::new(params, key) })
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "ado-mock-server");
    dn.push(DnType::CommonName, common_name);
    dn
}

/// A random positive 16-byte serial, so two servers' certificates never share one.
fn random_serial() -> rcgen::SerialNumber {
    let mut bytes: [u8; 16] = rand::random();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    rcgen::SerialNumber::from_slice(&bytes)
}

/// The customer's chain and key; the chain file also serves as the CA file clients are given.
fn load_files(cert: &Path, key: &Path) -> Result<Issued, CertError> {
    let file_err =
        |what, path: &Path, detail: String| CertError::File { what, path: path.display().to_string(), detail };
    let text = std::fs::read_to_string(cert).map_err(|e| file_err("certificate", cert, e.to_string()))?;
    let chain = CertificateDer::pem_slice_iter(text.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_err("certificate", cert, format!("not PEM certificates: {e:?}")))?;
    if chain.is_empty() {
        return Err(file_err("certificate", cert, "holds no `BEGIN CERTIFICATE` block".to_owned()));
    }
    let key_text = std::fs::read(key).map_err(|e| file_err("key", key, e.to_string()))?;
    // The parse error is not quoted: it could echo the key's bytes.
    let key = PrivateKeyDer::from_pem_slice(&key_text)
        .map_err(|_| file_err("key", key, "holds no PEM private key (PKCS#8, PKCS#1 or SEC1)".to_owned()))?;
    Ok(Issued { ca_pem: text, chain, key })
}
