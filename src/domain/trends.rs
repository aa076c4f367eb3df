//! Board trend reports that identify no one: the counters that outlive closed cases, the fixed
//! periods they are reported over, and the settings of the disclosure control.
//!
//! When a case closes, in the same transaction that destroys its content, the store adds one to
//! each counter [`increments_for_closed_case`] names. The counters are the only thing about a
//! case that outlives it. Their dimensions are deliberately coarse: the month of closing (never
//! a day), the kind of concern, who raised it, the channel, the outcome, a days-to-close bucket,
//! and separately each service given. There is no case identifier, no exact date, no free text,
//! and no respondent, brokerage or office dimension: in a small association "three concerns
//! about one brokerage in March" identifies people.
//!
//! [`release::build_release`] turns the counters of one complete period into a [`Release`]:
//! small cells hidden, further cells withheld by a rule whose choices reveal nothing beyond the
//! published numbers ([`disclosure`]), optional noise ([`noise`]). The release is a pure,
//! deterministic function of its inputs so the first one published can be stored and served
//! unchanged forever. Before it is, [`history::vet`] checks it against every earlier release:
//! kinds of period are a commitment, and an exact audit of all published numbers ([`audit`])
//! must find every hidden number as wide as promised.
//!
//! This module owns those rules. It must not read the clock, the database or any file: the
//! as-of date, the counters, the earlier releases and the noise seed are handed to it.

#[cfg(test)]
mod attack;
pub mod audit;
pub mod disclosure;
pub mod history;
pub mod noise;
pub mod release;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::case::{Channel, Outcome, Service};
use super::codes::Labelled;
use super::concern::{Category, RaisedBy};
use super::phrase::{Phrase, Said};

pub use history::vet;
pub use noise::{NoiseSeed, counters_digest};
pub use release::{
    CategoryRow, CategoryTable, Cell, NoiseStatement, OneWayRow, OneWayTable, Release,
    ReleaseError, build_release,
};

/// One value of a dimension a trend report counts by: a kind of concern, an outcome, a channel.
pub trait Dimension: Copy + Eq + fmt::Debug + 'static {
    /// Every value, in report order.
    fn all() -> &'static [Self];
    /// Every value's code, in report order.
    const CODES: &'static [&'static str];
    /// The stable code used in counters, CSV and JSON.
    fn code(self) -> &'static str;
    /// The translation key of the value's name in the board report (`board.category.commission`,
    /// or the staff label of a channel, an outcome or a service).
    fn board_key(self) -> &'static str;

    /// The value with this code.
    fn from_code(code: &str) -> Option<Self> {
        Self::all().iter().copied().find(|v| v.code() == code)
    }

    /// Position in [`Dimension::all`].
    fn index(self) -> usize {
        Self::all().iter().position(|v| *v == self).unwrap_or(0)
    }
}

impl Dimension for Category {
    const CODES: &'static [&'static str] = Category::CODES;
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn code(self) -> &'static str {
        Category::code(self)
    }
    fn board_key(self) -> &'static str {
        match self {
            Self::TransactionQuestion => "board.category.transaction_question",
            Self::Communication => "board.category.communication",
            Self::LostContact => "board.category.lost_contact",
            Self::Conduct => "board.category.conduct",
            Self::Commission => "board.category.commission",
        }
    }
}

impl Dimension for RaisedBy {
    const CODES: &'static [&'static str] = RaisedBy::CODES;
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn code(self) -> &'static str {
        RaisedBy::code(self)
    }
    fn board_key(self) -> &'static str {
        match self {
            Self::Member => "board.raised_by.member",
            Self::Client => "board.raised_by.client",
            Self::Public => "board.raised_by.public",
        }
    }
}

impl Dimension for Channel {
    const CODES: &'static [&'static str] = Channel::CODES;
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn code(self) -> &'static str {
        Channel::code(self)
    }
    fn board_key(self) -> &'static str {
        self.label_key()
    }
}

impl Dimension for Outcome {
    const CODES: &'static [&'static str] = Outcome::CODES;
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn code(self) -> &'static str {
        Outcome::code(self)
    }
    fn board_key(self) -> &'static str {
        self.label_key()
    }
}

impl Dimension for Service {
    const CODES: &'static [&'static str] = Service::CODES;
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn code(self) -> &'static str {
        Service::code(self)
    }
    fn board_key(self) -> &'static str {
        self.label_key()
    }
}

/// How long a case took from first contact to closing, in coarse buckets (a day count could
/// help recognise a case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DaysBucket {
    /// Closed within a week: 0 to 7 days.
    UpTo7,
    /// 8 to 30 days.
    UpTo30,
    /// 31 to 90 days.
    UpTo90,
    /// More than 90 days.
    Over90,
}

impl DaysBucket {
    /// Every bucket, shortest first.
    pub const ALL: [Self; 4] = [Self::UpTo7, Self::UpTo30, Self::UpTo90, Self::Over90];

    /// The bucket of a case closed `days` calendar days after first contact (0 = the same day;
    /// a negative count, which the console should never record, counts as 0).
    pub fn from_days(days: i64) -> Self {
        match days {
            ..=7 => Self::UpTo7,
            8..=30 => Self::UpTo30,
            31..=90 => Self::UpTo90,
            _ => Self::Over90,
        }
    }
}

impl Dimension for DaysBucket {
    const CODES: &'static [&'static str] = &["days_0_7", "days_8_30", "days_31_90", "days_over_90"];
    fn all() -> &'static [Self] {
        &Self::ALL
    }
    fn code(self) -> &'static str {
        match self {
            Self::UpTo7 => "days_0_7",
            Self::UpTo30 => "days_8_30",
            Self::UpTo90 => "days_31_90",
            Self::Over90 => "days_over_90",
        }
    }
    fn board_key(self) -> &'static str {
        match self {
            Self::UpTo7 => "board.days.days_0_7",
            Self::UpTo30 => "board.days.days_8_30",
            Self::UpTo90 => "board.days.days_31_90",
            Self::Over90 => "board.days.days_over_90",
        }
    }
}

/// A calendar month, the finest time unit anything about a closed case is kept at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

/// Years a report may cover: four digits, so that codes and labels keep their shape.
const YEARS: RangeInclusive<i32> = 1900..=9999;

impl YearMonth {
    /// The month `month` (1–12) of `year` (1900–9999).
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (YEARS.contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// The month a date falls in. Dates outside the years 1900–9999 are clamped to them.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year().clamp(*YEARS.start(), *YEARS.end()),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month of the year, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.first_day()
            .checked_add_months(chrono::Months::new(1))
            .and_then(|next| next.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = PeriodError;

    /// Parses `YYYY-MM`.
    fn from_str(text: &str) -> Result<Self, PeriodError> {
        let (year, month) = text.split_once('-').ok_or(PeriodError::Format)?;
        let year = parse_year(year)?;
        if month.len() != 2 || !month.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PeriodError::Format);
        }
        let month: u32 = month.parse().map_err(|_| PeriodError::Format)?;
        Self::new(year, month).ok_or(PeriodError::NoSuchMonth(month))
    }
}

fn parse_year(text: &str) -> Result<i32, PeriodError> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PeriodError::Format);
    }
    let year: i32 = text.parse().map_err(|_| PeriodError::Format)?;
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(PeriodError::Year(year))
    }
}

/// Why a period code was not understood. What the reader is told is its [`Phrase`]
/// (`[board.problem]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    /// Not one of the three forms.
    Format,
    /// Month out of range.
    NoSuchMonth(u32),
    /// Quarter out of range.
    NoSuchQuarter(u32),
    /// Year out of range.
    Year(i32),
}

impl Said for PeriodError {
    fn phrase(&self) -> Phrase {
        match self {
            Self::Format => Phrase::new("board.problem.period_format"),
            Self::NoSuchMonth(month) => {
                Phrase::new("board.problem.no_such_month").with("month", format!("{month:02}"))
            }
            Self::NoSuchQuarter(quarter) => {
                Phrase::new("board.problem.no_such_quarter").with("quarter", *quarter)
            }
            Self::Year(year) => Phrase::new("board.problem.year").with("year", *year),
        }
    }
}

/// The kinds of fixed period a release can cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

impl PeriodKind {
    /// The configuration's word for it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    /// The kind with this word.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Month, Self::Quarter, Self::Year]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// A fixed reporting period: a month, a calendar quarter or a calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// One month, written `2026-07`.
    Month(YearMonth),
    /// A calendar quarter, written `2026Q3`.
    Quarter {
        /// The year.
        year: i32,
        /// 1–4.
        quarter: u32,
    },
    /// A calendar year, written `2026`.
    Year(i32),
}

impl Period {
    /// Whether this is a month, a quarter or a year.
    pub fn kind(self) -> PeriodKind {
        match self {
            Self::Month(_) => PeriodKind::Month,
            Self::Quarter { .. } => PeriodKind::Quarter,
            Self::Year(_) => PeriodKind::Year,
        }
    }

    /// Every period of `kind` that begins on or after `start` and is complete on `as_of`, oldest
    /// first. The list depends on the configuration and the date only, never on what was counted.
    pub fn complete_since(kind: PeriodKind, start: NaiveDate, as_of: NaiveDate) -> Vec<Period> {
        let mut periods = Vec::new();
        let mut month = YearMonth::of(start);
        while month.first_day() <= as_of {
            let period = Self::of_kind(kind, month);
            if period.first_day() >= start
                && period.is_complete(as_of)
                && periods.last() != Some(&period)
            {
                periods.push(period);
            }
            let Some(next) = month.last_day().succ_opt().map(YearMonth::of) else {
                break;
            };
            if next <= month {
                break;
            }
            month = next;
        }
        periods
    }

    /// The first day of the period.
    pub fn first_day(self) -> NaiveDate {
        self.months().start().first_day()
    }

    /// The months the period covers, first to last.
    pub fn months(self) -> RangeInclusive<YearMonth> {
        let (year, first, last) = match self {
            Self::Month(m) => return m..=m,
            Self::Quarter { year, quarter } => (year, quarter * 3 - 2, quarter * 3),
            Self::Year(year) => (year, 1, 12),
        };
        YearMonth { year, month: first }..=YearMonth { year, month: last }
    }

    /// Every month of the period, in order.
    pub fn month_list(self) -> Vec<YearMonth> {
        let range = self.months();
        let (start, end) = (*range.start(), *range.end());
        (start.month..=end.month)
            .map(|month| YearMonth {
                year: start.year,
                month,
            })
            .collect()
    }

    /// The periods a report breaks this one into: the months of a quarter, the quarters of a
    /// year; none for a month.
    pub fn subperiods(self) -> Vec<Period> {
        match self {
            Self::Month(_) => Vec::new(),
            Self::Quarter { .. } => self.month_list().into_iter().map(Self::Month).collect(),
            Self::Year(year) => (1..=4)
                .map(|quarter| Self::Quarter { year, quarter })
                .collect(),
        }
    }

    /// Whether `month` lies in the period.
    pub fn contains(self, month: YearMonth) -> bool {
        self.months().contains(&month)
    }

    /// The last day of the period.
    pub fn last_day(self) -> NaiveDate {
        self.months().end().last_day()
    }

    /// Whether the period is over on `as_of`: only then may it be reported, since counters of
    /// a month change until the month ends.
    pub fn is_complete(self, as_of: NaiveDate) -> bool {
        as_of > self.last_day()
    }

    /// The first day the period may be reported: the day after it ends.
    pub fn released_on(self) -> NaiveDate {
        self.last_day().succ_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The period of `kind` that holds `month`.
    pub fn of_kind(kind: PeriodKind, month: YearMonth) -> Self {
        match kind {
            PeriodKind::Month => Self::Month(month),
            PeriodKind::Quarter => Self::Quarter {
                year: month.year(),
                quarter: (month.month() - 1) / 3 + 1,
            },
            PeriodKind::Year => Self::Year(month.year()),
        }
    }

    /// The next period of `kind` to be released after `as_of`: the first that begins on or
    /// after `start` and is not over on `as_of`. Like [`Period::complete_since`], it depends on
    /// the dates alone.
    pub fn next_to_complete(kind: PeriodKind, start: NaiveDate, as_of: NaiveDate) -> Option<Self> {
        let mut month = YearMonth::of(start.max(as_of));
        // A year holds twelve months: the period wanted begins within the next thirteen.
        for _ in 0..=13 {
            let period = Self::of_kind(kind, month);
            if period.first_day() >= start && !period.is_complete(as_of) {
                return Some(period);
            }
            month = YearMonth::of(month.last_day().succ_opt()?);
        }
        None
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Month(m) => write!(f, "{m}"),
            Self::Quarter { year, quarter } => write!(f, "{year:04}Q{quarter}"),
            Self::Year(year) => write!(f, "{year:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Parses `2026-07`, `2026Q3` (or `2026q3`) or `2026`.
    fn from_str(text: &str) -> Result<Self, PeriodError> {
        if let Some((year, quarter)) = text.split_once(['Q', 'q']) {
            let year = parse_year(year)?;
            if quarter.len() != 1 || !quarter.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PeriodError::Format);
            }
            let quarter: u32 = quarter.parse().map_err(|_| PeriodError::Format)?;
            if !(1..=4).contains(&quarter) {
                return Err(PeriodError::NoSuchQuarter(quarter));
            }
            return Ok(Self::Quarter { year, quarter });
        }
        if text.contains('-') {
            return text.parse().map(Self::Month);
        }
        parse_year(text).map(Self::Year)
    }
}

/// Serialises a type as its string form; a string that is not one is refused with serde's own
/// words and the pattern expected (`YYYY-MM`).
macro_rules! serde_as_string {
    ($type:ty, $pattern:literal) => {
        impl Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(|_| {
                    serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &$pattern)
                })
            }
        }
    };
}

serde_as_string!(YearMonth, "YYYY-MM");
serde_as_string!(Period, "YYYY-MM, YYYYQn or YYYY");
serde_as_string!(
    CounterKey,
    "case:YYYY-MM:CATEGORY:RAISED_BY:CHANNEL:OUTCOME:DAYS or service:YYYY-MM:SERVICE"
);

/// The counter one closed case adds to: one per case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseCell {
    /// The month the case closed in.
    pub month: YearMonth,
    /// The kind of concern.
    pub category: Category,
    /// Who raised it.
    pub raised_by: RaisedBy,
    /// How it reached the ombuds.
    pub channel: Channel,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took, coarsely.
    pub days_to_close: DaysBucket,
}

/// A counter of cases closed in a month that received one service. A case adds one to the
/// counter of each distinct service it received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServiceCell {
    /// The month the case closed in.
    pub month: YearMonth,
    /// The service given.
    pub service: Service,
}

/// The key of one counter row. The store keeps `(key, count)` pairs and nothing else about
/// closed cases; [`CounterKey`]'s string form (see [`CounterKey::from_code`]) is its stable
/// primary key.
///
/// Services are counted apart from the case cell because a case can receive several: putting
/// the set of services into the case cell would multiply the cells by 32 and thin every count
/// below the threshold, while adding one case cell per service would count a case more than
/// once and break the rule that case cells add up to the number of closed cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterKey {
    /// One per closed case.
    Case(CaseCell),
    /// One per distinct service a closed case received.
    Service(ServiceCell),
}

impl CounterKey {
    /// The month of closing this counter belongs to.
    pub fn month(&self) -> YearMonth {
        match self {
            Self::Case(c) => c.month,
            Self::Service(s) => s.month,
        }
    }

    /// The stable string form:
    /// `case:2026-07:commission:client:web:successfully_closed:days_8_30` or
    /// `service:2026-07:coaching`.
    pub fn code(&self) -> String {
        self.to_string()
    }

    /// The key written as [`CounterKey::code`] gives it.
    pub fn from_code(code: &str) -> Option<Self> {
        let parts: Vec<&str> = code.split(':').collect();
        match parts.as_slice() {
            ["case", month, category, raised_by, channel, outcome, days] => {
                Some(Self::Case(CaseCell {
                    month: month.parse().ok()?,
                    category: Category::from_code(category)?,
                    raised_by: RaisedBy::from_code(raised_by)?,
                    channel: Channel::from_code(channel)?,
                    outcome: Outcome::from_code(outcome)?,
                    days_to_close: <DaysBucket as Dimension>::from_code(days)?,
                }))
            }
            ["service", month, service] => Some(Self::Service(ServiceCell {
                month: month.parse().ok()?,
                service: Service::from_code(service)?,
            })),
            _ => None,
        }
    }

    /// A total order: by month, then kind, then each dimension in report order.
    fn sort_key(&self) -> (YearMonth, [usize; 6]) {
        match self {
            Self::Case(c) => (
                c.month,
                [
                    0,
                    c.category.index(),
                    c.raised_by.index(),
                    c.channel.index(),
                    c.outcome.index(),
                    c.days_to_close.index(),
                ],
            ),
            Self::Service(s) => (s.month, [1, s.service.index(), 0, 0, 0, 0]),
        }
    }
}

impl PartialOrd for CounterKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CounterKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl fmt::Display for CounterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Case(c) => write!(
                f,
                "case:{}:{}:{}:{}:{}:{}",
                c.month,
                c.category.code(),
                c.raised_by.code(),
                c.channel.code(),
                c.outcome.code(),
                Dimension::code(c.days_to_close),
            ),
            Self::Service(s) => write!(f, "service:{}:{}", s.month, s.service.code()),
        }
    }
}

impl FromStr for CounterKey {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_code(text).ok_or(
            "expected case:YYYY-MM:CATEGORY:RAISED_BY:CHANNEL:OUTCOME:DAYS or service:YYYY-MM:SERVICE",
        )
    }
}

/// The clear fields of a case at the moment it closes: everything the counters are made from.
#[derive(Debug, Clone, Copy)]
pub struct ClosedCase<'a> {
    /// The kind of concern.
    pub category: Category,
    /// Who raised it.
    pub raised_by: RaisedBy,
    /// How it reached the ombuds.
    pub channel: Channel,
    /// How it ended.
    pub outcome: Outcome,
    /// The services given (repeats count once).
    pub services: &'a [Service],
    /// The recorded date of first contact.
    pub first_contact: NaiveDate,
    /// The closing date (the association's local date).
    pub closed_on: NaiveDate,
}

/// The counters one closed case adds one to: exactly one [`CounterKey::Case`], then one
/// [`CounterKey::Service`] per distinct service, in service order. Only the month of closing
/// and the days-to-close bucket are derived from the dates; the dates themselves are not kept.
pub fn increments_for_closed_case(case: &ClosedCase<'_>) -> Vec<CounterKey> {
    let month = YearMonth::of(case.closed_on);
    let days = (case.closed_on - case.first_contact).num_days();
    let mut keys = vec![CounterKey::Case(CaseCell {
        month,
        category: case.category,
        raised_by: case.raised_by,
        channel: case.channel,
        outcome: case.outcome,
        days_to_close: DaysBucket::from_days(days),
    })];
    let mut services = case.services.to_vec();
    services.sort();
    services.dedup();
    keys.extend(
        services
            .into_iter()
            .map(|service| CounterKey::Service(ServiceCell { month, service })),
    );
    keys
}

/// Where a report's counters come from. The store will implement it; until it lands the
/// `ombuds report` command reads a JSON file.
pub trait CounterSource {
    /// Why the counters could not be read.
    type Error: fmt::Display;

    /// Every counter row whose month lies in `months` (rows for other months may be included;
    /// they are ignored). A key may appear more than once; its counts add up.
    fn counters(
        &self,
        months: RangeInclusive<YearMonth>,
    ) -> Result<Vec<(CounterKey, u64)>, Self::Error>;
}

/// The `[reports]` table of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendSettings {
    /// The threshold: a count below `k` is shown as "fewer than k". At least 2; default 5.
    #[serde(default = "TrendSettings::default_k")]
    pub k: u32,
    /// If set, the privacy-loss budget of one release for one closed case: discrete Laplace
    /// noise is added to every count. Between 0 (exclusive) and 10.
    #[serde(default)]
    pub epsilon: Option<f64>,
}

/// A setting of `[reports]` with a value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendSettingsError {
    /// The setting, as `reports.key`.
    pub setting: &'static str,
    /// What is wrong with it (`[board.settings]`).
    pub problem: Phrase,
}

impl TrendSettings {
    /// The default threshold.
    pub const DEFAULT_K: u32 = 5;
    /// The largest epsilon accepted.
    pub const MAX_EPSILON: f64 = 10.0;
    /// The smallest epsilon accepted: below it every count would drown in noise.
    pub const MIN_EPSILON: f64 = 0.000_001;

    fn default_k() -> u32 {
        Self::DEFAULT_K
    }

    /// Checks every setting.
    ///
    /// # Errors
    /// The first setting at fault, named as `reports.k` or `reports.epsilon`.
    pub fn validate(&self) -> Result<(), TrendSettingsError> {
        if self.k < 2 {
            return Err(TrendSettingsError {
                setting: "reports.k",
                problem: Phrase::new("board.settings.k").with("k", self.k),
            });
        }
        if let Some(epsilon) = self.epsilon {
            if !(epsilon.is_finite() && epsilon > 0.0 && epsilon <= Self::MAX_EPSILON) {
                return Err(TrendSettingsError {
                    setting: "reports.epsilon",
                    problem: Phrase::new("board.settings.epsilon_range")
                        .with("epsilon", epsilon.to_string()),
                });
            }
            if epsilon < Self::MIN_EPSILON {
                return Err(TrendSettingsError {
                    setting: "reports.epsilon",
                    problem: Phrase::new("board.settings.epsilon_small")
                        .with("epsilon", epsilon.to_string()),
                });
            }
        }
        Ok(())
    }
}

impl Default for TrendSettings {
    fn default() -> Self {
        Self {
            k: Self::DEFAULT_K,
            epsilon: None,
        }
    }
}
