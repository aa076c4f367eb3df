//! Tests that keep the two engines' schemas twins: every migration file is listed, in order and
//! numbered from `0001`; both engines number their migrations alike (so a database is at the
//! same version on either); and every SQLite table and column has a PostgreSQL twin. Test code
//! only: it must not be compiled into the program.

use std::path::{Path, PathBuf};

use super::{postgres, sqlite};

/// One engine's migrations of one database: where its files are, and what the program lists.
struct Listed {
    folder: PathBuf,
    steps: &'static [&'static str],
}

/// Where `engine` keeps the migration files of `database`.
fn folder(engine: &str, database: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/store")
        .join(engine)
        .join("migrations")
        .join(database)
}

/// Every list of migrations the program runs, by engine and database.
fn every_list() -> Vec<Listed> {
    let at = |engine: &str, database: &str, steps| Listed {
        folder: folder(engine, database),
        steps,
    };
    vec![
        at("sqlite", "database", sqlite::schema::DATABASE),
        at("sqlite", "key_store", sqlite::schema::KEY_STORE),
        at("postgres", "database", postgres::schema::DATABASE),
        at("postgres", "key_store", postgres::schema::KEY_STORE),
    ]
}

/// The `.sql` files of `folder`, by name.
fn files(folder: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            (name, text)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_migration_file_is_listed_in_order_and_numbered_from_one() {
    for list in every_list() {
        let files = files(&list.folder);
        let shown = list.folder.display();
        assert_eq!(
            files.len(),
            list.steps.len(),
            "{shown}: files and list differ"
        );
        for (index, ((name, text), step)) in files.iter().zip(list.steps).enumerate() {
            let number = format!("{:04}_", index + 1);
            assert!(
                name.starts_with(&number) && name.ends_with(".sql"),
                "{shown}: {name} should be numbered {number}….sql"
            );
            assert_eq!(text, step, "{shown}: {name} is not listed in its place");
        }
    }
}

#[test]
fn both_engines_number_their_migrations_alike() {
    let names = |engine: &str, database: &str| -> Vec<String> {
        let files = files(&folder(engine, database));
        files.into_iter().map(|(name, _)| name).collect()
    };
    for database in ["database", "key_store"] {
        assert_eq!(
            names("sqlite", database),
            names("postgres", database),
            "{database}"
        );
    }
    assert_eq!(sqlite::schema::DATABASE.len(), postgres::DATABASE_VERSION);
    assert_eq!(sqlite::schema::KEY_STORE.len(), postgres::KEY_STORE_VERSION);
}

/// Tables and columns named in SQL `text`, one `table t` / `column c` entry each.
fn names(text: &str) -> Vec<String> {
    const TYPES: &[&str] = &[
        "TEXT", "INTEGER", "BLOB", "BIGINT", "BYTEA", "DATE", "BOOLEAN",
    ];
    let mut names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter_map(|line| {
            if let Some(table) = line.strip_prefix("CREATE TABLE ") {
                let table = table.split_whitespace().next()?;
                return Some(format!("table {}", table.trim_start_matches("keystore.")));
            }
            let mut words = line.split_whitespace();
            let column = words.next()?;
            TYPES
                .contains(&words.next()?.trim_end_matches(','))
                .then(|| format!("column {column}"))
        })
        // Ordering columns differ by engine (SQLite has its rowid), as does the key store's
        // pending mark, which only a two-database engine needs.
        .filter(|n| n != "column seq" && n != "column pending_on")
        .collect();
    names.sort();
    names
}

#[test]
fn every_sqlite_table_and_column_has_a_postgres_twin() {
    let sqlite = format!(
        "{}{}",
        sqlite::schema::DATABASE.concat(),
        sqlite::schema::KEY_STORE.concat()
    );
    let postgres = format!(
        "{}{}",
        postgres::schema::DATABASE.concat(),
        postgres::schema::KEY_STORE.concat()
    );
    let (sqlite, postgres) = (names(&sqlite), names(&postgres));
    assert!(sqlite.len() > 50, "{sqlite:?}");
    assert_eq!(sqlite, postgres);
}
