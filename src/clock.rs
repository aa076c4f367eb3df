//! The one source of "now" for the whole service.
//!
//! Everything that needs the date or time is handed a [`Clock`]; nothing else reads the system
//! clock (a `clippy.toml` rule enforces it). Tests move time by giving debug builds of the binary
//! a clock file (see [`Clock::from_env`]); release builds contain no such override.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// Environment variable naming a file that holds the current instant (RFC 3339), honoured by
/// debug builds only so that integration tests can move time for a running server.
pub const TEST_CLOCK_ENV: &str = "OMBUDS_TEST_CLOCK_FILE";

/// Where the current time comes from.
#[derive(Clone, Debug)]
pub struct Clock {
    source: Source,
}

#[derive(Clone, Debug)]
enum Source {
    System,
    Fixed(DateTime<Utc>),
    #[cfg(debug_assertions)]
    File(std::sync::Arc<std::path::PathBuf>),
}

impl Clock {
    /// The operating system's clock.
    pub fn system() -> Self {
        Self {
            source: Source::System,
        }
    }

    /// A clock that always reads the given instant (for computations "as of" a moment).
    pub fn fixed(instant: DateTime<Utc>) -> Self {
        Self {
            source: Source::Fixed(instant),
        }
    }

    /// The system clock, or in debug builds the instant written in the file named by
    /// [`TEST_CLOCK_ENV`], re-read at every call so a test can move it while the server runs.
    pub fn from_env() -> Self {
        #[cfg(debug_assertions)]
        if let Some(path) = std::env::var_os(TEST_CLOCK_ENV) {
            return Self {
                source: Source::File(std::sync::Arc::new(path.into())),
            };
        }
        Self::system()
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.source {
            Source::System => system_now(),
            Source::Fixed(instant) => *instant,
            #[cfg(debug_assertions)]
            Source::File(path) => std::fs::read_to_string(path.as_path())
                .ok()
                .and_then(|text| DateTime::parse_from_rfc3339(text.trim()).ok())
                .map(|instant| instant.with_timezone(&Utc))
                .unwrap_or_else(|| {
                    tracing::warn!("test clock file unreadable; using the system clock");
                    system_now()
                }),
        }
    }

    /// Today's date on this machine's own calendar (its configured local time zone).
    pub fn today_local(&self) -> NaiveDate {
        self.now().with_timezone(&chrono::Local).date_naive()
    }

    /// Today's date in the given time zone: the association's local calendar date.
    pub fn today_in(&self, zone: Tz) -> NaiveDate {
        self.now().with_timezone(&zone).date_naive()
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "this module is the one place allowed to read the system clock"
)]
fn system_now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_date_follows_the_time_zone_not_utc() {
        // 23:30 in Phoenix on 1 March is 06:30 UTC on 2 March: a request made on 1 March.
        let instant = DateTime::parse_from_rfc3339("2026-03-02T06:30:00Z").unwrap();
        let clock = Clock::fixed(instant.with_timezone(&Utc));
        assert_eq!(
            clock.today_in(chrono_tz::America::Phoenix),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            clock.today_in(chrono_tz::UTC),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
    }
}
