//! What the service keeps, and for how long: the one retention table every other part of the
//! code follows. The sweeper destroys what has expired; reads never show it even before then.
//! And the one thing kept by neglect rather than by rule: an open case nobody touches, which
//! the console flags once it has been left for `[retention] stale_after_days`
//! ([`untouched_for`]) until the ombuds closes it or records why it stays open
//! ([`stay_open_reason`]).
//!
//! Pure data and decisions; no storage, no clock.

use std::ops::RangeInclusive;

use chrono::{Days, NaiveDate};

use super::case::CaseStatus;
use super::codes::code_enum;
use super::field::FieldError;
use super::notes::{NewNote, NoteKind, NotePolicy};
use super::phrase::Phrase;
use super::text::clean_text;

/// What `[retention] stale_after_days` may say: from a month to ten years.
pub const STALE_AFTER_DAYS: RangeInclusive<u32> = 30..=3650;

/// The longest reason for keeping a case open, in characters: a sentence or two.
pub const MAX_REASON_CHARS: usize = 500;

/// The day a case was last touched: the later of the day it was opened and the last day an
/// ombuds did something on it since (`touched_on`); its first contact if it has neither.
pub fn last_touched(
    opened_on: Option<NaiveDate>,
    touched_on: Option<NaiveDate>,
    first_contact: NaiveDate,
) -> NaiveDate {
    opened_on.max(touched_on).unwrap_or(first_contact)
}

/// How many days an open case last touched on `touched` has gone untouched by `today`, when
/// that is `after_days` or more: it is flagged until the ombuds closes it or records why it
/// stays open. `None` when it is not flagged: touched more recently, or not an open case (a
/// new concern waits in the inbox, where it is seen anyway).
pub fn untouched_for(
    status: CaseStatus,
    touched: NaiveDate,
    today: NaiveDate,
    after_days: u32,
) -> Option<u32> {
    if status != CaseStatus::Open {
        return None;
    }
    let days = u32::try_from((today - touched).num_days()).ok()?;
    (days >= after_days).then_some(days)
}

/// Checks why a case stays open, as typed, and makes it a working note written `today`, kept
/// as long as notes are by default: the reason is required, and short.
pub fn stay_open_reason(
    typed: Option<&str>,
    today: NaiveDate,
    policy: NotePolicy,
) -> Result<NewNote, FieldError> {
    let text = match typed.map(str::trim) {
        Some(t) if !t.is_empty() => {
            clean_text(t, MAX_REASON_CHARS).map_err(|problem| FieldError::new("reason", problem))?
        }
        _ => return Err(FieldError::new("reason", "staff.problem.stay_open_reason")),
    };
    let expires_on = today
        .checked_add_days(Days::new(u64::from(policy.default_days)))
        .ok_or_else(|| FieldError::new("reason", "staff.problem.stay_open_reason"))?;
    Ok(NewNote {
        kind: NoteKind::StaysOpen,
        text,
        due_on: None,
        expires_on,
    })
}

code_enum! {
    /// A kind of stored item, by how long it lives.
    RetentionClass in "staff.retention_class" {
        /// Working notes and commitments.
        Notes = "notes";
        /// The concern as raised, and corrections of its dates.
        CaseContent = "case_content";
        /// The anonymous follow-up thread.
        Threads = "threads";
        /// Termination notices and follow-up letters.
        Letters = "letters";
        /// Staff sessions.
        Sessions = "sessions";
        /// One-time enrolment links.
        Enrolments = "enrolments";
        /// Sign-in failures counted per username.
        Throttling = "throttling";
        /// Grants of case access (the two-person rule), as every ombuds sees them.
        AccessGrants = "access_grants";
    }
}

/// How long one class lives and how it is destroyed, as phrases worded from
/// `[staff.retention]` in the translations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The class.
    pub class: RetentionClass,
    /// How long it lives.
    pub lifetime: Phrase,
    /// How it is destroyed.
    pub destruction: Phrase,
}

/// The retention table. `note_days`, `note_max_days` and `certificate_days` (how long the letter
/// carrying a resolution certificate is kept) come from the configuration.
pub fn table(note_days: u32, note_max_days: u32, certificate_days: u32) -> Vec<Rule> {
    let rule = |class, lifetime: Phrase, destruction: &'static str| Rule {
        class,
        lifetime,
        destruction: Phrase::new(destruction),
    };
    vec![
        rule(
            RetentionClass::Notes,
            Phrase::new("staff.retention.notes_kept")
                .with("days", note_days)
                .with("max", note_max_days),
            "staff.retention.notes_destroyed",
        ),
        rule(
            RetentionClass::CaseContent,
            Phrase::new("staff.retention.until_closed"),
            "staff.retention.case_content_destroyed",
        ),
        rule(
            RetentionClass::Threads,
            Phrase::new("staff.retention.until_closed"),
            "staff.retention.threads_destroyed",
        ),
        rule(
            RetentionClass::Letters,
            Phrase::new("staff.retention.letters_kept").with("certificate_days", certificate_days),
            "staff.retention.letters_destroyed",
        ),
        rule(
            RetentionClass::Sessions,
            Phrase::new("staff.retention.sessions_kept"),
            "staff.retention.sessions_destroyed",
        ),
        rule(
            RetentionClass::Enrolments,
            Phrase::new("staff.retention.enrolments_kept"),
            "staff.retention.enrolments_destroyed",
        ),
        rule(
            RetentionClass::Throttling,
            Phrase::new("staff.retention.throttling_kept"),
            "staff.retention.throttling_destroyed",
        ),
        rule(
            RetentionClass::AccessGrants,
            Phrase::new("staff.retention.access_grants_kept"),
            "staff.retention.access_grants_destroyed",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn an_open_case_is_flagged_on_the_day_it_has_gone_untouched_for_the_setting() {
        let touched = day("2026-01-10");
        // 179 days later: one day short.
        assert_eq!(
            untouched_for(CaseStatus::Open, touched, day("2026-07-08"), 180),
            None
        );
        assert_eq!(
            untouched_for(CaseStatus::Open, touched, day("2026-07-09"), 180),
            Some(180)
        );
        assert_eq!(
            untouched_for(CaseStatus::Open, touched, day("2026-08-12"), 180),
            Some(214)
        );
        assert_eq!(
            untouched_for(CaseStatus::Open, touched, day("2026-02-09"), 30),
            Some(30)
        );
        assert_eq!(
            untouched_for(CaseStatus::Open, touched, touched, 30),
            None,
            "touched today"
        );
    }

    #[test]
    fn only_open_cases_are_flagged_and_a_touch_in_the_future_flags_nothing() {
        let touched = day("2025-01-01");
        let today = day("2026-12-01");
        assert_eq!(untouched_for(CaseStatus::New, touched, today, 30), None);
        assert_eq!(
            untouched_for(CaseStatus::Open, day("2026-12-05"), today, 30),
            None
        );
    }

    #[test]
    fn the_last_touch_is_the_later_of_opening_and_touching() {
        let first = day("2026-01-02");
        let opened = Some(day("2026-01-05"));
        assert_eq!(last_touched(opened, None, first), day("2026-01-05"));
        assert_eq!(
            last_touched(opened, Some(day("2026-03-01")), first),
            day("2026-03-01")
        );
        assert_eq!(
            last_touched(opened, Some(day("2026-01-03")), first),
            day("2026-01-05"),
            "touched in the inbox, opened later"
        );
        assert_eq!(last_touched(None, None, first), first);
    }

    #[test]
    fn a_reason_to_stay_open_is_required_short_and_kept_as_a_note() {
        let policy = NotePolicy {
            default_days: 30,
            max_days: 90,
        };
        let today = day("2026-08-12");
        for blank in [None, Some(""), Some("  \n ")] {
            let err = stay_open_reason(blank, today, policy).unwrap_err();
            assert_eq!(err.field, "reason");
        }
        let long = "x".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(
            stay_open_reason(Some(&long), today, policy)
                .unwrap_err()
                .field,
            "reason"
        );
        let note =
            stay_open_reason(Some(" Waiting for the court's ruling. "), today, policy).unwrap();
        assert_eq!(note.kind, NoteKind::StaysOpen);
        assert_eq!(note.text.expose_secret(), "Waiting for the court's ruling.");
        assert_eq!(note.due_on, None);
        assert_eq!(note.expires_on, day("2026-09-11"));
    }

    #[test]
    fn every_class_has_exactly_one_rule() {
        let table = table(30, 90, 30);
        assert_eq!(table.len(), RetentionClass::ALL.len());
        for class in RetentionClass::ALL {
            assert_eq!(
                table.iter().filter(|r| r.class == *class).count(),
                1,
                "{class:?}"
            );
        }
        assert_eq!(
            table[0].lifetime,
            Phrase::new("staff.retention.notes_kept")
                .with("days", 30u64)
                .with("max", 90u64)
        );
    }
}
