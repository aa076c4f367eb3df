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
mod digest;
mod grants;
mod handover;
mod key_cache;
mod parties;
mod plan;
pub mod postgres;
mod retention;
mod rows;
#[cfg(test)]
mod schema_parity;
pub mod sqlite;
mod trends;

use std::sync::Arc;

use chrono::NaiveDate;

pub use accounts::{
    EnrolError, EnrolmentView, Invitation, SessionUser, SignInError, SignedIn, UserSummary,
};
pub use backend::{
    Backend, CaseListing, CaseRecord, GrantDecision, GrantRecord, Holding, PoolUse, SweepReport,
};
pub use cases::{
    CaseDetail, Commitment, Correction, Followup, FollowupThread, Letter, Message, Note,
    PartyThread, ReplyOutcome,
};
pub use content::{Concern, PartyContent};
pub use digest::DigestRecipient;
pub use handover::FormCase;
pub use parties::{AddedParty, Party};
pub use plan::Plan;
pub use retention::SWEEP_BATCH;

use crate::config::{Config, Database, KeyStore};
use crate::crypto::certificate::{
    Certificate, IssueError, PublicKey, ResolutionCertificate, SigningKey, SigningKeyError,
};
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
    /// The key store is missing while the database holds data.
    #[error(
        "setting `keys.store`: the key store {} does not exist, but the database {} does. \
         Restore the key store, or point keys.store at it; without it no stored content can be read",
        key_store.display(),
        database.display()
    )]
    KeyStoreMissing {
        /// The key store expected.
        key_store: std::path::PathBuf,
        /// The database found.
        database: std::path::PathBuf,
    },
    /// A database setting cannot be used as it stands: a database that cannot be reached, or
    /// that is not what its setting says it is.
    #[error("setting `{setting}`: {problem}")]
    Setting {
        /// The setting at fault, as `table.key`.
        setting: &'static str,
        /// What is wrong, in words an operator can act on.
        problem: String,
    },
    /// The key settings do not agree.
    #[error("setting `keys.recipient`: {0}")]
    KeySettings(String),
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
    /// The certificate signing key could not be loaded.
    #[error("certificate signing key: {0}")]
    SigningKey(#[from] SigningKeyError),
}

impl StoreError {
    /// The key store holds no key while the database holds content (both engines say it so).
    pub(crate) fn key_store_empty(
        key_store: &dyn std::fmt::Display,
        database: &dyn std::fmt::Display,
    ) -> Self {
        Self::Setting {
            setting: "keys.store",
            problem: format!(
                "the key store {key_store} holds no keys, but the database {database} holds \
                 content. Restore the key store, or point keys.store at it; without it no \
                 stored content can be read"
            ),
        }
    }
}

/// The service's storage, as the web layer sees it.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    master: Arc<MasterKey>,
    secret: Arc<ReceiptKey>,
    issuer: Arc<str>,
    signing: Arc<SigningKey>,
    trusted: Arc<[PublicKey]>,
    case_keys: Arc<key_cache::KeyCache>,
    in_flight: Arc<handover::InFlight>,
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
        let master = match (&config.keys.identity, &config.keys.recipient) {
            (Some(identity), recipient) => {
                let master = MasterKey::load(identity)?;
                if let Some(recipient) = recipient
                    && *recipient != master.recipient()
                {
                    return Err(StoreError::KeySettings(format!(
                        "{recipient} is not the public key of keys.identity ({})",
                        master.recipient()
                    )));
                }
                master
            }
            (None, Some(recipient)) => MasterKey::public_only(recipient)
                .map_err(|e| StoreError::KeySettings(e.to_string()))?,
            (None, None) => {
                return Err(StoreError::KeySettings(
                    "set keys.identity (or, for a server that only takes concerns, keys.recipient)"
                        .into(),
                ));
            }
        };
        let secret = ReceiptKey::load(&config.keys.receipt_secret)?;
        let signing = SigningKey::load(&config.keys.signing_key)?;
        let trusted: Arc<[PublicKey]> = std::iter::once(signing.public_key())
            .chain(config.keys.retired_public_keys.iter().copied())
            .collect();
        let backend: Arc<dyn Backend> = match (&config.database, &config.keys.store) {
            (Database::Sqlite { path }, KeyStore::File(keys)) => {
                Arc::new(sqlite::SqliteBackend::open(path, keys).await?)
            }
            (Database::Postgres { url }, KeyStore::Postgres(keys)) => {
                Arc::new(postgres::PostgresBackend::open(url, keys).await?)
            }
            _ => {
                return Err(StoreError::Setting {
                    setting: "keys.store",
                    problem: "the key store must use the same engine as database.url".into(),
                });
            }
        };
        Ok(Self {
            backend,
            master: Arc::new(master),
            secret: Arc::new(secret),
            issuer: Arc::from(config.association.letterhead.name.as_str()),
            signing: Arc::new(signing),
            trusted,
            case_keys: Arc::default(),
            in_flight: Arc::default(),
        })
    }

    /// Issues a signed suspension certificate: informal resolution with `association`'s ombuds
    /// ran from `first_contact` to `termination`, both included; `issued` is today's date in
    /// the association's time zone. Nothing is stored: the holder keeps the certificate.
    ///
    /// # Errors
    /// [`IssueError`] for dates out of order or a name that cannot be carried.
    pub fn issue_certificate(
        &self,
        association: &str,
        first_contact: NaiveDate,
        termination: NaiveDate,
        issued: NaiveDate,
    ) -> Result<Certificate, IssueError> {
        self.signing
            .issue(association, first_contact, termination, issued)
    }

    /// Issues a signed resolution certificate: the matter was first brought to `association`
    /// on `first_contact` and the parties agreed a resolution on `agreed`; `issued` is today's
    /// date in the association's time zone. Nothing is stored here: the letter that carries it
    /// is (see [`Store::add_letter`]).
    ///
    /// # Errors
    /// [`IssueError`] for dates out of order or a name that cannot be carried.
    pub fn issue_resolution_certificate(
        &self,
        association: &str,
        first_contact: NaiveDate,
        agreed: NaiveDate,
        issued: NaiveDate,
    ) -> Result<ResolutionCertificate, IssueError> {
        self.signing
            .issue_resolution(association, first_contact, agreed, issued)
    }

    /// The public keys certificates are checked against: the current signing key's first, then
    /// the retired ones from the configuration.
    pub fn certificate_keys(&self) -> &[PublicKey] {
        &self.trusted
    }

    /// Whether this service holds the association's secret key (and so can read content).
    pub fn can_decrypt(&self) -> bool {
        self.master.can_decrypt()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.backend.ping().await
    }

    /// How busy the connection pools and the writer are (for metrics).
    pub fn pools(&self) -> Vec<PoolUse> {
        self.backend.pools()
    }

    /// Whether this process should sweep now: always with SQLite; with PostgreSQL, only the
    /// one process that holds the sweeper's lock.
    pub async fn lead_sweeping(&self) -> Result<bool, StoreError> {
        self.backend.lead_sweeping().await
    }

    /// Finishes pending writes and closes the database cleanly.
    pub async fn close(&self) {
        self.backend.close().await;
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let Some(db) = error.as_database_error()
            && db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
        {
            // PostgreSQL's SQLSTATE for a full disk; its other codes are not SQLite's numbers.
            if db.code().as_deref() == Some("53100") {
                return Self::DiskFull;
            }
            return Self::Database(error.to_string());
        }
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
