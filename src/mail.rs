//! Sending e-mail: the one SMTP client (lettre, over rustls), used by the digest
//! ([`crate::jobs::digest`]). It sends what it is given to one address at a time and words
//! nothing itself.
//!
//! The relay is reached as `[digest]` says ([`crate::config::digest`]): TLS from the start or
//! STARTTLS (required), the relay's certificate checked against the system's trust store and
//! the optional CA file; plain SMTP only to a loopback address. The password is read from its
//! owner-only file at each sending round, held in a zeroizing string, and never logged or shown
//! by `Debug` (lettre keeps its own copy for the round and shows none of it either).
//!
//! A failure is told by kind and SMTP code only ([`SendFailure`]): never the relay's words,
//! which may echo an address or anything else, and never the message.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use zeroize::Zeroizing;

use crate::config::digest::{Digest, Security, Smtp};
use crate::crypto::secret_file::{self, SecretFileError};

/// How long one exchange with the relay may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The relay's password, as read from its file.
struct Password(Zeroizing<String>);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// What the mail client could not do.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The password file could not be read, or other users can read it.
    #[error("{0}")]
    Password(#[from] SecretFileError),
    /// The password file is empty.
    #[error("{} holds no password", .0.display())]
    EmptyPassword(PathBuf),
    /// The CA file could not be read, or holds no certificate.
    #[error("{}: {problem}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// TLS could not be set up for the relay (its name, the trust store).
    #[error("TLS for {host} cannot be set up")]
    Tls {
        /// The relay.
        host: String,
    },
    /// A recipient's address is not one the mail library takes.
    #[error("the address is not one an e-mail can be sent to")]
    Address,
    /// The message could not be put together.
    #[error("the message could not be put together")]
    Compose,
    /// The relay could not be reached, or did not take the message.
    #[error("{0}")]
    Send(SendFailure),
}

impl MailError {
    /// The setting an operator changes to fix it.
    pub fn setting(&self) -> &'static str {
        match self {
            Self::Password(_) | Self::EmptyPassword(_) => "digest.password_file",
            Self::CaFile { .. } => "digest.ca_file",
            Self::Address => "digest address",
            Self::Tls { .. } | Self::Compose | Self::Send(_) => "digest.smtp_host",
        }
    }
}

/// Why a message did not go, in a few words and the SMTP code: nothing the relay wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendFailure {
    /// What kind of failure.
    pub kind: &'static str,
    /// The relay's reply code, for a refusal.
    pub code: Option<u16>,
}

impl std::fmt::Display for SendFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "{} (SMTP {code})", self.kind),
            None => f.write_str(self.kind),
        }
    }
}

impl From<lettre::transport::smtp::Error> for SendFailure {
    fn from(error: lettre::transport::smtp::Error) -> Self {
        let code = error
            .status()
            .and_then(|code| code.to_string().parse::<u16>().ok());
        let kind = if error.is_timeout() {
            "the relay did not answer in time"
        } else if error.is_tls() {
            "TLS with the relay failed (its certificate or the handshake)"
        } else if error.is_transient() {
            "the relay refused for now"
        } else if error.is_permanent() {
            "the relay refused"
        } else if error.is_response() {
            "the relay's answer could not be read"
        } else if error.is_client() {
            "the relay does not offer what is needed (STARTTLS or a way to log in)"
        } else {
            "the relay could not be reached"
        };
        Self { kind, code }
    }
}

/// The digest's mail client: the relay's settings, the sender and the checked CA file.
#[derive(Debug, Clone)]
pub struct Mailer {
    smtp: Smtp,
    from: Mailbox,
    ca: Option<Vec<u8>>,
}

impl Mailer {
    /// A client for `digest`'s relay. Reads the CA file and the password file once, so that a
    /// server starts only if both can be used.
    pub fn new(digest: &Digest) -> Result<Self, MailError> {
        let ca = match &digest.smtp.ca_file {
            None => None,
            Some(path) => Some(read_ca(path)?),
        };
        let mailer = Self {
            smtp: digest.smtp.clone(),
            from: digest.from.clone(),
            ca,
        };
        mailer.password()?;
        mailer.tls_parameters()?;
        Ok(mailer)
    }

    fn password(&self) -> Result<Option<Password>, MailError> {
        let Some(path) = &self.smtp.password_file else {
            return Ok(None);
        };
        let text = secret_file::read(path)?;
        let password = Zeroizing::new(text.trim_end_matches(['\r', '\n']).to_owned());
        if password.is_empty() {
            return Err(MailError::EmptyPassword(path.clone()));
        }
        Ok(Some(Password(password)))
    }

    fn tls_parameters(&self) -> Result<TlsParameters, MailError> {
        let tls = || MailError::Tls {
            host: self.smtp.host.clone(),
        };
        let mut builder = TlsParameters::builder(self.smtp.host.clone());
        if let Some(pem) = &self.ca {
            builder = builder.add_root_certificate(Certificate::from_pem(pem).map_err(|_| tls())?);
        }
        builder.build_rustls().map_err(|_| tls())
    }

    /// A connection setting for one round of messages: the password read now.
    pub fn round(&self) -> Result<Round, MailError> {
        let tls = match self.smtp.security {
            Security::Implicit => Tls::Wrapper(self.tls_parameters()?),
            Security::StartTls => Tls::Required(self.tls_parameters()?),
            Security::LoopbackPlain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.smtp.host)
            .port(self.smtp.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let (Some(username), Some(password)) = (&self.smtp.username, self.password()?) {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.0.as_str().to_owned(),
            ));
        }
        Ok(Round {
            transport: builder.build(),
            from: self.from.clone(),
        })
    }

    /// Connects to the relay (TLS and login included, as a sending would) and leaves again,
    /// sending nothing: for `ombuds check`.
    pub async fn check(&self) -> Result<(), MailError> {
        let round = self.round()?;
        match round.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(MailError::Send(SendFailure {
                kind: "the relay did not answer",
                code: None,
            })),
            Err(e) => Err(MailError::Send(e.into())),
        }
    }

    /// The relay, as `host:port (how)`, for messages to the operator.
    pub fn relay(&self) -> String {
        format!(
            "{}:{} (tls = {:?})",
            self.smtp.host,
            self.smtp.port,
            self.smtp.security.code()
        )
    }
}

/// One round of messages over the relay.
pub struct Round {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Round {
    /// Sends one plain-text message to `to`, dated `date` (the service's clock).
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        date: DateTime<Utc>,
    ) -> Result<(), MailError> {
        let to: Address = to.parse().map_err(|_| MailError::Address)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(subject)
            .date(date.into())
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|_| MailError::Compose)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Send(e.into()))
    }
}

fn read_ca(path: &Path) -> Result<Vec<u8>, MailError> {
    let problem = |problem: String| MailError::CaFile {
        path: path.to_owned(),
        problem,
    };
    let pem = std::fs::read(path).map_err(|e| problem(e.to_string()))?;
    Certificate::from_pem(&pem).map_err(|_| problem("holds no PEM certificate".into()))?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(problem("holds no PEM certificate".into()));
    }
    Ok(pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        let password = Password(Zeroizing::new("hunter2-CANARY".into()));
        assert_eq!(format!("{password:?}"), "Password(redacted)");
    }

    #[test]
    fn a_password_file_others_can_read_is_refused_and_an_empty_one_named() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("smtp-password");
        secret_file::create(&path, b"\n").unwrap();
        let config = |file: &Path| Digest {
            smtp: Smtp {
                host: "smtp.example.org".into(),
                port: 465,
                security: Security::Implicit,
                username: Some("ombuds".into()),
                password_file: Some(file.to_owned()),
                ca_file: None,
            },
            from: "o@example.org".parse().unwrap(),
            schedule: crate::domain::digest::Schedule {
                hour: 8,
                interval_hours: 24,
            },
            check_interval: Duration::from_secs(60),
        };
        let err = Mailer::new(&config(&path)).unwrap_err().to_string();
        assert!(err.contains("holds no password"), "{err}");
        std::fs::write(&path, "s3cret-CANARY\n").unwrap();
        let mailer = Mailer::new(&config(&path)).unwrap();
        assert!(!format!("{mailer:?}").contains("CANARY"));
        let round = mailer.round().unwrap();
        assert!(!format!("{:?}", round.transport).contains("CANARY"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Mailer::new(&config(&path)).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }
}
