//! `[keys]`: where the key material lives: the association's age identity (or only its public
//! key, on an intake-only server), the key store, the receipt secret, the certificate signing
//! key and the retired signing keys whose certificates are still accepted.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::database::{Database, PostgresUrl};
use super::{Invalid, non_empty};
use crate::domain::phrase::Phrase;

/// Paths of key material.
#[derive(Debug, Clone)]
pub struct Keys {
    /// The association's age identity file; absent on a server that only takes concerns.
    pub identity: Option<PathBuf>,
    /// The association's public key, for a server that holds no identity.
    pub recipient: Option<String>,
    /// The key store holding one wrapped key per concern.
    pub store: KeyStore,
    /// The secret for the keyed hash of receipts.
    pub receipt_secret: PathBuf,
    /// The Ed25519 key that signs suspension certificates.
    pub signing_key: PathBuf,
    /// Public keys of signing keys no longer used, whose certificates are still accepted.
    pub retired_public_keys: Vec<crate::crypto::certificate::PublicKey>,
}

/// Where the key store lives: a file beside an SQLite database, or a second PostgreSQL
/// database beside a PostgreSQL one. Never inside the main database, so that backups of the
/// database can leave the keys out.
#[derive(Debug, Clone)]
pub enum KeyStore {
    /// An SQLite file, attached to the SQLite database.
    File(PathBuf),
    /// A PostgreSQL database of its own.
    Postgres(PostgresUrl),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Raw {
    identity: Option<PathBuf>,
    recipient: Option<String>,
    store: PathBuf,
    receipt_secret: PathBuf,
    /// Optional so that configurations written before certificates existed still load.
    #[serde(default = "default_signing_key")]
    signing_key: PathBuf,
    #[serde(default)]
    retired_public_keys: Vec<String>,
}

fn default_signing_key() -> PathBuf {
    PathBuf::from("signing.key")
}

impl Raw {
    /// Checks the table; relative paths are resolved against `base`, and the key store must go
    /// with `database`'s engine.
    pub(super) fn check(self, database: &Database, base: &Path) -> Result<Keys, Invalid> {
        let store = parse_key_store(&self.store, database, base)
            .map_err(|problem| ("keys.store", problem))?;
        let retired_public_keys = self
            .retired_public_keys
            .iter()
            .map(|text| crate::crypto::certificate::PublicKey::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                (
                    "keys.retired_public_keys",
                    Phrase::new("cli.as_is").with("text", e.to_string()),
                )
            })?;
        Ok(Keys {
            identity: self.identity.map(|p| base.join(p)),
            recipient: non_empty(self.recipient),
            store,
            receipt_secret: base.join(self.receipt_secret),
            signing_key: base.join(self.signing_key),
            retired_public_keys,
        })
    }
}

/// The key store goes with the engine: a file for SQLite, a second database for PostgreSQL.
fn parse_key_store(store: &Path, database: &Database, base: &Path) -> Result<KeyStore, Phrase> {
    let text = store.to_str().unwrap_or_default();
    let is_url = text.starts_with("postgres://") || text.starts_with("postgresql://");
    match (database, is_url) {
        (Database::Sqlite { .. }, false) if !text.is_empty() => {
            Ok(KeyStore::File(base.join(store)))
        }
        (Database::Sqlite { .. }, false) => Err(Phrase::new("cli.config.key_store_file")),
        (Database::Sqlite { .. }, true) => Err(Phrase::new("cli.config.key_store_sqlite")),
        (Database::Postgres { .. }, false) => Err(Phrase::new("cli.config.key_store_postgres")
            .with("store", format!("{:?}", store.display().to_string()))),
        (Database::Postgres { url }, true) => {
            let keys = PostgresUrl::parse(text)?;
            if keys == *url {
                return Err(Phrase::new("cli.config.key_store_same"));
            }
            Ok(KeyStore::Postgres(keys))
        }
    }
}
