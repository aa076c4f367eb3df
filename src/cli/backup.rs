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

use crate::config::{Config, Database, KeyStore};

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
    Usage(String),
    /// Copying failed.
    Runtime(String),
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
    let config = Config::load(config_file).map_err(|e| BackupError::Usage(super::said(&e)))?;
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
                None => out.push_str(
                    "The key store was not copied (no --keys-to). Without a copy of it, a \
                     restored database opens no content that was stored before the backup.\n",
                ),
            }
        }
        (Database::Postgres { url }, KeyStore::Postgres(keys)) => {
            let _ = writeln!(
                out,
                "PostgreSQL: this command copied the files only. Dump the databases with your \
                 own credentials (PGPASSFILE), each into its own set:\n  \
                 pg_dump --no-owner --format=custom --file {} '{}'",
                args.to.join("ombuds.pgdump").display(),
                without_password(url)
            );
            match keys_to {
                Some(dir) => {
                    let _ = writeln!(
                        out,
                        "  pg_dump --no-owner --format=custom --file {} '{}'",
                        dir.join("keys.pgdump").display(),
                        without_password(keys)
                    );
                }
                None => out.push_str("  (the key store: only into a --keys-to directory)\n"),
            }
        }
        _ => {
            return Err(BackupError::Usage(
                "setting `keys.store`: the key store must use the same engine as database.url"
                    .into(),
            ));
        }
    }

    main_set.finish()?;
    let _ = writeln!(
        out,
        "Main set in {}: {}",
        args.to.display(),
        main_set.names().join(", ")
    );
    if let Some(set) = key_set {
        set.finish()?;
        let _ = writeln!(
            out,
            "Key set in {}: {}. Keep it apart from the main set, and only as long as the \
             shortest retention period.",
            set.dir.display(),
            set.names().join(", ")
        );
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
            BackupError::Usage(format!("{}: cannot resolve the path: {e}", p.display()))
        })
    };
    let (main, keys) = (absolute(main)?, absolute(keys)?);
    if main.starts_with(&keys) || keys.starts_with(&main) {
        return Err(BackupError::Usage(format!(
            "--keys-to {} must be a directory apart from --to {} (neither inside the other): \
             identity.key is never kept together with the key store",
            keys.display(),
            main.display()
        )));
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
                    return Err(BackupError::Usage(format!(
                        "{argument} {}: the directory is not empty; a backup never overwrites",
                        dir.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| {
                        BackupError::Usage(format!(
                            "{argument} {}: cannot create: {e}",
                            dir.display()
                        ))
                    })?;
            }
            Err(e) => {
                return Err(BackupError::Usage(format!(
                    "{argument} {}: {e}",
                    dir.display()
                )));
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
        let name = from
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| BackupError::Runtime(format!("{} names no file", from.display())))?;
        let bytes =
            Zeroizing::new(std::fs::read(from).map_err(|e| {
                BackupError::Runtime(format!("cannot read {}: {e}", from.display()))
            })?);
        let target = self.dir.join(name);
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .and_then(|mut file| file.write_all(&bytes).and_then(|()| file.sync_all()));
        written
            .map_err(|e| BackupError::Runtime(format!("cannot write {}: {e}", target.display())))?;
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
            return Err(BackupError::Usage(format!(
                "setting `{setting}`: {} does not exist; there is nothing to back up",
                from.display()
            )));
        }
        let target = self.dir.join(name);
        let target_text = target.to_str().ok_or_else(|| {
            BackupError::Usage(format!("{}: the path is not valid UTF-8", target.display()))
        })?;
        // VACUUM INTO writes into an empty file: make it first, so that it is the owner's only.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .map_err(|e| {
                BackupError::Runtime(format!("cannot create {}: {e}", target.display()))
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
            BackupError::Runtime(format!(
                "cannot copy {} to {}: {e}",
                from.display(),
                target.display()
            ))
        })?;
        self.files.push((name.to_owned(), from.to_owned()));
        Ok(())
    }

    fn names(&self) -> Vec<String> {
        self.files.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Writes the manifest: each file of the set and where the configuration expects it.
    fn finish(&self) -> Result<(), BackupError> {
        let mut text = String::from(
            "# ombuds backup set: each file, then where the configuration expects it.\n\
             # Restore with the service stopped: copy each file there, owned by the service's\n\
             # user, mode 0600; then run `ombuds check --config` and start the service.\n",
        );
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
            .map_err(|e| BackupError::Runtime(format!("cannot write {}: {e}", target.display())))
    }
}
