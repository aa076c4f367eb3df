//! A concern raised through the public intake: its kinds, who may raise it, and the rules a
//! submission must meet before anything is stored.
//!
//! This module decides; it does not parse HTTP bodies or touch storage. Free text is held in
//! zeroizing types and never printed by `Debug`.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::codes::code_enum;
use super::dates::parse_iso_date;
use super::field::FieldError;
use super::phrase::{Phrase, Said};
use super::text::clean_text;

code_enum! {
    /// The kind of concern, as counted in trend reports.
    Category in "category" {
        /// General real estate or transaction questions.
        TransactionQuestion = "transaction_question";
        /// Disagreements or communication problems in a transaction.
        Communication = "communication";
        /// Breakdown or loss of contact between parties or with a REALTOR®.
        LostContact = "lost_contact";
        /// Unprofessional or possibly unethical conduct.
        Conduct = "conduct";
        /// Commission disputes.
        Commission = "commission";
    }
}

code_enum! {
    /// Who raised the concern.
    RaisedBy in "raised_by" {
        /// A REALTOR® member.
        Member = "member";
        /// A client or customer of a member.
        Client = "client";
        /// Anyone else.
        Public = "public";
    }
}

impl RaisedBy {
    /// The key of how staff pages name who raised a concern ("A REALTOR® member"), in
    /// `[staff.raised_by]`; the plain label is the submitter's own first-person wording.
    pub fn staff_key(self) -> &'static str {
        match self {
            Self::Member => "staff.raised_by.member",
            Self::Client => "staff.raised_by.client",
            Self::Public => "staff.raised_by.public",
        }
    }
}

/// Limits on what a submission may contain.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest description, in characters.
    pub max_description_chars: usize,
    /// Longest contact details, in characters.
    pub max_contact_chars: usize,
}

/// A submission as typed, before any checking. Empty strings count as absent.
#[derive(Default)]
pub struct ConcernDraft {
    /// Category code.
    pub category: Option<String>,
    /// Role code.
    pub raised_by: Option<String>,
    /// What happened, in the submitter's words.
    pub description: Option<Zeroizing<String>>,
    /// How the ombuds may reach the submitter, if they wish.
    pub contact: Option<Zeroizing<String>>,
    /// When the transaction or event concluded, as typed.
    pub concluded_on: Option<Zeroizing<String>>,
    /// When the facts became known, as typed.
    pub discovered_on: Option<Zeroizing<String>>,
    /// Whether the conditions of use were accepted.
    pub accept_conditions: bool,
}

impl fmt::Debug for ConcernDraft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcernDraft")
            .field("category", &self.category)
            .field("raised_by", &self.raised_by)
            .finish_non_exhaustive()
    }
}

/// A checked submission, ready to be sealed and stored.
pub struct NewConcern {
    /// Kind of concern.
    pub category: Category,
    /// Who raised it.
    pub raised_by: RaisedBy,
    /// What happened.
    pub description: SecretString,
    /// Contact details the submitter chose to give.
    pub contact: Option<SecretString>,
    /// When the transaction or event concluded.
    pub concluded_on: Option<NaiveDate>,
    /// When the facts became known.
    pub discovered_on: Option<NaiveDate>,
}

impl fmt::Debug for NewConcern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewConcern")
            .field("category", &self.category)
            .field("raised_by", &self.raised_by)
            .finish_non_exhaustive()
    }
}

/// Checks a draft against the rules. `today` is the association's local date; it bounds the
/// dates a submitter may give. Returns every problem found, not just the first.
pub fn validate(
    draft: &ConcernDraft,
    today: NaiveDate,
    limits: Limits,
) -> Result<NewConcern, Vec<FieldError>> {
    check(draft, today, limits, true)
}

/// Checks a concern an ombuds logs by hand from a phone call, an e-mail or a visit: the same
/// rules, except that the conditions of use are explained in person rather than ticked.
pub fn validate_logged(
    draft: &ConcernDraft,
    today: NaiveDate,
    limits: Limits,
) -> Result<NewConcern, Vec<FieldError>> {
    check(draft, today, limits, false)
}

fn check(
    draft: &ConcernDraft,
    today: NaiveDate,
    limits: Limits,
    require_acceptance: bool,
) -> Result<NewConcern, Vec<FieldError>> {
    let mut errors = Vec::new();

    let category = match present(draft.category.as_deref()) {
        None => {
            errors.push(FieldError::new("category", "problem.choose_category"));
            None
        }
        Some(code) => Category::from_code(code).or_else(|| {
            errors.push(FieldError::new(
                "category",
                Phrase::new("problem.unknown_category")
                    .with("codes", codes(Category::ALL.iter().map(|c| c.code()))),
            ));
            None
        }),
    };

    let raised_by = match present(draft.raised_by.as_deref()) {
        None => {
            errors.push(FieldError::new("raised_by", "problem.choose_raised_by"));
            None
        }
        Some(code) => RaisedBy::from_code(code).or_else(|| {
            errors.push(FieldError::new(
                "raised_by",
                Phrase::new("problem.unknown_raised_by")
                    .with("codes", codes(RaisedBy::ALL.iter().map(|r| r.code()))),
            ));
            None
        }),
    };

    let description = match draft.description.as_deref().map(|s| s.as_str()) {
        Some(text) if !text.trim().is_empty() => check_text(
            "description",
            text,
            limits.max_description_chars,
            &mut errors,
        ),
        _ => {
            errors.push(FieldError::new("description", "problem.describe_concern"));
            None
        }
    };

    let contact = match draft.contact.as_deref().map(|s| s.as_str()) {
        Some(text) if !text.trim().is_empty() => {
            check_text("contact", text, limits.max_contact_chars, &mut errors)
        }
        _ => None,
    };

    let concluded_on = check_date(
        "concluded_on",
        draft.concluded_on.as_deref(),
        today,
        &mut errors,
    );
    let discovered_on = check_date(
        "discovered_on",
        draft.discovered_on.as_deref(),
        today,
        &mut errors,
    );

    if require_acceptance && !draft.accept_conditions {
        errors.push(FieldError::new(
            "accept_conditions",
            "problem.accept_conditions",
        ));
    }

    match (category, raised_by, description) {
        (Some(category), Some(raised_by), Some(description)) if errors.is_empty() => {
            Ok(NewConcern {
                category,
                raised_by,
                description,
                contact,
                concluded_on,
                discovered_on,
            })
        }
        _ => Err(errors),
    }
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn codes<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.collect::<Vec<_>>().join(", ")
}

fn check_text(
    field: &'static str,
    text: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<SecretString> {
    clean_text(text, max_chars)
        .map_err(|problem| errors.push(FieldError::new(field, problem)))
        .ok()
}

fn check_date(
    field: &'static str,
    typed: Option<&String>,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let text = present(typed.map(String::as_str))?;
    match parse_iso_date(text) {
        Ok(date) if date > today => {
            errors.push(FieldError::new(field, in_the_future(date, today)));
            None
        }
        Ok(date) if date.year() < 1900 => {
            errors.push(FieldError::new(
                field,
                Phrase::new("problem.date_too_old").with("date", date),
            ));
            None
        }
        Ok(date) => Some(date),
        Err(e) => {
            errors.push(FieldError::new(field, e.phrase()));
            None
        }
    }
}

/// The problem with a typed `date` later than `today`.
pub fn in_the_future(date: NaiveDate, today: NaiveDate) -> Phrase {
    Phrase::new("problem.date_in_future")
        .with("date", date)
        .with("today", today)
}

/// Reads a secret's text (for sealing or re-displaying a form).
pub fn expose(secret: &SecretString) -> &str {
    secret.expose_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_description_chars: 50,
        max_contact_chars: 20,
    };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn good() -> ConcernDraft {
        ConcernDraft {
            category: Some("commission".into()),
            raised_by: Some("client".into()),
            description: Some(Zeroizing::new("My agent \r\n stopped answering.".into())),
            contact: Some(Zeroizing::new("  ".into())),
            concluded_on: Some(Zeroizing::new("2026-01-10".into())),
            discovered_on: None,
            accept_conditions: true,
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_draft_is_accepted_and_normalised() {
        let concern = validate(&good(), today(), LIMITS).unwrap();
        assert_eq!(concern.category, Category::Commission);
        assert_eq!(concern.raised_by, RaisedBy::Client);
        assert_eq!(
            expose(&concern.description),
            "My agent \n stopped answering."
        );
        assert!(concern.contact.is_none(), "blank contact counts as none");
        assert_eq!(concern.concluded_on, NaiveDate::from_ymd_opt(2026, 1, 10));
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let draft = ConcernDraft {
            category: Some("gossip".into()),
            raised_by: Some("landlord".into()),
            description: None,
            contact: Some(Zeroizing::new("x".repeat(21))),
            concluded_on: Some(Zeroizing::new("2026-02-30".into())),
            discovered_on: Some(Zeroizing::new("2026-03-02".into())),
            accept_conditions: false,
        };
        let errors = validate(&draft, today(), LIMITS).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "category",
                "raised_by",
                "description",
                "contact",
                "concluded_on",
                "discovered_on",
                "accept_conditions"
            ]
        );
        let key = |e: &FieldError| e.problem.key();
        assert_eq!(key(&errors[0]), "problem.unknown_category");
        assert!(format!("{:?}", errors[0].problem).contains("transaction_question"));
        assert_eq!(key(&errors[4]), "problem.date_no_such_day");
        assert!(format!("{:?}", errors[4].problem).contains("2026-02-30"));
        assert_eq!(key(&errors[5]), "problem.date_in_future");
    }

    #[test]
    fn control_characters_and_long_text_are_refused() {
        let mut draft = good();
        draft.description = Some(Zeroizing::new("null\u{0}byte".into()));
        assert_eq!(
            fields(&validate(&draft, today(), LIMITS).unwrap_err()),
            ["description"]
        );
        draft.description = Some(Zeroizing::new("é".repeat(51)));
        let errors = validate(&draft, today(), LIMITS).unwrap_err();
        assert_eq!(
            errors[0].problem,
            Phrase::new("problem.too_long")
                .with("count", 51u64)
                .with("max", 50u64),
            "{errors:?}"
        );
        draft.description = Some(Zeroizing::new("é".repeat(50)));
        assert!(
            validate(&draft, today(), LIMITS).is_ok(),
            "the limit counts characters"
        );
    }

    #[test]
    fn debug_output_never_shows_the_text() {
        let concern = validate(&good(), today(), LIMITS).unwrap();
        let shown = format!("{concern:?} {:?}", good());
        assert!(!shown.contains("stopped answering"), "{shown}");
        assert!(!shown.contains("2026-01-10"), "{shown}");
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(*c));
        }
        for r in RaisedBy::ALL {
            assert_eq!(RaisedBy::from_code(r.code()), Some(*r));
        }
    }
}
