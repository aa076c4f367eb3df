//! The board reads its trend reports: which periods it may see, and the release of one — the
//! frozen one if released before, otherwise built from the counters, vetted against every
//! release frozen before ([`vet`]: kinds of period are a commitment, and the audit of
//! everything released must pass), and frozen. A release is frozen only once its period is over
//! by the service's own clock; a preview as of another date (`ombuds report --as-of`) is built
//! and vetted the same way and freezes nothing.

use chrono::NaiveDate;

use super::Ctx;
use crate::crypto::random;
use crate::domain::trends::{
    NoiseSeed, Period, Release, ReleaseError, TrendSettings, build_release, vet,
};
use crate::store::{Store, StoreError};

/// The periods the board may see, newest first: every complete period of the configured kinds
/// from `[reports] start` on, less those a release of which would be refused because another
/// kind of period was released without noise (periods already frozen are always listed). What
/// was counted plays no part in the list.
pub async fn periods(ctx: &Ctx<'_>) -> Result<Vec<Period>, StoreError> {
    let reports = &ctx.config.reports;
    let frozen = ctx.store.frozen_trend_releases().await?;
    let noisy = reports.settings.epsilon.is_some();
    Ok(reports
        .complete_periods(ctx.today())
        .into_iter()
        .filter(|p| {
            frozen.iter().any(|r| r.period == *p)
                || noisy
                || frozen.iter().all(|r| r.period.kind() == p.kind())
        })
        .collect())
}

/// The release of `period` on the service's date; with `preview`, as of that date and frozen
/// whatever happens.
pub async fn release(
    ctx: &Ctx<'_>,
    period: Period,
    preview: Option<NaiveDate>,
) -> Result<Result<Release, ReleaseError>, StoreError> {
    release_on(
        ctx.store,
        &ctx.config.reports.settings,
        period,
        ctx.today(),
        preview,
    )
    .await
}

/// [`release`] with the store, the settings and the date given: the frozen release of
/// `period` if there is one; otherwise one built from the counters (with a fresh noise seed
/// that is never kept) and vetted, then frozen if `preview` is unset and the period is over on
/// `today`, or returned unfrozen as of `preview`.
pub async fn release_on(
    store: &Store,
    settings: &TrendSettings,
    period: Period,
    today: NaiveDate,
    preview: Option<NaiveDate>,
) -> Result<Result<Release, ReleaseError>, StoreError> {
    if let Some(frozen) = store.frozen_trend_release(period).await? {
        return Ok(Ok(frozen));
    }
    let as_of = preview.unwrap_or(today);
    if !period.is_complete(as_of) {
        return Ok(Err(ReleaseError::NotComplete {
            period,
            last_day: period.last_day(),
        }));
    }
    let earlier = store.frozen_trend_releases().await?;
    let counters = store.trend_counters(period).await?;
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
    let stored = store.freeze_trend_release(&release).await?;
    tracing::info!(period = %period, "a board report period was released");
    Ok(Ok(stored))
}
