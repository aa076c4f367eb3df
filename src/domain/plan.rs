//! The resolution plan of a case: terms the ombuds writes and may revise until every party has
//! accepted the same version. Each party (the person who raised the concern is party 1, added
//! parties 2, 3, ...) accepts or declines the current version, itself with its receipt or
//! through the ombuds, who records an answer given by telephone, post, e-mail or in person with
//! its date. A revision clears every answer. The plan is agreed, on the day of the last
//! acceptance, when every party has accepted the current version; an agreed plan is final.
//!
//! Pure rules; no storage, no HTTP, no wording.

use chrono::NaiveDate;
use secrecy::SecretString;

use super::codes::code_enum;
use super::field::FieldError;
use super::phrase::{Phrase, Said};
use super::text::clean_text;

code_enum! {
    /// A party's answer to a version of the plan.
    PlanAnswer in "staff.plan_answer" {
        /// The party accepts this version.
        Accepted = "accepted";
        /// The party declines this version.
        Declined = "declined";
    }
}

code_enum! {
    /// How a party's answer reached the service.
    AnswerChannel in "staff.answer_channel" {
        /// The party answered itself, with its receipt.
        Receipt = "receipt";
        /// By telephone, recorded by the ombuds.
        Phone = "phone";
        /// In person, recorded by the ombuds.
        InPerson = "in_person";
        /// By post, recorded by the ombuds.
        Post = "post";
        /// By e-mail, recorded by the ombuds.
        Email = "email";
    }
}

/// The channels an ombuds may record an answer as given through.
pub const RECORDED_CHANNELS: [AnswerChannel; 4] = [
    AnswerChannel::Phone,
    AnswerChannel::InPerson,
    AnswerChannel::Post,
    AnswerChannel::Email,
];

/// Longest plan, in characters.
pub const MAX_TERMS_CHARS: usize = 10_000;

/// The plan of a case as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanStanding {
    /// The current version (1 for the first terms written).
    pub version: u32,
    /// The day every party had accepted it, once they have.
    pub agreed_on: Option<NaiveDate>,
}

/// One party's answer to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The party's number in the case.
    pub party: u32,
    /// The version answered.
    pub version: u32,
    /// Accepted or declined.
    pub answer: PlanAnswer,
    /// How it reached the service.
    pub channel: AnswerChannel,
    /// The day it was given.
    pub on: NaiveDate,
}

/// Why an answer or a revision is refused. Nothing is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanRefusal {
    /// The case has no plan yet.
    NoPlan,
    /// The version answered is not the current one (a revision superseded it).
    Superseded {
        /// The version answered.
        answered: u32,
        /// The current version.
        current: u32,
    },
    /// Every party has accepted already: the plan is final.
    AlreadyAgreed,
    /// The case has no party with that number.
    NoSuchParty,
}

impl PlanRefusal {
    /// The phrase that says what is wrong.
    pub fn phrase(self) -> Phrase {
        match self {
            Self::NoPlan => Phrase::new("problem.plan_none"),
            Self::Superseded { answered, current } => Phrase::new("problem.plan_superseded")
                .with("answered", answered)
                .with("current", current),
            Self::AlreadyAgreed => Phrase::new("problem.plan_agreed"),
            Self::NoSuchParty => Phrase::new("staff.problem.plan_no_party"),
        }
    }
}

/// Checks new or revised terms.
pub fn validate_terms(text: Option<&str>) -> Result<SecretString, Vec<FieldError>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Err(vec![FieldError::new("terms", "staff.problem.write_plan")]),
        Some(t) => clean_text(t, MAX_TERMS_CHARS).map_err(|p| vec![FieldError::new("terms", p)]),
    }
}

/// The version new terms get: 1, or the one after the current, unless the plan is agreed.
pub fn next_version(current: Option<PlanStanding>) -> Result<u32, PlanRefusal> {
    match current {
        None => Ok(1),
        Some(PlanStanding {
            agreed_on: Some(_), ..
        }) => Err(PlanRefusal::AlreadyAgreed),
        Some(plan) => Ok(plan.version.saturating_add(1)),
    }
}

/// Whether `party` (one of `parties`) may answer `version` of the plan as it stands.
pub fn check_answer(
    current: Option<PlanStanding>,
    parties: &[u32],
    party: u32,
    version: u32,
) -> Result<(), PlanRefusal> {
    let plan = current.ok_or(PlanRefusal::NoPlan)?;
    if !parties.contains(&party) {
        return Err(PlanRefusal::NoSuchParty);
    }
    if plan.agreed_on.is_some() {
        return Err(PlanRefusal::AlreadyAgreed);
    }
    if version != plan.version {
        return Err(PlanRefusal::Superseded {
            answered: version,
            current: plan.version,
        });
    }
    Ok(())
}

/// The day the plan is agreed, if every party in `parties` has accepted `version`: the day of
/// the last acceptance. `None` while any party has not accepted it.
pub fn agreement(version: u32, parties: &[u32], answers: &[Answer]) -> Option<NaiveDate> {
    let mut last = None;
    for party in parties {
        let accepted = answers.iter().find(|a| {
            a.party == *party && a.version == version && a.answer == PlanAnswer::Accepted
        })?;
        last = last.max(Some(accepted.on));
    }
    last
}

/// Checks, before a successful close issues the resolution certificate, that the plan was
/// agreed on or after the case's first contact: the certificate states both dates, and an
/// agreement before the matter was brought to the association cannot be certified (an answer
/// recorded with a date before a first contact corrected later). The problem names the close
/// form's `outcome` field and says to correct the dates first.
pub fn check_agreed_after_first_contact(
    first_contact: NaiveDate,
    agreed: NaiveDate,
) -> Result<(), FieldError> {
    if agreed < first_contact {
        return Err(FieldError::new(
            "outcome",
            Phrase::new("staff.problem.agreed_before_first_contact")
                .with("agreed", agreed)
                .with("first_contact", first_contact),
        ));
    }
    Ok(())
}

/// Checks the date an ombuds records an answer as given: today if blank, never in the future.
pub fn validate_answer_date(
    typed: Option<&str>,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    match typed.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(today),
        Some(text) => match super::dates::parse_iso_date(text) {
            Ok(date) if date > today => Err(FieldError::new(
                "on",
                super::concern::in_the_future(date, today),
            )),
            Ok(date) => Ok(date),
            Err(e) => Err(FieldError::new("on", e.phrase())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn accepted(party: u32, version: u32, on: u32) -> Answer {
        Answer {
            party,
            version,
            answer: PlanAnswer::Accepted,
            channel: AnswerChannel::Receipt,
            on: day(on),
        }
    }

    #[test]
    fn agreed_only_when_every_party_accepted_the_same_version() {
        let parties = [1, 2, 3];
        let mut answers = vec![accepted(1, 2, 3), accepted(2, 2, 5)];
        assert_eq!(
            agreement(2, &parties, &answers),
            None,
            "party 3 has not answered"
        );
        answers.push(accepted(3, 1, 6));
        assert_eq!(
            agreement(2, &parties, &answers),
            None,
            "party 3 accepted version 1"
        );
        answers.push(Answer {
            answer: PlanAnswer::Declined,
            ..accepted(3, 2, 7)
        });
        assert_eq!(agreement(2, &parties, &answers), None, "party 3 declined");
        answers.push(accepted(3, 2, 4));
        assert_eq!(
            agreement(2, &parties, &answers),
            Some(day(5)),
            "the last acceptance"
        );
    }

    #[test]
    fn answers_and_revisions_are_checked_against_the_plan_as_it_stands() {
        let open = Some(PlanStanding {
            version: 2,
            agreed_on: None,
        });
        let agreed = Some(PlanStanding {
            version: 2,
            agreed_on: Some(day(1)),
        });
        assert_eq!(check_answer(open, &[1, 2], 2, 2), Ok(()));
        assert_eq!(
            check_answer(open, &[1, 2], 2, 1),
            Err(PlanRefusal::Superseded {
                answered: 1,
                current: 2
            })
        );
        assert_eq!(
            check_answer(open, &[1, 2], 3, 2),
            Err(PlanRefusal::NoSuchParty)
        );
        assert_eq!(check_answer(None, &[1], 1, 1), Err(PlanRefusal::NoPlan));
        assert_eq!(
            check_answer(agreed, &[1, 2], 1, 2),
            Err(PlanRefusal::AlreadyAgreed)
        );
        assert_eq!(next_version(None), Ok(1));
        assert_eq!(next_version(open), Ok(3));
        assert_eq!(next_version(agreed), Err(PlanRefusal::AlreadyAgreed));
    }

    #[test]
    fn terms_and_dates_are_checked() {
        assert_eq!(validate_terms(Some("  ")).unwrap_err()[0].field, "terms");
        assert!(validate_terms(Some("Refund the deposit by Friday.")).is_ok());
        assert_eq!(validate_answer_date(None, day(9)), Ok(day(9)));
        assert_eq!(validate_answer_date(Some("2026-03-08"), day(9)), Ok(day(8)));
        assert!(validate_answer_date(Some("2026-03-10"), day(9)).is_err());
        assert!(validate_answer_date(Some("08/03/2026"), day(9)).is_err());
    }
}
