//! `/source`: the program's licence, and where its source code is offered. Every page's footer
//! links here unless `server.source_url` names a page of the operator's own (the GNU Affero
//! General Public License asks a network service to offer its users the source of the version
//! it runs). Plain text: the notice in the reader's language, then the licence itself.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::i18n::Lang;

/// Where the page is served.
pub const PATH: &str = crate::config::server::SOURCE_PAGE;

/// The licence the program is distributed under, as shipped in the repository.
pub const LICENSE: &str = include_str!("../../LICENSE");

/// The notice and the licence, as text.
pub async fn page(lang: Lang) -> Response {
    let notice = lang.f(
        "source.notice",
        &[
            ("name", &env!("CARGO_PKG_NAME")),
            ("version", &env!("CARGO_PKG_VERSION")),
        ],
    );
    let mut response = format!("{notice}\n\n{LICENSE}").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
