//! The board-report half of the [`Store`] facade: releases of complete periods, built from the
//! trend counters on first request and frozen, so that a published period never changes.

use chrono::NaiveDate;

use super::{Store, StoreError};
use crate::crypto::random;
use crate::domain::trends::{
    CounterKey, NoiseSeed, Period, Release, ReleaseError, TrendSettings, YearMonth, build_release,
};

impl Store {
    /// The release of `period`: the frozen one if it was released before, otherwise built now
    /// from the counters (with a fresh noise seed that is never kept) and frozen. A period not
    /// yet complete on `as_of` is refused.
    pub async fn trend_release(
        &self,
        period: Period,
        settings: &TrendSettings,
        as_of: NaiveDate,
    ) -> Result<Result<Release, ReleaseError>, StoreError> {
        let name = period.to_string();
        if let Some(frozen) = self.backend.trend_release(&name).await? {
            return parse(&frozen).map(Ok);
        }
        if !period.is_complete(as_of) {
            return Ok(Err(ReleaseError::NotComplete {
                period,
                last_day: period.last_day(),
            }));
        }
        let months = period.months();
        let rows = self
            .backend
            .trend_counters(&months.start().to_string(), &months.end().to_string())
            .await?;
        let counters = rows
            .into_iter()
            .map(|(code, count)| {
                CounterKey::from_code(&code)
                    .map(|key| (key, count))
                    .ok_or_else(|| {
                        StoreError::Database(format!("unreadable trend counter {code:?}"))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let seed = match settings.epsilon {
            Some(_) => {
                let mut bytes = [0u8; 32];
                random::fill(&mut bytes)?;
                Some(NoiseSeed::from_bytes(bytes))
            }
            None => None,
        };
        let release = match build_release(period, &counters, settings, seed.as_ref(), as_of) {
            Ok(release) => release,
            Err(e) => return Ok(Err(e)),
        };
        let json = serde_json::to_string(&release)
            .map_err(|e| StoreError::Database(format!("cannot encode a release: {e}")))?;
        let stored = self.backend.freeze_trend_release(&name, json).await?;
        tracing::info!(period = %name, "a board report period was released");
        parse(&stored).map(Ok)
    }

    /// The earliest month any closed case was counted in.
    pub async fn first_counted_month(&self) -> Result<Option<YearMonth>, StoreError> {
        self.backend
            .first_counter_month()
            .await?
            .map(|m| {
                m.parse::<YearMonth>()
                    .map_err(|_| StoreError::Database(format!("unreadable counter month {m:?}")))
            })
            .transpose()
    }
}

fn parse(stored: &str) -> Result<Release, StoreError> {
    serde_json::from_str(stored)
        .map_err(|e| StoreError::Database(format!("a frozen release cannot be read: {e}")))
}
