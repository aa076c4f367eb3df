//! The probes a load balancer or service manager asks: `/healthz` (the process answers
//! requests) and `/readyz` (both databases answer too).
//!
//! Neither spends any audience's budget ([`super::admission`] lets them through first), so a
//! flood of public pages cannot make a healthy server look dead and get it taken out of
//! rotation. `/healthz` touches nothing. `/readyz` asks the databases at most once a second,
//! however many probes arrive: callers arriving while one check runs wait for its answer, and
//! callers within a second of it get that answer again. So probes cannot be turned into a flood
//! on the database either. Neither logs anything.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// The liveness probe.
pub const HEALTH: &str = "/healthz";
/// The readiness probe.
pub const READY: &str = "/readyz";

/// How long a readiness answer is reused.
const FRESH: Duration = Duration::from_secs(1);
/// How long the databases may take to answer a readiness check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `path` is one of the probes.
pub fn is_probe(path: &str) -> bool {
    path == HEALTH || path == READY
}

/// The latest readiness answer, shared by concurrent probes.
#[derive(Debug, Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(Instant, bool)>>,
}

impl Readiness {
    /// Whether both databases answer, asking them only if the last answer is over a second old.
    async fn check(&self, app: &AppState) -> bool {
        let mut last = self.last.lock().await;
        if let Some((at, ready)) = *last
            && at.elapsed() < FRESH
        {
            return ready;
        }
        let ready = matches!(
            tokio::time::timeout(CHECK_TIMEOUT, app.store.ping()).await,
            Ok(Ok(()))
        );
        *last = Some((Instant::now(), ready));
        ready
    }
}

/// `200 ok`: the process is up and answering requests.
pub async fn health() -> Response {
    (StatusCode::OK, "ok\n").into_response()
}

/// `200 ready` when the database and the key store both answer; `503` otherwise.
pub async fn ready(State(app): State<AppState>) -> Response {
    if app.readiness.check(&app).await {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "a database does not answer\n",
        )
            .into_response()
    }
}
