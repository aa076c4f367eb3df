//! Working notes and commitments on a case: the only records an ombuds keeps, and only for a
//! short time. Every note has an expiry date; a commitment also has a due date.
//!
//! Pure rules: what a note may say, how long it may live. Storage and sealing are elsewhere.

use chrono::{Days, NaiveDate};
use secrecy::SecretString;
use zeroize::Zeroizing;

use super::codes::code_enum;
use super::dates::parse_iso_date;
use super::field::FieldError;
use super::phrase::{Phrase, Said};
use super::text::clean_text;

code_enum! {
    /// What a note records.
    NoteKind in "staff.note_kind" {
        /// A working note.
        Note = "note";
        /// Something promised, with a due date.
        Commitment = "commitment";
        /// Why a case left untouched for long stays open (`super::retention::stay_open_reason`).
        StaysOpen = "stays_open";
    }
}

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 5_000;

/// How long notes may live, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct NotePolicy {
    /// Days a note lives unless the ombuds chooses otherwise.
    pub default_days: u32,
    /// The most days a note may live.
    pub max_days: u32,
}

/// A note as typed.
#[derive(Default)]
pub struct NoteDraft {
    /// `note` or `commitment`.
    pub kind: Option<String>,
    /// The text.
    pub text: Option<Zeroizing<String>>,
    /// For a commitment: when it is due, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Days until the note is destroyed; empty means the default.
    pub expires_in_days: Option<String>,
}

/// A checked note, ready to be sealed.
pub struct NewNote {
    /// Note or commitment.
    pub kind: NoteKind,
    /// The text.
    pub text: SecretString,
    /// When a commitment is due.
    pub due_on: Option<NaiveDate>,
    /// The day the note is destroyed; it is shown only before this day.
    pub expires_on: NaiveDate,
}

impl std::fmt::Debug for NewNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewNote")
            .field("kind", &self.kind)
            .field("due_on", &self.due_on)
            .field("expires_on", &self.expires_on)
            .finish_non_exhaustive()
    }
}

/// Checks a note draft written `today`.
pub fn validate(
    draft: &NoteDraft,
    today: NaiveDate,
    policy: NotePolicy,
) -> Result<NewNote, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = match draft.kind.as_deref().map(str::trim) {
        None | Some("") => Some(NoteKind::Note),
        Some(code) => NoteKind::from_code(code).or_else(|| {
            errors.push(FieldError::new("kind", "staff.problem.unknown_note_kind"));
            None
        }),
    };
    let text = match draft.text.as_deref().map(|t| t.as_str()) {
        Some(t) if !t.trim().is_empty() => clean_text(t, MAX_NOTE_CHARS)
            .map_err(|problem| errors.push(FieldError::new("text", problem)))
            .ok(),
        _ => {
            errors.push(FieldError::new("text", "staff.problem.write_note"));
            None
        }
    };
    let days = match draft.expires_in_days.as_deref().map(str::trim) {
        None | Some("") => Some(policy.default_days),
        Some(typed) => match typed.parse::<u32>() {
            Ok(days) if (1..=policy.max_days).contains(&days) => Some(days),
            _ => {
                errors.push(FieldError::new(
                    "expires_in_days",
                    Phrase::new("staff.problem.note_days").with("max", policy.max_days),
                ));
                None
            }
        },
    };
    let expires_on = days.and_then(|d| today.checked_add_days(Days::new(u64::from(d))));
    let commitment = kind == Some(NoteKind::Commitment);
    let due_on = match draft.due_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(typed) => match parse_iso_date(typed) {
            Ok(date) if commitment && date < today => {
                errors.push(FieldError::new(
                    "due_on",
                    Phrase::new("staff.problem.due_in_past")
                        .with("date", date)
                        .with("today", today),
                ));
                None
            }
            Ok(date) => Some(date),
            Err(e) => {
                errors.push(FieldError::new("due_on", e.phrase()));
                None
            }
        },
    };
    if commitment && due_on.is_none() && !errors.iter().any(|e| e.field == "due_on") {
        errors.push(FieldError::new("due_on", "staff.problem.due_date"));
    }
    if let (Some(due), Some(expires)) = (due_on, expires_on)
        && due >= expires
    {
        errors.push(FieldError::new(
            "due_on",
            Phrase::new("staff.problem.due_after_expiry")
                .with("date", due)
                .with("expires", expires),
        ));
    }
    match (kind, text, expires_on) {
        (Some(kind), Some(text), Some(expires_on)) if errors.is_empty() => Ok(NewNote {
            kind,
            text,
            due_on: if kind == NoteKind::Commitment {
                due_on
            } else {
                None
            },
            expires_on,
        }),
        _ => Err(errors),
    }
}

/// Whole days from `today` until a note expiring on `expires_on` is destroyed.
pub fn days_left(expires_on: NaiveDate, today: NaiveDate) -> i64 {
    (expires_on - today).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const POLICY: NotePolicy = NotePolicy {
        default_days: 30,
        max_days: 90,
    };

    fn day(text: &str) -> NaiveDate {
        parse_iso_date(text).unwrap()
    }

    fn draft(kind: &str, text: &str, due: &str, days: &str) -> NoteDraft {
        NoteDraft {
            kind: Some(kind.into()),
            text: Some(Zeroizing::new(text.into())),
            due_on: Some(due.into()),
            expires_in_days: Some(days.into()),
        }
    }

    #[test]
    fn a_note_expires_after_the_default_unless_chosen() {
        let note = validate(
            &draft("note", " call back ", "", ""),
            day("2026-03-02"),
            POLICY,
        )
        .unwrap();
        assert_eq!(note.expires_on, day("2026-04-01"));
        assert_eq!(note.text.expose_secret(), "call back");
        let note = validate(&draft("note", "x", "", "7"), day("2026-03-02"), POLICY).unwrap();
        assert_eq!(note.expires_on, day("2026-03-09"));
        assert_eq!(days_left(note.expires_on, day("2026-03-02")), 7);
    }

    #[test]
    fn expiry_is_capped_and_commitments_need_a_due_date_before_expiry() {
        let today = day("2026-03-02");
        let errors = validate(&draft("note", "x", "", "91"), today, POLICY).unwrap_err();
        assert_eq!(errors[0].field, "expires_in_days");
        assert!(validate(&draft("note", "x", "", "0"), today, POLICY).is_err());
        let errors =
            validate(&draft("commitment", "send the form", "", ""), today, POLICY).unwrap_err();
        assert_eq!(errors[0].field, "due_on");
        let errors =
            validate(&draft("commitment", "x", "2026-05-01", "30"), today, POLICY).unwrap_err();
        assert_eq!(errors[0].problem.key(), "staff.problem.due_after_expiry");
        let ok = validate(&draft("commitment", "x", "2026-03-10", "30"), today, POLICY).unwrap();
        assert_eq!(ok.due_on, Some(day("2026-03-10")));
    }

    #[test]
    fn a_commitment_due_in_the_past_is_refused_naming_the_date_and_today() {
        let today = day("2026-03-02");
        let errors =
            validate(&draft("commitment", "x", "2026-03-01", ""), today, POLICY).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "due_on");
        assert_eq!(errors[0].problem.key(), "staff.problem.due_in_past");
        let said = crate::i18n::Lang::En.say(&errors[0].problem);
        assert!(
            said.contains("2026-03-01") && said.contains("2026-03-02") && said.ends_with('.'),
            "{said}"
        );
        assert!(said.starts_with(char::is_uppercase), "a sentence: {said}");
        let ok = validate(&draft("commitment", "x", "2026-03-02", ""), today, POLICY).unwrap();
        assert_eq!(ok.due_on, Some(today), "due today is fine");
        // A plain note's date is not a due date: it is ignored, as before.
        assert!(validate(&draft("note", "x", "2026-03-01", ""), today, POLICY).is_ok());
    }

    #[test]
    fn a_plain_note_keeps_no_due_date() {
        let note = validate(
            &draft("note", "x", "2026-03-10", ""),
            day("2026-03-02"),
            POLICY,
        )
        .unwrap();
        assert_eq!(note.due_on, None);
    }
}
