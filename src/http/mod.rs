//! The web layer: routes by audience, the shared application state, and the middleware every
//! response passes through. Handlers decide nothing themselves: they decode (checking fields
//! with [`crate::domain`]'s rules), call one use case ([`crate::usecase`]), and render.

mod access;
mod admin;
pub mod admission;
mod api_cases;
pub mod auth;
mod board;
mod body_first;
pub mod bucket;
pub mod case_input;
mod client_limit;
mod console;
mod deadline_view;
pub mod decode;
mod enrol;
pub mod error;
mod followup;
pub mod intake;
mod invisible;
mod lang;
mod lookup_budget;
pub mod openapi;
mod pages;
mod pow;
pub mod probes;
pub mod route_table;
mod security_headers;
mod signin;
pub mod source;
pub mod staff_views;
mod verify;
pub mod views;

use std::ops::Deref;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use chrono::NaiveDate;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;

pub use decode::MAX_BODY_BYTES;
pub use route_table::{Route, Routes};
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
    /// Failed receipt look-ups allowed, for the whole service.
    pub failed_lookups: lookup_budget::FailureBudget,
    /// Budgets per audience, per-client limits and the intake's puzzles.
    pub admission: admission::Admission,
    /// The latest answer of the readiness probe.
    pub readiness: probes::Readiness,
}

impl App {
    /// The application over `store`, configured by `config`. Fails only if the system has no
    /// randomness for the in-memory keys of the flood limits.
    pub fn new(
        config: Config,
        store: Store,
        clock: Clock,
    ) -> Result<Self, crate::crypto::CryptoError> {
        let admission = admission::Admission::new(&config.limits)?;
        Ok(Self {
            config,
            store,
            clock,
            // 30 wrong receipts at once, then one every two seconds.
            failed_lookups: lookup_budget::FailureBudget::new(30, 0.5),
            admission,
            readiness: probes::Readiness::default(),
        })
    }

    /// What the use cases work with.
    pub fn ctx(&self) -> crate::usecase::Ctx<'_> {
        crate::usecase::Ctx {
            store: &self.store,
            config: &self.config,
            clock: &self.clock,
        }
    }

    /// Today's date in the association's time zone.
    pub fn today(&self) -> NaiveDate {
        self.clock.today_in(self.config.association.time_zone)
    }

    /// Now, in Unix seconds (for staff sessions and throttling only).
    pub fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// The association details every page shows.
    pub fn site(&self) -> views::Site {
        views::Site::from_config(&self.config)
    }

    /// An absolute link to `path`, for what is stored or sent (enrolment links, notices): under
    /// the configured public address, or else the loopback address the service listens on.
    /// Never the host a request names, which its sender chose (start-up requires
    /// `public_url` whenever people reach the service from elsewhere).
    pub fn link(&self, path: &str) -> String {
        if let Some(base) = &self.config.server.public_url {
            return format!("{base}{path}");
        }
        let scheme = if self.config.clients_use_tls() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}{path}", self.config.server.listen)
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

/// Every route the service answers, with its table ([`route_table`]). Routes are declared
/// only with [`route_table::routes!`], here and in each audience's module, never with
/// `Router::route`, so that the table is complete.
pub fn routes() -> Routes {
    route_table::routes! {
        "/" => get(intake::page),
        "/concerns" => post(intake::submit_form),
        "/receipt" => get(intake::receipt).post(intake::hide_receipt),
        "/api/v1/concerns" => post(intake::submit_json),
        "/verify" => get(verify::page).post(verify::check_form),
        "/api/v1/certificates/verify" => post(verify::check_json),
        "/static/style.css" => get(pages::stylesheet),
        "/static/pow.js" => get(intake::script),
        probes::HEALTH => get(probes::health),
        probes::READY => get(probes::ready),
        source::PATH => get(source::page),
    }
    .merge(signin::routes())
    .merge(enrol::routes())
    .merge(console::routes())
    .merge(api_cases::routes())
    .merge(admin::routes())
    .merge(access::routes())
    .merge(board::routes())
    .merge(followup::routes())
    .merge(openapi::routes())
}

/// The complete router, used by `ombuds serve`.
pub fn build_router(state: AppState) -> Router {
    let timeout = state.config.server.request_timeout;
    routes()
        .into_router()
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            admission::admit,
        ))
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
