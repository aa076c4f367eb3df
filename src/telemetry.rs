//! Logging. Only this crate's own events are shown at the level asked for (`OMBUDS_LOG`, default
//! `info`); every dependency is held at `warn`, whatever the environment says, so that no HTTP
//! library or database driver can print headers, addresses or statements. Lines carry no
//! timestamp: the service records no time of day for anything a submitter does.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Environment variable choosing the level of this service's own log events.
pub const LOG_ENV: &str = "OMBUDS_LOG";

/// Installs the log subscriber, writing to standard error.
pub fn init() {
    let requested = std::env::var(LOG_ENV).ok();
    let level = requested
        .as_deref()
        .and_then(|text| text.trim().parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::WARN.into())
        .parse_lossy(format!("ombuds={level}"));
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .without_time()
        .with_target(false)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .try_init();
    if installed.is_ok()
        && let Some(text) = requested.filter(|t| t.trim().parse::<LevelFilter>().is_err())
    {
        tracing::warn!("{LOG_ENV}={text:?} is not a log level; using info");
    }
}
