//! `[digest]`: the optional e-mail that tells each ombuds who asked for it that something
//! waits. Off unless `enabled = true`; then the mail relay, the sender and the schedule are
//! checked here. This module reads and checks the settings only: [`crate::mail`] sends (and
//! reads the password file), [`crate::jobs::digest`] decides when.
//!
//! Plain SMTP is accepted only to a loopback address (a mail server on this machine, which
//! relays onward itself), and never with a username: over the network the relay is reached
//! with TLS, implicit or STARTTLS (required, not opportunistic), its certificate checked
//! against the system's trust store and an optional CA file.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use serde::Deserialize;

use super::{Invalid, non_empty, range};
use crate::domain::digest::{MAX_INTERVAL_HOURS, Schedule};
use crate::domain::phrase::Phrase;

/// How the digest reaches its mail relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (SMTPS, port 465 by default).
    Implicit,
    /// Plain connection upgraded with STARTTLS before anything is sent; a relay that does not
    /// offer it is refused (port 587 by default).
    StartTls,
    /// No encryption: only to a loopback address (port 25 by default).
    LoopbackPlain,
}

impl Security {
    /// The setting's word for it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Implicit => "implicit",
            Self::StartTls => "starttls",
            Self::LoopbackPlain => "none",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Self::Implicit => 465,
            Self::StartTls => 587,
            Self::LoopbackPlain => 25,
        }
    }
}

/// The mail relay.
#[derive(Debug, Clone)]
pub struct Smtp {
    /// Its host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub security: Security,
    /// The user name to authenticate as, if any; its password is in `password_file`.
    pub username: Option<String>,
    /// The owner-only file holding the password (read at start-up and at each sending).
    pub password_file: Option<PathBuf>,
    /// A PEM file of extra certificate authorities the relay's certificate may chain to.
    pub ca_file: Option<PathBuf>,
}

/// The digest's settings, when it is on.
#[derive(Debug, Clone)]
pub struct Digest {
    /// The mail relay.
    pub smtp: Smtp,
    /// The sender, as the message's `From`.
    pub from: Mailbox,
    /// When digests go.
    pub schedule: Schedule,
    /// How often the server looks whether a digest is due.
    pub check_interval: Duration,
}

/// The table as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    enabled: bool,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    tls: Option<String>,
    username: Option<String>,
    password_file: Option<String>,
    ca_file: Option<String>,
    from: Option<String>,
    hour: Option<u32>,
    interval_hours: Option<u32>,
    check_interval_seconds: Option<u64>,
}

fn problem(key: &'static str) -> Phrase {
    Phrase::new(key)
}

impl Raw {
    /// Checks the table: `None` when the digest is off (nothing else is looked at then).
    pub(super) fn check(self, base: &Path) -> Result<Option<Digest>, Invalid> {
        if !self.enabled {
            return Ok(None);
        }
        let host = non_empty(self.smtp_host)
            .ok_or(("digest.smtp_host", problem("cli.config.digest_needs")))?;
        if host.contains(|c: char| c.is_whitespace() || c == '/') || host.contains("://") {
            return Err((
                "digest.smtp_host",
                Phrase::new("cli.config.digest_host").with("host", format!("{host:?}")),
            ));
        }
        let security = match self.tls.as_deref().map(str::trim) {
            None | Some("implicit") => Security::Implicit,
            Some("starttls") => Security::StartTls,
            Some("none") => Security::LoopbackPlain,
            Some(other) => {
                return Err((
                    "digest.tls",
                    Phrase::new("cli.config.digest_tls").with("word", format!("{other:?}")),
                ));
            }
        };
        if security == Security::LoopbackPlain && !is_loopback(&host) {
            return Err((
                "digest.tls",
                Phrase::new("cli.config.digest_plain").with("host", host),
            ));
        }
        let port = match self.smtp_port {
            None => security.default_port(),
            Some(port) => range("digest.smtp_port", port, 1, u16::MAX)?,
        };
        let username = non_empty(self.username);
        let password_file = non_empty(self.password_file).map(|p| base.join(p));
        match (&username, &password_file) {
            (Some(_), None) => {
                return Err((
                    "digest.password_file",
                    Phrase::new("cli.config.required_with").with("other", "digest.username"),
                ));
            }
            (None, Some(_)) => {
                return Err((
                    "digest.username",
                    Phrase::new("cli.config.required_with").with("other", "digest.password_file"),
                ));
            }
            _ => {}
        }
        if username.is_some() && security == Security::LoopbackPlain {
            return Err(("digest.username", problem("cli.config.digest_plain_login")));
        }
        let from =
            non_empty(self.from).ok_or(("digest.from", problem("cli.config.digest_needs")))?;
        let from = from.parse::<Mailbox>().map_err(|_| {
            (
                "digest.from",
                Phrase::new("cli.config.digest_from").with("from", format!("{from:?}")),
            )
        })?;
        let hour = range("digest.hour", self.hour.unwrap_or(8), 0, 23)?;
        let interval_hours = range(
            "digest.interval_hours",
            self.interval_hours.unwrap_or(24),
            1,
            MAX_INTERVAL_HOURS,
        )?;
        let check = range(
            "digest.check_interval_seconds",
            self.check_interval_seconds.unwrap_or(60),
            1,
            3600,
        )?;
        Ok(Some(Digest {
            smtp: Smtp {
                host,
                port,
                security,
                username,
                password_file,
                ca_file: non_empty(self.ca_file).map(|p| base.join(p)),
            },
            from,
            schedule: Schedule {
                hour,
                interval_hours,
            },
            check_interval: Duration::from_secs(check),
        }))
    }
}

/// Whether `host` is a loopback address written as one (`127.0.0.1`, `::1`): a name, even
/// `localhost`, is refused, since what it resolves to is not this file's to say.
fn is_loopback(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Option<Digest>, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| e.to_string())?;
        raw.check(Path::new("/srv/ombuds"))
            .map_err(|(setting, problem)| {
                format!("{setting}: {}", crate::i18n::Lang::En.say(&problem))
            })
    }

    const GOOD: &str = "enabled = true\nsmtp_host = \"smtp.example.org\"\n\
                        from = \"Ombuds service <ombuds@example.org>\"\n";

    #[test]
    fn off_by_default_and_nothing_else_is_looked_at_then() {
        assert!(check("").unwrap().is_none());
        assert!(
            check("enabled = false\ntls = \"sideways\"")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn the_defaults_are_implicit_tls_daily_at_eight() {
        let digest = check(GOOD).unwrap().unwrap();
        assert_eq!(digest.smtp.security, Security::Implicit);
        assert_eq!(digest.smtp.port, 465);
        assert_eq!(
            digest.schedule,
            Schedule {
                hour: 8,
                interval_hours: 24
            }
        );
        assert_eq!(digest.check_interval, Duration::from_secs(60));
        assert_eq!(digest.from.email.to_string(), "ombuds@example.org");
        let starttls = check(&format!("{GOOD}tls = \"starttls\"\n"))
            .unwrap()
            .unwrap();
        assert_eq!(starttls.smtp.port, 587);
        let login = check(&format!(
            "{GOOD}username = \"ombuds\"\npassword_file = \"smtp-password\"\n"
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            login.smtp.password_file.as_deref(),
            Some(Path::new("/srv/ombuds/smtp-password"))
        );
    }

    #[test]
    fn plain_smtp_only_to_a_loopback_address_and_never_with_a_password() {
        let plain =
            |host: &str| format!("{GOOD}tls = \"none\"\n").replace("smtp.example.org", host);
        assert_eq!(
            check(&plain("127.0.0.1")).unwrap().unwrap().smtp.security,
            Security::LoopbackPlain
        );
        assert!(check(&plain("::1")).unwrap().is_some());
        for host in ["smtp.example.org", "localhost", "192.0.2.10"] {
            let err = check(&plain(host)).unwrap_err();
            assert!(err.starts_with("digest.tls: "), "{err}");
            assert!(err.contains("loopback"), "{err}");
        }
        let err = check(&format!(
            "{}username = \"u\"\npassword_file = \"p\"\n",
            plain("127.0.0.1")
        ))
        .unwrap_err();
        assert!(err.starts_with("digest.username: "), "{err}");
    }

    #[test]
    fn each_bad_setting_is_named() {
        for (text, setting) in [
            (
                "enabled = true\nfrom = \"a@example.org\"",
                "digest.smtp_host",
            ),
            (
                "enabled = true\nsmtp_host = \"smtp.example.org\"",
                "digest.from",
            ),
            (&format!("{GOOD}tls = \"ssl\""), "digest.tls"),
            (&format!("{GOOD}smtp_port = 0"), "digest.smtp_port"),
            (&format!("{GOOD}hour = 24"), "digest.hour"),
            (
                &format!("{GOOD}interval_hours = 0"),
                "digest.interval_hours",
            ),
            (
                &format!("{GOOD}interval_hours = 169"),
                "digest.interval_hours",
            ),
            (
                &format!("{GOOD}check_interval_seconds = 0"),
                "digest.check_interval_seconds",
            ),
            (&format!("{GOOD}username = \"u\""), "digest.password_file"),
            (&format!("{GOOD}password_file = \"p\""), "digest.username"),
            (
                &GOOD.replace("smtp.example.org", "smtps://smtp.example.org"),
                "digest.smtp_host",
            ),
            (
                &GOOD.replace("Ombuds service <ombuds@example.org>", "nobody"),
                "digest.from",
            ),
        ] {
            let err = check(text).unwrap_err();
            assert!(err.starts_with(&format!("{setting}: ")), "{text}: {err}");
        }
        assert!(
            check(&format!("{GOOD}smtp_password = \"x\"")).is_err(),
            "no password inline"
        );
    }
}
