//! What the service keeps, and for how long: the one retention table every other part of the
//! code follows. The sweeper destroys what has expired; reads never show it even before then.
//!
//! Pure data; no storage, no clock.

use super::codes::code_enum;

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
    }
}

/// How long one class lives, in words and as the rule the code applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The class.
    pub class: RetentionClass,
    /// How long it lives.
    pub lifetime: &'static str,
    /// How it is destroyed, in words.
    pub destruction: &'static str,
}

/// The retention table. `note_days` and `note_max_days` come from the configuration.
pub fn table(note_days: u32, note_max_days: u32) -> Vec<(Rule, String)> {
    let rules = [
        Rule {
            class: RetentionClass::Notes,
            lifetime: "its own expiry date",
            destruction: "the row is deleted and the key of its expiry day is destroyed on that day; closing the case destroys it at once",
        },
        Rule {
            class: RetentionClass::CaseContent,
            lifetime: "until the case is closed",
            destruction: "closing deletes the rows and destroys the case's key in one write",
        },
        Rule {
            class: RetentionClass::Threads,
            lifetime: "until the case is closed",
            destruction: "destroyed with the case (the termination notice is a letter, below)",
        },
        Rule {
            class: RetentionClass::Letters,
            lifetime: "180 days from the letter's date",
            destruction: "the row is deleted and the letter's own key destroyed",
        },
        Rule {
            class: RetentionClass::Sessions,
            lifetime: "30 minutes idle, 12 hours at most",
            destruction: "deleted at sign-out or by the sweeper once timed out",
        },
        Rule {
            class: RetentionClass::Enrolments,
            lifetime: "72 hours, or until used",
            destruction: "deleted when used, or by the sweeper once expired",
        },
        Rule {
            class: RetentionClass::Throttling,
            lifetime: "15 minutes after the last failure, or while blocked (at most an hour)",
            destruction: "deleted after a successful sign-in, or by the sweeper",
        },
    ];
    rules
        .into_iter()
        .map(|rule| {
            let detail = match rule.class {
                RetentionClass::Notes => format!(
                    "{} (default {note_days} days, at most {note_max_days})",
                    rule.lifetime
                ),
                _ => rule.lifetime.to_owned(),
            };
            (rule, detail)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_exactly_one_rule() {
        let table = table(30, 90);
        assert_eq!(table.len(), RetentionClass::ALL.len());
        for class in RetentionClass::ALL {
            assert_eq!(
                table.iter().filter(|(r, _)| r.class == *class).count(),
                1,
                "{class:?}"
            );
        }
        let notes = &table[0].1;
        assert!(notes.contains("default 30 days, at most 90"), "{notes}");
    }
}
