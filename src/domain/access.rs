//! Case access and the two-person rule: an administrator cannot give anyone (themselves
//! included) access to cases alone. A new ombuds account, or a reset of one, that an
//! administrator makes once the service has any ombuds takes effect only when another ombuds
//! confirms it; every ombuds sees each such grant. The command line on the
//! server, which needs the host, grants without confirmation: it is the recovery path.
//!
//! Pure rules: the store records grants, the web layer asks and shows.

use super::account::Role;
use super::codes::code_enum;

code_enum! {
    /// What an account change did to case access.
    GrantKind in "staff.grant_kind" {
        /// A new ombuds account.
        New = "new";
        /// New credentials for an existing ombuds account.
        Reset = "reset";
        /// A disabled ombuds account enabled again: its own credentials read cases again, so it
        /// needs no confirmation, but every ombuds sees it.
        Enabled = "enabled";
    }
}

code_enum! {
    /// Where a grant of case access stands.
    GrantState in "staff.grant_state" {
        /// The enrolment link has not been used yet; nothing has changed.
        AwaitingEnrolment = "awaiting_enrolment";
        /// The link was used; the account has no case access until an ombuds confirms it.
        AwaitingConfirmation = "awaiting_confirmation";
        /// An ombuds (or the command line on the server) confirmed it.
        Confirmed = "confirmed";
        /// An ombuds refused it; the account is disabled.
        Refused = "refused";
        /// It needed no confirmation: made on the command line of the server, or for the
        /// service's very first ombuds.
        Granted = "granted";
        /// A later link for the same account replaced it: made before this one's link was used
        /// (the old link works no more), or used before this one was decided (the credentials
        /// it was for are gone, so confirming it would confirm someone else).
        Superseded = "superseded";
        /// Its link was revoked before it was used; nothing changed.
        Withdrawn = "withdrawn";
    }
}

code_enum! {
    /// What an ombuds decides about a grant that waits.
    Decision in "staff.grant_decision" {
        /// The account reads cases.
        Confirm = "confirm";
        /// The account is disabled.
        Refuse = "refuse";
    }
}

code_enum! {
    /// What a new enrolment link for an ombuds account means for case access, as the
    /// administrator is told.
    LinkAccess in "staff.link_access" {
        /// The account reads no case until another ombuds confirms it, once the link is used.
        AfterConfirmation = "after_confirmation";
        /// The account reads cases as soon as the link is used (the service's first ombuds,
        /// or a link made on the command line).
        WithTheLink = "with_the_link";
    }
}

impl LinkAccess {
    /// What a grant made in `state` means for the link.
    pub fn of(state: GrantState) -> Self {
        if state == GrantState::AwaitingEnrolment {
            Self::AfterConfirmation
        } else {
            Self::WithTheLink
        }
    }
}

/// Days a grant stays listed after its last change (a grant waiting for confirmation stays
/// until it is decided).
pub const LISTED_DAYS: i64 = 90;

/// Who asked for a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requester {
    /// An administrator, through the web pages or the API.
    Administrator,
    /// The command line on the server (`ombuds user`): someone who holds the host.
    CommandLine,
}

/// Whether a grant of case access must wait for an ombuds to confirm it. `ombuds_exist` says
/// whether any ombuds account exists, in any state, or any grant of case access is on record.
/// Only the very first ombuds of a new service is granted without a confirmation: counting
/// only ombuds who can read cases now would let an administrator reset or disable every one of
/// them and then make an ombuds account nobody has to confirm.
pub fn needs_confirmation(requester: Requester, ombuds_exist: bool) -> bool {
    requester == Requester::Administrator && ombuds_exist
}

/// The state of a grant when its link is made.
pub fn initial_state(requester: Requester, ombuds_exist: bool) -> GrantState {
    if needs_confirmation(requester, ombuds_exist) {
        GrantState::AwaitingEnrolment
    } else {
        GrantState::Granted
    }
}

/// Whether enabling an account gives back case access it had: an ombuds account, disabled
/// until now, whose access was confirmed before. The grant needs no confirmation, but every
/// ombuds sees it listed.
pub fn regranted_on_enable(
    role: Role,
    was_disabled: bool,
    disable: bool,
    case_access: bool,
) -> bool {
    !disable && was_disabled && role == Role::Ombuds && case_access
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabling_gives_back_only_a_confirmed_ombuds_access() {
        assert!(regranted_on_enable(Role::Ombuds, true, false, true));
        assert!(
            !regranted_on_enable(Role::Ombuds, true, false, false),
            "never confirmed"
        );
        assert!(
            !regranted_on_enable(Role::Ombuds, false, false, true),
            "was not disabled"
        );
        assert!(
            !regranted_on_enable(Role::Ombuds, true, true, true),
            "disabling"
        );
        assert!(
            !regranted_on_enable(Role::Admin, true, false, true),
            "not an ombuds"
        );
    }

    #[test]
    fn only_an_administrator_beside_an_ombuds_needs_a_confirmation() {
        use Requester::{Administrator, CommandLine};
        assert!(needs_confirmation(Administrator, true));
        assert!(
            !needs_confirmation(Administrator, false),
            "the first ombuds"
        );
        assert!(!needs_confirmation(CommandLine, true), "the recovery path");
        assert_eq!(
            initial_state(Administrator, true),
            GrantState::AwaitingEnrolment
        );
        assert_eq!(initial_state(CommandLine, true), GrantState::Granted);
        for state in GrantState::ALL {
            assert_eq!(GrantState::from_code(state.code()), Some(*state));
        }
    }
}
