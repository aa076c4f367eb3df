//! The cap on open connections, and the peer address handed to the per-client limits.
//!
//! [`Capped`] wraps the router's make-service: the server asks it for a service per accepted
//! connection, and it waits for one of `max_connections` permits before saying it is ready, so
//! that beyond the cap new connections wait in the operating system's listen queue, costing
//! this process nothing. The permit is held by the connection's service and every request
//! cloned from it, and returned when the connection and its last request are gone.
//!
//! The peer address is put on each request as a [`Peer`] extension for the per-client limits
//! and dropped with the request. This module never logs or keeps an address.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::Service;

/// The address of the TCP peer of a request (the proxy's, behind a proxy).
#[derive(Clone, Copy)]
pub struct Peer(pub IpAddr);

impl std::fmt::Debug for Peer {
    /// Never prints the address.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Peer(..)")
    }
}

type Acquire = Pin<Box<dyn Future<Output = Option<OwnedSemaphorePermit>> + Send>>;

/// Makes one [`Connection`] service per accepted connection, at most `max` at once.
pub struct Capped {
    router: Router,
    permits: Arc<Semaphore>,
    ready: Option<OwnedSemaphorePermit>,
    acquiring: Option<Acquire>,
}

impl Capped {
    /// Serves `router` on at most `max` connections at once.
    pub fn new(router: Router, max: usize) -> Self {
        Self {
            router,
            permits: Arc::new(Semaphore::new(max)),
            ready: None,
            acquiring: None,
        }
    }
}

impl Service<SocketAddr> for Capped {
    type Response = Connection;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Connection, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        if self.ready.is_some() {
            return Poll::Ready(Ok(()));
        }
        let permits = Arc::clone(&self.permits);
        let acquiring = self
            .acquiring
            .get_or_insert_with(|| Box::pin(async move { permits.acquire_owned().await.ok() }));
        match acquiring.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(permit) => {
                self.acquiring = None;
                // The semaphore is never closed, so a permit always comes; should it not,
                // the connection is served uncounted rather than refused.
                self.ready = permit;
                if self.ready.is_none() {
                    tracing::warn!("connection cap unavailable; serving uncounted");
                }
                Poll::Ready(Ok(()))
            }
        }
    }

    fn call(&mut self, peer: SocketAddr) -> Self::Future {
        std::future::ready(Ok(Connection {
            router: self.router.clone(),
            peer: peer.ip(),
            _permit: self.ready.take().map(Arc::new),
        }))
    }
}

/// The service of one connection: the router, the peer address, and the connection's permit.
#[derive(Clone)]
pub struct Connection {
    router: Router,
    peer: IpAddr,
    _permit: Option<Arc<OwnedSemaphorePermit>>,
}

impl Service<Request<hyper::body::Incoming>> for Connection {
    type Response = Response;
    type Error = Infallible;
    type Future = <Router as Service<Request>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        <Router as Service<Request>>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, request: Request<hyper::body::Incoming>) -> Self::Future {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(Peer(self.peer));
        self.router.call(request)
    }
}
