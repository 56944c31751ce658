//! The accept loop: one hyper HTTP/1.1 connection per TCP connection, each with its own
//! Windows authentication slot (NTLM is bound to the connection, never to the client address).
//!
//! With TLS, one port speaks both: the first byte of a connection tells a TLS ClientHello
//! (a handshake record, 0x16) from a plain HTTP request line (a letter). Plain requests are
//! then served as an http binding of the same site would serve them, or redirected to https
//! when the profile is `ssl-only` (the decision does that; it sees `ConnectionFacts::tls`).
//! One address serves both so that a redirect keeps the host and port the client dialled.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceBuilder;

use super::app::router;
use super::limits::Limits;
use super::state::{AppState, ConnSlot};
use crate::tls::{ConnectionTls, ServerTls};

/// How long open connections get to finish after shutdown starts.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The first byte of a TLS handshake record (RFC 8446 5.1, ContentType handshake).
const TLS_HANDSHAKE: u8 = 0x16;

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
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
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
            slot: state.new_connection(),
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
    slot: ConnSlot,
    app: axum::Router,
    limits: Limits,
    closing: watch::Receiver<bool>,
}

impl Connection {
    /// Serves HTTP/1.1 on `io` until the client closes or the server shuts down.
    async fn serve<S>(mut self, io: S)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let service = ServiceBuilder::new().layer(axum::Extension(self.slot)).service(self.app);
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_read_timeout)
            .max_header_size(self.limits.max_header_bytes)
            .max_headers(self.limits.max_headers)
            .keep_alive(true)
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        let mut connection = std::pin::pin!(connection);
        tokio::select! {
            _ = connection.as_mut() => {}
            _ = self.closing.changed() => {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        }
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
            connection.slot = connection.slot.with_tls(facts);
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
