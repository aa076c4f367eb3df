//! Checks, before the database opens, that the directories an SQLite deployment writes to
//! (those of the database file and of the key store) accept new files, so that an unwritable
//! data directory stops start-up with a message naming it rather than a bare SQLite error.
//!
//! It writes and removes one small probe file per directory and changes nothing else; it never
//! creates directories (that is [`crate::cli::init`]'s job). PostgreSQL deployments write no data
//! files here, so nothing is checked for them.

use std::io::Write;
use std::path::Path;

use crate::config::{Config, Database, KeyStore};

/// Name of the probe file, removed again at once.
const PROBE: &str = ".ombuds-write-check";

/// Refuses, naming the directory and the setting, if SQLite could not write where `config`
/// puts the database or the key store.
pub fn check_writable(config: &Config) -> Result<(), String> {
    if let Database::Sqlite { path } = &config.database {
        check_dir_of("database.url", path)?;
    }
    if let KeyStore::File(path) = &config.keys.store {
        check_dir_of("keys.store", path)?;
    }
    Ok(())
}

fn check_dir_of(setting: &str, file: &Path) -> Result<(), String> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let probe = dir.join(PROBE);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)
        .and_then(|mut f| f.write_all(b"ok").and_then(|()| f.sync_all()));
    let _ = std::fs::remove_file(&probe);
    written.map_err(|e| {
        format!(
            "setting `{setting}`: the data directory {} is not writable ({e}). SQLite writes {} \
             and its journal there, so nothing could be stored. Make the directory writable by \
             the service's user (and check the file system is mounted read-write and has free \
             space), then start again",
            dir.display(),
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string())
        )
    })
}
