//! Creating a data directory: `ombuds init DIR`, and the zero-setup first run of `ombuds serve`.
//!
//! The directory gets the configuration (copied from `config/ombuds.example.toml`), a new age
//! identity, receipt secret and certificate signing key (mode 0600), and an empty database and
//! key store. Nothing that exists is ever overwritten.
//!
//! `ombuds init --config FILE` does the same for a configuration that already exists (the one
//! the Debian package installs in `/etc/ombuds`): it creates the files it names, but only when
//! none of them exists yet. When all exist it does nothing; when only some do, it refuses and
//! names them, so that a new identity is never made beside a database whose keys are missing.

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
    /// Some of the files a configuration names exist and others do not.
    #[error(
        "{} exists but {} does not: refusing to create new keys beside existing data. Restore \
         the missing file from a backup, or move the others away for a fresh start",
        present.display(),
        absent.display()
    )]
    Partial {
        /// A file that exists.
        present: PathBuf,
        /// A file that does not.
        absent: PathBuf,
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
    let config = Config::parse(&config_file, config::EXAMPLE).map_err(|e| {
        InitError::Other(format!(
            "the built-in example configuration: {}",
            super::said(&e)
        ))
    })?;
    if let Some(path) = named_files(&config)?.into_iter().find(|p| p.exists()) {
        return Err(InitError::FileExists(path));
    }
    let (recipient, certificate_public_key) = create_files(&config).await?;

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
        recipient,
        certificate_public_key,
    })
}

/// What `init --config` found or made.
#[derive(Debug)]
pub enum Prepared {
    /// Every file the configuration names already existed; nothing was done.
    AlreadyThere,
    /// The files were created.
    Created(Initialised),
}

/// Creates the keys and the empty databases that the existing configuration `config_file`
/// names, if none of them exists yet.
pub async fn init_for(config_file: &Path) -> Result<Prepared, InitError> {
    let config = Config::load(config_file).map_err(|e| InitError::Other(super::said(&e)))?;
    let files = named_files(&config)?;
    let (present, absent): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|p| p.exists());
    if absent.is_empty() {
        return Ok(Prepared::AlreadyThere);
    }
    if let Some(path) = present.into_iter().next() {
        return Err(InitError::Partial {
            present: path,
            absent: absent.into_iter().next().unwrap_or_default(),
        });
    }
    let (recipient, certificate_public_key) = create_files(&config).await?;
    Ok(Prepared::Created(Initialised {
        config_file: config_file.to_owned(),
        recipient,
        certificate_public_key,
    }))
}

/// The files a configuration names that `init` creates: the keys and, with SQLite, the two
/// database files (PostgreSQL's tables are created in databases that must exist already).
fn named_files(config: &Config) -> Result<Vec<PathBuf>, InitError> {
    let identity_path = config.keys.identity.clone().ok_or_else(|| {
        InitError::Other("setting `keys.identity`: the configuration names no identity".into())
    })?;
    let mut files = vec![
        identity_path,
        config.keys.receipt_secret.clone(),
        config.keys.signing_key.clone(),
    ];
    if let (config::Database::Sqlite { path: database }, config::KeyStore::File(key_store)) =
        (&config.database, &config.keys.store)
    {
        files.push(key_store.clone());
        files.push(database.clone());
    }
    Ok(files)
}

/// Creates the identity, receipt secret and signing key (mode 0600), then the empty database
/// and key store; returns the public key and the certificate public key.
async fn create_files(config: &Config) -> Result<(String, String), InitError> {
    let identity_path = config
        .keys
        .identity
        .clone()
        .ok_or_else(|| InitError::Other("the configuration names no identity".into()))?;

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

    let store = Store::open(config)
        .await
        .map_err(|e| InitError::Other(format!("creating the database: {e}")))?;
    store.close().await;
    Ok((master.recipient(), signing.public_key().to_string()))
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

/// `ombuds init --config FILE`: creates the files an existing configuration names, if none
/// exists yet, and says what it did.
pub async fn run_for(config_file: &Path) -> super::Outcome {
    match init_for(config_file).await {
        Ok(Prepared::AlreadyThere) => Ok(format!(
            "Every file {} names exists already; nothing to do\n",
            config_file.display()
        )),
        Ok(Prepared::Created(made)) => Ok(format!(
            "Created the keys and empty databases {} names\n  association public key: {}\n  \
             certificate public key: {}\n",
            config_file.display(),
            made.recipient,
            made.certificate_public_key
        )),
        Err(e @ (InitError::Partial { .. } | InitError::Other(_))) => {
            Err(super::Failure::Usage(e.to_string()))
        }
        Err(e) => Err(super::Failure::Runtime(e.to_string())),
    }
}
