//! [`MockServer`]: the emulated server and its control plane, in-process, on loopback ports.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::ServeError;
use crate::http::{self, AppState, Clock, Limits, system_clock};
use crate::journal::{DEFAULT_CAPACITY, Journal, JournalEntry};
use crate::profile::Profile;
use crate::tls::ServerTls;

/// Where and how to start a server.
pub struct Options {
    /// The emulated server's address (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The control plane's address; `None` starts no control plane (the journal is then read
    /// in-process only, out of reach of anything on the network: the conformance runner's
    /// cases do this so a client cannot wipe the evidence against it).
    pub control: Option<SocketAddr>,
    /// Journal capacity.
    pub journal_capacity: usize,
    /// The clock (Unix seconds).
    pub clock: Clock,
    /// Resource limits.
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            listen: loopback,
            control: Some(loopback),
            journal_capacity: DEFAULT_CAPACITY,
            clock: system_clock(),
            limits: Limits::default(),
        }
    }
}

/// A running mock server. Dropping it shuts it down.
pub struct MockServer {
    addr: SocketAddr,
    control_addr: Option<SocketAddr>,
    state: AppState,
    tls: Option<Arc<ServerTls>>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server for `profile` on free loopback ports.
    ///
    /// # Errors
    /// [`ServeError`] when a port cannot be bound.
    pub async fn start(profile: Profile) -> Result<MockServer, ServeError> {
        Self::start_with(profile, Options::default()).await
    }

    /// Starts a server with explicit options. With `[tls] enabled`, the certificate is issued
    /// now (valid by the wall clock, whatever `options.clock` says).
    ///
    /// # Errors
    /// [`ServeError`] when an address cannot be bound or the certificate cannot be made.
    pub async fn start_with(profile: Profile, options: Options) -> Result<MockServer, ServeError> {
        let listener = bind("emulated server", options.listen).await?;
        Self::start_on(profile, listener, options).await
    }

    /// Starts a server on a listener bound elsewhere (`options.listen` is ignored), e.g. one
    /// created inside another network namespace and passed over a Unix socket, as the
    /// conformance runner's `--sandbox` does.
    ///
    /// # Errors
    /// [`ServeError`] when the control plane's address cannot be bound or the certificate
    /// cannot be made.
    pub async fn start_on(profile: Profile, listener: TcpListener, options: Options) -> Result<MockServer, ServeError> {
        let tls = match profile.tls.enabled {
            true => Some(ServerTls::new(&profile.tls, wall_clock()).map_err(|e| ServeError::Tls(e.to_string()))?),
            false => None,
        };
        if let Some(Err(why)) = tls.as_deref().map(ServerTls::channel_bindings)
            && profile.iis.extended_protection != crate::profile::ExtendedProtection::None
        {
            return Err(ServeError::Tls(format!("Extended Protection needs channel bindings: {why}")));
        }
        let control = match options.control {
            Some(addr) => Some(bind("control plane", addr).await?),
            None => None,
        };
        let addr = listener.local_addr().map_err(ServeError::LocalAddr)?;
        let control_addr = control.as_ref().map(TcpListener::local_addr).transpose().map_err(ServeError::LocalAddr)?;
        let scheme = scheme(tls.is_some());
        let realm = profile.public_url.clone().unwrap_or_else(|| app_url(scheme, addr, &profile.virtual_directory));
        let journal = Journal::new(options.journal_capacity);
        let state = AppState::with_limits(profile, realm, journal, options.clock, options.limits);
        let (tx, rx) = oneshot::channel::<()>();
        let control_router = control_addr.map(|bound| crate::control::router(state.clone(), bound));
        if let Some(bound) = control_addr.filter(|a| !a.ip().is_loopback()) {
            tracing::warn!(
                "the control plane listens on {bound}, not on loopback: whoever reaches it and learns its token can \
                 read and wipe the journal"
            );
        }
        let control_limits = state.limits().clone();
        let server_state = state.clone();
        let server_tls = tls.clone();
        let task = tokio::spawn(async move {
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let mut control_stop = stop_rx.clone();
            let control_task = tokio::spawn(async move {
                let (Some(control), Some(router)) = (control, control_router) else { return };
                // The same accept loop and limits as the emulated server.
                http::run_plain(control, router, control_limits, async move {
                    let _ = control_stop.changed().await;
                })
                .await;
            });
            http::run(listener, server_state, server_tls, async move {
                let _ = rx.await;
                let _ = stop_tx.send(true);
            })
            .await;
            let _ = control_task.await;
            drop(stop_rx);
        });
        Ok(MockServer { addr, control_addr, state, tls, shutdown: Some(tx), task: Some(task) })
    }

    /// The emulated server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` of the emulated server, or `https://ADDR` with TLS.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme(), self.addr)
    }

    /// `https` with TLS, else `http`. (With TLS the port also answers plain http.)
    pub fn scheme(&self) -> &'static str {
        scheme(self.tls.is_some())
    }

    /// The application URL (`http[s]://ADDR/tfs`), i.e. the server (deployment) URL.
    pub fn server_url(&self) -> String {
        app_url(self.scheme(), self.addr, &self.state.profile().virtual_directory)
    }

    /// The server's TLS (CA file and PEM, channel bindings, failed handshakes), if enabled.
    pub fn tls(&self) -> Option<&ServerTls> {
        self.tls.as_deref()
    }

    /// The CA file (PEM) a client must trust, if TLS is enabled. It lives in a temporary
    /// folder that is removed when the server stops.
    pub fn ca_file(&self) -> Option<&Path> {
        self.tls.as_deref().map(ServerTls::ca_file)
    }

    /// The CA certificate(s), PEM, if TLS is enabled.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_deref().map(ServerTls::ca_pem)
    }

    /// A collection's URL, e.g. `http://ADDR/tfs/DefaultCollection`.
    pub fn collection_url(&self, collection: &str) -> String {
        format!("{}/{collection}", self.server_url())
    }

    /// The control plane's address, if one was started.
    pub fn control_addr(&self) -> Option<SocketAddr> {
        self.control_addr
    }

    /// `http://ADDR` of the control plane, if one was started.
    pub fn control_url(&self) -> Option<String> {
        self.control_addr.map(|a| format!("http://{a}"))
    }

    /// The control plane's token, sent as `Authorization: Bearer <token>`; new at every start.
    /// A secret: the standalone server prints it once, and the journal redacts it.
    pub fn control_token(&self) -> &crate::secret::Secret {
        self.state.control_token()
    }

    /// The shared state (profile, journal, lockouts).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The journal's entries, oldest first.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state.journal().entries()
    }

    /// Stops accepting, lets open connections finish (bounded) and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn app_url(scheme: &str, addr: SocketAddr, vdir: &str) -> String {
    if vdir.is_empty() { format!("{scheme}://{addr}") } else { format!("{scheme}://{addr}/{vdir}") }
}

fn scheme(tls: bool) -> &'static str {
    if tls { "https" } else { "http" }
}

fn wall_clock() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

async fn bind(what: &'static str, addr: SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { what, addr: addr.to_string(), source })
}
