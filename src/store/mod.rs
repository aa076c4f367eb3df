//! Storage: the narrow [`Backend`] interface that database engines implement, and the [`Store`]
//! facade the web layer uses.
//!
//! The facade is the crypto boundary: it takes plaintext from above, seals it to the case's own
//! key, and hands the engine only ciphertext, wrapped keys and the few fields kept in the clear
//! (category, who raised it, channel, dates). On the way back it unwraps and opens. Engines
//! never see plaintext and the web layer never sees ciphertext.

mod accounts;
mod backend;
mod cases;
mod content;
pub mod sqlite;

use std::sync::Arc;

pub use accounts::{EnrolError, EnrolmentView, SessionUser, SignInError, SignedIn, UserSummary};
pub use backend::{Backend, CaseListing, CaseRecord};
pub use cases::{CaseDetail, Commitment, FollowupThread, Message, Note, ReplyOutcome};
pub use content::Concern;

use crate::config::{Config, Database};
use crate::crypto::envelope::IdentityFileError;
use crate::crypto::receipt::ReceiptKeyError;
use crate::crypto::{CryptoError, MasterKey, ReceiptKey};

/// A storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The disk that holds the database has no space left.
    #[error("the disk holding the database is full")]
    DiskFull,
    /// The database refused or failed an operation.
    #[error("database: {0}")]
    Database(String),
    /// The database was made by a newer version of this program, or is not ours.
    #[error("database schema: {0}")]
    Schema(String),
    /// The task that writes to the database has stopped.
    #[error("the database writer has stopped")]
    WriterStopped,
    /// Sealing or opening content failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The master key could not be loaded.
    #[error("master key: {0}")]
    Identity(#[from] IdentityFileError),
    /// The receipt key could not be loaded.
    #[error("receipt key: {0}")]
    ReceiptKey(#[from] ReceiptKeyError),
}

/// The service's storage, as the web layer sees it.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    master: Arc<MasterKey>,
    secret: Arc<ReceiptKey>,
    issuer: Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Loads the keys named in `config` and opens its database, creating and migrating it if
    /// needed.
    pub async fn open(config: &Config) -> Result<Self, StoreError> {
        let master = MasterKey::load(&config.keys.identity)?;
        let secret = ReceiptKey::load(&config.keys.receipt_secret)?;
        let backend: Arc<dyn Backend> = match &config.database {
            Database::Sqlite { path } => {
                Arc::new(sqlite::SqliteBackend::open(path, &config.keys.store).await?)
            }
        };
        Ok(Self {
            backend,
            master: Arc::new(master),
            secret: Arc::new(secret),
            issuer: Arc::from(config.association.name.as_str()),
        })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.backend.ping().await
    }

    /// Finishes pending writes and closes the database cleanly.
    pub async fn close(&self) {
        self.backend.close().await;
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let Some(db) = error.as_database_error() {
            // SQLITE_FULL (13); its extended codes keep 13 in the low byte.
            if db
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .map(|c| c & 0xff)
                == Some(13)
            {
                return Self::DiskFull;
            }
        }
        Self::Database(error.to_string())
    }
}

impl StoreError {
    /// The same failure again, for reporting one outcome to several waiting callers.
    pub fn again(&self) -> Self {
        match self {
            Self::DiskFull => Self::DiskFull,
            Self::WriterStopped => Self::WriterStopped,
            Self::Database(message) => Self::Database(message.clone()),
            Self::Schema(message) => Self::Schema(message.clone()),
            other => Self::Database(other.to_string()),
        }
    }
}
