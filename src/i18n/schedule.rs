//! How the digest's schedule is said ("once a day, at 8:00 the association's time"), from the
//! `[staff.digest]` table of `translations/en.toml`: on the account page and in the digest.

use super::Lang;
use crate::domain::digest::Schedule;

impl Lang {
    /// When digests go, in words.
    pub fn digest_schedule(self, schedule: Schedule) -> String {
        let hour: &dyn std::fmt::Display = &format!("{}:00", schedule.hour);
        match schedule.interval_hours {
            24 => self.f("staff.digest.daily", &[("hour", hour)]),
            n => self.plural("staff.digest.every", u64::from(n), &[("hour", hour)]),
        }
    }
}
