//! The board reads its trend reports: which periods it may see, and the release of one — the
//! frozen one if released before, otherwise built from the counters, vetted against every
//! release frozen before ([`vet`]: kinds of period are a commitment, and the audit of
//! everything released must pass), and frozen. A release is frozen only once its period is over
//! by the service's own clock; a preview as of another date (`ombuds report --as-of`) is built
//! and vetted the same way and freezes nothing.

use chrono::NaiveDate;

use super::{Ctx, Refusal};
use crate::crypto::random;
use crate::domain::phrase::{Arg, Phrase, Said};
use crate::domain::trends::{
    NoiseSeed, Period, PeriodError, PeriodKind, Release, ReleaseError, TrendSettings,
    build_release, vet,
};
use crate::store::{Store, StoreError};

/// Why the board has no report at an address. Each says which rule holds it back and, when it
/// is only a matter of time, when it comes (`[board.unavailable]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The address names no period.
    NotAPeriod {
        /// What it names.
        text: String,
        /// What is wrong with it.
        problem: PeriodError,
    },
    /// The association releases other kinds of period.
    OtherKind {
        /// The period asked for.
        period: Period,
        /// The kinds released.
        kinds: Vec<PeriodKind>,
    },
    /// The period begins before the first day reports cover.
    BeforeStart {
        /// The period asked for.
        period: Period,
        /// `[reports] start`.
        start: NaiveDate,
    },
    /// The period is not over yet.
    NotYet {
        /// The period asked for.
        period: Period,
        /// The day it is released.
        on: NaiveDate,
    },
    /// A release would be refused (another kind released without noise, or the audit).
    Refused {
        /// The period asked for.
        period: Period,
        /// Why.
        why: ReleaseError,
    },
}

impl Said for Unavailable {
    fn phrase(&self) -> Phrase {
        match self {
            Self::NotAPeriod { text, problem } => Phrase::new("board.unavailable.not_a_period")
                .with("text", text.as_str())
                .with("problem", Arg::Phrase(Box::new(problem.phrase()))),
            Self::OtherKind { period, kinds } => {
                let kinds: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
                Phrase::new("board.unavailable.other_kind")
                    .with("period", period.to_string())
                    .with("kind", period.kind().code())
                    .with("kinds", kinds.join(" and "))
            }
            Self::BeforeStart { period, start } => Phrase::new("board.unavailable.before_start")
                .with("period", period.to_string())
                .with("start", Arg::LongDate(*start)),
            Self::NotYet { period, on } => Phrase::new("board.unavailable.not_yet")
                .with("period", period.to_string())
                .with("end", Arg::LongDate(period.last_day()))
                .with("on", Arg::LongDate(*on)),
            Self::Refused { period, why } => Phrase::new("board.unavailable.refused")
                .with("period", period.to_string())
                .with("reason", Arg::Phrase(Box::new(why.phrase()))),
        }
    }
}

/// The release the board reads at `/board/reports/{text}`, or why there is none: the address
/// names no period, a kind not released, a period before `[reports] start`, or one not over
/// yet (with the day it will be). A release that cannot be made for a reason of configuration
/// (a setting, a missing seed) is an internal failure, for the operator's log.
pub async fn board_release(
    ctx: &Ctx<'_>,
    text: &str,
) -> Result<Result<Release, Unavailable>, Refusal> {
    let period: Period = match text.parse() {
        Ok(period) => period,
        Err(problem) => {
            return Ok(Err(Unavailable::NotAPeriod {
                text: text.chars().take(40).collect(),
                problem,
            }));
        }
    };
    let reports = &ctx.config.reports;
    if !reports.periods.contains(&period.kind()) {
        return Ok(Err(Unavailable::OtherKind {
            period,
            kinds: reports.periods.clone(),
        }));
    }
    if period.first_day() < reports.start {
        return Ok(Err(Unavailable::BeforeStart {
            period,
            start: reports.start,
        }));
    }
    match release(ctx, period, None).await? {
        Ok(release) => Ok(Ok(release)),
        Err(ReleaseError::NotComplete { .. }) => Ok(Err(Unavailable::NotYet {
            period,
            on: period.released_on(),
        })),
        Err(ReleaseError::BeforeStart { start, .. }) => {
            Ok(Err(Unavailable::BeforeStart { period, start }))
        }
        Err(
            why @ (ReleaseError::KindCommitted { .. }
            | ReleaseError::Exposed { .. }
            | ReleaseError::AuditFailed(_)),
        ) => Ok(Err(Unavailable::Refused { period, why })),
        Err(other) => Err(Refusal::Internal(format!(
            "the board report of {period} cannot be made: {other:?}"
        ))),
    }
}

/// The next period to be released and the day it will be: the soonest of the configured kinds
/// (the shorter kind first on the same day), leaving out kinds that [`periods`] leaves out.
pub async fn next_release(ctx: &Ctx<'_>) -> Result<Option<(Period, NaiveDate)>, StoreError> {
    let reports = &ctx.config.reports;
    let frozen = ctx.store.frozen_trend_releases().await?;
    let noisy = reports.settings.epsilon.is_some();
    Ok(reports
        .periods
        .iter()
        .filter(|kind| noisy || frozen.iter().all(|r| r.period.kind() == **kind))
        .filter_map(|kind| Period::next_to_complete(*kind, reports.start, ctx.today()))
        .min_by_key(|period| (period.released_on(), period.kind()))
        .map(|period| (period, period.released_on())))
}

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
