//! The e-mail digest's storage: counts of what waits, the addresses ombuds gave, and the
//! record of which sending slot has run. Nothing here is sealed: the counts come from clear
//! fields, and an address is staff data, kept in the clear like a username.

use super::{Store, StoreError};
use crate::domain::digest::Waiting;

/// An ombuds account that receives the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRecipient {
    /// Its username (for the log, when a message to it fails).
    pub username: String,
    /// The address it gave.
    pub address: String,
}

impl Store {
    /// What waits now: new concerns, and threads whose last message is the person's.
    pub async fn waiting(&self) -> Result<Waiting, StoreError> {
        self.backend.waiting().await
    }

    /// The ombuds accounts that receive the digest (enabled, with case access, with an
    /// address), by name.
    pub async fn digest_recipients(&self) -> Result<Vec<DigestRecipient>, StoreError> {
        Ok(self
            .backend
            .digest_recipients()
            .await?
            .into_iter()
            .map(|(username, address)| DigestRecipient { username, address })
            .collect())
    }

    /// The address account `user_id` gave for the digest.
    pub async fn digest_address(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        self.backend.digest_address(user_id).await
    }

    /// Sets or clears the digest address of ombuds account `user_id`; false if there is none.
    pub async fn set_digest_address(
        &self,
        user_id: &str,
        address: Option<String>,
    ) -> Result<bool, StoreError> {
        self.backend.set_digest_address(user_id, address).await
    }

    /// Records that sending slot `slot`'s round runs here: false if it (or a later one) already
    /// ran, in this process or another.
    pub async fn claim_digest_slot(&self, slot: i64) -> Result<bool, StoreError> {
        self.backend.claim_digest_slot(slot).await
    }
}
