//! `[database]`: the storage engine and where it keeps its data (an SQLite file, or a
//! PostgreSQL database shared by several servers). The key store that goes with it is
//! [`super::keys`]'.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Invalid;
use crate::domain::phrase::Phrase;

/// The storage engine and where it keeps its data.
#[derive(Debug, Clone)]
pub enum Database {
    /// The embedded SQLite database file.
    Sqlite {
        /// Path of the database file.
        path: PathBuf,
    },
    /// A PostgreSQL database, shared by every server of the association.
    Postgres {
        /// How to reach it.
        url: PostgresUrl,
    },
}

/// A `postgres://` URL as written in the configuration. It may carry a password, so its
/// `Debug` and `Display` forms leave the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// Checks the form of `url`: a `postgres://` or `postgresql://` URL. Whether it can be
    /// reached is found out when the store opens.
    pub fn parse(url: &str) -> Result<Self, Phrase> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| {
                Phrase::new("cli.config.not_postgres_url")
                    .with("url", format!("{:?}", Self(url.to_owned())))
            })?;
        if rest.is_empty() {
            return Err(Phrase::new("cli.config.postgres_url_empty"));
        }
        Ok(Self(url.to_owned()))
    }

    /// The URL itself, password included: only for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PostgresUrl {
    /// The URL with any password replaced by `***`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.0.as_str();
        let Some((scheme, rest)) = url.split_once("://") else {
            return f.write_str("(not a URL)");
        };
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let authority = match authority.rsplit_once('@') {
            Some((user, host)) => match user.split_once(':') {
                Some((name, _)) => format!("{name}:***@{host}"),
                None => format!("{user}@{host}"),
            },
            None => authority.to_owned(),
        };
        let tail: String = match tail.split_once('?') {
            Some((path, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                            format!("{key}=***")
                        }
                        _ => pair.to_owned(),
                    })
                    .collect();
                format!("{path}?{}", query.join("&"))
            }
            None => tail.to_owned(),
        };
        write!(f, "{scheme}://{authority}{tail}")
    }
}

impl std::fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresUrl({self})")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Raw {
    pub(super) url: String,
}

impl Raw {
    /// Checks the table; a relative SQLite file is resolved against `base`.
    pub(super) fn check(&self, base: &Path) -> Result<Database, Invalid> {
        parse_database_url(&self.url, base).map_err(|problem| ("database.url", problem))
    }
}

fn parse_database_url(url: &str, base: &Path) -> Result<Database, Phrase> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let file = rest.strip_prefix("//").unwrap_or(rest);
        if file.is_empty() || file == ":memory:" {
            return Err(Phrase::new("cli.config.no_database_file").with("url", format!("{url:?}")));
        }
        return Ok(Database::Sqlite {
            path: base.join(file),
        });
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Database::Postgres {
            url: PostgresUrl::parse(url)?,
        });
    }
    Err(Phrase::new("cli.config.database_url").with("url", format!("{url:?}")))
}
