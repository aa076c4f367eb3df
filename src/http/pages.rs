//! Site-wide page plumbing: the error-page renderer, the not-found fallback, the stylesheet and
//! the health check.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::{ApiError, ErrorPageContent, PageError, Problem};
use super::views::{ErrorPage, Site};
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;

const STYLESHEET: &str = include_str!("../../templates/static/style.css");

/// Draws the HTML page for any [`PageError`], and for bare error statuses that the router
/// produces itself (such as 405) outside the JSON API.
pub async fn render_error_pages(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let lang = Lang::from_query(request.uri().query());
    let mut response = next.run(request).await;
    let content = match response.extensions_mut().remove::<ErrorPageContent>() {
        Some(content) => content,
        None if api => return response,
        None if response.status() == StatusCode::METHOD_NOT_ALLOWED => ErrorPageContent {
            heading: Phrase::new("error.heading.forbidden"),
            message: Phrase::new("error.method_not_allowed"),
            reference: None,
        },
        None => return response,
    };
    let status = response.status();
    let page = ErrorPage {
        site: Site {
            lang,
            ..Site::from_config(&app.config)
        },
        heading: lang.say(&content.heading),
        message: lang.say(&content.message),
        reference: content.reference,
    };
    let mut rendered = page.into_response();
    *rendered.status_mut() = status;
    for name in [header::ALLOW, header::RETRY_AFTER, header::SET_COOKIE] {
        if let Some(value) = response.headers().get(&name) {
            rendered.headers_mut().insert(name, value.clone());
        }
    }
    rendered
}

/// Answers addresses that match no route.
pub async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        ApiError(Problem::NotFound).into_response()
    } else {
        PageError(Problem::NotFound).into_response()
    }
}

/// The one stylesheet, cacheable for a day.
pub async fn stylesheet() -> Response {
    let mut response = Body::from(STYLESHEET).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}
