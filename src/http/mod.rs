//! The web layer: routes by audience, the shared application state, and the middleware every
//! response passes through. Handlers decide nothing themselves: they decode, ask
//! [`crate::domain`], and call [`crate::store`].

mod decode;
pub mod error;
mod intake;
mod pages;
mod security_headers;
mod verify;
pub mod views;

use std::ops::Deref;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use chrono::NaiveDate;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;

pub use decode::MAX_BODY_BYTES;
pub use security_headers::CONTENT_SECURITY_POLICY;

/// Everything a handler may use.
#[derive(Debug)]
pub struct App {
    /// The checked configuration.
    pub config: Config,
    /// Storage, with encryption at its boundary.
    pub store: Store,
    /// The source of "now".
    pub clock: Clock,
}

impl App {
    /// Today's date in the association's time zone.
    pub fn today(&self) -> NaiveDate {
        self.clock.today_in(self.config.association.time_zone)
    }
}

/// The shared state handed to every handler.
#[derive(Clone, Debug)]
pub struct AppState(Arc<App>);

impl AppState {
    /// Wraps the application for sharing between handlers.
    pub fn new(app: App) -> Self {
        Self(Arc::new(app))
    }
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// The complete router, used by `ombuds serve` and by the tests alike.
pub fn build_router(state: AppState) -> Router {
    let timeout = state.config.server.request_timeout;
    Router::new()
        .route("/", get(intake::page))
        .route("/concerns", post(intake::submit_form))
        .route("/api/v1/concerns", post(intake::submit_json))
        .route("/verify", get(verify::page).post(verify::check_form))
        .route("/api/v1/certificates/verify", post(verify::check_json))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/healthz", get(pages::health))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::render_error_pages,
        ))
        .layer(RequestBodyTimeoutLayer::new(timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers::apply,
        ))
        .with_state(state)
}
