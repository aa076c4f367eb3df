//! The `[metrics]` table: the optional Prometheus endpoint, on a listen address of its own so
//! that it is never reachable through the public site. Off unless `listen` is set. This module
//! only reads and checks the setting; [`crate::server::metrics`] serves it.

use std::net::SocketAddr;

use serde::Deserialize;

/// The metrics endpoint's settings, checked.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    /// Where to serve `GET /metrics`; `None` turns the endpoint off.
    pub listen: Option<SocketAddr>,
}

/// The table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMetrics {
    listen: Option<String>,
}

impl RawMetrics {
    /// Checks the table; `Err` names the setting and the problem.
    pub fn check(self) -> Result<Metrics, super::Invalid> {
        let listen = match self.listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(text.parse::<SocketAddr>().map_err(|_| {
                (
                    "metrics.listen",
                    crate::domain::phrase::Phrase::new("cli.config.address")
                        .with("text", format!("{text:?}"))
                        .with("example", "127.0.0.1:9464"),
                )
            })?),
        };
        Ok(Metrics { listen })
    }
}
