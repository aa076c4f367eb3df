//! `[retention]`: how long working notes live, how often the sweep destroys what has expired,
//! and after how long an open case nobody touches is flagged in the console. What everything
//! else keeps is fixed by the rules (`crate::domain::retention`).

use std::time::Duration;

use serde::Deserialize;

use super::{Invalid, range};
use crate::domain::phrase::Phrase;
use crate::domain::retention::STALE_AFTER_DAYS;

/// How long working notes live.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// The lifetime of a note unless the ombuds chooses another, in days.
    pub note_days: u32,
    /// The longest lifetime an ombuds may choose, in days.
    pub note_max_days: u32,
    /// How often the sweeper destroys what has expired.
    pub sweep_interval: Duration,
    /// After how many days without anything done on it an open case is flagged.
    pub stale_after_days: u32,
}

impl Retention {
    /// The note policy as the domain rules take it.
    pub fn note_policy(&self) -> crate::domain::notes::NotePolicy {
        crate::domain::notes::NotePolicy {
            default_days: self.note_days,
            max_days: self.note_max_days,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    note_days: u32,
    note_max_days: u32,
    sweep_interval_seconds: u64,
    stale_after_days: u32,
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            note_days: 30,
            note_max_days: 90,
            sweep_interval_seconds: 60,
            stale_after_days: 180,
        }
    }
}

impl Raw {
    /// Checks the table.
    pub(super) fn check(self) -> Result<Retention, Invalid> {
        let note_max_days = range("retention.note_max_days", self.note_max_days, 1, 365)?;
        if self.note_days == 0 || self.note_days > note_max_days {
            return Err((
                "retention.note_days",
                Phrase::new("cli.config.note_days")
                    .with("days", self.note_days)
                    .with("max", note_max_days),
            ));
        }
        let sweep_interval_seconds = range(
            "retention.sweep_interval_seconds",
            self.sweep_interval_seconds,
            1,
            3600,
        )?;
        let stale_after_days = range(
            "retention.stale_after_days",
            self.stale_after_days,
            *STALE_AFTER_DAYS.start(),
            *STALE_AFTER_DAYS.end(),
        )?;
        Ok(Retention {
            note_days: self.note_days,
            note_max_days,
            sweep_interval: Duration::from_secs(sweep_interval_seconds),
            stale_after_days,
        })
    }
}
