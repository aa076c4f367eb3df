//! The service's configuration: read from a TOML file, checked, and turned into typed settings.
//!
//! A bad setting stops start-up with a message that names it. This module reads the file; it
//! never creates anything (that is [`crate::init`]'s job) and never reads environment variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use serde::Deserialize;

pub mod limits;
pub mod metrics;

/// The example configuration, copied by `ombuds init`; every key is documented in it.
pub const EXAMPLE: &str = include_str!("../config/ombuds.example.toml");

/// A configuration that has been read and checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this configuration was read from.
    pub file: PathBuf,
    /// Who runs the service and how to reach them.
    pub association: Association,
    /// How the service listens.
    pub server: Server,
    /// Where structured data is kept.
    pub database: Database,
    /// Where the key material lives.
    pub keys: Keys,
    /// Limits on what the public intake accepts.
    pub intake: Intake,
    /// How long working notes live.
    pub retention: Retention,
    /// The association's filing-deadline rules: holidays and roll-forward.
    pub deadline: Deadline,
    /// How board trend reports protect small counts, and which periods they cover.
    pub reports: Reports,
    /// How much the service holds at once, per audience; per-client limits; proof of work.
    pub limits: limits::Limits,
    /// The optional Prometheus endpoint.
    pub metrics: metrics::Metrics,
}

/// The board's trend reports.
#[derive(Debug, Clone)]
pub struct Reports {
    /// Threshold and optional noise.
    pub settings: crate::domain::trends::TrendSettings,
    /// The kinds of period released to the board.
    pub periods: Vec<crate::domain::trends::PeriodKind>,
}

/// The association's filing-deadline rules, checked.
#[derive(Debug, Clone)]
pub struct Deadline {
    /// Whether a deadline on a weekend or holiday moves to the next workday.
    pub roll_forward: bool,
    /// The association's holidays.
    pub holidays: crate::domain::holidays::HolidayCalendar,
}

/// How long working notes live.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// The lifetime of a note unless the ombuds chooses another, in days.
    pub note_days: u32,
    /// The longest lifetime an ombuds may choose, in days.
    pub note_max_days: u32,
    /// How often the sweeper destroys what has expired.
    pub sweep_interval: Duration,
}

impl Retention {
    /// The note policy as the domain rules take it.
    pub fn note_policy(&self) -> crate::domain::notes::NotePolicy {
        crate::domain::notes::NotePolicy {
            default_days: self.note_days,
            max_days: self.note_max_days,
        }
    }
}

/// The association that runs the ombuds program.
#[derive(Debug, Clone)]
pub struct Association {
    /// Display name, e.g. "Example Association of REALTORS®".
    pub name: String,
    /// Telephone number of the ombuds program.
    pub phone: Option<String>,
    /// E-mail address of the ombuds program.
    pub email: Option<String>,
    /// Postal address for letters.
    pub postal_address: Option<String>,
    /// The time zone whose calendar dates are recorded.
    pub time_zone: Tz,
}

/// Listening and transport settings.
#[derive(Debug, Clone)]
pub struct Server {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// A TLS-terminating proxy is in front of this service.
    pub behind_tls_proxy: bool,
    /// Certificate and key for serving TLS directly.
    pub tls: Option<TlsFiles>,
    /// Longest time one request may take.
    pub request_timeout: Duration,
    /// The address people use to reach the service, for links the service prints.
    pub public_url: Option<String>,
    /// A plain-HTTP address that only redirects to HTTPS (needs TLS served here).
    pub redirect_http_listen: Option<SocketAddr>,
    /// Where people can get the source code of the program this server runs (every page links
    /// to it, as the AGPL asks of a network service); `None` links to the service's own
    /// `/source` page.
    pub source_url: Option<String>,
}

/// PEM files for serving TLS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Certificate chain, leaf first.
    pub certificate: PathBuf,
    /// Private key of the leaf certificate.
    pub private_key: PathBuf,
}

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

/// A `postgres://` URL as written in the configuration. It may carry a password, so its
/// `Debug` and `Display` forms leave the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// Checks the form of `url`: a `postgres://` or `postgresql://` URL. Whether it can be
    /// reached is found out when the store opens.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| format!("{:?} is not a postgres:// URL", Self(url.to_owned())))?;
        if rest.is_empty() {
            return Err("a postgres:// URL needs at least a host or a database name".into());
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

/// Limits on the public intake form.
#[derive(Debug, Clone)]
pub struct Intake {
    /// Longest description accepted, in characters.
    pub max_description_chars: usize,
    /// Longest contact details accepted, in characters.
    pub max_contact_chars: usize,
}

impl Intake {
    /// The limits as the domain rules take them.
    pub fn limits(&self) -> crate::domain::concern::Limits {
        crate::domain::concern::Limits {
            max_description_chars: self.max_description_chars,
            max_contact_chars: self.max_contact_chars,
        }
    }
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("configuration file {}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's explanation, with line and column.
        message: String,
    },
    /// A setting has a value the service cannot use.
    #[error("configuration file {}: setting `{setting}`: {problem}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The setting, as `table.key`.
        setting: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    association: RawAssociation,
    #[serde(default)]
    server: RawServer,
    database: RawDatabase,
    keys: RawKeys,
    #[serde(default)]
    intake: RawIntake,
    #[serde(default)]
    retention: RawRetention,
    #[serde(default)]
    deadline: crate::domain::holidays::DeadlineSettings,
    #[serde(default)]
    reports: RawReports,
    #[serde(default)]
    limits: limits::RawLimits,
    #[serde(default)]
    metrics: metrics::RawMetrics,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawReports {
    k: u32,
    epsilon: Option<f64>,
    periods: Vec<String>,
}

impl Default for RawReports {
    fn default() -> Self {
        Self {
            k: crate::domain::trends::TrendSettings::DEFAULT_K,
            epsilon: None,
            periods: vec!["quarter".to_owned()],
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawRetention {
    note_days: u32,
    note_max_days: u32,
    sweep_interval_seconds: u64,
}

impl Default for RawRetention {
    fn default() -> Self {
        Self {
            note_days: 30,
            note_max_days: 90,
            sweep_interval_seconds: 60,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssociation {
    name: String,
    phone: Option<String>,
    email: Option<String>,
    postal_address: Option<String>,
    time_zone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawServer {
    listen: String,
    behind_tls_proxy: bool,
    tls_certificate: Option<PathBuf>,
    tls_private_key: Option<PathBuf>,
    request_timeout_seconds: u64,
    public_url: Option<String>,
    redirect_http_listen: Option<String>,
    source_url: Option<String>,
}

impl Default for RawServer {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            behind_tls_proxy: false,
            tls_certificate: None,
            tls_private_key: None,
            request_timeout_seconds: 30,
            public_url: None,
            redirect_http_listen: None,
            source_url: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeys {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawIntake {
    max_description_chars: usize,
    max_contact_chars: usize,
}

impl Default for RawIntake {
    fn default() -> Self {
        Self {
            max_description_chars: 10_000,
            max_contact_chars: 1_000,
        }
    }
}

impl Config {
    /// Reads and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Checks configuration `text` as if it had been read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let invalid = |setting: &'static str, problem: String| ConfigError::Invalid {
            path: path.to_owned(),
            setting,
            problem,
        };

        let name = raw.association.name.trim().to_owned();
        if name.is_empty() {
            return Err(invalid("association.name", "must not be empty".into()));
        }
        let time_zone: Tz = raw.association.time_zone.parse().map_err(|_| {
            invalid(
                "association.time_zone",
                format!(
                    "{:?} is not an IANA time zone name (for example \"America/Phoenix\")",
                    raw.association.time_zone
                ),
            )
        })?;

        let listen: SocketAddr = raw.server.listen.parse().map_err(|_| {
            invalid(
                "server.listen",
                format!(
                    "{:?} is not an address and port (for example \"127.0.0.1:8080\")",
                    raw.server.listen
                ),
            )
        })?;
        let tls = match (raw.server.tls_certificate, raw.server.tls_private_key) {
            (None, None) => None,
            (Some(certificate), Some(private_key)) => Some(TlsFiles {
                certificate: base.join(certificate),
                private_key: base.join(private_key),
            }),
            (Some(_), None) => {
                return Err(invalid(
                    "server.tls_private_key",
                    "is required when server.tls_certificate is set".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "server.tls_certificate",
                    "is required when server.tls_private_key is set".into(),
                ));
            }
        };
        if !(1..=600).contains(&raw.server.request_timeout_seconds) {
            return Err(invalid(
                "server.request_timeout_seconds",
                format!(
                    "{} is outside the allowed range 1 to 600",
                    raw.server.request_timeout_seconds
                ),
            ));
        }

        let public_url = match raw.server.public_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(url) => {
                return Err(invalid(
                    "server.public_url",
                    format!("{url:?} must start with https:// (or http://)"),
                ));
            }
        };
        let redirect_http_listen = match raw.server.redirect_http_listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(_) if tls.is_none() => {
                return Err(invalid(
                    "server.redirect_http_listen",
                    "redirects to the HTTPS this service serves itself: set \
                     server.tls_certificate and server.tls_private_key too (behind a TLS proxy, \
                     let the proxy redirect)"
                        .into(),
                ));
            }
            Some(address) => Some(address.parse::<SocketAddr>().map_err(|_| {
                invalid(
                    "server.redirect_http_listen",
                    format!("{address:?} is not an address and port (for example \"0.0.0.0:80\")"),
                )
            })?),
        };
        let source_url = match raw.server.source_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Some(url.to_owned())
            }
            Some(url) => {
                return Err(invalid(
                    "server.source_url",
                    format!("{url:?} must start with https:// (or http://)"),
                ));
            }
        };
        let retention = raw.retention;
        if retention.note_max_days == 0 || retention.note_max_days > 365 {
            return Err(invalid(
                "retention.note_max_days",
                format!(
                    "{} is outside the allowed range 1 to 365",
                    retention.note_max_days
                ),
            ));
        }
        if retention.note_days == 0 || retention.note_days > retention.note_max_days {
            return Err(invalid(
                "retention.note_days",
                format!(
                    "{} must be at least 1 and at most retention.note_max_days ({})",
                    retention.note_days, retention.note_max_days
                ),
            ));
        }

        if !(1..=3600).contains(&retention.sweep_interval_seconds) {
            return Err(invalid(
                "retention.sweep_interval_seconds",
                format!(
                    "{} is outside the allowed range 1 to 3600",
                    retention.sweep_interval_seconds
                ),
            ));
        }

        let holidays = raw
            .deadline
            .calendar()
            .map_err(|e| invalid("deadline", e.to_string()))?;

        let trend_settings = crate::domain::trends::TrendSettings {
            k: raw.reports.k,
            epsilon: raw.reports.epsilon,
        };
        trend_settings
            .validate()
            .map_err(|e| invalid(e.setting, e.problem))?;
        let mut periods = Vec::new();
        for word in &raw.reports.periods {
            let kind = crate::domain::trends::PeriodKind::from_code(word).ok_or_else(|| {
                invalid(
                    "reports.periods",
                    format!("{word:?} is not a period; use \"month\", \"quarter\" or \"year\""),
                )
            })?;
            if !periods.contains(&kind) {
                periods.push(kind);
            }
        }
        periods.sort();
        if periods.is_empty() {
            return Err(invalid(
                "reports.periods",
                "name at least one kind of period".into(),
            ));
        }
        if periods.len() > 1 && trend_settings.epsilon.is_none() {
            return Err(invalid(
                "reports.periods",
                "releasing more than one kind of period (say quarters and their year) lets a \
                 reader compare nested reports and narrow down hidden counts; release one kind, \
                 or set reports.epsilon to add noise"
                    .into(),
            ));
        }

        let database = parse_database_url(&raw.database.url, base)
            .map_err(|problem| invalid("database.url", problem))?;
        let key_store = parse_key_store(&raw.keys.store, &database, base)
            .map_err(|problem| invalid("keys.store", problem))?;

        if !(100..=100_000).contains(&raw.intake.max_description_chars) {
            return Err(invalid(
                "intake.max_description_chars",
                format!(
                    "{} is outside the allowed range 100 to 100000",
                    raw.intake.max_description_chars
                ),
            ));
        }
        if !(10..=10_000).contains(&raw.intake.max_contact_chars) {
            return Err(invalid(
                "intake.max_contact_chars",
                format!(
                    "{} is outside the allowed range 10 to 10000",
                    raw.intake.max_contact_chars
                ),
            ));
        }

        let limits = raw
            .limits
            .check(raw.server.behind_tls_proxy)
            .map_err(|(setting, problem)| invalid(setting, problem))?;

        let metrics = raw
            .metrics
            .check()
            .map_err(|(setting, problem)| invalid(setting, problem))?;

        let retired_public_keys = raw
            .keys
            .retired_public_keys
            .iter()
            .map(|text| crate::crypto::certificate::PublicKey::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid("keys.retired_public_keys", e.to_string()))?;

        Ok(Self {
            file: path.to_owned(),
            association: Association {
                name,
                phone: non_empty(raw.association.phone),
                email: non_empty(raw.association.email),
                postal_address: non_empty(raw.association.postal_address),
                time_zone,
            },
            server: Server {
                listen,
                behind_tls_proxy: raw.server.behind_tls_proxy,
                tls,
                request_timeout: Duration::from_secs(raw.server.request_timeout_seconds),
                public_url,
                redirect_http_listen,
                source_url,
            },
            database,
            keys: Keys {
                identity: raw.keys.identity.map(|p| base.join(p)),
                recipient: non_empty(raw.keys.recipient),
                store: key_store,
                receipt_secret: base.join(raw.keys.receipt_secret),
                signing_key: base.join(raw.keys.signing_key),
                retired_public_keys,
            },
            intake: Intake {
                max_description_chars: raw.intake.max_description_chars,
                max_contact_chars: raw.intake.max_contact_chars,
            },
            retention: Retention {
                note_days: retention.note_days,
                note_max_days: retention.note_max_days,
                sweep_interval: Duration::from_secs(retention.sweep_interval_seconds),
            },
            deadline: Deadline {
                roll_forward: raw.deadline.roll_forward,
                holidays,
            },
            reports: Reports {
                settings: trend_settings,
                periods,
            },
            limits,
            metrics,
        })
    }

    /// Whether clients reach this service over TLS (served here or by a proxy in front), which
    /// turns on HSTS and `Secure` cookies.
    pub fn clients_use_tls(&self) -> bool {
        self.server.tls.is_some() || self.server.behind_tls_proxy
    }

    /// The base address for links printed outside a request (no trailing slash): the
    /// configured public address, or the listening address.
    pub fn base_url(&self) -> String {
        match &self.server.public_url {
            Some(url) => url.clone(),
            None => {
                let scheme = if self.server.tls.is_some() {
                    "https"
                } else {
                    "http"
                };
                format!("{scheme}://{}", self.server.listen)
            }
        }
    }

    /// Refuses plain HTTP on an address other than loopback unless TLS is arranged.
    pub fn check_transport(&self, listen: SocketAddr) -> Result<(), String> {
        if self.clients_use_tls() || listen.ip().is_loopback() {
            Ok(())
        } else {
            Err(format!(
                "refusing to serve plain HTTP on {listen}: concerns would cross the network \
                 unencrypted. Configure server.tls_certificate and server.tls_private_key, set \
                 server.behind_tls_proxy = true if a TLS proxy is in front, or listen on a \
                 loopback address"
            ))
        }
    }
}

/// A TOML error as one line naming the file and, where known, the line: for commands that read
/// only part of a configuration file.
pub fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> String {
    let line = error
        .span()
        .and_then(|span| text.get(..span.start))
        .map(|before| before.matches('\n').count() + 1);
    let message = error.message().replace('\n', " ");
    match line {
        Some(line) => format!("--config {path:?}: line {line}: {message}"),
        None => format!("--config {path:?}: {message}"),
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn parse_database_url(url: &str, base: &Path) -> Result<Database, String> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let file = rest.strip_prefix("//").unwrap_or(rest);
        if file.is_empty() || file == ":memory:" {
            return Err(format!("{url:?} does not name a database file"));
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
    Err(format!(
        "{url:?} is not a database URL this service understands (use \"sqlite:FILE\" or \
         \"postgres://HOST/DATABASE\")"
    ))
}

/// The key store goes with the engine: a file for SQLite, a second database for PostgreSQL.
fn parse_key_store(store: &Path, database: &Database, base: &Path) -> Result<KeyStore, String> {
    let text = store.to_str().unwrap_or_default();
    let is_url = text.starts_with("postgres://") || text.starts_with("postgresql://");
    match (database, is_url) {
        (Database::Sqlite { .. }, false) if !text.is_empty() => {
            Ok(KeyStore::File(base.join(store)))
        }
        (Database::Sqlite { .. }, false) => Err("must name the key store file".into()),
        (Database::Sqlite { .. }, true) => Err(
            "with an SQLite database the key store is a file (for example \"keys.db\"); a \
             PostgreSQL key store goes with a PostgreSQL database.url"
                .into(),
        ),
        (Database::Postgres { .. }, false) => Err(format!(
            "with a PostgreSQL database.url the key store is a second PostgreSQL database \
             (for example \"postgres://db.example.org/ombuds_keys\"), not {:?}",
            store.display().to_string()
        )),
        (Database::Postgres { url }, true) => {
            let keys = PostgresUrl::parse(text)?;
            if keys == *url {
                return Err(
                    "names the same database as database.url; the keys must live in a database \
                     of their own, so that backups of the main database leave them out"
                        .into(),
                );
            }
            Ok(KeyStore::Postgres(keys))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/srv/ombuds/ombuds.toml"), text)
    }

    #[test]
    fn the_example_configuration_is_valid() {
        let config = parse(EXAMPLE).unwrap();
        assert_eq!(config.association.time_zone, chrono_tz::America::Phoenix);
        assert_eq!(config.server.listen.to_string(), "127.0.0.1:8080");
        assert!(!config.clients_use_tls());
        match config.database {
            Database::Sqlite { path } => assert_eq!(path, Path::new("/srv/ombuds/ombuds.db")),
            Database::Postgres { .. } => panic!("the example uses SQLite"),
        }
        match config.keys.store {
            KeyStore::File(path) => assert_eq!(path, Path::new("/srv/ombuds/keys.db")),
            KeyStore::Postgres(_) => panic!("the example uses a key store file"),
        }
        assert_eq!(
            config.keys.identity.as_deref(),
            Some(Path::new("/srv/ombuds/identity.key"))
        );
        assert_eq!(
            config.keys.signing_key,
            Path::new("/srv/ombuds/signing.key")
        );
    }

    #[test]
    fn a_bad_time_zone_is_named() {
        let text = EXAMPLE.replace("America/Phoenix", "Mars/Olympus_Mons");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("association.time_zone"), "{err}");
        assert!(err.contains("Mars/Olympus_Mons"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name() {
        let text = EXAMPLE.replace("[intake]", "[intake]\nmax_descripton_chars = 5");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("max_descripton_chars"), "{err}");
    }

    #[test]
    fn half_a_tls_setting_is_refused() {
        let text = EXAMPLE.replace("# tls_certificate", "tls_certificate");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("server.tls_private_key"), "{err}");
    }

    #[test]
    fn plain_http_is_refused_off_loopback_unless_tls_is_arranged() {
        let config = parse(EXAMPLE).unwrap();
        assert!(
            config
                .check_transport("127.0.0.1:9000".parse().unwrap())
                .is_ok()
        );
        assert!(
            config
                .check_transport("[::1]:9000".parse().unwrap())
                .is_ok()
        );
        assert!(
            config
                .check_transport("0.0.0.0:9000".parse().unwrap())
                .is_err()
        );
        let proxied =
            parse(&EXAMPLE.replace("behind_tls_proxy = false", "behind_tls_proxy = true")).unwrap();
        assert!(
            proxied
                .check_transport("0.0.0.0:9000".parse().unwrap())
                .is_ok()
        );
    }

    #[test]
    fn note_retention_is_bounded_and_named() {
        let config = parse(EXAMPLE).unwrap();
        assert_eq!(
            (config.retention.note_days, config.retention.note_max_days),
            (30, 90)
        );
        let err = parse(&EXAMPLE.replace("note_days = 30", "note_days = 120"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("retention.note_days"), "{err}");
        let err = parse(&EXAMPLE.replace("note_max_days = 90", "note_max_days = 0"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("retention.note_max_days"), "{err}");
        let err = parse(&EXAMPLE.replace(
            "# public_url = \"https://ombuds.example.org\"",
            "public_url = \"ombuds.example.org\"",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("server.public_url"), "{err}");
    }

    #[test]
    fn the_deadline_table_is_optional_and_checked() {
        let config = parse(EXAMPLE).unwrap();
        assert!(config.deadline.roll_forward);
        let christmas = chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert!(!config.deadline.holidays.is_workday(christmas));
        let text = format!(
            "{EXAMPLE}\n[deadline]\nroll_forward = false\nremoved_holidays = [\"2026-12-24\"]\n"
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("`deadline`") && err.contains("2026-12-24"),
            "{err}"
        );
        let text = format!("{EXAMPLE}\n[deadline]\nroll_forward = false\n");
        assert!(!parse(&text).unwrap().deadline.roll_forward);
    }

    #[test]
    fn report_settings_are_checked_and_nested_periods_need_noise() {
        let config = parse(EXAMPLE).unwrap();
        assert_eq!(config.reports.settings.k, 5);
        assert_eq!(
            config.reports.periods,
            [crate::domain::trends::PeriodKind::Quarter]
        );
        let with = |table: &str| parse(&EXAMPLE.replace("periods = [\"quarter\"]", table));
        assert!(with("periods = [\"quarter\"]").is_ok());
        let err = parse(&EXAMPLE.replace("k = 5\n", "k = 1\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("reports.k"), "{err}");
        let err = with("periods = [\"quarter\", \"year\"]")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("reports.periods") && err.contains("epsilon"),
            "{err}"
        );
        assert!(with("periods = [\"quarter\", \"year\"]\nepsilon = 1.0").is_ok());
        let err = with("periods = [\"week\"]").unwrap_err().to_string();
        assert!(err.contains("\"week\""), "{err}");
    }

    #[test]
    fn postgres_needs_a_key_store_database_of_its_own_and_out_of_range_limits_are_named() {
        let postgres = |database: &str, keys: &str| {
            parse(
                &EXAMPLE
                    .replace("sqlite:ombuds.db", database)
                    .replace("store = \"keys.db\"", &format!("store = \"{keys}\"")),
            )
        };
        let config = postgres(
            "postgres://ombuds:s3cret@db.example.org/ombuds",
            "postgresql://keys@keys.example.org:5433/ombuds_keys?sslmode=require",
        )
        .unwrap();
        match (&config.database, &config.keys.store) {
            (Database::Postgres { url }, KeyStore::Postgres(keys)) => {
                assert_eq!(
                    url.expose(),
                    "postgres://ombuds:s3cret@db.example.org/ombuds"
                );
                assert_eq!(
                    url.to_string(),
                    "postgres://ombuds:***@db.example.org/ombuds"
                );
                assert!(!format!("{config:?}").contains("s3cret"));
                assert_eq!(
                    keys.to_string(),
                    "postgresql://keys@keys.example.org:5433/ombuds_keys?sslmode=require"
                );
            }
            other => panic!("{other:?}"),
        }
        let hidden = PostgresUrl::parse("postgres://h/db?user=u&password=pw").unwrap();
        assert_eq!(hidden.to_string(), "postgres://h/db?user=u&password=***");

        let err = postgres("postgres://db/ombuds", "keys.db")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("keys.store") && err.contains("second PostgreSQL"),
            "{err}"
        );
        let err = postgres("postgres://db/ombuds", "postgres://db/ombuds")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("keys.store") && err.contains("same database"),
            "{err}"
        );
        let err = postgres("sqlite:ombuds.db", "postgres://db/keys")
            .unwrap_err()
            .to_string();
        assert!(err.contains("keys.store"), "{err}");
        let err = postgres("postgres://", "postgres://db/keys")
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.url"), "{err}");
        let err = parse(&EXAMPLE.replace("sqlite:ombuds.db", "mysql://db/ombuds"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.url"), "{err}");
        let err =
            parse(&EXAMPLE.replace("max_description_chars = 10000", "max_description_chars = 0"))
                .unwrap_err()
                .to_string();
        assert!(err.contains("intake.max_description_chars"), "{err}");
    }

    #[test]
    fn the_documented_limits_are_the_defaults_and_parse_when_uncommented() {
        let start = EXAMPLE.find("# [limits]").unwrap();
        let block: String = EXAMPLE[start..]
            .lines()
            .filter(|line| {
                let line = line.trim_start_matches("# ");
                line.starts_with("[limits")
                    || line.split_once(" = ").is_some_and(|(key, _)| {
                        key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    })
            })
            .map(|line| line.trim_start_matches("# "))
            .filter(|line| !line.starts_with("client_address_header"))
            .collect::<Vec<_>>()
            .join("\n");
        let config = parse(&format!("{EXAMPLE}\n{block}\n")).unwrap();
        assert_eq!(config.limits, parse(EXAMPLE).unwrap().limits);
        assert_eq!(config.limits.max_connections, 1024);
        let err = parse(&format!(
            "{EXAMPLE}\n[limits.per_client]\nenabled = true\nclient_address_header = \"X-Real-IP\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("limits.per_client.client_address_header")
                && err.contains("behind_tls_proxy"),
            "{err}"
        );
    }

    #[test]
    fn signing_key_settings_default_and_a_bad_retired_key_is_named() {
        let without = EXAMPLE
            .replace("signing_key = \"signing.key\"", "")
            .replace("retired_public_keys = []", "");
        let config = parse(&without).unwrap();
        assert_eq!(
            config.keys.signing_key,
            Path::new("/srv/ombuds/signing.key")
        );
        assert!(config.keys.retired_public_keys.is_empty());
        let err = parse(&EXAMPLE.replace(
            "retired_public_keys = []",
            "retired_public_keys = [\"ed25519:nope\"]",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("keys.retired_public_keys"), "{err}");
    }
}
