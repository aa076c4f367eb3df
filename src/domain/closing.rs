//! What closing a case sends to whom (docs/RULES.md, "Outcomes and their letters"): the
//! termination notice to every party unless the matter was resolved, a follow-up letter whose
//! words depend on the outcome, and, for a filed complaint, a letter to every party saying
//! what becomes of it.
//!
//! Pure rules; no storage, no wording.

use chrono::NaiveDate;

use super::case::Outcome;

/// A letter closing a case sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosingLetter {
    /// The written notice that informal resolution has ended (every party).
    TerminationNotice,
    /// The follow-up letter, in the words of [`FollowUp`].
    FollowUp(FollowUp),
    /// The signed resolution certificate, for the person who raised the concern.
    ResolutionCertificate,
}

/// Which follow-up letter: what it says depends on how the case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// Dismissed as outside the program's scope: the other ways to pursue it.
    OutsideScope,
    /// Ended without a resolution: the other dispute resolution options.
    Unresolved,
    /// The person declined the ombuds (for mediation or a formal complaint): where to go.
    Declined,
    /// The person withdrew: the program stays open to them, and the other options.
    Withdrawn,
    /// Ended at once for a possible public trust violation: the formal avenues.
    PublicTrust,
    /// A filed complaint resolved to everyone's satisfaction: it will be dismissed.
    ComplaintDismissed,
    /// A filed complaint not resolved informally: it proceeds.
    ComplaintProceeds,
}

impl FollowUp {
    /// Every follow-up letter, for tests and wording checks.
    pub const ALL: [Self; 7] = [
        Self::OutsideScope,
        Self::Unresolved,
        Self::Declined,
        Self::Withdrawn,
        Self::PublicTrust,
        Self::ComplaintDismissed,
        Self::ComplaintProceeds,
    ];

    /// Its stable code, which names its wording (`follow_up.{code}_*`).
    pub fn code(self) -> &'static str {
        match self {
            Self::OutsideScope => "outside_scope",
            Self::Unresolved => "unresolved",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::PublicTrust => "public_trust",
            Self::ComplaintDismissed => "complaint_dismissed",
            Self::ComplaintProceeds => "complaint_proceeds",
        }
    }

    /// Whether it is about a complaint already filed (it goes to every party).
    pub fn about_a_filed_complaint(self) -> bool {
        matches!(self, Self::ComplaintDismissed | Self::ComplaintProceeds)
    }

    /// Whether it lists the association's other dispute resolution options and the agencies
    /// (the formal avenues, for a public trust violation).
    pub fn lists_options(self) -> bool {
        !self.about_a_filed_complaint()
    }
}

/// Who a closing letter is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The person who raised the concern.
    Complainant,
    /// An added party (the member concerned, their broker, anyone else).
    Party,
}

/// What is known of a case when it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    /// How it ended.
    pub outcome: Outcome,
    /// Whether a formal complaint was already filed and referred to the ombuds.
    pub complaint_filed: bool,
    /// The day every party agreed the resolution plan, if they did.
    pub plan_agreed_on: Option<NaiveDate>,
    /// Whether the termination is already recorded (its notices went out then).
    pub terminated: bool,
}

impl Closing {
    /// Whether closing records the termination (today) first, so that every party is
    /// notified in writing: every outcome but a successful one, unless already recorded.
    pub fn terminates(&self) -> bool {
        self.outcome != Outcome::SuccessfullyClosed && !self.terminated
    }

    /// The follow-up letter this closing sends, if any.
    pub fn follow_up(&self) -> Option<FollowUp> {
        let letter = match (self.complaint_filed, self.outcome) {
            (true, Outcome::SuccessfullyClosed) => FollowUp::ComplaintDismissed,
            (true, _) => FollowUp::ComplaintProceeds,
            (false, Outcome::SuccessfullyClosed) => return None,
            (false, Outcome::UnsuccessfullyClosed) => FollowUp::Unresolved,
            (false, Outcome::Dismissed) => FollowUp::OutsideScope,
            (false, Outcome::Declined) => FollowUp::Declined,
            (false, Outcome::Withdrawn) => FollowUp::Withdrawn,
            (false, Outcome::TerminatedPublicTrust) => FollowUp::PublicTrust,
        };
        Some(letter)
    }

    /// Whether the person who raised the concern receives the signed resolution certificate,
    /// and if so the agreement date it certifies (docs/RULES.md, "The resolution certificate"):
    /// only a successful close of a case whose resolution plan every party agreed, when no
    /// complaint was filed (relate-back is for a complaint filed later, if the member fails to
    /// comply).
    pub fn certified_agreement(&self) -> Option<NaiveDate> {
        match (self.outcome, self.complaint_filed) {
            (Outcome::SuccessfullyClosed, false) => self.plan_agreed_on,
            _ => None,
        }
    }

    /// The letters `recipient` receives when the case closes, in the order they are sent.
    pub fn letters_for(&self, recipient: Recipient) -> Vec<ClosingLetter> {
        let mut letters = Vec::new();
        if self.terminates() {
            letters.push(ClosingLetter::TerminationNotice);
        }
        if let Some(follow_up) = self.follow_up()
            && (recipient == Recipient::Complainant || follow_up.about_a_filed_complaint())
        {
            letters.push(ClosingLetter::FollowUp(follow_up));
        }
        if recipient == Recipient::Complainant && self.certified_agreement().is_some() {
            letters.push(ClosingLetter::ResolutionCertificate);
        }
        letters
    }
}

/// Checks that whether a complaint was already filed may still be changed: only until the
/// termination is recorded, since the termination notices say (or do not say) that the filing
/// deadline was suspended.
pub fn may_mark_complaint_filed(terminated: bool) -> Result<(), super::field::FieldError> {
    match terminated {
        false => Ok(()),
        true => Err(super::field::FieldError::new(
            "complaint_filed",
            "staff.problem.complaint_filed_after_termination",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closing(outcome: Outcome) -> Closing {
        Closing {
            outcome,
            complaint_filed: false,
            plan_agreed_on: None,
            terminated: false,
        }
    }

    #[test]
    fn each_outcome_sends_the_letters_of_the_retention_policy() {
        use ClosingLetter::{FollowUp as F, ResolutionCertificate, TerminationNotice};
        let cases = [
            (
                Outcome::Dismissed,
                vec![TerminationNotice, F(FollowUp::OutsideScope)],
            ),
            (
                Outcome::UnsuccessfullyClosed,
                vec![TerminationNotice, F(FollowUp::Unresolved)],
            ),
            (
                Outcome::Declined,
                vec![TerminationNotice, F(FollowUp::Declined)],
            ),
            (
                Outcome::Withdrawn,
                vec![TerminationNotice, F(FollowUp::Withdrawn)],
            ),
            (
                Outcome::TerminatedPublicTrust,
                vec![TerminationNotice, F(FollowUp::PublicTrust)],
            ),
            (Outcome::SuccessfullyClosed, vec![]),
        ];
        for (outcome, complainant) in cases {
            let c = closing(outcome);
            assert_eq!(
                c.letters_for(Recipient::Complainant),
                complainant,
                "{outcome:?}"
            );
            // Another party receives only the termination notice.
            let party: Vec<_> = complainant
                .into_iter()
                .filter(|l| *l == TerminationNotice)
                .collect();
            assert_eq!(c.letters_for(Recipient::Party), party, "{outcome:?}");
        }
        let day = NaiveDate::from_ymd_opt(2026, 3, 2);
        let agreed = Closing {
            plan_agreed_on: day,
            ..closing(Outcome::SuccessfullyClosed)
        };
        assert_eq!(
            agreed.letters_for(Recipient::Complainant),
            vec![ResolutionCertificate]
        );
        assert_eq!(agreed.letters_for(Recipient::Party), vec![]);
        assert_eq!(agreed.certified_agreement(), day);
        for outcome in Outcome::ALL {
            let other = Closing {
                outcome: *outcome,
                ..agreed
            };
            if *outcome != Outcome::SuccessfullyClosed {
                assert_eq!(other.certified_agreement(), None, "{outcome:?}");
            }
        }
    }

    #[test]
    fn a_recorded_termination_is_not_notified_twice() {
        let c = Closing {
            terminated: true,
            ..closing(Outcome::UnsuccessfullyClosed)
        };
        assert!(!c.terminates());
        assert_eq!(
            c.letters_for(Recipient::Complainant),
            vec![ClosingLetter::FollowUp(FollowUp::Unresolved)]
        );
        assert_eq!(c.letters_for(Recipient::Party), vec![]);
    }

    #[test]
    fn a_filed_complaint_is_dismissed_or_proceeds_and_every_party_is_told() {
        let resolved = Closing {
            complaint_filed: true,
            plan_agreed_on: NaiveDate::from_ymd_opt(2026, 3, 2),
            ..closing(Outcome::SuccessfullyClosed)
        };
        let dismissed = ClosingLetter::FollowUp(FollowUp::ComplaintDismissed);
        assert_eq!(
            resolved.letters_for(Recipient::Complainant),
            vec![dismissed]
        );
        assert_eq!(resolved.letters_for(Recipient::Party), vec![dismissed]);
        assert_eq!(resolved.certified_agreement(), None);
        for outcome in Outcome::ALL {
            if *outcome == Outcome::SuccessfullyClosed {
                continue;
            }
            let c = Closing {
                complaint_filed: true,
                ..closing(*outcome)
            };
            assert_eq!(c.follow_up(), Some(FollowUp::ComplaintProceeds));
            assert!(
                c.letters_for(Recipient::Party)
                    .contains(&ClosingLetter::FollowUp(FollowUp::ComplaintProceeds))
            );
        }
    }
}
