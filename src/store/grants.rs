//! The grants half of the [`Store`] facade: the grant of case access that a new ombuds account
//! or an ombuds reset carries, the list every ombuds sees, and confirming or refusing one. The
//! rule itself (when a grant must wait) is [`crate::domain::access`]'s.

use chrono::NaiveDate;

use super::backend::{GrantDecision, GrantRecord};
use super::{Store, StoreError};
use crate::crypto::random;
use crate::domain::access::{self, GrantKind, GrantState, LISTED_DAYS, Requester};
use crate::domain::account::Role;

/// Who asks for an account change, and on which day.
#[derive(Debug, Clone, Copy)]
pub struct Requested<'a> {
    /// Through the web (an administrator) or on the server's command line.
    pub requester: Requester,
    /// The administrator's username, or `command line`.
    pub name: &'a str,
    /// The day, in the association's time zone.
    pub today: NaiveDate,
}

/// The name grants record for the command line on the server.
pub const COMMAND_LINE: &str = "command line";

impl<'a> Requested<'a> {
    /// An administrator, through the pages or the API.
    pub fn administrator(name: &'a str, today: NaiveDate) -> Self {
        Self {
            requester: Requester::Administrator,
            name,
            today,
        }
    }

    /// The command line on the server.
    pub fn command_line(today: NaiveDate) -> Self {
        Self {
            requester: Requester::CommandLine,
            name: COMMAND_LINE,
            today,
        }
    }
}

impl Store {
    /// The grant of case access that a change of `username` (whose role is `role`) carries:
    /// none unless it is an ombuds account; otherwise one that waits for its link and then
    /// for a confirmation, or (from the command line, or for the service's very first ombuds)
    /// one that needs none.
    pub(super) async fn grant_for(
        &self,
        username: &str,
        role: Role,
        kind: GrantKind,
        by: &Requested<'_>,
    ) -> Result<Option<GrantRecord>, StoreError> {
        if role != Role::Ombuds {
            return Ok(None);
        }
        let ombuds_exist = self.backend.ombuds_exist().await?;
        Ok(Some(GrantRecord {
            id: random::new_id()?,
            username: username.to_owned(),
            kind,
            state: access::initial_state(by.requester, ombuds_exist),
            requested_by: by.name.to_owned(),
            requested_on: by.today,
            enrolled_on: None,
            decided_by: None,
            decided_on: None,
        }))
    }

    /// The grants every ombuds sees on `today`: those waiting for a confirmation, and the
    /// others changed in the last [`LISTED_DAYS`] days, newest first.
    pub async fn grants(&self, today: NaiveDate) -> Result<Vec<GrantRecord>, StoreError> {
        let since = today - chrono::Days::new(LISTED_DAYS.unsigned_abs());
        self.backend.grants(since).await
    }

    /// Confirms or refuses grant `id` as `decider` (an ombuds with case access, or
    /// [`COMMAND_LINE`]) on `today`.
    pub async fn decide_grant(
        &self,
        id: &str,
        decider: &str,
        confirm: bool,
        today: NaiveDate,
    ) -> Result<GrantDecision, StoreError> {
        let decision = self
            .backend
            .decide_grant(id, decider, confirm, today)
            .await?;
        if decision == GrantDecision::Done {
            tracing::info!(
                event = "case_access_decided",
                by = %decider,
                confirmed = confirm,
                "a grant of case access was decided"
            );
        }
        Ok(decision)
    }

    /// Confirms, from the command line on the server, the grant of case access waiting for a
    /// confirmation for `username`. `None` if there is none.
    pub async fn confirm_from_host(
        &self,
        username: &str,
        today: NaiveDate,
    ) -> Result<Option<GrantDecision>, StoreError> {
        let waiting = self
            .grants(today)
            .await?
            .into_iter()
            .find(|g| g.username == username && g.state == GrantState::AwaitingConfirmation);
        match waiting {
            Some(grant) => Ok(Some(
                self.decide_grant(&grant.id, COMMAND_LINE, true, today)
                    .await?,
            )),
            None => Ok(None),
        }
    }
}
