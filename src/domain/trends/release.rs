//! A release: the tables the board sees for one complete period, after disclosure control.
//!
//! [`build_release`] is a pure function of the counters of the period's months, the period,
//! the settings (`k`, `epsilon`) and the noise seed. Counters of a month stop changing when the
//! month ends (cases close in the current month), so once a period is complete its release never
//! changes: the first one can be stored in its serialised form and served forever.
//!
//! The tables of one release are all one-way marginals of the same counter cube: the concerns by
//! kind, by sub-period (month of a quarter, quarter of a year), by outcome, time to close,
//! channel and who raised them, each adding up to the same grand total; and the services, which
//! have no total (a case may receive several services), each at most the grand total. Any lists
//! of counts with the same total are the marginals of some cube, so the tables constrain each
//! other only through the grand total, which every table shows: protecting each table on its own
//! ([`super::disclosure`]) protects the release. Kinds by sub-period are published only when
//! none of those cells is below `k` (then nothing there is hidden). When the grand total is below
//! `k` it is hidden everywhere and so is every cell (each is at most the total).
//!
//! This module assembles tables and calls [`super::disclosure`] and [`super::noise`]; it does no
//! I/O and never sees a case, a date finer than a month, or anything typed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::disclosure::{self, Status};
use super::noise::{CellStream, DiscreteLaplace, NoiseSeed, noisy};
use super::{
    CounterKey, DaysBucket, Dimension, Period, PeriodKind, TrendSettings, TrendSettingsError,
    YearMonth,
};
use crate::domain::case::{Channel, Outcome, Service};
use crate::domain::concern::{Category, RaisedBy};
use crate::domain::phrase::{Arg, Phrase, Said};

/// The version of the serialised form. A stored release keeps the version it was made with:
/// 1 hid cells of the kinds-by-sub-period table one by one (and is still read and served);
/// 2 publishes that table whole or not at all, under the rule of [`super::disclosure`].
pub const FORMAT: u32 = 2;

/// The number of tables noise is spread over: concerns, outcomes, time to close, channels, who
/// raised them, services. Each receives `epsilon / TABLES`.
pub const NOISY_TABLES: u32 = 6;

/// One published number, or the reason it is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The count (after noise, if the release has noise).
    Count(u64),
    /// Below the threshold: somewhere from 0 to k − 1.
    FewerThanK,
    /// At least k, hidden so that a smaller count cannot be worked out by subtraction.
    Withheld,
    /// The whole table is withheld for this period: its numbers are too few to show safely.
    NotShown,
}

impl Cell {
    /// The count, if shown.
    pub fn count(self) -> Option<u64> {
        match self {
            Self::Count(n) => Some(n),
            _ => None,
        }
    }

    fn from_status(status: Status, value: u64) -> Self {
        match status {
            Status::Shown => Self::Count(value),
            Status::FewerThanK => Self::FewerThanK,
            Status::Withheld => Self::Withheld,
            Status::NotShown => Self::NotShown,
        }
    }
}

/// The serialised form of a [`Cell`]: a number, or one of these strings.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum CellRepr {
    Count(u64),
    Marker(String),
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Count(n) => s.serialize_u64(*n),
            Self::FewerThanK => s.serialize_str("fewer_than_k"),
            Self::Withheld => s.serialize_str("withheld"),
            Self::NotShown => s.serialize_str("not_shown"),
        }
    }
}

/// The codes of the cells that hold no number, as stored.
const CELL_MARKERS: &[&str] = &["fewer_than_k", "withheld", "not_shown"];

/// A stored cell or code that is not one of these is refused with serde's own error ("unknown
/// variant …, expected one of …"): it names the value and what was expected, in the parser's
/// words; the store reports it as unreadable data, which nobody but an operator reads.
impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match CellRepr::deserialize(d)? {
            CellRepr::Count(n) => Ok(Self::Count(n)),
            CellRepr::Marker(m) => match m.as_str() {
                "fewer_than_k" => Ok(Self::FewerThanK),
                "withheld" => Ok(Self::Withheld),
                "not_shown" => Ok(Self::NotShown),
                other => Err(serde::de::Error::unknown_variant(other, CELL_MARKERS)),
            },
        }
    }
}

/// Serialises a [`Dimension`] value as its code.
mod dimension_code {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Dimension;

    pub(super) fn serialize<D: Dimension, S: Serializer>(
        value: &D,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.code())
    }

    pub(super) fn deserialize<'de, D: Dimension, De: Deserializer<'de>>(
        d: De,
    ) -> Result<D, De::Error> {
        let text = String::deserialize(d)?;
        D::from_code(&text).ok_or_else(|| serde::de::Error::unknown_variant(&text, D::CODES))
    }
}

/// One row of a one-way table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(serialize = "D: Dimension", deserialize = "D: Dimension")
)]
pub struct OneWayRow<D> {
    /// The value counted.
    #[serde(with = "dimension_code")]
    pub key: D,
    /// How many closed concerns had it.
    pub count: Cell,
}

/// Closed concerns by one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(serialize = "D: Dimension", deserialize = "D: Dimension")
)]
pub struct OneWayTable<D> {
    /// One row per value of the dimension, in report order.
    pub rows: Vec<OneWayRow<D>>,
    /// The total, or `None` where a sum means nothing (services).
    pub total: Option<Cell>,
}

/// One kind of concern across the sub-periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRow {
    /// The kind of concern.
    #[serde(with = "dimension_code")]
    pub category: Category,
    /// One cell per column of [`CategoryTable::columns`], or none when the kinds by sub-period
    /// are not published (always so for a month).
    pub by_period: Vec<Cell>,
    /// The whole period.
    pub total: Cell,
}

/// Closed concerns by kind, by sub-period (month of a quarter, quarter of a year), and by both
/// when none of those cells is small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryTable {
    /// The sub-periods; empty for a month's release.
    pub columns: Vec<Period>,
    /// One row per kind of concern.
    pub rows: Vec<CategoryRow>,
    /// Every kind together, per sub-period (protected as a table of its own).
    pub column_totals: Vec<Cell>,
    /// Every closed concern of the period.
    pub total: Cell,
}

/// How a noisy release was made (the seed is not part of it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseStatement {
    /// The privacy-loss budget of the whole release for one closed case.
    pub epsilon: f64,
}

/// What the board receives for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Version of this form ([`FORMAT`]).
    pub format: u32,
    /// The period reported.
    pub period: Period,
    /// The threshold k.
    pub threshold: u32,
    /// Present when noise was added.
    pub noise: Option<NoiseStatement>,
    /// Concerns by kind, and by kind and sub-period.
    pub concerns: CategoryTable,
    /// How concerns ended.
    pub outcomes: OneWayTable<Outcome>,
    /// How long they took.
    pub time_to_close: OneWayTable<DaysBucket>,
    /// How they reached the ombuds.
    pub channels: OneWayTable<Channel>,
    /// Who raised them.
    pub raised_by: OneWayTable<RaisedBy>,
    /// Services given: how many closed concerns received each (one concern may count in
    /// several rows).
    pub services: OneWayTable<Service>,
}

/// Why no release can be made. What the reader is told is its [`Phrase`] (`[board.refused]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseError {
    /// The period has not ended yet; its counters may still change.
    NotComplete {
        /// The period asked for.
        period: Period,
        /// Its last day.
        last_day: NaiveDate,
    },
    /// A setting cannot be used.
    Settings(TrendSettingsError),
    /// Noise is configured but no seed was given.
    SeedMissing,
    /// The period begins before the first day reports cover.
    BeforeStart {
        /// The period asked for.
        period: Period,
        /// The configured first day.
        start: NaiveDate,
    },
    /// Another kind of period was released before, and this one would be released without
    /// noise: nested periods compared with each other uncover hidden counts.
    KindCommitted {
        /// The kind asked for.
        asked: PeriodKind,
        /// A kind released before.
        released: PeriodKind,
        /// One period of that kind.
        example: Period,
    },
    /// The audit of everything released found hidden numbers this release would let a reader
    /// narrow beyond the promise. Which numbers, how many, and to what, is not said: that
    /// would tell something about them.
    Exposed {
        /// How many hidden numbers (never shown).
        hidden: usize,
        /// The earlier releases it was audited with (their periods).
        with: Vec<String>,
    },
    /// The audit could not be completed, so nothing is released; why, in words
    /// (`[board.audit]`).
    AuditFailed(Phrase),
}

impl From<TrendSettingsError> for ReleaseError {
    fn from(e: TrendSettingsError) -> Self {
        Self::Settings(e)
    }
}

impl Said for ReleaseError {
    fn phrase(&self) -> Phrase {
        match self {
            Self::NotComplete { last_day, .. } => {
                Phrase::new("board.refused.not_complete").with("date", Arg::LongDate(*last_day))
            }
            Self::Settings(e) => Phrase::new("board.refused.settings")
                .with("setting", e.setting)
                .with("problem", e.problem.clone()),
            Self::SeedMissing => Phrase::new("board.refused.seed_missing"),
            Self::BeforeStart { start, .. } => {
                Phrase::new("board.refused.before_start").with("date", Arg::LongDate(*start))
            }
            Self::KindCommitted {
                asked,
                released,
                example,
            } => Phrase::new("board.refused.kind_committed")
                .with("asked", asked.code())
                .with("released", released.code())
                .with("example", example.to_string()),
            Self::Exposed { with, .. } if with.is_empty() => Phrase::new("board.refused.exposed"),
            Self::Exposed { with, .. } => {
                Phrase::new("board.refused.exposed_with").with("with", with.join(", "))
            }
            Self::AuditFailed(reason) => {
                Phrase::new("board.refused.audit_failed").with("reason", reason.clone())
            }
        }
    }
}

/// The counts of one period, before noise and disclosure control.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// `[category][column]`, one column for a month.
    pub(crate) concerns: Vec<Vec<u64>>,
    pub(crate) outcomes: Vec<u64>,
    pub(crate) time_to_close: Vec<u64>,
    pub(crate) channels: Vec<u64>,
    pub(crate) raised_by: Vec<u64>,
    pub(crate) services: Vec<u64>,
}

impl Counts {
    /// Adds up the counters of `period`'s months; rows of other months are ignored.
    pub(crate) fn of(period: Period, counters: &[(CounterKey, u64)]) -> Self {
        let columns = period.subperiods().len().max(1);
        let mut counts = Self {
            concerns: vec![vec![0; columns]; Category::ALL.len()],
            outcomes: vec![0; Outcome::ALL.len()],
            time_to_close: vec![0; DaysBucket::ALL.len()],
            channels: vec![0; Channel::ALL.len()],
            raised_by: vec![0; RaisedBy::ALL.len()],
            services: vec![0; Service::ALL.len()],
        };
        let column_of = |month: YearMonth| match period {
            Period::Month(_) => 0,
            Period::Quarter { .. } => ((month.month() - 1) % 3) as usize,
            Period::Year(_) => ((month.month() - 1) / 3) as usize,
        };
        let add = |cells: &mut Vec<u64>, index: usize, n: u64| {
            if let Some(cell) = cells.get_mut(index) {
                *cell = cell.saturating_add(n);
            }
        };
        for &(key, n) in counters {
            if !period.contains(key.month()) {
                continue;
            }
            match key {
                CounterKey::Case(c) => {
                    if let Some(row) = counts.concerns.get_mut(c.category.index()) {
                        add(row, column_of(c.month), n);
                    }
                    add(&mut counts.outcomes, c.outcome.index(), n);
                    add(&mut counts.time_to_close, c.days_to_close.index(), n);
                    add(&mut counts.channels, c.channel.index(), n);
                    add(&mut counts.raised_by, c.raised_by.index(), n);
                }
                CounterKey::Service(s) => add(&mut counts.services, s.service.index(), n),
            }
        }
        counts
    }

    /// Adds noise to every counted cell (margins are then sums of noisy cells).
    fn add_noise(&mut self, period: Period, epsilon: f64, seed: &NoiseSeed) -> Option<()> {
        let per_table = epsilon / f64::from(NOISY_TABLES);
        let mechanism = DiscreteLaplace::new(per_table)?;
        // One concern adds one to each service it received: up to five cells of that table.
        let services = DiscreteLaplace::new(per_table / Service::ALL.len() as f64)?;
        let period_code = period.to_string();
        let columns: Vec<String> = match period.subperiods() {
            subs if subs.is_empty() => vec![period_code.clone()],
            subs => subs.iter().map(ToString::to_string).collect(),
        };
        let draw = |table: &str, row: &str, column: &str, count: u64, m: DiscreteLaplace| {
            let mut rng = CellStream::new(seed, &[&period_code, table, row, column]);
            noisy(count, m, &mut rng)
        };
        for (category, row) in Category::ALL.iter().zip(&mut self.concerns) {
            for (column, cell) in columns.iter().zip(row.iter_mut()) {
                *cell = draw("concerns", category.code(), column, *cell, mechanism);
            }
        }
        fn one_way<D: Dimension>(cells: &mut [u64], mut draw: impl FnMut(&str, u64) -> u64) {
            for (value, cell) in D::all().iter().zip(cells.iter_mut()) {
                *cell = draw(value.code(), *cell);
            }
        }
        one_way::<Outcome>(&mut self.outcomes, |row, n| {
            draw("outcomes", row, "", n, mechanism)
        });
        one_way::<DaysBucket>(&mut self.time_to_close, |row, n| {
            draw("time_to_close", row, "", n, mechanism)
        });
        one_way::<Channel>(&mut self.channels, |row, n| {
            draw("channels", row, "", n, mechanism)
        });
        one_way::<RaisedBy>(&mut self.raised_by, |row, n| {
            draw("raised_by", row, "", n, mechanism)
        });
        one_way::<Service>(&mut self.services, |row, n| {
            draw("services", row, "", n, services)
        });
        Some(())
    }
}

/// Builds the release of `period` from its counters.
///
/// `as_of` is the association's local date: the period must have ended before it. `seed` is
/// required when `settings.epsilon` is set, and ignored otherwise. The result depends on nothing
/// else: the same inputs give the same release, field for field. Whether it may be published
/// beside earlier releases is [`super::history::vet`]'s decision.
///
/// # Errors
/// An invalid setting, a period not yet complete, or a missing seed.
pub fn build_release(
    period: Period,
    counters: &[(CounterKey, u64)],
    settings: &TrendSettings,
    seed: Option<&NoiseSeed>,
    as_of: NaiveDate,
) -> Result<Release, ReleaseError> {
    settings.validate()?;
    if !period.is_complete(as_of) {
        return Err(ReleaseError::NotComplete {
            period,
            last_day: period.last_day(),
        });
    }
    let mut counts = Counts::of(period, counters);
    let noise = match settings.epsilon {
        None => None,
        Some(epsilon) => {
            let seed = seed.ok_or(ReleaseError::SeedMissing)?;
            counts
                .add_noise(period, epsilon, seed)
                .ok_or_else(|| TrendSettingsError {
                    setting: "reports.epsilon",
                    problem: Phrase::new("board.settings.epsilon_unusable")
                        .with("epsilon", epsilon.to_string()),
                })?;
            Some(NoiseStatement { epsilon })
        }
    };
    let k = u64::from(settings.k);
    let columns = period.subperiods();
    let kinds: Vec<u64> = counts.concerns.iter().map(|row| row.iter().sum()).collect();
    let concerns_total: u64 = kinds.iter().sum();
    let concerns = if columns.is_empty() {
        category_table(
            &counts.concerns,
            k,
            &disclosure::one_way(&kinds, k),
            None,
            columns,
        )
    } else {
        let by_column: Vec<u64> = (0..columns.len())
            .map(|j| {
                counts
                    .concerns
                    .iter()
                    .map(|row| row.get(j).copied().unwrap_or(0))
                    .sum()
            })
            .collect();
        category_table(
            &counts.concerns,
            k,
            &disclosure::one_way(&kinds, k),
            Some(&disclosure::one_way(&by_column, k)),
            columns,
        )
    };
    let services = disclosure::unsummed(&counts.services, concerns_total, k);
    Ok(Release {
        format: FORMAT,
        period,
        threshold: settings.k,
        noise,
        concerns,
        outcomes: one_way_table(&counts.outcomes, k),
        time_to_close: one_way_table(&counts.time_to_close, k),
        channels: one_way_table(&counts.channels, k),
        raised_by: one_way_table(&counts.raised_by, k),
        services: OneWayTable {
            rows: Service::ALL
                .iter()
                .zip(counts.services.iter().zip(services))
                .map(|(&key, (&value, status))| OneWayRow {
                    key,
                    count: Cell::from_status(status, value),
                })
                .collect(),
            total: None,
        },
    })
}

fn one_way_table<D: Dimension>(values: &[u64], k: u64) -> OneWayTable<D> {
    let protected = disclosure::one_way(values, k);
    let total: u64 = values.iter().sum();
    OneWayTable {
        rows: D::all()
            .iter()
            .zip(values.iter().zip(&protected.cells))
            .map(|(&key, (&value, &status))| OneWayRow {
                key,
                count: Cell::from_status(status, value),
            })
            .collect(),
        total: Some(Cell::from_status(protected.total, total)),
    }
}

/// The concerns table: kinds for the whole period, and for a quarter or a year the sub-periods
/// (all kinds together) and, when no cell is small, kinds by sub-period.
fn category_table(
    cells: &[Vec<u64>],
    k: u64,
    kinds: &disclosure::OneWay,
    by_column: Option<&disclosure::OneWay>,
    columns: Vec<Period>,
) -> CategoryTable {
    let totals: Vec<u64> = cells.iter().map(|row| row.iter().sum()).collect();
    let total: u64 = totals.iter().sum();
    let interior = by_column.is_some() && disclosure::interior_shown(cells, k);
    CategoryTable {
        rows: Category::ALL
            .iter()
            .zip(cells.iter().zip(totals.iter().zip(&kinds.cells)))
            .map(|(&category, (row, (&sum, &status)))| CategoryRow {
                category,
                by_period: if interior {
                    row.iter().map(|&v| Cell::Count(v)).collect()
                } else {
                    Vec::new()
                },
                total: Cell::from_status(status, sum),
            })
            .collect(),
        column_totals: match by_column {
            Some(protected) => (0..columns.len())
                .zip(&protected.cells)
                .map(|(j, &status)| {
                    let sum = cells
                        .iter()
                        .map(|row| row.get(j).copied().unwrap_or(0))
                        .sum();
                    Cell::from_status(status, sum)
                })
                .collect(),
            None => Vec::new(),
        },
        total: Cell::from_status(kinds.total, total),
        columns,
    }
}
