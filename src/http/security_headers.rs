//! Security headers on every response, whatever produced it.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// No scripts at all; styles and images only from this site; forms post only here; no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The same, allowing scripts from this site only: for the intake page when proof of work is
/// on, which loads `/static/pow.js` (no inline script, no `eval`).
pub const CONTENT_SECURITY_POLICY_OWN_SCRIPT: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// Put on a response whose page loads this site's own script.
#[derive(Clone, Copy, Debug)]
pub struct OwnScript;

/// Adds the security headers, and `Cache-Control: no-store` unless the handler chose otherwise
/// (pages may carry a receipt or a concern, which must not linger in caches).
pub async fn apply(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let policy = if response.extensions().get::<OwnScript>().is_some() {
        CONTENT_SECURITY_POLICY_OWN_SCRIPT
    } else {
        CONTENT_SECURITY_POLICY
    };
    let headers = response.headers_mut();
    set(headers, header::CONTENT_SECURITY_POLICY, policy);
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    if app.config.clients_use_tls() {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers.insert(name, HeaderValue::from_static(value));
}
