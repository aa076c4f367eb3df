//! Creating a data directory: `ombuds init DIR`, and the zero-setup first run of `ombuds serve`.
//!
//! The directory gets the configuration (copied from `config/ombuds.example.toml`), a new age
//! identity, receipt secret and certificate signing key (mode 0600), and an empty database and
//! key store. Nothing that exists is ever overwritten.

use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::crypto::certificate::SigningKey;
use crate::crypto::secret_file;
use crate::crypto::{MasterKey, ReceiptKey};
use crate::store::Store;

/// Name of the configuration file inside a data directory.
pub const CONFIG_FILE: &str = "ombuds.toml";

/// Where the service keeps its data when no configuration is named: `./ombuds-data`.
pub const DEFAULT_DATA_DIR: &str = "ombuds-data";

/// The configuration file commands use when none is named: `./ombuds-data/ombuds.toml`.
pub fn default_config_file() -> PathBuf {
    Path::new(DEFAULT_DATA_DIR).join(CONFIG_FILE)
}

/// What `init` made.
#[derive(Debug)]
pub struct Initialised {
    /// The new configuration file.
    pub config_file: PathBuf,
    /// The association's public key.
    pub recipient: String,
    /// The public key that checks the association's suspension certificates.
    pub certificate_public_key: String,
}

/// Why a data directory could not be initialised.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The directory already holds a configuration.
    #[error("{} already exists; refusing to overwrite an existing data directory", .0.display())]
    AlreadyInitialised(PathBuf),
    /// A file the configuration names already exists.
    #[error("{} already exists; refusing to overwrite it (move it away or pick another directory)", .0.display())]
    FileExists(PathBuf),
    /// The directory could not be created or written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// What could not be written.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Something else failed.
    #[error("{0}")]
    Other(String),
}

/// Initialises `dir` as a new data directory.
pub async fn init(dir: &Path) -> Result<Initialised, InitError> {
    let config_file = dir.join(CONFIG_FILE);
    if config_file.exists() {
        return Err(InitError::AlreadyInitialised(config_file));
    }
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| InitError::Io {
            path: dir.to_owned(),
            source,
        })?;
    let config = Config::parse(&config_file, config::EXAMPLE)
        .map_err(|e| InitError::Other(format!("the built-in example configuration: {e}")))?;
    let (config::Database::Sqlite { path: database }, config::KeyStore::File(key_store)) =
        (&config.database, &config.keys.store)
    else {
        return Err(InitError::Other(
            "the built-in example configuration should use SQLite files".into(),
        ));
    };
    let identity_path =
        config.keys.identity.clone().ok_or_else(|| {
            InitError::Other("the example configuration names no identity".into())
        })?;
    for path in [
        &identity_path,
        &config.keys.receipt_secret,
        &config.keys.signing_key,
        key_store,
        database,
    ] {
        if path.exists() {
            return Err(InitError::FileExists(path.clone()));
        }
    }

    let master = MasterKey::generate().map_err(|e| InitError::Other(e.to_string()))?;
    let identity = master
        .identity_file()
        .map_err(|e| InitError::Other(e.to_string()))?;
    secret_file::create(&identity_path, identity.as_bytes())
        .map_err(|e| InitError::Other(e.to_string()))?;
    let receipts = ReceiptKey::generate().map_err(|e| InitError::Other(e.to_string()))?;
    secret_file::create(&config.keys.receipt_secret, receipts.file_text().as_bytes())
        .map_err(|e| InitError::Other(e.to_string()))?;
    let signing = SigningKey::generate().map_err(|e| InitError::Other(e.to_string()))?;
    secret_file::create(&config.keys.signing_key, signing.file_text().as_bytes())
        .map_err(|e| InitError::Other(e.to_string()))?;

    let store = Store::open(&config)
        .await
        .map_err(|e| InitError::Other(format!("creating the database: {e}")))?;
    store.close().await;

    // The configuration is written last, through a temporary name, so that a directory with an
    // `ombuds.toml` is always complete.
    let partial = dir.join(format!("{CONFIG_FILE}.partial"));
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| InitError::Io { path, source }
    };
    std::fs::write(&partial, config::EXAMPLE).map_err(io(&partial))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io(&partial))?;
    std::fs::rename(&partial, &config_file).map_err(io(&config_file))?;
    secret_file::sync_dir(dir).map_err(io(dir))?;

    Ok(Initialised {
        config_file,
        recipient: master.recipient(),
        certificate_public_key: signing.public_key().to_string(),
    })
}

/// `ombuds init DIR`: creates the directory and says what was made.
pub async fn run(dir: &Path) -> super::Outcome {
    let made = init(dir).await.map_err(|e| match e {
        InitError::AlreadyInitialised(_) | InitError::FileExists(_) => {
            super::Failure::Usage(e.to_string())
        }
        other => super::Failure::Runtime(other.to_string()),
    })?;
    Ok(format!(
        "Initialised a new ombuds data directory: {}\n  association public key: {}\n  \
         certificate public key: {}\n  \
         edit {} to set the association's name, contacts and time zone\n",
        dir.display(),
        made.recipient,
        made.certificate_public_key,
        made.config_file.display()
    ))
}
