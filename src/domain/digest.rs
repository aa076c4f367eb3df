//! The digest's rules: when one is due, what it counts, whether it goes at all, and what an
//! ombuds may give as the address it goes to. Pure: the job ([`crate::jobs::digest`]) reads the
//! clock and the store, the wording is in `translations/en.toml` (`[staff.digest]`).
//!
//! A digest tells an ombuds that something waits, never what or since when: its sending times
//! follow a fixed schedule (slots), never an arrival, and it goes only when something waits.

use chrono::{NaiveDate, NaiveDateTime};

use super::phrase::Phrase;

/// The day sending slots are counted from: Monday 1 January 2001, so that a weekly digest goes
/// on Mondays. Any fixed day would do; it never changes, or slots would be renumbered.
const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2001, 1, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// The longest interval between two digests: a week.
pub const MAX_INTERVAL_HOURS: u32 = 168;

/// Widest count a digest shows: larger counts show as this, so every digest has one length.
pub const MAX_SHOWN: u64 = 999_999;

/// When digests go: at `hour` o'clock on the association's clock, and every `interval_hours`
/// after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The hour (0 to 23) of the association's time zone the first slot of each day starts at.
    pub hour: u32,
    /// Hours from one slot to the next (1 to [`MAX_INTERVAL_HOURS`]; 24 is daily).
    pub interval_hours: u32,
}

impl Schedule {
    /// The start of the sending slot that `local` (a time on the association's wall clock)
    /// falls in, in seconds of that clock from midnight on [`EPOCH`]. Slots start at `hour`
    /// o'clock on [`EPOCH`] and every interval after it; wall-clock time is used so that a
    /// daily digest keeps its hour across daylight-saving changes. Starts only grow with time,
    /// whatever the schedule, so a changed schedule never makes an interval's round run twice.
    pub fn slot(&self, local: NaiveDateTime) -> i64 {
        let midnight = EPOCH.and_hms_opt(0, 0, 0).unwrap_or_default();
        let first = i64::from(self.hour.min(23)) * 3600;
        let length = i64::from(self.interval_hours.clamp(1, MAX_INTERVAL_HOURS)) * 3600;
        let since = (local - midnight).num_seconds() - first;
        first + since.div_euclid(length) * length
    }
}

/// What waits for the ombuds, counted when a digest is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    /// New concerns, not yet opened by an ombuds (the inbox).
    pub concerns: u64,
    /// Threads of open cases whose last message is from the person (the submitter or an
    /// added party), not yet answered.
    pub messages: u64,
}

impl Waiting {
    /// Whether a digest goes at all: only when something waits. (So a digest's arrival says
    /// "something waits", which is its point; its absence says nothing waits.)
    pub fn worth_sending(&self) -> bool {
        self.concerns + self.messages > 0
    }

    /// A count as the digest shows it: right-aligned in six places, at most [`MAX_SHOWN`], so
    /// that the message's length never depends on the counts.
    pub fn shown(count: u64) -> String {
        format!("{:>6}", count.min(MAX_SHOWN))
    }
}

/// The longest address kept (RFC 5321's limit on a forward path).
pub const MAX_ADDRESS_CHARS: usize = 254;

/// Checks the address an ombuds gives for the digest: empty means none (stop sending); else
/// one `local@domain` address of printable ASCII, without spaces, names or brackets, whose
/// domain has a dot. Returns the address to keep.
pub fn check_address(text: &str) -> Result<Option<String>, Phrase> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_ADDRESS_CHARS {
        return Err(
            Phrase::new("staff.problem.digest_address_length").with("max", MAX_ADDRESS_CHARS)
        );
    }
    let plain = text
        .chars()
        .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | ',' | ';' | '"' | '(' | ')'));
    let well_formed = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local.len() <= 64
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.contains("..")
        }
        None => false,
    };
    if !plain || !well_formed {
        return Err(Phrase::new("staff.problem.digest_address"));
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_daily_slot_starts_at_the_hour() {
        let daily = Schedule {
            hour: 8,
            interval_hours: 24,
        };
        const DAY: i64 = 86_400;
        let before = daily.slot(at("2026-03-02 07:59"));
        let from = daily.slot(at("2026-03-02 08:00"));
        assert_eq!(from, before + DAY);
        assert_eq!(daily.slot(at("2026-03-03 07:59")), from);
        assert_eq!(daily.slot(at("2026-03-03 08:00")), from + DAY);
        assert_eq!(daily.slot(at("2001-01-01 08:00")), 8 * 3600);
        // Before the epoch's hour it goes below zero rather than wrapping.
        assert_eq!(daily.slot(at("2001-01-01 07:00")), 8 * 3600 - DAY);
    }

    #[test]
    fn shorter_and_longer_intervals() {
        let twice = Schedule {
            hour: 6,
            interval_hours: 12,
        };
        let morning = twice.slot(at("2026-03-02 06:00"));
        assert_eq!(twice.slot(at("2026-03-02 17:59")), morning);
        assert_eq!(twice.slot(at("2026-03-02 18:00")), morning + 12 * 3600);
        let weekly = Schedule {
            hour: 9,
            interval_hours: 168,
        };
        // 2 March 2026 is a Monday: the week's slot starts then.
        let week = weekly.slot(at("2026-03-02 09:00"));
        assert_eq!(weekly.slot(at("2026-03-02 08:59")), week - 7 * 86_400);
        assert_eq!(weekly.slot(at("2026-03-08 23:59")), week);
        assert_eq!(weekly.slot(at("2026-03-09 09:00")), week + 7 * 86_400);
    }

    #[test]
    fn a_changed_schedule_never_runs_an_interval_twice() {
        // Daily at 8 ran today at 8:00; switched to weekly (from Monday 2 March at 8), this
        // week's slot started before it, so nothing runs until next Monday.
        let daily = Schedule {
            hour: 8,
            interval_hours: 24,
        };
        let weekly = Schedule {
            hour: 8,
            interval_hours: 168,
        };
        let ran = daily.slot(at("2026-03-04 08:00"));
        assert!(weekly.slot(at("2026-03-04 09:00")) < ran);
        assert!(weekly.slot(at("2026-03-09 08:00")) > ran);
        // Switched to every 6 hours instead, the next round comes at 14:00.
        let often = Schedule {
            hour: 8,
            interval_hours: 6,
        };
        assert_eq!(often.slot(at("2026-03-04 13:59")), ran);
        assert!(often.slot(at("2026-03-04 14:00")) > ran);
    }

    #[test]
    fn a_digest_goes_only_when_something_waits_and_shows_counts_in_one_width() {
        assert!(!Waiting::default().worth_sending());
        assert!(
            Waiting {
                concerns: 0,
                messages: 1
            }
            .worth_sending()
        );
        assert_eq!(Waiting::shown(3), "     3");
        assert_eq!(Waiting::shown(1_234_567), "999999");
        for n in [0, 7, 42, 999, 123_456] {
            assert_eq!(Waiting::shown(n).len(), 6);
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(check_address("  "), Ok(None));
        assert_eq!(
            check_address(" olivia@example.org "),
            Ok(Some("olivia@example.org".into()))
        );
        for bad in [
            "olivia",
            "olivia@example",
            "@example.org",
            "olivia@@example.org",
            "Olivia <olivia@example.org>",
            "olivia@example.org, bea@example.org",
            "oli via@example.org",
            "olivia@example..org",
            "olivia@.example.org",
            "olívia@example.org",
            "olivia@example.org\r\nBcc: x@example.org",
        ] {
            assert!(check_address(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(check_address(&long).is_err());
    }
}
