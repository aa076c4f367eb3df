//! The optional plain-HTTP listener (`server.redirect_http_listen`) that only sends people to
//! HTTPS: every request, whatever its method or path, gets `308 Permanent Redirect` to the same
//! path and query on the HTTPS address, with an empty body.
//!
//! It serves no page, sets no cookie, reads no body and logs nothing per request; it reads only
//! the `Host` header (when `server.public_url` is not set) and the request target.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_server::Handle;

/// Where redirects point.
#[derive(Debug, Clone)]
pub struct Target {
    /// The configured public address (`server.public_url`, no trailing slash), if any.
    pub public_url: Option<String>,
    /// The port the HTTPS listener is on, used with the request's host otherwise.
    pub https_port: u16,
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

async fn redirect(State(target): State<Arc<Target>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|p| p.starts_with('/'))
        .unwrap_or("/");
    let base = match &target.public_url {
        Some(url) if url.starts_with("https://") => url.clone(),
        _ => match headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .and_then(host_name)
        {
            Some(host) if target.https_port == 443 => format!("https://{host}"),
            Some(host) => format!("https://{host}:{}", target.https_port),
            None => return empty(StatusCode::BAD_REQUEST, None),
        },
    };
    match HeaderValue::try_from(format!("{base}{path}")) {
        Ok(location) => empty(StatusCode::PERMANENT_REDIRECT, Some(location)),
        Err(_) => empty(StatusCode::BAD_REQUEST, None),
    }
}

/// The host part of a `Host` header, without its port, if it is a plain DNS name, IPv4
/// address or bracketed IPv6 address.
fn host_name(host: &str) -> Option<&str> {
    let name = if host.starts_with('[') {
        let end = host.find(']')?;
        let inner = host.get(1..end)?;
        let ok = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        ok.then(|| host.get(..=end))??
    } else {
        let name = host.split(':').next()?;
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        ok.then_some(name)?
    };
    Some(name)
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

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn host_names_are_checked() {
        assert_eq!(host_name("ombuds.example.org"), Some("ombuds.example.org"));
        assert_eq!(host_name("localhost:8080"), Some("localhost"));
        assert_eq!(host_name("[::1]:80"), Some("[::1]"));
        assert_eq!(host_name("evil.example/x"), None);
        assert_eq!(host_name(""), None);
        assert_eq!(host_name("[]"), None);
        assert_eq!(host_name("a b"), None);
    }
}
