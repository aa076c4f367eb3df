//! The OpenAPI 3.1 document of the JSON API, `docs/openapi.json`, embedded at compile time and
//! served at `GET /api/v1/openapi.json`.
//!
//! This module only serves the file; it must not build or change it at run time. The document
//! is kept by hand beside the code, and `tests/it/openapi.rs` fails when it and the route table
//! ([`super::route_table`]) disagree about any `/api/v1` path or method, or when one of its
//! `enum`s differs from the codes of the domain.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::route_table::{Routes, routes};

/// The document, as kept in `docs/openapi.json`.
pub const DOCUMENT: &str = include_str!("../../docs/openapi.json");

/// The route that serves the document.
pub fn routes() -> Routes {
    routes! {
        "/api/v1/openapi.json" => get(document),
    }
}

async fn document() -> Response {
    let mut response = DOCUMENT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
