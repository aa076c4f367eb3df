//! What the service keeps, and for how long: the one retention table every other part of the
//! code follows. The sweeper destroys what has expired; reads never show it even before then.
//!
//! Pure data; no storage, no clock.

use super::codes::code_enum;
use super::phrase::Phrase;

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
