//! The optional plain-HTTP listener (`server.redirect_http_listen`) that only sends people to
//! HTTPS: every request, whatever its method or path, gets `308 Permanent Redirect` to the same
//! path and query on the HTTPS address, with an empty body.
//!
//! It serves no page, sets no cookie, reads no body and logs nothing per request; it reads only
//! the request target. Redirects go to `server.public_url`, which the configuration requires
//! with this listener: never to the host a request names, which anyone can write.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_server::Handle;

/// Where redirects point.
#[derive(Debug, Clone)]
pub struct Target {
    /// The configured public address (`server.public_url`, `https://…`, no trailing slash).
    pub public_url: String,
}

/// Binds `address` and serves redirects there until `handle` shuts down; returns the bound
/// address and the serving task (which logs why, if it stops early).
pub fn start(
    address: SocketAddr,
    target: Target,
    handle: Handle<SocketAddr>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(address)?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(e) = serve(listener, target, handle).await {
            tracing::error!("the HTTP-to-HTTPS redirect listener on {bound} stopped: {e}");
        }
    });
    Ok((bound, task))
}

/// Serves redirects on `listener` until `handle` shuts down.
async fn serve(
    listener: TcpListener,
    target: Target,
    handle: Handle<SocketAddr>,
) -> std::io::Result<()> {
    let router = Router::new()
        .fallback(redirect)
        .with_state(Arc::new(target));
    let mut server = axum_server::from_tcp(listener)?.handle(handle);
    server
        .http_builder()
        .http1()
        .max_buf_size(16 * 1024)
        .header_read_timeout(std::time::Duration::from_secs(10))
        .timer(hyper_util::rt::TokioTimer::new());
    server.serve(router.into_make_service()).await
}

async fn redirect(State(target): State<Arc<Target>>, uri: Uri) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|p| p.starts_with('/'))
        .unwrap_or("/");
    match HeaderValue::try_from(format!("{}{path}", target.public_url)) {
        Ok(location) => empty(StatusCode::PERMANENT_REDIRECT, Some(location)),
        Err(_) => empty(StatusCode::BAD_REQUEST, None),
    }
}

fn empty(status: StatusCode, location: Option<HeaderValue>) -> Response {
    let mut response = (status, ()).into_response();
    if let Some(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
