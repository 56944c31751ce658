//! [`MockServer`]: the emulated server and its control plane, in-process, on loopback ports.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::builder::MockServerBuilder;
use crate::credentials::Credentials;
use crate::error::ServeError;
use crate::http::{self, AppState, Clock, Limits, system_clock};
use crate::journal::{DEFAULT_CAPACITY, Journal};
use crate::profile::Profile;
use crate::recorded::Recorded;
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
    /// Soft mode ([`crate::soft`]): serve refused requests anyway and journal the refusal.
    pub soft: bool,
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
            soft: false,
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
    /// Starts a server on the built-in default profile (an Azure DevOps Server 2022 at
    /// `/tfs`, IIS Anonymous and Windows authentication on, the account `CONTOSO\joseph` with
    /// password `Passw0rd!` and a full-access PAT named `full`) on a free loopback port.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = ado_mock_server::MockServer::start().await;
    /// let pat = server.pat("full").expect("the default profile has a PAT named full");
    /// assert_eq!(pat.len(), 52);
    /// # }
    /// ```
    ///
    /// # Panics
    /// With the reason, when no loopback port can be bound (as `wiremock::MockServer::start`
    /// does); use [`MockServer::builder`] to get the error instead.
    pub async fn start() -> MockServer {
        match Self::builder().start().await {
            Ok(server) => server,
            Err(error) => panic!("ado-mock-server could not start: {error}"),
        }
    }

    /// A [`MockServerBuilder`] to choose the profile (a file, TOML text, or the built-in
    /// default), the release and the common IIS switches before starting.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::new()
    }

    #[doc(hidden)]
    /// Starts a server with explicit options. With `[tls] enabled`, the certificate is issued
    /// now (valid by the wall clock, whatever `options.clock` says).
    ///
    /// # Errors
    /// [`ServeError`] when an address cannot be bound or the certificate cannot be made.
    pub async fn start_with(profile: Profile, options: Options) -> Result<MockServer, ServeError> {
        let listener = bind("emulated server", options.listen).await?;
        Self::start_on(profile, listener, options).await
    }

    #[doc(hidden)]
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
        state.set_soft(options.soft);
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

    /// Builds the journal's secret finder now, on a background thread, instead of at the first
    /// request: with tens of thousands of identities it takes seconds (`ado-mock-server` does
    /// this at start).
    pub fn warm_secret_finder(&self) {
        self.state.redactor().warm();
    }

    /// The most connections served at once (further clients wait in the listen backlog).
    pub fn max_connections(&self) -> usize {
        self.state.limits().max_connections
    }

    /// Whether soft mode is on ([`MockServerBuilder::soft`]).
    pub fn is_soft(&self) -> bool {
        self.state.soft()
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

    #[doc(hidden)]
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

    #[doc(hidden)]
    /// The shared state (profile, journal, lockouts).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The journal: one row per answered request, oldest first, with its typed [`Reason`](crate::Reason),
    /// status, layer and explanation; secrets are already redacted.
    pub fn journal(&self) -> Recorded {
        Recorded::new(self.state.journal().entries())
    }

    /// Empties the journal (e.g. between two phases of a test).
    pub fn reset_journal(&self) {
        self.state.journal().clear();
    }

    /// The token of the profile's first PAT called `name` (profile order), e.g. `full` in the
    /// default profile; `None` if there is none.
    pub fn pat(&self, name: &str) -> Option<String> {
        self.credentials().pat(name).map(str::to_owned)
    }

    /// Every test credential of the profile: accounts with passwords, PATs, job tokens.
    pub fn credentials(&self) -> Credentials {
        Credentials::of(self.state.profile())
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
