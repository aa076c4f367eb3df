//! The service's configuration: one TOML file, read by one parser ([`Config::parse`]) into
//! typed, checked settings. Each table has a module of its own holding its raw form (as
//! written, with its defaults) and its check; this module reads the file and hands each table
//! to its module. A bad setting stops start-up with a message that names it. Problems are
//! [`Phrase`]s (a key of `[cli.config]` in `translations/en.toml` and its values): this module
//! words nothing.
//!
//! Commands that need only part of a file (`ombuds deadline --config`, `ombuds report
//! --counters --config`) read it with [`Sections::load`], through the same tables and checks.
//!
//! This module reads the file; it never creates anything (that is [`crate::cli::init`]'s job)
//! and never reads environment variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::phrase::{Phrase, Said};

pub mod association;
pub mod database;
pub mod deadline;
pub mod digest;
pub mod intake;
pub mod keys;
pub mod letters;
pub mod limits;
pub mod metrics;
mod names;
pub mod reports;
pub mod retention;
pub mod server;

pub use association::{Association, Letterhead, ProfessionalStandards};
pub use database::{Database, PostgresUrl};
pub use deadline::Deadline;
pub use intake::Intake;
pub use keys::{KeyStore, Keys};
pub use letters::{Letters, Referral};
pub use reports::Reports;
pub use retention::Retention;
pub use server::{Server, TlsFiles};

/// The example configuration, copied by `ombuds init`; every key is documented in it.
pub const EXAMPLE: &str = include_str!("../../config/ombuds.example.toml");

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
    /// What the letters list besides the association's contacts, and how long the letters whose
    /// lifetime the association chooses are kept.
    pub letters: Letters,
    /// The association's filing-deadline rules: holidays and roll-forward.
    pub deadline: Deadline,
    /// How board trend reports protect small counts, and which periods they cover.
    pub reports: Reports,
    /// How much the service holds at once, per audience; per-client limits; proof of work.
    pub limits: limits::Limits,
    /// The optional Prometheus endpoint.
    pub metrics: metrics::Metrics,
    /// The optional e-mail digest: `None` when it is off.
    pub digest: Option<digest::Digest>,
}

/// Why a configuration could not be used.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's explanation, with line and column.
        message: String,
    },
    /// A setting has a value the service cannot use.
    Invalid {
        /// The file.
        path: PathBuf,
        /// The setting, as `table.key`.
        setting: &'static str,
        /// What is wrong with it.
        problem: Phrase,
    },
}

impl Said for ConfigError {
    fn phrase(&self) -> Phrase {
        match self {
            Self::Read { path, source } => Phrase::new("cli.config.cannot_read")
                .with("file", path.display().to_string())
                .with("error", source.to_string()),
            Self::Parse { path, message } => Phrase::new("cli.config.not_understood")
                .with("file", path.display().to_string())
                .with("message", message.as_str()),
            Self::Invalid {
                path,
                setting,
                problem,
            } => Phrase::new("cli.config.invalid")
                .with("file", path.display().to_string())
                .with("setting", *setting)
                .with("problem", problem.clone()),
        }
    }
}

/// A problem with one setting: its name (`table.key`) and what is wrong.
pub(crate) type Invalid = (&'static str, Phrase);

/// `value` if it lies from `low` to `high`, else a problem naming `setting`.
pub(crate) fn range<T: PartialOrd + std::fmt::Display + Copy>(
    setting: &'static str,
    value: T,
    low: T,
    high: T,
) -> Result<T, Invalid> {
    if value < low || value > high {
        Err((
            setting,
            Phrase::new("cli.config.out_of_range")
                .with("value", value.to_string())
                .with("low", low.to_string())
                .with("high", high.to_string()),
        ))
    } else {
        Ok(value)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    association: association::Raw,
    #[serde(default)]
    server: server::Raw,
    database: database::Raw,
    keys: keys::Raw,
    #[serde(default)]
    intake: intake::Raw,
    #[serde(default)]
    retention: retention::Raw,
    #[serde(default)]
    letters: letters::Raw,
    #[serde(default)]
    deadline: deadline::DeadlineSettings,
    #[serde(default)]
    reports: reports::Raw,
    #[serde(default)]
    limits: limits::RawLimits,
    #[serde(default)]
    metrics: metrics::RawMetrics,
    #[serde(default)]
    digest: digest::Raw,
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

    /// Checks configuration `text` as if it had been read from `path`. Relative paths in it
    /// are resolved against the file's directory.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let invalid = |(setting, problem): Invalid| ConfigError::Invalid {
            path: path.to_owned(),
            setting,
            problem,
        };
        let association = raw.association.check().map_err(invalid)?;
        let behind_tls_proxy = raw.server.behind_tls_proxy;
        let server = raw.server.check(base).map_err(invalid)?;
        let retention = raw.retention.check().map_err(invalid)?;
        let letters = raw.letters.check().map_err(invalid)?;
        let deadline = raw
            .deadline
            .check()
            .map_err(|e| invalid(("deadline", e.phrase())))?;
        let reports = raw.reports.check().map_err(invalid)?;
        let database = raw.database.check(base).map_err(invalid)?;
        let keys = raw.keys.check(&database, base).map_err(invalid)?;
        let intake = raw.intake.check().map_err(invalid)?;
        let limits = raw.limits.check(behind_tls_proxy).map_err(invalid)?;
        let metrics = raw.metrics.check().map_err(invalid)?;
        let digest = raw.digest.check(base).map_err(invalid)?;
        Ok(Self {
            file: path.to_owned(),
            association,
            server,
            database,
            keys,
            intake,
            retention,
            letters,
            deadline,
            reports,
            limits,
            metrics,
            digest,
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
    pub fn check_transport(&self, listen: SocketAddr) -> Result<(), Phrase> {
        if !self.clients_use_tls() && !listen.ip().is_loopback() {
            return Err(Phrase::new("cli.config.plain_http").with("listen", listen.to_string()));
        }
        // Links that are stored or sent (enrolment links, the address in a termination
        // notice) name the service. A request's Host header is whatever its sender wrote, so
        // they never come from it: from `public_url`, or else from the loopback address the
        // service listens on, which is right only for people on this machine.
        let reached_from_elsewhere = self.server.behind_tls_proxy || !listen.ip().is_loopback();
        if reached_from_elsewhere && self.server.public_url.is_none() {
            let why = if self.server.behind_tls_proxy {
                Phrase::new("cli.config.behind_proxy")
            } else {
                Phrase::new("cli.config.listens_on").with("listen", listen.to_string())
            };
            return Err(Phrase::new("cli.config.public_url_needed").with("why", why));
        }
        Ok(())
    }
}

/// The tables a command reads from a file that need not be a whole service configuration:
/// tables not listed here are ignored, and missing tables take their defaults.
#[derive(Debug, Clone)]
pub struct Sections {
    /// What `[association]` gives, all of it optional.
    pub association: association::Partial,
    /// `[deadline]`, checked.
    pub deadline: Deadline,
    /// `[reports]`, checked.
    pub reports: Reports,
}

#[derive(Deserialize)]
struct RawSections {
    #[serde(default)]
    association: association::Raw,
    #[serde(default)]
    deadline: deadline::DeadlineSettings,
    #[serde(default)]
    reports: reports::Raw,
}

impl Sections {
    /// Reads `[association]`, `[deadline]` and `[reports]` from the file at `path`. The error
    /// is one line naming `--config`, the file and, where known, the line or the setting.
    pub fn load(path: &Path) -> Result<Self, Phrase> {
        let file = || format!("{path:?}");
        let text = std::fs::read_to_string(path).map_err(|e| {
            Phrase::new("cli.config.option_cannot_read")
                .with("file", file())
                .with("error", e.to_string())
        })?;
        let raw: RawSections = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        let setting = |(setting, problem): Invalid| {
            Phrase::new("cli.config.option_invalid")
                .with("file", file())
                .with("setting", setting)
                .with("problem", problem)
        };
        Ok(Self {
            association: raw.association.check_partial().map_err(setting)?,
            deadline: raw.deadline.check().map_err(|e| {
                Phrase::new("cli.config.option_deadline")
                    .with("file", file())
                    .with("problem", e.phrase())
            })?,
            reports: raw.reports.check().map_err(setting)?,
        })
    }
}

/// A TOML error as one line naming the file and, where known, the line: for commands that read
/// only part of a configuration file.
pub fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> Phrase {
    let line = error
        .span()
        .and_then(|span| text.get(..span.start))
        .map(|before| before.matches('\n').count() + 1);
    let message = error.message().replace('\n', " ");
    let phrase = match line {
        Some(line) => Phrase::new("cli.config.option_line").with("line", line),
        None => Phrase::new("cli.config.option_problem"),
    };
    phrase
        .with("file", format!("{path:?}"))
        .with("message", message)
}

/// `value` trimmed, or `None` if it is empty.
pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("/srv/ombuds/ombuds.toml"), text).map_err(|e| said(&e.phrase()))
    }

    /// A problem in words, as the command line says it.
    fn said(phrase: &Phrase) -> String {
        crate::i18n::Lang::En.say(phrase)
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
    fn the_professional_standards_contact_needs_a_name_and_a_way_to_reach_it() {
        assert_eq!(
            parse(EXAMPLE).unwrap().association.professional_standards,
            None
        );
        let table = "# [association.professional_standards]\n# name = \"Professional Standards Administrator\"\n# phone = \"555-0110\"\n# email = \"standards@example.org\"";
        assert!(EXAMPLE.contains(table));
        let whole = table.replace("# ", "");
        let config = parse(&EXAMPLE.replace(table, &whole)).unwrap();
        assert_eq!(
            config.association.professional_standards,
            Some(ProfessionalStandards {
                name: "Professional Standards Administrator".into(),
                names: Vec::new(),
                phone: Some("555-0110".into()),
                email: Some("standards@example.org".into()),
            })
        );
        // A name per language: Spanish pages and letters use it; a language the pages do not
        // speak, or an empty name, is refused naming the setting.
        let spanish = whole.replace(
            "phone = \"555-0110\"",
            "names = { es = \"Administración de normas profesionales\" }\nphone = \"555-0110\"",
        );
        let standards = parse(&EXAMPLE.replace(table, &spanish))
            .unwrap()
            .association
            .professional_standards
            .unwrap();
        assert_eq!(
            standards.name_in(crate::i18n::Lang::Es),
            "Administración de normas profesionales"
        );
        assert_eq!(
            standards.name_in(crate::i18n::Lang::En),
            "Professional Standards Administrator"
        );
        for bad in ["{ de = \"Berufsstandards\" }", "{ es = \"\" }"] {
            let text = whole.replace(
                "phone = \"555-0110\"",
                &format!("names = {bad}\nphone = \"555-0110\""),
            );
            let err = parse(&EXAMPLE.replace(table, &text)).unwrap_err();
            assert!(
                err.contains("association.professional_standards.names"),
                "{bad}: {err}"
            );
        }
        let nameless = whole.replace(
            "name = \"Professional Standards Administrator\"",
            "name = \" \"",
        );
        let err = parse(&EXAMPLE.replace(table, &nameless)).unwrap_err();
        assert!(
            err.contains("association.professional_standards.name"),
            "{err}"
        );
        let unreachable = whole
            .replace("phone = \"555-0110\"", "")
            .replace("email = \"standards@example.org\"", "");
        let err = parse(&EXAMPLE.replace(table, &unreachable)).unwrap_err();
        assert!(err.contains("association.professional_standards"), "{err}");
        assert!(err.contains("phone or an email"), "{err}");
        let misspelt = whole.replace("phone", "telephone");
        let err = parse(&EXAMPLE.replace(table, &misspelt)).unwrap_err();
        assert!(err.contains("telephone"), "{err}");
    }

    #[test]
    fn a_bad_time_zone_is_named() {
        let text = EXAMPLE.replace("America/Phoenix", "Mars/Olympus_Mons");
        let err = parse(&text).unwrap_err();
        assert!(err.contains("association.time_zone"), "{err}");
        assert!(err.contains("Mars/Olympus_Mons"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name() {
        let text = EXAMPLE.replace("[intake]", "[intake]\nmax_descripton_chars = 5");
        let err = parse(&text).unwrap_err();
        assert!(err.contains("max_descripton_chars"), "{err}");
    }

    #[test]
    fn half_a_tls_setting_is_refused() {
        let text = EXAMPLE.replace("# tls_certificate", "tls_certificate");
        let err = parse(&text).unwrap_err();
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
        let refused = said(
            &proxied
                .check_transport("127.0.0.1:9000".parse().unwrap())
                .unwrap_err(),
        );
        assert!(
            refused.contains("server.public_url"),
            "behind a proxy, links need the public address: {refused}"
        );
        let proxied = parse(
            &EXAMPLE
                .replace("behind_tls_proxy = false", "behind_tls_proxy = true")
                .replace(
                    "# public_url = \"https://ombuds.example.org\"",
                    "public_url = \"https://ombuds.example.org\"",
                ),
        )
        .unwrap();
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
        let err = parse(&EXAMPLE.replace("note_days = 30", "note_days = 120")).unwrap_err();
        assert!(err.contains("retention.note_days"), "{err}");
        let err = parse(&EXAMPLE.replace("note_max_days = 90", "note_max_days = 0")).unwrap_err();
        assert!(err.contains("retention.note_max_days"), "{err}");
        assert_eq!(config.retention.stale_after_days, 180);
        let without = EXAMPLE.replace("stale_after_days = 180\n", "");
        assert_ne!(without, EXAMPLE);
        assert_eq!(parse(&without).unwrap().retention.stale_after_days, 180);
        for bad in ["29", "3651", "0"] {
            let err = parse(&EXAMPLE.replace(
                "stale_after_days = 180",
                &format!("stale_after_days = {bad}"),
            ))
            .unwrap_err();
            assert!(err.contains("retention.stale_after_days"), "{bad}: {err}");
        }
        for good in ["30", "3650"] {
            let config = parse(&EXAMPLE.replace(
                "stale_after_days = 180",
                &format!("stale_after_days = {good}"),
            ))
            .unwrap();
            assert_eq!(config.retention.stale_after_days.to_string(), good);
        }
        let err = parse(&EXAMPLE.replace(
            "# public_url = \"https://ombuds.example.org\"",
            "public_url = \"ombuds.example.org\"",
        ))
        .unwrap_err();
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
        let err = parse(&text).unwrap_err();
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
        let err = parse(&EXAMPLE.replace("k = 5\n", "k = 1\n")).unwrap_err();
        assert!(err.contains("reports.k"), "{err}");
        let err = with("periods = [\"quarter\", \"year\"]").unwrap_err();
        assert!(
            err.contains("reports.periods") && err.contains("epsilon"),
            "{err}"
        );
        assert!(with("periods = [\"quarter\", \"year\"]\nepsilon = 1.0").is_ok());
        let err = with("periods = [\"week\"]").unwrap_err();
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

        let err = postgres("postgres://db/ombuds", "keys.db").unwrap_err();
        assert!(
            err.contains("keys.store") && err.contains("second PostgreSQL"),
            "{err}"
        );
        let err = postgres("postgres://db/ombuds", "postgres://db/ombuds").unwrap_err();
        assert!(
            err.contains("keys.store") && err.contains("same database"),
            "{err}"
        );
        let err = postgres("sqlite:ombuds.db", "postgres://db/keys").unwrap_err();
        assert!(err.contains("keys.store"), "{err}");
        let err = postgres("postgres://", "postgres://db/keys").unwrap_err();
        assert!(err.contains("database.url"), "{err}");
        let err = parse(&EXAMPLE.replace("sqlite:ombuds.db", "mysql://db/ombuds")).unwrap_err();
        assert!(err.contains("database.url"), "{err}");
        let err =
            parse(&EXAMPLE.replace("max_description_chars = 10000", "max_description_chars = 0"))
                .unwrap_err();
        assert!(err.contains("intake.max_description_chars"), "{err}");
    }

    #[test]
    fn the_documented_limits_are_the_defaults_and_parse_when_uncommented() {
        let start = EXAMPLE.find("# [limits]").unwrap();
        // Up to the next table that is not commented out (the limits are all commented).
        let end = EXAMPLE[start..]
            .find("\n[")
            .map_or(EXAMPLE.len(), |at| start + at);
        let block: String = EXAMPLE[start..end]
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
        .unwrap_err();
        assert!(
            err.contains("limits.per_client.client_address_header")
                && err.contains("behind_tls_proxy"),
            "{err}"
        );
    }

    #[test]
    fn the_documented_digest_settings_parse_when_uncommented_and_on() {
        assert!(parse(EXAMPLE).unwrap().digest.is_none(), "off by default");
        let start = EXAMPLE.find("\n[digest]\n").unwrap();
        let on: String = EXAMPLE[start..]
            .lines()
            .map(|line| line.strip_prefix("# ").unwrap_or(line))
            .filter(|line| line.starts_with('[') || line.split_once(" = ").is_some())
            .map(|line| line.replace("enabled = false", "enabled = true"))
            .collect::<Vec<_>>()
            .join("\n");
        let config = parse(&format!("{}\n{on}\n", &EXAMPLE[..start])).unwrap();
        let digest = config.digest.unwrap();
        assert_eq!(digest.smtp.host, "smtp.example.org");
        assert_eq!(digest.smtp.port, 465);
        assert_eq!(
            digest.smtp.password_file.as_deref(),
            Some(Path::new("/srv/ombuds/smtp-password"))
        );
        assert_eq!(digest.schedule.hour, 8);
        assert_eq!(digest.schedule.interval_hours, 24);
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
        .unwrap_err();
        assert!(err.contains("keys.retired_public_keys"), "{err}");
    }
}
