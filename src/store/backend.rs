//! The interface every database engine implements. It carries ciphertext and the few fields
//! stored in the clear, never plaintext.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::StoreError;
use crate::crypto::ReceiptHash;
use crate::domain::concern::{Category, RaisedBy};

/// A concern as the database keeps it.
pub struct StoredConcern {
    /// Random identifier.
    pub id: String,
    /// Keyed hash of the receipt.
    pub receipt_hash: ReceiptHash,
    /// Kind of concern (clear).
    pub category: Category,
    /// Who raised it (clear).
    pub raised_by: RaisedBy,
    /// First-contact date in the association's calendar (clear, day precision).
    pub first_contact: NaiveDate,
    /// Identifier of the content key in the key store.
    pub key_id: String,
    /// The content key, wrapped to the master key; goes to the key store, not the database.
    pub wrapped_key: Vec<u8>,
    /// The concern's text and typed dates, sealed to the content key.
    pub sealed: Vec<u8>,
}

/// A database engine.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Stores a concern and its wrapped key; returns once both are durable.
    async fn insert_concern(&self, concern: StoredConcern) -> Result<(), StoreError>;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Finishes pending writes and closes.
    async fn close(&self);
}
