//! The retention half of the [`Store`] facade: sweeping what has expired, and counting what is
//! held. Policy comes from [`crate::domain::account`] and [`crate::domain::retention`].

use chrono::NaiveDate;

use super::backend::{Holding, SweepCutoffs, SweepReport};
use super::{Store, StoreError};
use crate::domain::access::LISTED_DAYS;
use crate::domain::account::{ABSOLUTE_TIMEOUT_SECS, FAILURE_WINDOW_SECS, IDLE_TIMEOUT_SECS};
use crate::domain::retention::RetentionClass;

/// Most rows one sweep write deletes, so that a large backlog never holds the writer for long.
pub const SWEEP_BATCH: u32 = 2_000;

impl Store {
    /// Destroys everything expired at `today` / `now` (Unix seconds), in bounded batches, then
    /// checkpoints the WAL so no deleted page survives in it. Returns what was destroyed.
    pub async fn sweep(&self, today: NaiveDate, now: i64) -> Result<SweepReport, StoreError> {
        let cutoffs = SweepCutoffs {
            today,
            now,
            idle_before: now - IDLE_TIMEOUT_SECS,
            created_before: now - ABSOLUTE_TIMEOUT_SECS,
            window_before: now - FAILURE_WINDOW_SECS,
            grants_before: today - chrono::Days::new(LISTED_DAYS.unsigned_abs()),
            batch: SWEEP_BATCH,
        };
        let mut total = SweepReport::default();
        loop {
            let batch = self.backend.sweep_batch(cutoffs).await?;
            total.notes += batch.notes;
            total.day_keys += batch.day_keys;
            total.letters += batch.letters;
            total.sessions += batch.sessions;
            total.enrolments += batch.enrolments;
            total.throttles += batch.throttles;
            total.grants += batch.grants;
            total.orphan_keys += batch.orphan_keys;
            let full = [batch.notes, batch.letters, batch.orphan_keys]
                .iter()
                .any(|n| *n >= u64::from(SWEEP_BATCH));
            if !full {
                break;
            }
        }
        if total.total() > 0 {
            self.backend.checkpoint().await?;
        }
        Ok(total)
    }

    /// How much of each retention class is held now: counts and dates only, never content.
    pub async fn holdings(&self, now: i64) -> Result<Vec<(RetentionClass, Holding)>, StoreError> {
        self.backend.holdings(now).await
    }
}
