//! The board-report half of the [`Store`] facade: releases of complete periods, built from the
//! trend counters on first request, vetted against every release frozen before, and frozen, so
//! that a published period never changes.

use chrono::NaiveDate;

use super::{Store, StoreError};
use crate::crypto::random;
use crate::domain::trends::{
    CounterKey, NoiseSeed, Period, Release, ReleaseError, TrendSettings, build_release, vet,
};

impl Store {
    /// The release of `period`: the frozen one if it was released before. Otherwise it is built
    /// from the counters (with a fresh noise seed that is never kept) and vetted against every
    /// frozen release ([`vet`]: kinds of period are a commitment, and the audit of everything
    /// released must pass). Then:
    ///
    /// * with `preview` unset, it is frozen — only if the period is over on `today`, the
    ///   association's date by the service's own clock;
    /// * with `preview` set to a date, it is built as of that date and returned, and nothing is
    ///   frozen, whatever the date: a preview never decides what the board sees.
    pub async fn trend_release(
        &self,
        period: Period,
        settings: &TrendSettings,
        today: NaiveDate,
        preview: Option<NaiveDate>,
    ) -> Result<Result<Release, ReleaseError>, StoreError> {
        let name = period.to_string();
        if let Some(frozen) = self.backend.trend_release(&name).await? {
            return parse(&frozen).map(Ok);
        }
        let as_of = preview.unwrap_or(today);
        if !period.is_complete(as_of) {
            return Ok(Err(ReleaseError::NotComplete {
                period,
                last_day: period.last_day(),
            }));
        }
        let earlier = self.frozen_trend_releases().await?;
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
        let release = match build_release(period, &counters, settings, seed.as_ref(), as_of)
            .and_then(|release| vet(&release, &earlier).map(|_| release))
        {
            Ok(release) => release,
            Err(e) => return Ok(Err(e)),
        };
        if preview.is_some() {
            return Ok(Ok(release));
        }
        let json = serde_json::to_string(&release)
            .map_err(|e| StoreError::Database(format!("cannot encode a release: {e}")))?;
        let stored = self.backend.freeze_trend_release(&name, json).await?;
        tracing::info!(period = %name, "a board report period was released");
        parse(&stored).map(Ok)
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
}

fn parse(stored: &str) -> Result<Release, StoreError> {
    serde_json::from_str(stored)
        .map_err(|e| StoreError::Database(format!("a frozen release cannot be read: {e}")))
}
