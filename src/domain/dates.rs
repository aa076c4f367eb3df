//! Calendar dates as people type them: strict `YYYY-MM-DD` ([`parse_iso_date`]), and the
//! year-month-day a person types into the intake form's text boxes ([`tidy_typed_date`]). Dates in words are the wording
//! layer's (`Lang::long_date`, in the reader's language; `Arg::LongDate` in a phrase).

use chrono::{Datelike, NaiveDate};

use super::phrase::{Arg, Phrase, Said};

/// Why a typed date was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not in the form `YYYY-MM-DD`.
    Format,
    /// In the right form, but the month does not exist (2026-13-01).
    NoSuchMonth {
        /// The date as written.
        text: String,
        /// The month as written, e.g. `"13"`.
        month: String,
    },
    /// In the right form, but the month has fewer days (2026-02-30).
    NoSuchDay {
        /// The date as written.
        text: String,
        /// The month (1 to 12).
        month: u32,
        /// The year.
        year: i32,
        /// How many days that month has.
        days: u32,
    },
}

impl Said for DateError {
    fn phrase(&self) -> Phrase {
        match self {
            Self::Format => Phrase::new("problem.date_format"),
            Self::NoSuchMonth { text, month } => Phrase::new("problem.date_no_such_month")
                .with("text", text.as_str())
                .with("month", month.as_str()),
            Self::NoSuchDay {
                text,
                month,
                year,
                days,
            } => Phrase::new("problem.date_no_such_day")
                .with("text", text.as_str())
                .with("month", Arg::Month(*month))
                .with("year", *year)
                .with("days", *days),
        }
    }
}

/// Parses a date written exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
pub fn parse_iso_date(text: &str) -> Result<NaiveDate, DateError> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(DateError::Format);
    }
    let number = |range: std::ops::Range<usize>| {
        text.get(range)
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or(DateError::Format)
    };
    let year = i32::try_from(number(0..4)?).map_err(|_| DateError::Format)?;
    let (month, day) = (number(5..7)?, number(8..10)?);
    if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
        return Ok(date);
    }
    Err(match NaiveDate::from_ymd_opt(year, month, 1) {
        None => DateError::NoSuchMonth {
            text: text.to_owned(),
            month: format!("{month:02}"),
        },
        Some(first) => DateError::NoSuchDay {
            text: text.to_owned(),
            month,
            year,
            days: first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|next| next.pred_opt())
                .map_or(0, |last| last.day()),
        },
    })
}

/// A date typed into a text box in year-month-day order, written the strict way: a four-digit
/// year, then the month and the day of one or two digits each, separated by `-`, `/`, `.` or
/// spaces (`2026/3/5` and `2026 03 05` give `2026-03-05`). `None` for anything else, which
/// [`parse_iso_date`] then refuses by its form. Whether the month and day exist is left to it.
pub fn tidy_typed_date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text
        .trim()
        .split(|c: char| matches!(c, '-' | '/' | '.') || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let digits = |part: &str, widths: std::ops::RangeInclusive<usize>| {
        widths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2)) {
        return None;
    }
    Some(format!("{year}-{month:0>2}-{day:0>2}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_year_month_day_is_written_the_strict_way_and_nothing_else_is() {
        for (typed, tidy) in [
            ("2026-09-15", "2026-09-15"),
            (" 2026-9-5 ", "2026-09-05"),
            ("2026/09/15", "2026-09-15"),
            ("2026.9.15", "2026-09-15"),
            ("2026 09 15", "2026-09-15"),
            ("2026-02-30", "2026-02-30"),
        ] {
            assert_eq!(tidy_typed_date(typed).as_deref(), Some(tidy), "{typed}");
        }
        // Day or month first is ambiguous (09/15/2026, 15/09/2026): refused, never guessed.
        for typed in [
            "09/15/2026",
            "15/09/2026",
            "26-09-15",
            "2026-09",
            "2026-09-15-01",
            "2026-009-15",
            "yesterday",
            "",
            "２０２６-09-15",
        ] {
            assert_eq!(tidy_typed_date(typed), None, "{typed}");
        }
    }

    #[test]
    fn accepts_only_the_strict_form() {
        assert_eq!(
            parse_iso_date("2026-03-05"),
            Ok(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap())
        );
        for bad in [
            "2026-3-5",
            "05/03/2026",
            "yesterday",
            "",
            "2026-03-05T00:00",
            "+026-03-05",
        ] {
            assert_eq!(parse_iso_date(bad), Err(DateError::Format), "{bad}");
        }
    }

    #[test]
    fn names_an_impossible_date() {
        let no_such_day = |text: &str, year: i32, days: u32| DateError::NoSuchDay {
            text: text.to_owned(),
            month: 2,
            year,
            days,
        };
        assert_eq!(
            parse_iso_date("2026-02-30"),
            Err(no_such_day("2026-02-30", 2026, 28))
        );
        assert_eq!(
            parse_iso_date("2024-02-30"),
            Err(no_such_day("2024-02-30", 2024, 29))
        );
        assert_eq!(
            parse_iso_date("2026-13-01"),
            Err(DateError::NoSuchMonth {
                text: "2026-13-01".to_owned(),
                month: "13".to_owned(),
            })
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Every date of years 0000 to 9999 written YYYY-MM-DD reads back as itself.
            #[test]
            fn written_dates_read_back(days in 0i64..3_652_425) {
                let date = NaiveDate::from_ymd_opt(0, 1, 1).unwrap() + chrono::Days::new(days as u64);
                let text = date.format("%Y-%m-%d").to_string();
                prop_assert_eq!(parse_iso_date(&text), Ok(date));
            }

            /// Any ten characters: refused, or the text is exactly how the date is written.
            #[test]
            fn accepted_text_is_the_written_form(text in "[0-9+-]{10}|\\PC{0,12}") {
                if let Ok(date) = parse_iso_date(&text) {
                    prop_assert_eq!(date.format("%Y-%m-%d").to_string(), text);
                }
            }
        }
    }
}
