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

use super::say;
use crate::config::{self, Config};
use crate::crypto::certificate::SigningKey;
use crate::crypto::secret_file;
use crate::crypto::{MasterKey, ReceiptKey};
use crate::domain::phrase::{Phrase, Said};
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
#[derive(Debug)]
pub enum InitError {
    /// The directory already holds a configuration.
    AlreadyInitialised(PathBuf),
    /// A file the configuration names already exists.
    FileExists(PathBuf),
    /// The directory could not be created or written.
    Io {
        /// What could not be written.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Some of the files a configuration names exist and others do not.
    Partial {
        /// A file that exists.
        present: PathBuf,
        /// A file that does not.
        absent: PathBuf,
    },
    /// Something else failed.
    Other(Phrase),
}

impl Said for InitError {
    fn phrase(&self) -> Phrase {
        let shown = |path: &Path| path.display().to_string();
        match self {
            Self::AlreadyInitialised(path) => {
                Phrase::new("cli.init.initialised").with("path", shown(path))
            }
            Self::FileExists(path) => Phrase::new("cli.init.file_exists").with("path", shown(path)),
            Self::Io { path, source } => Phrase::new("cli.init.cannot_write")
                .with("path", shown(path))
                .with("error", source.to_string()),
            Self::Partial { present, absent } => Phrase::new("cli.init.partial")
                .with("present", shown(present))
                .with("absent", shown(absent)),
            Self::Other(phrase) => phrase.clone(),
        }
    }
}

impl InitError {
    /// A failure another part of the program has put in words.
    fn text(text: impl std::fmt::Display) -> Self {
        Self::Other(super::as_is(text))
    }
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
        InitError::Other(Phrase::new("cli.init.example").with("problem", e.phrase()))
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
    let config = Config::load(config_file).map_err(|e| InitError::Other(e.phrase()))?;
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
    let identity_path = config
        .keys
        .identity
        .clone()
        .ok_or_else(|| InitError::Other(Phrase::new("cli.init.no_identity_setting")))?;
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
        .ok_or_else(|| InitError::Other(Phrase::new("cli.init.no_identity")))?;

    let master = MasterKey::generate().map_err(InitError::text)?;
    let identity = master.identity_file().map_err(InitError::text)?;
    secret_file::create(&identity_path, identity.as_bytes()).map_err(InitError::text)?;
    let receipts = ReceiptKey::generate().map_err(InitError::text)?;
    secret_file::create(&config.keys.receipt_secret, receipts.file_text().as_bytes())
        .map_err(InitError::text)?;
    let signing = SigningKey::generate().map_err(InitError::text)?;
    secret_file::create(&config.keys.signing_key, signing.file_text().as_bytes())
        .map_err(InitError::text)?;

    let store = Store::open(config).await.map_err(|e| {
        InitError::Other(Phrase::new("cli.init.creating_database").with("error", e.to_string()))
    })?;
    store.close().await;
    Ok((master.recipient(), signing.public_key().to_string()))
}

/// `ombuds init DIR`: creates the directory and says what was made.
pub async fn run(dir: &Path) -> super::Outcome {
    let made = init(dir).await.map_err(|e| match e {
        InitError::AlreadyInitialised(_) | InitError::FileExists(_) => {
            super::Failure::Usage(e.phrase())
        }
        other => super::Failure::Runtime(other.phrase()),
    })?;
    let said = Phrase::new("cli.init.made")
        .with("dir", dir.display().to_string())
        .with("recipient", made.recipient)
        .with("certificate", made.certificate_public_key)
        .with("config", made.config_file.display().to_string());
    Ok(format!("{}\n", say(&said)))
}

/// `ombuds init --config FILE`: creates the files an existing configuration names, if none
/// exists yet, and says what it did.
pub async fn run_for(config_file: &Path) -> super::Outcome {
    let file = config_file.display().to_string();
    match init_for(config_file).await {
        Ok(Prepared::AlreadyThere) => Ok(format!(
            "{}\n",
            say(&Phrase::new("cli.init.nothing_to_do").with("file", file))
        )),
        Ok(Prepared::Created(made)) => {
            let said = Phrase::new("cli.init.made_for")
                .with("file", file)
                .with("recipient", made.recipient)
                .with("certificate", made.certificate_public_key);
            Ok(format!("{}\n", say(&said)))
        }
        Err(e @ (InitError::Partial { .. } | InitError::Other(_))) => {
            Err(super::Failure::Usage(e.phrase()))
        }
        Err(e) => Err(super::Failure::Runtime(e.phrase())),
    }
}
