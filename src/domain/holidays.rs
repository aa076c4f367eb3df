//! Holidays and workdays: which dates an association treats as non-working days.
//!
//! This module owns:
//! - the US federal holiday calendar, computed by rule for any year, with the federal
//!   observed-date rule (a holiday on a Saturday is observed on the Friday before, one on a
//!   Sunday on the Monday after);
//! - [`HolidayCalendar`], a base calendar plus an association's own additions and removals;
//! - the workday questions the filing deadline needs: "is this date a workday?" and "what is the
//!   next workday on or after this date, and which days were skipped, and why?";
//! - [`HolidayName`], which holiday a date is, kept structured so that the explanation can name
//!   it in the reader's language (the words themselves live in `translations/`).
//!
//! It must not read files, the clock or the environment: the `[deadline]` table is read by
//! `crate::config::deadline`, and dates arrive as parameters. Dates are the association's local calendar dates.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

/// The first year in which Juneteenth National Independence Day is a federal holiday.
const JUNETEENTH_FIRST_YEAR: i32 = 2021;
/// The first year in which the Birthday of Martin Luther King, Jr. is a federal holiday.
const MLK_FIRST_YEAR: i32 = 1986;

/// One of the eleven US federal holidays (5 U.S.C. 6103).
///
/// The calendar applies today's rules to every year, except that the Birthday of Martin Luther
/// King, Jr. is observed only from 1986 and Juneteenth only from 2021, the years they became
/// federal holidays. (Years before 1971, when several holidays moved to Mondays, are computed by
/// today's rules too; no filing window reaches back that far.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FederalHoliday {
    /// January 1.
    NewYearsDay,
    /// The third Monday in January (from 1986).
    MartinLutherKingJrBirthday,
    /// The third Monday in February.
    WashingtonsBirthday,
    /// The last Monday in May.
    MemorialDay,
    /// June 19 (from 2021).
    Juneteenth,
    /// July 4.
    IndependenceDay,
    /// The first Monday in September.
    LaborDay,
    /// The second Monday in October.
    ColumbusDay,
    /// November 11.
    VeteransDay,
    /// The fourth Thursday in November.
    Thanksgiving,
    /// December 25.
    Christmas,
}

impl FederalHoliday {
    /// All federal holidays in calendar order.
    pub const ALL: [FederalHoliday; 11] = [
        FederalHoliday::NewYearsDay,
        FederalHoliday::MartinLutherKingJrBirthday,
        FederalHoliday::WashingtonsBirthday,
        FederalHoliday::MemorialDay,
        FederalHoliday::Juneteenth,
        FederalHoliday::IndependenceDay,
        FederalHoliday::LaborDay,
        FederalHoliday::ColumbusDay,
        FederalHoliday::VeteransDay,
        FederalHoliday::Thanksgiving,
        FederalHoliday::Christmas,
    ];

    /// The holiday's own date in `year`, before the observed-date rule; `None` if the holiday did
    /// not exist that year or the date cannot be represented.
    pub fn actual_date(self, year: i32) -> Option<NaiveDate> {
        use Weekday::{Mon, Thu};
        match self {
            FederalHoliday::NewYearsDay => NaiveDate::from_ymd_opt(year, 1, 1),
            FederalHoliday::MartinLutherKingJrBirthday => {
                if year < MLK_FIRST_YEAR {
                    None
                } else {
                    NaiveDate::from_weekday_of_month_opt(year, 1, Mon, 3)
                }
            }
            FederalHoliday::WashingtonsBirthday => {
                NaiveDate::from_weekday_of_month_opt(year, 2, Mon, 3)
            }
            FederalHoliday::MemorialDay => last_weekday_of_month(year, 5, Mon),
            FederalHoliday::Juneteenth => {
                if year < JUNETEENTH_FIRST_YEAR {
                    None
                } else {
                    NaiveDate::from_ymd_opt(year, 6, 19)
                }
            }
            FederalHoliday::IndependenceDay => NaiveDate::from_ymd_opt(year, 7, 4),
            FederalHoliday::LaborDay => NaiveDate::from_weekday_of_month_opt(year, 9, Mon, 1),
            FederalHoliday::ColumbusDay => NaiveDate::from_weekday_of_month_opt(year, 10, Mon, 2),
            FederalHoliday::VeteransDay => NaiveDate::from_ymd_opt(year, 11, 11),
            FederalHoliday::Thanksgiving => NaiveDate::from_weekday_of_month_opt(year, 11, Thu, 4),
            FederalHoliday::Christmas => NaiveDate::from_ymd_opt(year, 12, 25),
        }
    }

    /// The date on which the holiday of `year` is observed: a Saturday moves to the Friday
    /// before, a Sunday to the Monday after. New Year's Day on a Saturday is therefore observed on
    /// December 31 of the year before.
    pub fn observed_date(self, year: i32) -> Option<NaiveDate> {
        let actual = self.actual_date(year)?;
        match actual.weekday() {
            Weekday::Sat => actual.pred_opt(),
            Weekday::Sun => actual.succ_opt(),
            _ => Some(actual),
        }
    }
}

/// The last `weekday` of a month (used for Memorial Day).
fn last_weekday_of_month(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month.checked_add(1)?, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    last.checked_sub_days(Days::new(u64::from(back)))
}

/// Which holiday a date is: a federal holiday (perhaps observed on a weekday next to its own
/// date), or one the association added with its own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolidayName {
    /// A US federal holiday.
    Federal {
        /// Which one.
        holiday: FederalHoliday,
        /// Kept on a weekday next to its own date, which fell on a weekend.
        observed: bool,
    },
    /// One of the association's own holidays, as its configuration names it.
    Own {
        /// The name in English, e.g. `"Day after Thanksgiving"`, used where no other is given.
        name: String,
        /// Its names in other languages, by language code (`("es", "Nochebuena")`), as the
        /// configuration gives them.
        names: Vec<(String, String)>,
    },
}

/// A holiday on a particular date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The date the holiday is kept (for federal holidays, the observed date).
    pub date: NaiveDate,
    /// Which holiday it is (worded, e.g. "Independence Day (observed)", by
    /// `crate::i18n::deadline_steps::holiday_name`).
    pub name: HolidayName,
}

/// The US federal holidays kept (observed) on dates within `year`, in date order.
///
/// A New Year's Day that falls on a Saturday belongs to the year before: `us_federal_holidays(2021)`
/// ends with 2021-12-31, "New Year's Day (observed)", for New Year's Day 2022, and
/// `us_federal_holidays(2022)` has no New Year's Day at all. Dates that cannot be represented (the
/// far ends of the calendar) are left out rather than causing an error.
pub fn us_federal_holidays(year: i32) -> Vec<Holiday> {
    let mut out = Vec::with_capacity(12);
    // Only a holiday of `year` itself, or New Year's Day of the next year moved back to
    // December 31, can be kept on a date in `year`.
    for candidate_year in [Some(year), year.checked_add(1)].into_iter().flatten() {
        for holiday in FederalHoliday::ALL {
            let Some(observed) = holiday.observed_date(candidate_year) else {
                continue;
            };
            if observed.year() != year {
                continue;
            }
            out.push(Holiday {
                date: observed,
                name: HolidayName::Federal {
                    holiday,
                    observed: Some(observed) != holiday.actual_date(candidate_year),
                },
            });
        }
    }
    out.sort_by_key(|h| h.date);
    out
}

/// The calendar an association starts from before its own additions and removals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseCalendar {
    /// The US federal holidays, as observed (`"us-federal"`).
    #[default]
    UsFederal,
    /// No holidays at all, only weekends (`"none"`).
    None,
}

impl fmt::Display for BaseCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BaseCalendar::UsFederal => "us-federal",
            BaseCalendar::None => "none",
        })
    }
}

/// Why a date is not a workday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NonWorkday {
    /// A Saturday or a Sunday (weekends win over holidays when both apply).
    Weekend(Weekday),
    /// A holiday in the association's calendar.
    Holiday(HolidayName),
}

/// A day passed over when moving a date forward to a workday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedDay {
    /// The date passed over.
    pub date: NaiveDate,
    /// Why it is not a workday.
    pub reason: NonWorkday,
}

/// The answer to "what is the next workday on or after this date?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextWorkday {
    /// The first workday on or after the date asked about.
    pub date: NaiveDate,
    /// The days passed over on the way, in order (empty when the date itself is a workday).
    pub skipped: Vec<SkippedDay>,
}

/// Errors from calendar arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Moving forward to a workday would pass the last date the program can represent.
    #[error("there is no workday on or after {0} that this program can represent")]
    OutOfRange(NaiveDate),
}

/// An association's holiday calendar: a base calendar, minus removed dates, plus added ones.
///
/// An added holiday wins over a removal of the same date.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HolidayCalendar {
    base: BaseCalendar,
    added: BTreeMap<NaiveDate, HolidayName>,
    removed: BTreeSet<NaiveDate>,
}

impl HolidayCalendar {
    /// The US federal calendar with no changes.
    pub fn us_federal() -> Self {
        Self::from_base(BaseCalendar::UsFederal)
    }

    /// A calendar with no holidays: only weekends are non-working days.
    pub fn none() -> Self {
        Self::from_base(BaseCalendar::None)
    }

    /// A calendar made of `base` with no changes.
    pub fn from_base(base: BaseCalendar) -> Self {
        Self {
            base,
            added: BTreeMap::new(),
            removed: BTreeSet::new(),
        }
    }

    /// Adds a holiday on `date` named `name` in every language (replacing any name the date
    /// had).
    pub fn add(&mut self, date: NaiveDate, name: impl Into<String>) {
        self.add_named(date, name.into(), Vec::new());
    }

    /// Adds a holiday on `date` with its English name and its names in other languages, by
    /// language code (replacing any name the date had).
    pub fn add_named(&mut self, date: NaiveDate, name: String, names: Vec<(String, String)>) {
        self.added.insert(date, HolidayName::Own { name, names });
    }

    /// Removes `date` from the base calendar (an added holiday on the same date stays).
    /// Whether `date` is one of the association's own added holidays.
    pub fn adds(&self, date: NaiveDate) -> bool {
        self.added.contains_key(&date)
    }

    pub fn remove(&mut self, date: NaiveDate) {
        self.removed.insert(date);
    }

    /// The base calendar this one starts from.
    pub fn base(&self) -> BaseCalendar {
        self.base
    }

    /// Which holiday is kept on `date`, if any (weekends are not holidays).
    pub fn holiday_named(&self, date: NaiveDate) -> Option<HolidayName> {
        if let Some(name) = self.added.get(&date) {
            return Some(name.clone());
        }
        if self.removed.contains(&date) {
            return None;
        }
        self.base_holiday_on(date)
    }

    /// The base calendar's holiday on `date`, ignoring additions and removals.
    pub fn base_holiday_on(&self, date: NaiveDate) -> Option<HolidayName> {
        match self.base {
            BaseCalendar::None => None,
            BaseCalendar::UsFederal => us_federal_holidays(date.year())
                .into_iter()
                .find(|h| h.date == date)
                .map(|h| h.name),
        }
    }

    /// Why `date` is not a workday, or `None` if it is one.
    pub fn non_workday(&self, date: NaiveDate) -> Option<NonWorkday> {
        match date.weekday() {
            day @ (Weekday::Sat | Weekday::Sun) => Some(NonWorkday::Weekend(day)),
            _ => self.holiday_named(date).map(NonWorkday::Holiday),
        }
    }

    /// Whether `date` is a workday: not a Saturday, not a Sunday, not a holiday.
    pub fn is_workday(&self, date: NaiveDate) -> bool {
        self.non_workday(date).is_none()
    }

    /// The first workday on or after `date`, with the days passed over and why.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] if no workday can be found before the end of the
    /// representable calendar (year 262143).
    pub fn next_workday_on_or_after(&self, date: NaiveDate) -> Result<NextWorkday, CalendarError> {
        let mut skipped = Vec::new();
        let mut day = date;
        // Terminates: weekends are two days long and the set of holidays in any window is finite;
        // every step moves one day forward or fails at the end of the calendar.
        while let Some(reason) = self.non_workday(day) {
            skipped.push(SkippedDay { date: day, reason });
            day = day.succ_opt().ok_or(CalendarError::OutOfRange(date))?;
        }
        Ok(NextWorkday { date: day, skipped })
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on unexpected values; `allow`, not `expect`, because the project's clippy.toml may already allow unwrap in tests"
)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::i18n::deadline_steps::holiday_name;

    /// A holiday's name in English, as the explanation says it.
    fn english(name: &HolidayName) -> String {
        holiday_name(name, Lang::En)
    }

    /// The English name of the holiday kept on a date.
    trait Named {
        fn holiday_on(&self, date: NaiveDate) -> Option<String>;
    }

    impl Named for HolidayCalendar {
        fn holiday_on(&self, date: NaiveDate) -> Option<String> {
            self.holiday_named(date).map(|name| english(&name))
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn names_2026() -> Vec<(NaiveDate, String)> {
        us_federal_holidays(2026)
            .into_iter()
            .map(|h| (h.date, english(&h.name)))
            .collect()
    }

    #[test]
    fn federal_holidays_2026() {
        let expected = [
            ("2026-01-01", "New Year's Day"),
            ("2026-01-19", "Birthday of Martin Luther King, Jr."),
            ("2026-02-16", "Washington's Birthday"),
            ("2026-05-25", "Memorial Day"),
            ("2026-06-19", "Juneteenth National Independence Day"),
            ("2026-07-03", "Independence Day (observed)"),
            ("2026-09-07", "Labor Day"),
            ("2026-10-12", "Columbus Day"),
            ("2026-11-11", "Veterans Day"),
            ("2026-11-26", "Thanksgiving Day"),
            ("2026-12-25", "Christmas Day"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(date, name)| (d(date), (*name).to_owned()))
            .collect();
        assert_eq!(names_2026(), expected);
    }

    #[test]
    fn sunday_holiday_is_observed_on_monday() {
        // Juneteenth 2022 and Christmas 2022 fell on Sundays.
        let cal = HolidayCalendar::us_federal();
        assert_eq!(
            cal.holiday_on(d("2022-06-20")).as_deref(),
            Some("Juneteenth National Independence Day (observed)")
        );
        assert_eq!(
            cal.holiday_on(d("2022-12-26")).as_deref(),
            Some("Christmas Day (observed)")
        );
        assert_eq!(cal.holiday_on(d("2022-12-25")), None);
    }

    #[test]
    fn new_years_day_on_saturday_is_observed_on_december_31_of_the_year_before() {
        // 2022-01-01 was a Saturday.
        let y2021 = us_federal_holidays(2021);
        let last = y2021.last().unwrap();
        assert_eq!(last.date, d("2021-12-31"));
        assert_eq!(english(&last.name), "New Year's Day (observed)");
        assert_eq!(
            last.name,
            HolidayName::Federal {
                holiday: FederalHoliday::NewYearsDay,
                observed: true
            }
        );
        assert!(
            us_federal_holidays(2022)
                .iter()
                .all(|h| !english(&h.name).starts_with("New Year's Day"))
        );
        // 2028-01-01 is a Saturday too.
        let cal = HolidayCalendar::us_federal();
        assert_eq!(
            cal.holiday_on(d("2027-12-31")).as_deref(),
            Some("New Year's Day (observed)")
        );
    }

    #[test]
    fn juneteenth_only_from_2021_and_mlk_only_from_1986() {
        assert!(
            us_federal_holidays(2020)
                .iter()
                .all(|h| !english(&h.name).starts_with("Juneteenth"))
        );
        assert_eq!(
            HolidayCalendar::us_federal()
                .holiday_on(d("2021-06-18"))
                .as_deref(),
            Some("Juneteenth National Independence Day (observed)")
        );
        assert!(
            us_federal_holidays(1985)
                .iter()
                .all(|h| !english(&h.name).contains("Martin Luther King"))
        );
        assert_eq!(us_federal_holidays(1986).len(), 10);
    }

    #[test]
    fn every_year_has_eleven_holidays_kept_somewhere() {
        for year in 2021..2200 {
            let here = us_federal_holidays(year).len();
            // New Year's Day moves into the year before when it falls on a Saturday.
            let lost = usize::from(
                FederalHoliday::NewYearsDay
                    .observed_date(year)
                    .is_some_and(|o| o.year() != year),
            );
            let gained = usize::from(
                FederalHoliday::NewYearsDay
                    .observed_date(year + 1)
                    .is_some_and(|o| o.year() == year),
            );
            assert_eq!(here, 11 - lost + gained, "year {year}");
            for h in us_federal_holidays(year) {
                assert!(!matches!(h.date.weekday(), Weekday::Sat | Weekday::Sun));
            }
        }
    }

    #[test]
    fn calendar_ends_do_not_panic() {
        assert!(!us_federal_holidays(NaiveDate::MAX.year()).is_empty());
        assert!(!us_federal_holidays(NaiveDate::MIN.year()).is_empty());
        let cal = HolidayCalendar::us_federal();
        // The day after the last representable date does not exist.
        let mut all_off = HolidayCalendar::none();
        all_off.add(NaiveDate::MAX, "Last day");
        assert_eq!(
            all_off.next_workday_on_or_after(NaiveDate::MAX),
            Err(CalendarError::OutOfRange(NaiveDate::MAX))
        );
        assert!(cal.next_workday_on_or_after(NaiveDate::MIN).is_ok());
    }

    #[test]
    fn next_workday_names_the_days_it_skips() {
        let cal = HolidayCalendar::us_federal();
        // Saturday 2026-09-05, Sunday 09-06, Labor Day Monday 09-07.
        let next = cal.next_workday_on_or_after(d("2026-09-05")).unwrap();
        assert_eq!(next.date, d("2026-09-08"));
        assert_eq!(
            next.skipped,
            vec![
                SkippedDay {
                    date: d("2026-09-05"),
                    reason: NonWorkday::Weekend(Weekday::Sat)
                },
                SkippedDay {
                    date: d("2026-09-06"),
                    reason: NonWorkday::Weekend(Weekday::Sun)
                },
                SkippedDay {
                    date: d("2026-09-07"),
                    reason: NonWorkday::Holiday(HolidayName::Federal {
                        holiday: FederalHoliday::LaborDay,
                        observed: false
                    })
                },
            ]
        );
        let same = cal.next_workday_on_or_after(d("2026-09-08")).unwrap();
        assert_eq!(same.date, d("2026-09-08"));
        assert!(same.skipped.is_empty());
        assert!(cal.is_workday(d("2026-08-18")));
        assert!(!cal.is_workday(d("2026-07-03")));
        assert!(HolidayCalendar::none().is_workday(d("2026-07-03")));
    }
}
