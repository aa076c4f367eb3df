//! `[deadline]`: how the association computes the 180-day filing deadline's weekend and
//! holiday move (roll-forward on or off, the base calendar, its own extra and removed holidays).
//! The calendar itself and the workday rules are `crate::domain::holidays`'.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::holidays::{BaseCalendar, HolidayCalendar};
use crate::domain::phrase::{Phrase, Said};

/// The checked table.
#[derive(Debug, Clone)]
pub struct Deadline {
    /// Whether a deadline on a weekend or holiday moves to the next workday.
    pub roll_forward: bool,
    /// The association's holidays.
    pub holidays: HolidayCalendar,
}

/// The `[deadline]` configuration table: how an association computes the 180-day filing
/// deadline's weekend and holiday move.
///
/// ```toml
/// [deadline]
/// roll_forward = true              # default true: a deadline on a weekend or holiday moves
///                                  # to the next workday; false leaves it where it falls
/// holiday_calendar = "us-federal"  # default "us-federal"; "none" means weekends only
/// extra_holidays = [{ date = "2026-11-27", name = "Day after Thanksgiving",
///                     name_es = "Día después de Acción de Gracias" }]  # default []; name_es
///                                  # optional: the name Spanish pages show
/// removed_holidays = ["2026-10-12"]  # default []: dates taken out of holiday_calendar
/// ```
///
/// Dates may be written as strings (`"2026-11-27"`) or as TOML dates (`2026-11-27`). Every key is
/// optional; an unknown key is an error. Call [`DeadlineSettings::calendar`] to validate the
/// table and build the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeadlineSettings {
    /// Move a deadline that falls on a weekend or holiday to the next workday (default `true`).
    pub roll_forward: bool,
    /// The calendar to start from (default `us-federal`).
    pub holiday_calendar: BaseCalendar,
    /// The association's own holidays, added to the base calendar.
    pub extra_holidays: Vec<ExtraHoliday>,
    /// Dates removed from the base calendar (each must be a holiday in it).
    #[serde(deserialize_with = "de::dates")]
    pub removed_holidays: Vec<NaiveDate>,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        Self {
            roll_forward: true,
            holiday_calendar: BaseCalendar::UsFederal,
            extra_holidays: Vec::new(),
            removed_holidays: Vec::new(),
        }
    }
}

/// One entry of `extra_holidays`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraHoliday {
    /// The date the association keeps the holiday.
    #[serde(deserialize_with = "de::date")]
    pub date: NaiveDate,
    /// The name shown in explanations, e.g. `"Day after Thanksgiving"`.
    pub name: String,
    /// The name shown in Spanish explanations; without it they show `name`.
    #[serde(default)]
    pub name_es: Option<String>,
}

/// A `[deadline]` table that parsed but does not make sense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    /// An extra holiday has an empty name.
    EmptyName(NaiveDate),
    /// An extra holiday's Spanish name is given but empty.
    EmptySpanishName(NaiveDate),
    /// The same date is listed twice in `extra_holidays`.
    DuplicateExtra(NaiveDate),
    /// A date is both added and removed.
    AddedAndRemoved(NaiveDate),
    /// A removed date is not a holiday in the base calendar (probably a typo).
    NotAHoliday {
        /// The date listed.
        date: NaiveDate,
        /// The base calendar it was looked up in.
        base: BaseCalendar,
    },
}

impl Said for SettingsError {
    fn phrase(&self) -> Phrase {
        match *self {
            Self::EmptyName(date) => Phrase::new("cli.config.holiday_unnamed").with("date", date),
            Self::EmptySpanishName(date) => {
                Phrase::new("cli.config.holiday_empty_name_es").with("date", date)
            }
            Self::DuplicateExtra(date) => {
                Phrase::new("cli.config.holiday_twice").with("date", date)
            }
            Self::AddedAndRemoved(date) => {
                Phrase::new("cli.config.holiday_added_and_removed").with("date", date)
            }
            Self::NotAHoliday { date, base } => Phrase::new("cli.config.holiday_not_removable")
                .with("date", date)
                .with("base", base.to_string()),
        }
    }
}

impl DeadlineSettings {
    /// Checks the table and builds the association's holiday calendar from it.
    ///
    /// # Errors
    /// A [`SettingsError`] naming the key and date that is wrong: an empty holiday name, a date
    /// added twice, a date both added and removed, or a removed date that is not a holiday in the
    /// base calendar.
    pub fn calendar(&self) -> Result<HolidayCalendar, SettingsError> {
        let mut calendar = HolidayCalendar::from_base(self.holiday_calendar);
        for extra in &self.extra_holidays {
            if extra.name.trim().is_empty() {
                return Err(SettingsError::EmptyName(extra.date));
            }
            let names = match &extra.name_es {
                Some(name) if name.trim().is_empty() => {
                    return Err(SettingsError::EmptySpanishName(extra.date));
                }
                Some(name) => vec![("es".to_owned(), name.trim().to_owned())],
                None => Vec::new(),
            };
            if calendar.adds(extra.date) {
                return Err(SettingsError::DuplicateExtra(extra.date));
            }
            calendar.add_named(extra.date, extra.name.trim().to_owned(), names);
        }
        for &date in &self.removed_holidays {
            if calendar.adds(date) {
                return Err(SettingsError::AddedAndRemoved(date));
            }
            if calendar.base_holiday_on(date).is_none() {
                return Err(SettingsError::NotAHoliday {
                    date,
                    base: self.holiday_calendar,
                });
            }
            calendar.remove(date);
        }
        Ok(calendar)
    }
}

/// Date deserialisers that accept both `"2026-11-27"` strings and native TOML dates. A value
/// that is neither is refused with serde's own error, around what was expected (the
/// `expecting` of each visitor): the parser's wording, as clap's is for arguments.
mod de {
    use std::fmt;

    use chrono::NaiveDate;
    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

    /// A date in the table, however it was written.
    struct ConfigDate(NaiveDate);

    impl<'de> de::Deserialize<'de> for ConfigDate {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(DateVisitor).map(ConfigDate)
        }
    }

    struct DateVisitor;

    impl<'de> Visitor<'de> for DateVisitor {
        type Value = NaiveDate;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date written YYYY-MM-DD")
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<NaiveDate, E> {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
        }

        /// A native TOML date reaches serde as a one-entry map whose value is its text.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NaiveDate, A::Error> {
            let Some((_, text)) = map.next_entry::<de::IgnoredAny, String>()? else {
                return Err(de::Error::invalid_length(0, &self));
            };
            if map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {
                return Err(de::Error::invalid_length(2, &self));
            }
            self.visit_str(&text)
        }
    }

    /// Deserialises one date.
    pub(super) fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        <ConfigDate as de::Deserialize>::deserialize(deserializer).map(|d| d.0)
    }

    /// Deserialises a list of dates.
    pub(super) fn dates<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<NaiveDate>, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = Vec<NaiveDate>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of dates written YYYY-MM-DD")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(ConfigDate(d)) = seq.next_element()? {
                    out.push(d);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(ListVisitor)
    }
}

impl DeadlineSettings {
    /// Checks the table: the settings the service and `ombuds deadline` use.
    pub fn check(&self) -> Result<Deadline, SettingsError> {
        Ok(Deadline {
            roll_forward: self.roll_forward,
            holidays: self.calendar()?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected values")]
mod tests {
    use super::*;
    use crate::domain::holidays::HolidayName;

    /// The English name of the holiday kept on a date, as the explanation says it.
    fn holiday_on(cal: &HolidayCalendar, date: NaiveDate) -> Option<String> {
        cal.holiday_named(date)
            .map(|name| crate::i18n::deadline_steps::holiday_name(&name, crate::i18n::Lang::En))
    }

    fn said(e: &SettingsError) -> String {
        crate::i18n::Lang::En.say(&e.phrase())
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        deadline: DeadlineSettings,
    }

    fn parse(text: &str) -> Result<DeadlineSettings, toml::de::Error> {
        toml::from_str::<File>(text).map(|f| f.deadline)
    }

    #[test]
    fn settings_default_is_federal_with_roll_forward() {
        let s = parse("").unwrap();
        assert_eq!(s, DeadlineSettings::default());
        assert!(s.roll_forward);
        assert_eq!(s.calendar().unwrap(), HolidayCalendar::us_federal());
        assert_eq!(parse("[deadline]\n").unwrap(), DeadlineSettings::default());
    }

    #[test]
    fn settings_full_table() {
        let s = parse(
            r#"
            [deadline]
            roll_forward = false
            holiday_calendar = "us-federal"
            extra_holidays = [
                { date = "2026-11-27", name = "Day after Thanksgiving" },
                { date = 2026-12-24, name = "Christmas Eve", name_es = " Nochebuena " },
            ]
            removed_holidays = ["2026-10-12", 2026-11-11]
            "#,
        )
        .unwrap();
        assert!(!s.roll_forward);
        let cal = s.calendar().unwrap();
        assert_eq!(
            holiday_on(&cal, d("2026-11-27")).as_deref(),
            Some("Day after Thanksgiving")
        );
        assert_eq!(
            holiday_on(&cal, d("2026-12-24")).as_deref(),
            Some("Christmas Eve")
        );
        assert_eq!(
            cal.holiday_named(d("2026-12-24")),
            Some(HolidayName::Own {
                name: "Christmas Eve".into(),
                names: vec![("es".into(), "Nochebuena".into())]
            })
        );
        assert_eq!(
            cal.holiday_named(d("2026-11-27")),
            Some(HolidayName::Own {
                name: "Day after Thanksgiving".into(),
                names: Vec::new()
            })
        );
        assert_eq!(holiday_on(&cal, d("2026-10-12")), None);
        assert_eq!(holiday_on(&cal, d("2026-11-11")), None);
        assert_eq!(
            holiday_on(&cal, d("2026-11-26")).as_deref(),
            Some("Thanksgiving Day")
        );
    }

    #[test]
    fn settings_none_calendar() {
        let s = parse("[deadline]\nholiday_calendar = \"none\"\n").unwrap();
        let cal = s.calendar().unwrap();
        assert!(cal.is_workday(d("2026-12-25")));
        assert!(!cal.is_workday(d("2026-12-26")));
    }

    #[test]
    fn settings_reject_unknown_and_bad_values() {
        let unknown = parse("[deadline]\nroll_foward = true\n").unwrap_err();
        assert!(unknown.message().contains("unknown field `roll_foward`"));
        assert!(parse("[deadline]\nholiday_calendar = \"uk\"\n").is_err());
        assert!(parse("[deadline]\nremoved_holidays = [\"2026-02-30\"]\n").is_err());
        assert!(
            parse("[deadline]\nextra_holidays = [{ date = \"2026-11-27\" }]\n").is_err(),
            "a name is required"
        );
        assert!(
            parse(
                "[deadline]\nextra_holidays = [{ date = \"2026-11-27\", name = \"x\", y = 1 }]\n"
            )
            .is_err()
        );
        assert!(parse("[deadline]\nremoved_holidays = [2026-10-12T10:00:00]\n").is_err());
    }

    #[test]
    fn settings_validation_names_the_problem() {
        let typo = parse("[deadline]\nremoved_holidays = [\"2026-10-13\"]\n").unwrap();
        assert_eq!(
            said(&typo.calendar().unwrap_err()),
            "removed_holidays: 2026-10-13 is not a holiday in the us-federal calendar"
        );
        let both = parse(
            "[deadline]\nextra_holidays = [{ date = \"2026-10-12\", name = \"x\" }]\nremoved_holidays = [\"2026-10-12\"]\n",
        )
        .unwrap();
        assert_eq!(
            both.calendar().unwrap_err(),
            SettingsError::AddedAndRemoved(d("2026-10-12"))
        );
        let empty =
            parse("[deadline]\nextra_holidays = [{ date = \"2026-10-13\", name = \" \" }]\n")
                .unwrap();
        assert_eq!(
            empty.calendar().unwrap_err(),
            SettingsError::EmptyName(d("2026-10-13"))
        );
        let empty_spanish = parse(
            "[deadline]\nextra_holidays = [{ date = \"2026-10-13\", name = \"x\", name_es = \"\" }]\n",
        )
        .unwrap();
        assert_eq!(
            said(&empty_spanish.calendar().unwrap_err()),
            "extra_holidays: the holiday on 2026-10-13 has an empty name_es (leave the key out instead)"
        );
        let twice = parse(
            "[deadline]\nextra_holidays = [{ date = \"2026-10-13\", name = \"a\" }, { date = \"2026-10-13\", name = \"b\" }]\n",
        )
        .unwrap();
        assert_eq!(
            twice.calendar().unwrap_err(),
            SettingsError::DuplicateExtra(d("2026-10-13"))
        );
    }
}
