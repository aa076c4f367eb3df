//! A case: how the ombuds came to hear of it, where it stands, which services were given, and
//! how it ended. Codes are stable (API, database, trend counters); labels are for people.
//!
//! Pure vocabulary and rules; no storage, no HTTP.

use super::codes::code_enum;
use super::concern::in_the_future;
use super::field::FieldError;
use super::phrase::{Phrase, Said};

code_enum! {
    /// How the concern reached the ombuds.
    Channel in "staff.channel" {
        /// The public intake form or API.
        Web = "web";
        /// A telephone call.
        Phone = "phone";
        /// An e-mail.
        Email = "email";
        /// Someone came to the office.
        WalkIn = "walk_in";
    }
}

code_enum! {
    /// Where a case stands. Closed cases are destroyed, so there is no "closed" status.
    CaseStatus in "staff.case_status" {
        /// A web concern no ombuds has opened yet (the inbox).
        New = "new";
        /// An ombuds is working on it.
        Open = "open";
    }
}

code_enum! {
    /// A service the ombuds gave.
    Service in "staff.service" {
        /// Answered a question or gave information.
        AnswerInformation = "answer_information";
        /// Explored options and resources.
        OptionsResources = "options_resources";
        /// Referred to another resource.
        Referral = "referral";
        /// Coached the person on handling it themselves.
        Coaching = "coaching";
        /// Carried messages between parties or facilitated a conversation.
        FacilitatedDiscussion = "facilitated_discussion";
    }
}

code_enum! {
    /// How a case ended.
    Outcome in "staff.outcome" {
        /// Resolved to the parties' satisfaction.
        SuccessfullyClosed = "successfully_closed";
        /// Ombuds efforts ended without a resolution.
        UnsuccessfullyClosed = "unsuccessfully_closed";
        /// Outside the program's scope.
        Dismissed = "dismissed";
        /// The user declined ombuds services for mediation or a formal complaint.
        Declined = "declined";
        /// Ended at once because a public trust violation may have occurred.
        TerminatedPublicTrust = "terminated_public_trust";
        /// The user withdrew.
        Withdrawn = "withdrawn";
    }
}

code_enum! {
    /// Who wrote a message in the follow-up thread.
    Author in "author" {
        /// The person who raised the concern, with their receipt.
        Submitter = "submitter";
        /// An ombuds.
        Ombuds = "ombuds";
    }
}

code_enum! {
    /// A date recorded on a case that an ombuds may correct.
    CaseDate in "staff.case_date" {
        /// The first contact: the suspension of the filing deadline starts.
        FirstContact = "first_contact";
        /// The end of informal resolution: the countdown resumes the next day.
        Termination = "termination";
    }
}

code_enum! {
    /// A letter the association sends and keeps for a while.
    LetterKind in "staff.letter_kind" {
        /// The written notice that informal resolution has ended.
        TerminationNotice = "termination_notice";
        /// The follow-up letter a closing sends (other options, or what becomes of a filed
        /// complaint).
        FollowUpLetter = "follow_up_letter";
        /// The signed resolution certificate, to the person who raised the concern.
        ResolutionCertificate = "resolution_certificate";
    }
}

/// How staff name a matter to each other and to a party who calls: the first eight characters
/// of the case's random identifier, upper case, in two groups ("K3QF-7ZPA"). It says nothing
/// about the case (the identifier is random) and is never a trend dimension.
pub fn reference(case_id: &str) -> String {
    let head: String = case_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase();
    match head.split_at_checked(4) {
        Some((a, b)) if !b.is_empty() => format!("{a}-{b}"),
        _ => head,
    }
}

/// Days a termination notice or a follow-up letter is kept from its date, then destroyed.
pub const LETTER_DAYS: u64 = 180;

/// The day a letter dated `dated` and kept `days` days is destroyed: it is readable up to the
/// day before. At the end of the calendar, its own date.
pub fn kept_until(dated: chrono::NaiveDate, days: u64) -> chrono::NaiveDate {
    dated
        .checked_add_days(chrono::Days::new(days))
        .unwrap_or(dated)
}

/// Longest reason for correcting a date, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;

/// Checks a recorded or corrected date. `current` is the value recorded now (if any); the other
/// date bounds it (first contact ≤ termination), `today` bounds both. A termination left blank is
/// today. Changing a recorded value needs a reason, which is kept with the case.
pub fn validate_case_date(
    field: CaseDate,
    typed: Option<&str>,
    reason: Option<&str>,
    current: Option<chrono::NaiveDate>,
    other: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, Option<secrecy::SecretString>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let date = match (typed.map(str::trim).filter(|t| !t.is_empty()), field) {
        (None, CaseDate::Termination) => Some(today),
        (None, CaseDate::FirstContact) => {
            errors.push(FieldError::new("date", "staff.problem.first_contact_date"));
            None
        }
        (Some(text), _) => match super::dates::parse_iso_date(text) {
            Ok(date) if date > today => {
                errors.push(FieldError::new("date", in_the_future(date, today)));
                None
            }
            Ok(date) => Some(date),
            Err(e) => {
                errors.push(FieldError::new("date", e.phrase()));
                None
            }
        },
    };
    if let (Some(date), Some(other)) = (date, other) {
        match field {
            CaseDate::Termination if date < other => errors.push(FieldError::new(
                "date",
                Phrase::new("staff.problem.before_first_contact")
                    .with("date", date)
                    .with("other", other),
            )),
            CaseDate::FirstContact if date > other => errors.push(FieldError::new(
                "date",
                Phrase::new("staff.problem.after_termination")
                    .with("date", date)
                    .with("other", other),
            )),
            _ => {}
        }
    }
    let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(text) => match super::text::clean_text(text, MAX_REASON_CHARS) {
            Ok(reason) => Some(reason),
            Err(problem) => {
                errors.push(FieldError::new("reason", problem));
                None
            }
        },
        None => None,
    };
    let correcting = current.is_some() && current != date;
    // The termination date is the day the notice is issued unless a reason says otherwise: the
    // notice states it (docs/RULES.md, "The notice to every party").
    let earlier = field == CaseDate::Termination && date.is_some_and(|d| d < today);
    if reason.is_none() && !errors.iter().any(|e| e.field == "reason") {
        if correcting {
            errors.push(FieldError::new("reason", "staff.problem.correction_reason"));
        } else if earlier {
            errors.push(FieldError::new(
                "reason",
                "staff.problem.earlier_termination_reason",
            ));
        }
    }
    match date {
        Some(date) if errors.is_empty() => Ok((date, reason)),
        _ => Err(errors),
    }
}

/// The parties (by number: 1 is the person who raised the concern) whose thread waits for the
/// ombuds: its last message is theirs. `threads` gives each party's number and the author of the
/// last message in its thread, if it has any.
pub fn unanswered(threads: impl IntoIterator<Item = (u32, Option<Author>)>) -> Vec<u32> {
    threads
        .into_iter()
        .filter(|(_, last)| *last == Some(Author::Submitter))
        .map(|(party, _)| party)
        .collect()
}

/// The parties (by number) whose thread ends with an ombuds message they have not opened:
/// closing would destroy it unread. `threads` gives each party's number and, for the last
/// message in its thread, who wrote it and whether its reader has opened it since.
pub fn unread(threads: impl IntoIterator<Item = (u32, Option<(Author, bool)>)>) -> Vec<u32> {
    threads
        .into_iter()
        .filter(|(_, last)| matches!(last, Some((Author::Ombuds, false))))
        .map(|(party, _)| party)
        .collect()
}

/// Checks that a case may be closed: a case whose threads wait for an answer (`unanswered`,
/// from [`unanswered`]) is closed only once the ombuds has said they know (`acknowledged`),
/// since closing destroys those messages unanswered.
pub fn may_close(unanswered: &[u32], acknowledged: bool) -> Result<(), FieldError> {
    if unanswered.is_empty() || acknowledged {
        return Ok(());
    }
    let parties: Vec<String> = unanswered.iter().map(u32::to_string).collect();
    Err(FieldError::new(
        "confirm_unanswered",
        Phrase::counted("staff.problem.unanswered", unanswered.len() as u64)
            .with("parties", parties.join(", ")),
    ))
}

/// Longest follow-up message or reply, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;

/// Channels an ombuds may choose when logging a contact by hand.
pub const MANUAL_CHANNELS: [Channel; 3] = [Channel::Phone, Channel::Email, Channel::WalkIn];

/// Checks the channel and first-contact date of a contact an ombuds logs by hand. The date
/// defaults to `today` and may not be in the future. The ombuds must have read out to the
/// person what the web intake shows before its form (`conditions_read`): the exceptions to
/// confidentiality, the conditions of use, that talking to the ombuds is not notice to the
/// association, and the right to decline (docs/RULES.md, section 1).
pub fn validate_logged_contact(
    channel: Option<&str>,
    first_contact: Option<&str>,
    conditions_read: bool,
    today: chrono::NaiveDate,
) -> Result<(Channel, chrono::NaiveDate), Vec<FieldError>> {
    let mut errors = Vec::new();
    if !conditions_read {
        errors.push(FieldError::new(
            "conditions_read",
            "staff.problem.read_conditions",
        ));
    }
    let channel = match channel.map(str::trim).filter(|c| !c.is_empty()) {
        None => {
            errors.push(FieldError::new("channel", "staff.problem.choose_channel"));
            None
        }
        Some(code) => MANUAL_CHANNELS
            .iter()
            .copied()
            .find(|c| c.code() == code)
            .or_else(|| {
                errors.push(FieldError::new("channel", "staff.problem.unknown_channel"));
                None
            }),
    };
    let date = match first_contact.map(str::trim).filter(|d| !d.is_empty()) {
        None => Some(today),
        Some(text) => match super::dates::parse_iso_date(text) {
            Ok(date) if date > today => {
                errors.push(FieldError::new("first_contact", in_the_future(date, today)));
                None
            }
            Ok(date) => Some(date),
            Err(e) => {
                errors.push(FieldError::new("first_contact", e.phrase()));
                None
            }
        },
    };
    match (channel, date) {
        (Some(channel), Some(date)) if errors.is_empty() => Ok((channel, date)),
        _ => Err(errors),
    }
}

/// Parses a comma-separated list of service codes (as stored), skipping unknown codes.
pub fn services_from_codes(codes: &str) -> Vec<Service> {
    let mut services: Vec<Service> = codes
        .split(',')
        .filter_map(|c| Service::from_code(c.trim()))
        .collect();
    services.sort();
    services.dedup();
    services
}

/// The stored form of a set of services: codes joined by commas, in display order.
pub fn services_to_codes(services: &[Service]) -> String {
    let mut sorted = services.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_is_kept_its_days_from_its_date() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        assert_eq!(kept_until(day(1), 30), day(31));
        assert_eq!(
            kept_until(chrono::NaiveDate::MAX, 30),
            chrono::NaiveDate::MAX
        );
    }

    #[test]
    fn a_thread_whose_last_word_is_the_person_s_waits_and_closing_needs_it_acknowledged() {
        let waiting = unanswered([
            (1, Some(Author::Submitter)),
            (2, Some(Author::Ombuds)),
            (3, None),
            (4, Some(Author::Submitter)),
        ]);
        assert_eq!(waiting, vec![1, 4]);
        let refused = may_close(&waiting, false).unwrap_err();
        assert_eq!(refused.field, "confirm_unanswered");
        assert!(may_close(&waiting, true).is_ok());
        assert!(may_close(&[], false).is_ok());
    }

    #[test]
    fn a_reference_is_the_identifier_s_head_in_two_groups() {
        assert_eq!(reference("k3qf7zpa2m4rtx6yq5hvbnwj1e"), "K3QF-7ZPA");
        assert_eq!(reference("ab"), "AB");
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        for all in [
            Channel::ALL.iter().map(|v| v.code()).collect::<Vec<_>>(),
            Service::ALL.iter().map(|v| v.code()).collect(),
            Outcome::ALL.iter().map(|v| v.code()).collect(),
            CaseStatus::ALL.iter().map(|v| v.code()).collect(),
        ] {
            let mut unique = all.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), all.len());
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(*o));
        }
        assert_eq!(Channel::from_code("fax"), None);
    }

    #[test]
    fn recorded_dates_are_bounded_and_corrections_need_a_reason() {
        let day = |t: &str| crate::domain::dates::parse_iso_date(t).unwrap();
        let today = day("2026-03-20");
        let (date, reason) = validate_case_date(
            CaseDate::Termination,
            None,
            None,
            None,
            Some(day("2026-02-02")),
            today,
        )
        .unwrap();
        assert_eq!(
            (date, reason.is_none()),
            (today, true),
            "a blank termination is today"
        );
        let errors = validate_case_date(
            CaseDate::Termination,
            Some("2026-01-30"),
            None,
            None,
            Some(day("2026-02-02")),
            today,
        )
        .unwrap_err();
        assert_eq!(
            errors[0].problem.key(),
            "staff.problem.before_first_contact"
        );
        let errors = validate_case_date(
            CaseDate::FirstContact,
            Some("2026-03-21"),
            None,
            Some(day("2026-02-02")),
            None,
            today,
        )
        .unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.problem.key() == "problem.date_in_future")
        );
        let errors = validate_case_date(
            CaseDate::FirstContact,
            Some("2026-02-01"),
            None,
            Some(day("2026-02-02")),
            None,
            today,
        )
        .unwrap_err();
        assert_eq!(errors[0].field, "reason");
        assert!(
            validate_case_date(
                CaseDate::FirstContact,
                Some("2026-02-01"),
                Some("called on the 1st, logged late"),
                Some(day("2026-02-02")),
                None,
                today
            )
            .is_ok()
        );
        // Recording the same value again is not a correction.
        assert!(
            validate_case_date(
                CaseDate::FirstContact,
                Some("2026-02-02"),
                None,
                Some(day("2026-02-02")),
                None,
                today
            )
            .is_ok()
        );
    }

    #[test]
    fn service_sets_are_stored_in_a_canonical_order() {
        let stored = services_to_codes(&[
            Service::Referral,
            Service::AnswerInformation,
            Service::Referral,
        ]);
        assert_eq!(stored, "answer_information,referral");
        assert_eq!(
            services_from_codes("referral,nonsense,answer_information"),
            [Service::AnswerInformation, Service::Referral]
        );
        assert!(services_from_codes("").is_empty());
    }
}
