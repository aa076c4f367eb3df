//! Logging. Only this crate's own events are shown at the level asked for (`OMBUDS_LOG`, default
//! `info`); every dependency is held at `warn`, whatever the environment says, so that no HTTP
//! library or database driver can print headers, addresses or statements. Lines carry no
//! timestamp: the service records no time of day for anything a submitter does.
//!
//! `OMBUDS_LOG_FORMAT=json` writes one JSON object per line instead (`level`, `message` and the
//! event's own fields), for log collectors; the filter and the content rules are the same, and
//! there is no timestamp either: the collector adds its own time of receipt, as the journal does.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Environment variable choosing the level of this service's own log events.
pub const LOG_ENV: &str = "OMBUDS_LOG";
/// Environment variable choosing the format: `text` (the default) or `json`.
pub const FORMAT_ENV: &str = "OMBUDS_LOG_FORMAT";

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
    let format = std::env::var(FORMAT_ENV).ok();
    let json = format.as_deref().map(str::trim) == Some("json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .without_time()
        .with_target(false)
        .with_ansi(false)
        .with_writer(std::io::stderr);
    let installed = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
    if installed.is_err() {
        return;
    }
    if let Some(text) = requested.filter(|t| t.trim().parse::<LevelFilter>().is_err()) {
        tracing::warn!("{LOG_ENV}={text:?} is not a log level; using info");
    }
    if let Some(text) = format.filter(|t| !matches!(t.trim(), "json" | "text" | "")) {
        tracing::warn!("{FORMAT_ENV}={text:?} is not a log format (text or json); using text");
    }
}
