//! A case as the ombuds handles it: how it reached the program, the services given, and how it
//! ended.
//!
//! These are the clear, non-identifying fields that survive a case's closing as trend counters
//! (see [`super::trends`]). This module names them; it holds no case content and does no I/O.

/// How the concern reached the ombuds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// The public web intake.
    Web,
    /// A telephone call.
    Phone,
    /// An e-mail.
    Email,
    /// A visit in person.
    WalkIn,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Self; 4] = [Self::Web, Self::Phone, Self::Email, Self::WalkIn];

    /// The stable code used in the API, the database and reports.
    pub fn code(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::WalkIn => "walk_in",
        }
    }

    /// How staff and the board see the channel.
    pub fn label(self) -> &'static str {
        match self {
            Self::Web => "Web intake",
            Self::Phone => "Telephone",
            Self::Email => "E-mail",
            Self::WalkIn => "Walk-in",
        }
    }

    /// The channel with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Resolved informally.
    SuccessfullyClosed,
    /// Ombuds efforts ended without a resolution.
    UnsuccessfullyClosed,
    /// Outside the program's scope.
    Dismissed,
    /// The user chose ethics mediation or a formal ethics complaint instead.
    Declined,
    /// Terminated because a public trust violation may have occurred.
    TerminatedPublicTrust,
    /// The user withdrew the concern.
    Withdrawn,
}

impl Outcome {
    /// Every outcome, in display order.
    pub const ALL: [Self; 6] = [
        Self::SuccessfullyClosed,
        Self::UnsuccessfullyClosed,
        Self::Dismissed,
        Self::Declined,
        Self::TerminatedPublicTrust,
        Self::Withdrawn,
    ];

    /// The stable code used in the API, the database and reports.
    pub fn code(self) -> &'static str {
        match self {
            Self::SuccessfullyClosed => "successfully_closed",
            Self::UnsuccessfullyClosed => "unsuccessfully_closed",
            Self::Dismissed => "dismissed",
            Self::Declined => "declined",
            Self::TerminatedPublicTrust => "terminated_public_trust",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// How staff and the board see the outcome.
    pub fn label(self) -> &'static str {
        match self {
            Self::SuccessfullyClosed => "Successfully closed",
            Self::UnsuccessfullyClosed => "Unsuccessfully closed",
            Self::Dismissed => "Dismissed as outside the program's scope",
            Self::Declined => "Declined: mediation or a formal complaint chosen instead",
            Self::TerminatedPublicTrust => "Terminated: a public trust violation may have occurred",
            Self::Withdrawn => "Withdrawn",
        }
    }

    /// The outcome with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }
}

/// A service the ombuds gave. A case may receive several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// An answer or information.
    AnswerInformation,
    /// Options and resources.
    OptionsResources,
    /// A referral elsewhere.
    Referral,
    /// Coaching.
    Coaching,
    /// Shuttle diplomacy or facilitated discussion.
    FacilitatedDiscussion,
}

impl Service {
    /// Every service, in display order.
    pub const ALL: [Self; 5] = [
        Self::AnswerInformation,
        Self::OptionsResources,
        Self::Referral,
        Self::Coaching,
        Self::FacilitatedDiscussion,
    ];

    /// The stable code used in the API, the database and reports.
    pub fn code(self) -> &'static str {
        match self {
            Self::AnswerInformation => "answer_information",
            Self::OptionsResources => "options_resources",
            Self::Referral => "referral",
            Self::Coaching => "coaching",
            Self::FacilitatedDiscussion => "facilitated_discussion",
        }
    }

    /// How staff and the board see the service.
    pub fn label(self) -> &'static str {
        match self {
            Self::AnswerInformation => "Answer or information",
            Self::OptionsResources => "Options and resources",
            Self::Referral => "Referral",
            Self::Coaching => "Coaching",
            Self::FacilitatedDiscussion => "Shuttle diplomacy or facilitated discussion",
        }
    }

    /// The service with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::from_code(c.code()), Some(c));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
        }
        for s in Service::ALL {
            assert_eq!(Service::from_code(s.code()), Some(s));
        }
        assert_eq!(Channel::from_code("fax"), None);
    }
}
