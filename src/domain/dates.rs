//! Calendar dates as people type them: strict `YYYY-MM-DD`, and plain-language display.

use chrono::{Datelike, NaiveDate};

/// Why a typed date was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not in the form `YYYY-MM-DD`.
    #[error("must be a date written YYYY-MM-DD, for example 2026-03-31")]
    Format,
    /// In the right form, but no such day exists (2026-02-30); says why.
    #[error("{text} is not a real calendar date: {why}")]
    Impossible {
        /// The date as written.
        text: String,
        /// Why it does not exist, e.g. "February 2026 has 28 days".
        why: String,
    },
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
    let why = match NaiveDate::from_ymd_opt(year, month, 1) {
        None => format!("there is no month {month:02}"),
        Some(first) => {
            let days = first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|next| next.pred_opt())
                .map_or(0, |last| last.day());
            format!("{} {year} has {days} days", first.format("%B"))
        }
    };
    Err(DateError::Impossible {
        text: text.to_owned(),
        why,
    })
}

/// A date as a sentence would say it: "Monday, 2 March 2026".
pub fn long_date(date: NaiveDate) -> String {
    format!(
        "{}, {} {} {}",
        date.format("%A"),
        date.day(),
        date.format("%B"),
        date.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            parse_iso_date("2026-02-30").unwrap_err().to_string(),
            "2026-02-30 is not a real calendar date: February 2026 has 28 days"
        );
        assert_eq!(
            parse_iso_date("2024-02-30").unwrap_err().to_string(),
            "2024-02-30 is not a real calendar date: February 2024 has 29 days"
        );
        assert_eq!(
            parse_iso_date("2026-13-01").unwrap_err().to_string(),
            "2026-13-01 is not a real calendar date: there is no month 13"
        );
    }

    #[test]
    fn long_dates_read_naturally() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(long_date(date), "Monday, 2 March 2026");
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
