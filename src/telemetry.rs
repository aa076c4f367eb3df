//! Logging. Only this crate's own events are shown at the level asked for (`OMBUDS_LOG`, default
//! `info`); every dependency is held at `warn`, whatever the environment says, so that no HTTP
//! library or database driver can print headers, addresses or statements. Lines carry no
//! timestamp: the service records no time of day for anything a submitter does.
//!
//! `OMBUDS_LOG_FORMAT=json` writes one JSON object per line instead (`level`, `message` and the
//! event's own fields), for log collectors; the filter and the content rules are the same, and
//! there is no timestamp either: the collector adds its own time of receipt, as the journal does.
//!
//! Writing a line can fail (standard error a closed pipe, a full disk under a redirect): the
//! line is then lost, and nothing else happens. Neither the logger nor [`say`] and [`warn`]
//! ever panic, so a request that logs is still answered and a shutdown still completes.

use std::io::Write;

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
        .with_writer(std::io::stderr)
        // Its report of a failed write is an `eprintln!`, which panics when standard error
        // itself is what failed.
        .log_internal_errors(false);
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

/// Prints a line on standard output (addresses, the setup link); lost if it cannot be written.
pub fn say(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Prints a line on standard error (start-up refusals, warnings before the logger runs); lost
/// if it cannot be written.
pub fn warn(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
