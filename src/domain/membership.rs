//! Periods in which the respondent held no REALTOR® membership. Such a period suspends the
//! filing deadline as informal resolution does (`docs/RULES.md`, section 3); the ombuds records
//! it on the case, and the deadline the console shows counts it.
//!
//! Pure rules: what a recorded period may be. Storage (sealed with the case) and the deadline's
//! computation ([`super::deadline`]) are elsewhere.

use chrono::NaiveDate;

use super::concern::in_the_future;
use super::dates::parse_iso_date;
use super::field::FieldError;
use super::phrase::{Phrase, Said};

/// The most periods one case records.
pub const MAX_PERIODS: usize = 20;

/// A period without membership: both days included, both in the past or today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct NonMembership {
    /// The first day the respondent held no membership.
    pub from: NaiveDate,
    /// The last day (today, for a period still going on).
    pub to: NaiveDate,
}

/// Checks a period typed as `from` and `to` (`YYYY-MM-DD`) on `today`: both are required, none
/// may be in the future, and `from` is not after `to`. Each problem names its field.
pub fn validate(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<NonMembership, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut day = |field: &'static str, typed: Option<&str>| {
        let Some(text) = typed.map(str::trim).filter(|t| !t.is_empty()) else {
            errors.push(FieldError::new(field, missing(field)));
            return None;
        };
        let problem = match parse_iso_date(text) {
            Ok(date) if date <= today => return Some(date),
            Ok(date) => in_the_future(date, today),
            Err(e) => e.phrase(),
        };
        errors.push(FieldError::new(
            field,
            Phrase::new(match field {
                "from" => "staff.problem.non_member_from_date",
                _ => "staff.problem.non_member_to_date",
            })
            .with("problem", problem),
        ));
        None
    };
    let (from, to) = (day("from", from), day("to", to));
    match (from, to) {
        (Some(from), Some(to)) if from <= to => Ok(NonMembership { from, to }),
        (Some(from), Some(to)) => Err(vec![FieldError::new(
            "to",
            Phrase::new("staff.problem.non_member_order")
                .with("from", from)
                .with("to", to),
        )]),
        _ => Err(errors),
    }
}

/// What a missing date is refused with, by field.
fn missing(field: &str) -> &'static str {
    match field {
        "from" => "staff.problem.non_member_from",
        _ => "staff.problem.non_member_to",
    }
}

/// Checks that a case holding `held` periods may take one more.
pub fn may_add(held: usize) -> Result<(), FieldError> {
    if held < MAX_PERIODS {
        Ok(())
    } else {
        Err(FieldError::new(
            "from",
            Phrase::new("staff.problem.non_member_limit").with("max", MAX_PERIODS),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        parse_iso_date(text).unwrap()
    }

    #[test]
    fn a_period_runs_from_its_first_day_to_its_last_and_not_into_the_future() {
        let today = day("2026-03-02");
        let ok = validate(Some("2025-11-01"), Some("2026-01-31"), today).unwrap();
        assert_eq!((ok.from, ok.to), (day("2025-11-01"), day("2026-01-31")));
        let one_day = validate(Some("2026-03-02"), Some("2026-03-02"), today).unwrap();
        assert_eq!(one_day.from, one_day.to);

        let fields = |errors: Vec<FieldError>| -> Vec<(&str, &str)> {
            errors.iter().map(|e| (e.field, e.problem.key())).collect()
        };
        assert_eq!(
            fields(validate(Some("2026-02-01"), Some("2026-01-01"), today).unwrap_err()),
            [("to", "staff.problem.non_member_order")]
        );
        assert_eq!(
            fields(validate(None, Some(" "), today).unwrap_err()),
            [
                ("from", "staff.problem.non_member_from"),
                ("to", "staff.problem.non_member_to")
            ]
        );
        assert_eq!(
            fields(validate(Some("2026-03-03"), Some("01/02/2026"), today).unwrap_err()),
            [
                ("from", "staff.problem.non_member_from_date"),
                ("to", "staff.problem.non_member_to_date")
            ]
        );
    }

    #[test]
    fn a_case_holds_a_bounded_number_of_periods() {
        assert!(may_add(MAX_PERIODS - 1).is_ok());
        assert_eq!(may_add(MAX_PERIODS).unwrap_err().field, "from");
    }
}
