//! The written notice to every party (docs/RULES.md, "The notice to every party"): which
//! version of the termination notice a party receives, how the ombuds records a notice sent to
//! a party who holds no receipt, and where each notice stands.
//!
//! Pure rules; no storage, no wording.

use chrono::NaiveDate;

use super::case::CaseStatus;
use super::codes::{Labelled, code_enum};
use super::concern::in_the_future;
use super::field::FieldError;
use super::parties::PartyRole;
use super::phrase::{Phrase, Said};

code_enum! {
    /// How the ombuds sent a notice to a party who holds no receipt.
    SentBy in "staff.sent_by" {
        /// By post.
        Post = "post";
        /// By e-mail.
        Email = "email";
        /// Handed over in person.
        InPerson = "in_person";
    }
}

/// Which termination notice a party receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeVersion {
    /// The person who raised the concern, who may file a complaint: the dates of informal
    /// resolution, the deadline as computed from the dates they gave, and the signed
    /// certificate.
    Complainant,
    /// Any added party (the member concerned, their broker, another party, anyone else): the
    /// termination date and that any suspended filing countdown resumes the next day; none of
    /// the complainant's dates, words or deadline, and no certificate.
    Party,
}

/// The notice for the person who raised the concern (`None`) or an added party in `role`.
pub fn version_for(role: Option<PartyRole>) -> NoticeVersion {
    match role {
        None => NoticeVersion::Complainant,
        Some(_) => NoticeVersion::Party,
    }
}

/// Where one notice stands, as the case page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In the party's thread, and the party has opened its follow-up page since.
    Opened,
    /// In the party's thread, not yet opened.
    InThread,
    /// The ombuds sent it on a day, in a way.
    Sent(NaiveDate, SentBy),
    /// The party holds no receipt and nobody has recorded sending it yet.
    Pending,
}

impl Delivery {
    /// Every code [`Delivery::code`] gives, in the order of the variants.
    pub const CODES: [&'static str; 4] = ["opened", "in_thread", "sent", "pending"];

    /// The stable code of where it stands, for the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Opened => Self::CODES[0],
            Self::InThread => Self::CODES[1],
            Self::Sent(..) => Self::CODES[2],
            Self::Pending => Self::CODES[3],
        }
    }

    /// Where a notice stands: `to_thread` if it went to a receipt holder's thread, `opened` if
    /// that holder has opened the follow-up page since, `sent` as the ombuds recorded it.
    pub fn of(to_thread: bool, opened: bool, sent: Option<(NaiveDate, SentBy)>) -> Self {
        match (to_thread, opened, sent) {
            (true, true, _) => Self::Opened,
            (true, false, _) => Self::InThread,
            (false, _, Some((on, by))) => Self::Sent(on, by),
            (false, _, None) => Self::Pending,
        }
    }

    /// Whether the ombuds still has to send it.
    pub fn pending(self) -> bool {
        self == Self::Pending
    }

    /// Whether it went to a receipt holder's thread (opened or not).
    pub fn in_thread(self) -> bool {
        matches!(self, Self::Opened | Self::InThread)
    }

    /// When and how the ombuds recorded sending it, if they did.
    pub fn sent(self) -> Option<(NaiveDate, SentBy)> {
        match self {
            Self::Sent(on, by) => Some((on, by)),
            _ => None,
        }
    }
}

/// Checks "sent on DATE by WAY" for a notice dated `dated`: the day is not before the notice
/// and not after `today`; a blank day is today. A notice that went to a thread needs no such
/// record (`to_thread`), and one already marked sent is not marked again.
pub fn validate_sent(
    typed_date: Option<&str>,
    typed_by: Option<&str>,
    dated: NaiveDate,
    to_thread: bool,
    already: Option<(NaiveDate, SentBy)>,
    today: NaiveDate,
) -> Result<(NaiveDate, SentBy), Vec<FieldError>> {
    if to_thread {
        return Err(vec![FieldError::new(
            "sent_by",
            "staff.problem.notice_in_thread",
        )]);
    }
    if let Some((on, by)) = already {
        return Err(vec![FieldError::new(
            "sent_by",
            Phrase::new("staff.problem.notice_already_sent")
                .with("date", on)
                .with("way", Phrase::new(by.label_key())),
        )]);
    }
    let mut errors = Vec::new();
    let date = match typed_date.map(str::trim).filter(|t| !t.is_empty()) {
        None => Some(today),
        Some(text) => match super::dates::parse_iso_date(text) {
            Ok(date) if date > today => {
                errors.push(FieldError::new("sent_on", in_the_future(date, today)));
                None
            }
            Ok(date) if date < dated => {
                errors.push(FieldError::new(
                    "sent_on",
                    Phrase::new("staff.problem.sent_before_notice")
                        .with("date", date)
                        .with("dated", dated),
                ));
                None
            }
            Ok(date) => Some(date),
            Err(e) => {
                errors.push(FieldError::new("sent_on", e.phrase()));
                None
            }
        },
    };
    let by = match typed_by.map(str::trim).filter(|t| !t.is_empty()) {
        None => {
            errors.push(FieldError::new("sent_by", "staff.problem.choose_sent_by"));
            None
        }
        Some(code) => SentBy::from_code(code).or_else(|| {
            errors.push(FieldError::new("sent_by", "staff.problem.unknown_sent_by"));
            None
        }),
    };
    match (date, by) {
        (Some(date), Some(by)) if errors.is_empty() => Ok((date, by)),
        _ => Err(errors),
    }
}

/// Why a party may not be added to a case now, if it may not: a new concern is opened first
/// (adding someone is working on it), a case whose informal resolution has ended has issued its
/// notices, and a plan every party agreed to would no longer be agreed by all.
pub fn may_add_party(
    status: CaseStatus,
    terminated: bool,
    plan_agreed: bool,
) -> Result<(), &'static str> {
    if status == CaseStatus::New {
        Err("staff.problem.open_before_parties")
    } else if terminated {
        Err("staff.problem.party_after_termination")
    } else if plan_agreed {
        Err("staff.problem.party_after_agreement")
    } else {
        Ok(())
    }
}

/// Why a party may not be removed now, if it may not: once it has accepted the current plan its
/// acceptance is part of the agreement, and once informal resolution has ended it has been sent
/// its notice.
pub fn may_remove_party(accepted: bool, terminated: bool) -> Result<(), &'static str> {
    if accepted {
        Err("staff.problem.remove_after_acceptance")
    } else if terminated {
        Err("staff.problem.remove_after_termination")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        crate::domain::dates::parse_iso_date(s).unwrap()
    }

    #[test]
    fn the_complainant_alone_receives_the_deadline() {
        assert_eq!(version_for(None), NoticeVersion::Complainant);
        for role in PartyRole::ALL {
            assert_eq!(version_for(Some(*role)), NoticeVersion::Party);
        }
    }

    #[test]
    fn delivery_reads_as_the_case_page_says_it() {
        let sent = Some((day("2026-12-01"), SentBy::Post));
        assert_eq!(Delivery::of(true, true, None), Delivery::Opened);
        assert_eq!(Delivery::of(true, false, None), Delivery::InThread);
        assert_eq!(
            Delivery::of(false, false, sent),
            Delivery::Sent(day("2026-12-01"), SentBy::Post)
        );
        assert!(Delivery::of(false, false, None).pending());
        assert!(!Delivery::of(true, false, None).pending());
    }

    #[test]
    fn a_sent_notice_needs_a_way_and_a_day_between_the_notice_and_today() {
        let (dated, today) = (day("2026-12-01"), day("2026-12-06"));
        assert_eq!(
            validate_sent(None, Some("post"), dated, false, None, today).unwrap(),
            (today, SentBy::Post)
        );
        assert_eq!(
            validate_sent(
                Some("2026-12-02"),
                Some("in_person"),
                dated,
                false,
                None,
                today
            )
            .unwrap(),
            (day("2026-12-02"), SentBy::InPerson)
        );
        let fields = |r: Result<_, Vec<FieldError>>| -> Vec<&str> {
            r.unwrap_err().iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(validate_sent(
                Some("2026-11-30"),
                None,
                dated,
                false,
                None,
                today
            )),
            ["sent_on", "sent_by"]
        );
        assert_eq!(
            fields(validate_sent(
                Some("2026-12-07"),
                Some("fax"),
                dated,
                false,
                None,
                today
            )),
            ["sent_on", "sent_by"]
        );
        assert_eq!(
            fields(validate_sent(None, Some("post"), dated, true, None, today)),
            ["sent_by"]
        );
        let already = Some((dated, SentBy::Email));
        assert_eq!(
            fields(validate_sent(
                None,
                Some("post"),
                dated,
                false,
                already,
                today
            )),
            ["sent_by"]
        );
    }

    #[test]
    fn parties_join_an_opened_case_before_agreement_and_termination() {
        assert!(may_add_party(CaseStatus::Open, false, false).is_ok());
        assert!(may_add_party(CaseStatus::New, false, false).is_err());
        assert!(may_add_party(CaseStatus::Open, true, false).is_err());
        assert!(may_add_party(CaseStatus::Open, false, true).is_err());
        assert!(may_remove_party(false, false).is_ok());
        assert!(may_remove_party(true, false).is_err());
        assert!(may_remove_party(false, true).is_err());
    }
}
