//! `ombuds backup`: a consistent copy of a data directory, taken while the service runs, split
//! into the two sets the backup rules (SECURITY.md, "Backups") ask for:
//!
//! - the **main set** (`--to DIR`): the configuration, `identity.key`, `receipt.key`,
//!   `signing.key` and a copy of the database;
//! - the **key set** (`--keys-to DIR`, optional): a copy of the key store, alone.
//!
//! `identity.key` and the key store together would reopen content destroyed since, so the two
//! sets go to two directories, neither inside the other, and the command refuses anything else.
//! SQLite copies are taken with `VACUUM INTO` on read-only connections: each is one consistent
//! snapshot, holds no free pages (so nothing already deleted), and the live files are not
//! changed. The database is copied before the key store: a key is always committed before the
//! case that uses it, so every case in the copy finds its key in the later key copy (a case
//! closed between the two copies loses its key, as it should).
//!
//! With PostgreSQL the databases are not copied here: the command copies the files and prints
//! the `pg_dump` steps, one per set, for the operator to run with their own credentials.
//!
//! Each set gets a `MANIFEST` naming every file and where the configuration expects it, which is
//! what the restore procedure in README.md follows. Nothing is ever overwritten.

use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sqlx::{ConnectOptions, Connection};
use zeroize::Zeroizing;

use super::say;
use crate::config::{Config, Database, KeyStore};
use crate::domain::phrase::{Phrase, Said as _};

/// The name of the list of files each set carries.
pub const MANIFEST: &str = "MANIFEST";

/// `ombuds backup`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct BackupArgs {
    /// Configuration file (default ./ombuds-data/ombuds.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the main set: configuration, identity, receipt and signing keys, database.
    /// Created (mode 0700); it must not exist yet or be empty.
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    /// Directory for the key set: the key store alone. Never the main set's directory, nor
    /// inside it or around it. Without it the key store is not copied.
    #[arg(long, value_name = "DIR")]
    pub keys_to: Option<PathBuf>,
}

/// A failure: `Usage` names the argument or setting at fault (exit 2), `Runtime` is anything
/// else (exit 1).
#[derive(Debug)]
pub enum BackupError {
    /// The arguments or configuration are wrong.
    Usage(Phrase),
    /// Copying failed.
    Runtime(Phrase),
}

/// `path` as a message shows it.
fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// `ombuds backup`: takes the backup `args` ask for and says what it wrote.
pub async fn run(args: &BackupArgs) -> super::Outcome {
    let file = super::config_file(args.config.as_ref());
    take(&file, args).await.map_err(|e| match e {
        BackupError::Usage(m) => super::Failure::Usage(m),
        BackupError::Runtime(m) => super::Failure::Runtime(m),
    })
}

/// Takes the backup `args` ask for; returns what to tell the operator.
pub async fn take(config_file: &Path, args: &BackupArgs) -> Result<String, BackupError> {
    let config = Config::load(config_file).map_err(|e| BackupError::Usage(e.phrase()))?;
    let keys_to = args.keys_to.as_deref();
    if let Some(keys_to) = keys_to {
        apart(&args.to, keys_to)?;
    }
    let mut main_set = Set::create(&args.to, "--to")?;
    let mut key_set = match keys_to {
        Some(dir) => Some(Set::create(dir, "--keys-to")?),
        None => None,
    };
    let mut out = String::new();

    // Each file keeps its own name, so a restored configuration finds it where it names it.
    main_set.copy_file(config_file)?;
    if let Some(identity) = &config.keys.identity {
        main_set.copy_file(identity)?;
    }
    main_set.copy_file(&config.keys.receipt_secret)?;
    main_set.copy_file(&config.keys.signing_key)?;

    match (&config.database, &config.keys.store) {
        (Database::Sqlite { path }, KeyStore::File(keys)) => {
            main_set
                .copy_sqlite(path, "ombuds.db", "database.url")
                .await?;
            match &mut key_set {
                Some(set) => set.copy_sqlite(keys, "keys.db", "keys.store").await?,
                None => {
                    let _ = writeln!(out, "{}", say(&Phrase::new("cli.backup.no_key_set")));
                }
            }
        }
        (Database::Postgres { url }, KeyStore::Postgres(keys)) => {
            let dump = |file: PathBuf, url: &crate::config::PostgresUrl| {
                format!(
                    "  pg_dump --no-owner --format=custom --file {} '{}'",
                    file.display(),
                    without_password(url)
                )
            };
            let _ = writeln!(out, "{}", say(&Phrase::new("cli.backup.postgres")));
            let _ = writeln!(out, "{}", dump(args.to.join("ombuds.pgdump"), url));
            match keys_to {
                Some(dir) => {
                    let _ = writeln!(out, "{}", dump(dir.join("keys.pgdump"), keys));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  {}",
                        say(&Phrase::new("cli.backup.postgres_no_key_set"))
                    );
                }
            }
        }
        _ => {
            return Err(BackupError::Usage(Phrase::new("cli.backup.engines")));
        }
    }

    main_set.finish()?;
    let main = Phrase::new("cli.backup.main_set")
        .with("dir", shown(&args.to))
        .with("files", main_set.names().join(", "));
    let _ = writeln!(out, "{}", say(&main));
    if let Some(set) = key_set {
        set.finish()?;
        let keys = Phrase::new("cli.backup.key_set")
            .with("dir", shown(&set.dir))
            .with("files", set.names().join(", "));
        let _ = writeln!(out, "{}", say(&keys));
    }
    Ok(out)
}

/// `url` without any password, for a command the operator runs with their own credentials
/// (`PGPASSFILE`): the password is neither printed nor replaced by a placeholder that would be
/// sent as one.
fn without_password(url: &crate::config::PostgresUrl) -> String {
    let shown = url.to_string().replacen(":***@", "@", 1);
    match shown.split_once('?') {
        Some((base, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| !pair.to_ascii_lowercase().starts_with("password="))
                .collect();
            if kept.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{}", kept.join("&"))
            }
        }
        None => shown,
    }
}

/// Refuses two directories that are the same, or one inside the other.
fn apart(main: &Path, keys: &Path) -> Result<(), BackupError> {
    let absolute = |p: &Path| {
        std::path::absolute(p).map_err(|e| {
            BackupError::Usage(
                Phrase::new("cli.backup.cannot_resolve")
                    .with("path", shown(p))
                    .with("error", e.to_string()),
            )
        })
    };
    let (main, keys) = (absolute(main)?, absolute(keys)?);
    if main.starts_with(&keys) || keys.starts_with(&main) {
        return Err(BackupError::Usage(
            Phrase::new("cli.backup.not_apart")
                .with("keys", shown(&keys))
                .with("main", shown(&main)),
        ));
    }
    Ok(())
}

/// One backup set being written.
struct Set {
    dir: PathBuf,
    /// Each file written, with where the configuration expects it.
    files: Vec<(String, PathBuf)>,
}

impl Set {
    /// Creates `dir` (mode 0700), or takes it if it exists and is empty.
    fn create(dir: &Path, argument: &str) -> Result<Self, BackupError> {
        match std::fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(BackupError::Usage(
                        Phrase::new("cli.backup.not_empty")
                            .with("argument", argument)
                            .with("dir", shown(dir)),
                    ));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| {
                        BackupError::Usage(
                            Phrase::new("cli.backup.cannot_create")
                                .with("argument", argument)
                                .with("dir", shown(dir))
                                .with("error", e.to_string()),
                        )
                    })?;
            }
            Err(e) => {
                return Err(BackupError::Usage(
                    Phrase::new("cli.backup.unusable")
                        .with("argument", argument)
                        .with("dir", shown(dir))
                        .with("error", e.to_string()),
                ));
            }
        }
        Ok(Self {
            dir: dir.to_owned(),
            files: Vec::new(),
        })
    }

    /// Copies a small file (a key or the configuration) into the set under its own name,
    /// readable by its owner only.
    fn copy_file(&mut self, from: &Path) -> Result<(), BackupError> {
        let name = from.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            BackupError::Runtime(Phrase::new("cli.backup.no_file").with("path", shown(from)))
        })?;
        let bytes = Zeroizing::new(std::fs::read(from).map_err(|e| {
            BackupError::Runtime(
                Phrase::new("cli.backup.cannot_read")
                    .with("path", shown(from))
                    .with("error", e.to_string()),
            )
        })?);
        let target = self.dir.join(name);
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .and_then(|mut file| file.write_all(&bytes).and_then(|()| file.sync_all()));
        written.map_err(|e| cannot_write(&target, &e))?;
        self.files.push((name.to_owned(), from.to_owned()));
        Ok(())
    }

    /// A consistent copy of a live SQLite database, taken on a read-only connection.
    async fn copy_sqlite(
        &mut self,
        from: &Path,
        name: &str,
        setting: &str,
    ) -> Result<(), BackupError> {
        if !from.exists() {
            return Err(BackupError::Usage(
                Phrase::new("cli.backup.nothing")
                    .with("setting", setting.to_owned())
                    .with("path", shown(from)),
            ));
        }
        let target = self.dir.join(name);
        let target_text = target.to_str().ok_or_else(|| {
            BackupError::Usage(Phrase::new("cli.backup.not_utf8").with("path", shown(&target)))
        })?;
        // VACUUM INTO writes into an empty file: make it first, so that it is the owner's only.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .map_err(|e| {
                BackupError::Runtime(
                    Phrase::new("cli.backup.cannot_create_file")
                        .with("path", shown(&target))
                        .with("error", e.to_string()),
                )
            })?;
        let copied: Result<(), sqlx::Error> = async {
            let mut conn = super::check::sqlite_options(from)?.connect().await?;
            let done = sqlx::query("VACUUM INTO ?")
                .bind(target_text.to_owned())
                .execute(&mut conn)
                .await
                .map(|_| ());
            let _ = conn.close().await;
            done
        }
        .await;
        copied.map_err(|e| {
            BackupError::Runtime(
                Phrase::new("cli.backup.cannot_copy")
                    .with("from", shown(from))
                    .with("to", shown(&target))
                    .with("error", e.to_string()),
            )
        })?;
        self.files.push((name.to_owned(), from.to_owned()));
        Ok(())
    }

    fn names(&self) -> Vec<String> {
        self.files.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Writes the manifest: each file of the set and where the configuration expects it.
    fn finish(&self) -> Result<(), BackupError> {
        let mut text = String::new();
        for line in say(&Phrase::new("cli.backup.manifest")).lines() {
            let _ = writeln!(text, "# {line}");
        }
        for (name, original) in &self.files {
            let original = std::path::absolute(original).unwrap_or_else(|_| original.clone());
            let _ = writeln!(text, "{name}\t{}", original.display());
        }
        let target = self.dir.join(MANIFEST);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .and_then(|mut file| {
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
            })
            .map_err(|e| cannot_write(&target, &e))
    }
}

fn cannot_write(target: &Path, error: &std::io::Error) -> BackupError {
    BackupError::Runtime(
        Phrase::new("cli.backup.cannot_write")
            .with("path", shown(target))
            .with("error", error.to_string()),
    )
}
