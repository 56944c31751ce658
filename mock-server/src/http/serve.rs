//! The accept loop: one hyper HTTP/1.1 connection per TCP connection, each with its own
//! Windows authentication slot (NTLM is bound to the connection, never to the client address).
//!
//! With TLS, one port speaks both: the first byte of a connection tells a TLS ClientHello
//! (a handshake record, 0x16) from a plain HTTP request line (a letter). Plain requests are
//! then served as an http binding of the same site would serve them, or redirected to https
//! when the profile is `ssl-only` (the decision does that; it sees `ConnectionFacts::tls`).
//! One address serves both so that a redirect keeps the host and port the client dialled.
//!
//! The control plane is served by the same loop (same limits), without TLS, slots or journal.
//!
//! # Implementation notes
//! Each connection's stream is wrapped twice: [`Watched`] remembers the start of the request
//! head being read (so a header timeout mid-head and a 431 can be journaled with their request
//! line, while an idle keep-alive timeout is not a request), and `tokio-io-timeout` closes a
//! connection whose writes make no progress for `write_timeout` (a client that sends and never
//! reads would otherwise hold its connection, and its slot, for ever).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_io_timeout::TimeoutStream;
use tower::util::Either;

use super::app::router;
use super::limit_rows::{self, Refused};
use super::limits::{Limits, connection_capacity, open_file_limit};
use super::state::{AppState, ConnSlot};
use crate::auth::Reason;
use crate::tls::{ConnectionTls, ServerTls};

/// How long open connections get to finish after shutdown starts.
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The first byte of a TLS handshake record (RFC 8446 5.1, ContentType handshake).
const TLS_HANDSHAKE: u8 = 0x16;

/// Bytes of a request head kept to name the request in a limit's journal row.
const HEAD_KEPT: usize = 512;

/// Serves the emulated server on `listener` until `shutdown` resolves, then closes every
/// connection gracefully. With `tls`, connections that open with a TLS handshake are served
/// over TLS, the others as plain http.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    tls: Option<Arc<ServerTls>>,
    shutdown: impl Future<Output = ()>,
) {
    let app = router(state.clone());
    let limits = state.limits().clone();
    accept_loop(listener, app, limits, Some(state), tls, shutdown).await;
}

/// Serves `app` (the control plane) on `listener` with `limits` until `shutdown` resolves.
pub async fn run_plain(listener: TcpListener, app: axum::Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    accept_loop(listener, app, limits, None, None, shutdown).await;
}

async fn accept_loop(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    state: Option<AppState>,
    tls: Option<Arc<ServerTls>>,
    shutdown: impl Future<Output = ()>,
) {
    // One descriptor a connection: never accept more than the open-file limit allows.
    let capacity = connection_capacity(limits.max_connections, open_file_limit());
    let permits = Arc::new(Semaphore::new(capacity));
    let (closing_tx, closing_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Past the connection limit, new clients wait in the listen backlog.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => permit,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and similar: back off instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            slot: state.as_ref().map(AppState::new_connection),
            state: state.clone(),
            app: app.clone(),
            limits: limits.clone(),
            closing: closing_rx.clone(),
        };
        let tls = tls.clone();
        connections.spawn(async move {
            let _permit = permit;
            match tls {
                None => connection.serve(stream).await,
                Some(tls) => serve_sniffed(connection, stream, peer, &tls).await,
            }
        });
    }
    let _ = closing_tx.send(true);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while connections.join_next().await.is_some() {} }).await;
    connections.abort_all();
}

/// One accepted connection, before its protocol is known.
struct Connection {
    /// The Windows slot (emulated server only).
    slot: Option<ConnSlot>,
    /// Where limit rows are journaled (emulated server only).
    state: Option<AppState>,
    app: axum::Router,
    limits: Limits,
    closing: watch::Receiver<bool>,
}

impl Connection {
    /// Serves HTTP/1.1 on `io` until the client closes, stops reading (write timeout) or the
    /// server shuts down.
    async fn serve<S>(mut self, io: S)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let watched = Watched::new(io);
        let head = Arc::clone(&watched.head);
        let mut timed = TimeoutStream::new(watched);
        timed.set_write_timeout(Some(self.limits.write_timeout));
        let io = TokioIo::new(Box::pin(timed));
        let tls = self.slot.as_ref().is_some_and(|s| s.tls.is_some());
        let id = self.slot.as_ref().map_or(0, |s| s.id);
        // The emulated server answers through `Emulated`, with no router in front (its own
        // decision and REST table route); the control plane is an axum router.
        let service = match (&self.state, self.slot) {
            (Some(state), Some(slot)) => Either::Left(Emulated(Arc::new((state.clone(), slot)))),
            _ => Either::Right(self.app),
        };
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_read_timeout)
            .max_header_size(self.limits.max_header_bytes)
            .max_headers(self.limits.max_headers)
            .keep_alive(true)
            .serve_connection(io, TowerToHyperService::new(service));
        let mut connection = std::pin::pin!(connection);
        let ended = tokio::select! {
            ended = connection.as_mut() => ended,
            _ = self.closing.changed() => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let (Err(error), Some(state)) = (ended, &self.state) {
            let head = head.lock().unwrap_or_else(PoisonError::into_inner);
            let refused = || Refused::from_head(id, tls, &head.start);
            if error.is_parse_too_large() {
                limit_rows::record(state, refused(), Reason::LimitHeadersTooLarge, 431);
            } else if error.is_timeout() && head.in_head {
                limit_rows::record(state, refused(), Reason::LimitHeaderTimeout, 408);
            }
        }
    }
}

/// The emulated server as a hyper service on one connection: every request goes to
/// [`super::app::answer`] with the connection's slot.
#[derive(Clone)]
struct Emulated(Arc<(AppState, ConnSlot)>);

impl tower::Service<axum::http::Request<hyper::body::Incoming>> for Emulated {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<hyper::body::Incoming>) -> Self::Future {
        let shared = Arc::clone(&self.0);
        Box::pin(async move {
            let (state, slot) = &*shared;
            Ok(super::app::answer(state, slot.clone(), request.map(axum::body::Body::new)).await)
        })
    }
}

/// What [`Watched`] saw of the request head being read.
#[derive(Debug, Default)]
struct Head {
    /// Bytes arrived since the last answer was written: a request is on its way (an idle
    /// keep-alive connection has none).
    in_head: bool,
    /// The first bytes of the latest request head.
    start: Vec<u8>,
}

/// A stream that remembers the start of each request head (see the module notes).
struct Watched<S> {
    inner: S,
    head: Arc<Mutex<Head>>,
}

impl<S> Watched<S> {
    fn new(inner: S) -> Self {
        Self { inner, head: Arc::default() }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let arrived = &buf.filled()[before..];
        if !arrived.is_empty() {
            let mut head = self.head.lock().unwrap_or_else(PoisonError::into_inner);
            if !head.in_head {
                head.in_head = true;
                head.start.clear();
            }
            let room = HEAD_KEPT.saturating_sub(head.start.len());
            head.start.extend_from_slice(&arrived[..arrived.len().min(room)]);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(1..))) {
            self.head.lock().unwrap_or_else(PoisonError::into_inner).in_head = false;
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(1..))) {
            self.head.lock().unwrap_or_else(PoisonError::into_inner).in_head = false;
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Peeks at the first byte: a TLS handshake gets TLS, anything else plain http.
async fn serve_sniffed(mut connection: Connection, stream: TcpStream, peer: std::net::SocketAddr, tls: &ServerTls) {
    let mut first = [0u8; 1];
    let wait = connection.limits.header_read_timeout;
    match tokio::time::timeout(wait, stream.peek(&mut first)).await {
        Ok(Ok(1..)) => {}
        // Closed, failed or silent: nothing to serve.
        _ => return,
    }
    if first[0] != TLS_HANDSHAKE {
        return connection.serve(stream).await;
    }
    match tokio::time::timeout(wait, tls.acceptor().accept(stream)).await {
        Ok(Ok(stream)) => {
            let facts = ConnectionTls { channel_bindings: tls.channel_bindings().ok() };
            connection.slot = connection.slot.map(|slot| slot.with_tls(facts));
            connection.serve(stream).await;
        }
        Ok(Err(error)) => {
            // The usual cause is a client refusing the certificate (an alert such as UnknownCA).
            tracing::info!(target: "ado_mock_server::tls", %peer, "TLS handshake failed: {error}");
            tls.record_handshake_failure(error.to_string());
        }
        Err(_) => tls.record_handshake_failure("the client did not finish the TLS handshake in time".to_owned()),
    }
}
