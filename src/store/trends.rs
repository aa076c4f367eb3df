//! The board-report half of the [`Store`] facade: the trend counters of some months, and the
//! frozen releases, read and written as the domain's types. It decides nothing: what is
//! released, and when, is [`crate::usecase::reports`]'.

use super::{Store, StoreError};
use crate::domain::trends::{CounterKey, Period, Release};

impl Store {
    /// The counter rows of `period`'s months.
    pub async fn trend_counters(
        &self,
        period: Period,
    ) -> Result<Vec<(CounterKey, u64)>, StoreError> {
        let months = period.months();
        self.backend
            .trend_counters(&months.start().to_string(), &months.end().to_string())
            .await?
            .into_iter()
            .map(|(code, count)| {
                CounterKey::from_code(&code)
                    .map(|key| (key, count))
                    .ok_or_else(|| {
                        StoreError::Database(format!("unreadable trend counter {code:?}"))
                    })
            })
            .collect()
    }

    /// The frozen release of `period`, if it was released.
    pub async fn frozen_trend_release(
        &self,
        period: Period,
    ) -> Result<Option<Release>, StoreError> {
        self.backend
            .trend_release(&period.to_string())
            .await?
            .map(|stored| parse(&stored))
            .transpose()
    }

    /// Every frozen release, oldest period first.
    pub async fn frozen_trend_releases(&self) -> Result<Vec<Release>, StoreError> {
        let mut releases = self
            .backend
            .frozen_trend_releases()
            .await?
            .iter()
            .map(|(_, stored)| parse(stored))
            .collect::<Result<Vec<_>, _>>()?;
        releases.sort_by_key(|r| (r.period.last_day(), r.period.kind()));
        Ok(releases)
    }

    /// Freezes `release` unless its period already has one; returns the one stored, which
    /// never changes after.
    pub async fn freeze_trend_release(&self, release: &Release) -> Result<Release, StoreError> {
        let json = serde_json::to_string(release)
            .map_err(|e| StoreError::Database(format!("cannot encode a release: {e}")))?;
        let stored = self
            .backend
            .freeze_trend_release(&release.period.to_string(), json)
            .await?;
        parse(&stored)
    }
}

fn parse(stored: &str) -> Result<Release, StoreError> {
    serde_json::from_str(stored)
        .map_err(|e| StoreError::Database(format!("a frozen release cannot be read: {e}")))
}
