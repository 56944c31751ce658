//! HTTPS for the emulated server (rustls with the `ring` provider; certificates from rcgen).
//!
//! - [`certs`]: a CA generated per server start and a certificate for the profile's hosts (or
//!   the customer's own PEM files), with the trust-failure switches.
//! - [`bindings`]: `tls-server-end-point` channel bindings (RFC 5929) as NTLMv2 carries them.
//! - [`ServerTls`]: what one server start needs: the rustls acceptor, the CA file clients are
//!   given (in a temporary folder removed when the server stops), and the channel-binding
//!   value every TLS connection of this server has.
//!
//! The private key lives in memory only: nothing writes it to disk or prints it.

pub mod bindings;
pub mod certs;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::profile::{TlsSettings, TrustFailure};

/// Failed handshakes remembered per server (the oldest are dropped).
const MAX_HANDSHAKE_FAILURES: usize = 100;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate could not be made or read.
    #[error(transparent)]
    Certificate(#[from] certs::CertError),
    /// rustls refused the certificate or key.
    #[error("rustls refused the certificate or key: {0}")]
    Rustls(#[from] rustls::Error),
    /// The temporary folder for the CA file.
    #[error("cannot write the CA file: {0}")]
    Io(#[from] std::io::Error),
}

/// One server's TLS: acceptor, CA file and channel bindings. Dropping the last handle removes
/// the temporary folder.
pub struct ServerTls {
    acceptor: TlsAcceptor,
    ca_pem: String,
    ca_file: PathBuf,
    channel_bindings: Result<[u8; 16], bindings::BindingError>,
    trust_failure: Option<TrustFailure>,
    handshake_failures: Mutex<VecDeque<String>>,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("ca_file", &self.ca_file)
            .field("trust_failure", &self.trust_failure)
            .finish_non_exhaustive()
    }
}

impl ServerTls {
    /// Issues (or loads) the certificate and prepares the acceptor; `now` is wall-clock Unix
    /// seconds.
    ///
    /// # Errors
    /// [`TlsError`] when the certificate cannot be made or read, or rustls refuses it.
    pub fn new(settings: &TlsSettings, now: i64) -> Result<Arc<ServerTls>, TlsError> {
        let issued = certs::issue(settings, now)?;
        let channel_bindings = bindings::expected_av_value(&issued.chain[0]);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(issued.chain.clone(), issued.key)?;
        // HTTP/1.1 only: NTLM belongs to one connection, as on IIS without HTTP/2.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let dir = tempfile::Builder::new().prefix("ado-mock-tls-").tempdir()?;
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &issued.ca_pem)?;
        let server_pem: String = issued.chain.iter().map(|c| pem("CERTIFICATE", c)).collect();
        std::fs::write(dir.path().join("server.pem"), server_pem)?;
        Ok(Arc::new(ServerTls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_pem: issued.ca_pem,
            ca_file,
            channel_bindings,
            trust_failure: settings.trust_failure,
            handshake_failures: Mutex::default(),
            _dir: dir,
        }))
    }

    /// The CA certificate(s) clients should trust, PEM (the file at [`ServerTls::ca_file`]).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA file (PEM), inside a temporary folder removed when the server stops.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The MsvAvChannelBindings value of this server's TLS connections, or why the certificate
    /// has none.
    pub fn channel_bindings(&self) -> Result<[u8; 16], &bindings::BindingError> {
        self.channel_bindings.as_ref().copied()
    }

    /// The deliberate certificate fault, if any.
    pub fn trust_failure(&self) -> Option<TrustFailure> {
        self.trust_failure
    }

    /// The acceptor for new connections.
    pub(crate) fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }

    /// Remembers a failed handshake (e.g. "received fatal alert: UnknownCA").
    pub(crate) fn record_handshake_failure(&self, what: String) {
        let mut failures = self.handshake_failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() == MAX_HANDSHAKE_FAILURES {
            failures.pop_front();
        }
        failures.push_back(what);
    }

    /// Handshakes that failed, oldest first (a client refusing the certificate shows here).
    pub fn handshake_failures(&self) -> Vec<String> {
        self.handshake_failures.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }
}

/// The TLS facts a connection's requests carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionTls {
    /// What MsvAvChannelBindings must hold on this connection; `None` when the certificate
    /// has no defined binding.
    pub channel_bindings: Option<[u8; 16]>,
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
