//! The grants half of the [`Store`] facade: grants of case access as stored, and deciding one
//! atomically. When a grant is made and whether it waits is decided in
//! [`crate::usecase::accounts`] and [`crate::usecase::access`], by the rule in
//! [`crate::domain::access`].

use chrono::NaiveDate;

use super::backend::{GrantDecision, GrantRecord};
use super::{Store, StoreError};

impl Store {
    /// Whether any ombuds account exists, in any state, or any grant of case access is on
    /// record (see [`crate::domain::access::needs_confirmation`]).
    pub async fn ombuds_exist(&self) -> Result<bool, StoreError> {
        self.backend.ombuds_exist().await
    }

    /// Records a grant that needs no link (an account enabled again).
    pub async fn record_grant(&self, grant: GrantRecord) -> Result<(), StoreError> {
        self.backend.record_grant(grant).await
    }

    /// The grants waiting for a confirmation, and the others changed on or after `since`,
    /// newest first.
    pub async fn grants_since(&self, since: NaiveDate) -> Result<Vec<GrantRecord>, StoreError> {
        self.backend.grants(since).await
    }

    /// Confirms or refuses grant `id` as `decider` (an ombuds with case access, or
    /// [`crate::usecase::accounts::COMMAND_LINE`]) on `today`.
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
}
