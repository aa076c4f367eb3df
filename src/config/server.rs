//! `[server]`: where the service listens, how clients reach it over TLS, the public address
//! for links it prints, and the optional plain-HTTP redirect listener.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::Invalid;
use crate::domain::phrase::Phrase;

/// Where the service offers its own source when `source_url` is not set.
pub const SOURCE_PAGE: &str = "/source";

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    listen: String,
    pub(super) behind_tls_proxy: bool,
    tls_certificate: Option<PathBuf>,
    tls_private_key: Option<PathBuf>,
    request_timeout_seconds: u64,
    public_url: Option<String>,
    redirect_http_listen: Option<String>,
    source_url: Option<String>,
}

impl Default for Raw {
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

impl Raw {
    /// Checks the table; relative TLS paths are resolved against `base`.
    pub(super) fn check(self, base: &Path) -> Result<Server, Invalid> {
        let listen: SocketAddr = self.listen.parse().map_err(|_| {
            (
                "server.listen",
                Phrase::new("cli.config.address")
                    .with("text", format!("{:?}", self.listen))
                    .with("example", "127.0.0.1:8080"),
            )
        })?;
        let tls = match (self.tls_certificate, self.tls_private_key) {
            (None, None) => None,
            (Some(certificate), Some(private_key)) => Some(TlsFiles {
                certificate: base.join(certificate),
                private_key: base.join(private_key),
            }),
            (Some(_), None) => {
                return Err((
                    "server.tls_private_key",
                    Phrase::new("cli.config.required_with").with("other", "server.tls_certificate"),
                ));
            }
            (None, Some(_)) => {
                return Err((
                    "server.tls_certificate",
                    Phrase::new("cli.config.required_with").with("other", "server.tls_private_key"),
                ));
            }
        };
        let request_timeout_seconds = super::range(
            "server.request_timeout_seconds",
            self.request_timeout_seconds,
            1,
            600,
        )?;
        let public_url = match self.public_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(url) => {
                return Err((
                    "server.public_url",
                    Phrase::new("cli.config.url_scheme").with("url", format!("{url:?}")),
                ));
            }
        };
        let source_url = match self.source_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Some(url.to_owned())
            }
            Some(url) => {
                return Err((
                    "server.source_url",
                    Phrase::new("cli.config.url_scheme").with("url", format!("{url:?}")),
                ));
            }
        };
        let redirect_http_listen = match self.redirect_http_listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(_) if tls.is_none() => {
                return Err((
                    "server.redirect_http_listen",
                    Phrase::new("cli.config.redirect_needs_tls"),
                ));
            }
            Some(_)
                if !public_url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("https://")) =>
            {
                return Err((
                    "server.public_url",
                    Phrase::new("cli.config.redirect_needs_https"),
                ));
            }
            Some(address) => Some(address.parse::<SocketAddr>().map_err(|_| {
                (
                    "server.redirect_http_listen",
                    Phrase::new("cli.config.address")
                        .with("text", format!("{address:?}"))
                        .with("example", "0.0.0.0:80"),
                )
            })?),
        };
        Ok(Server {
            listen,
            behind_tls_proxy: self.behind_tls_proxy,
            tls,
            request_timeout: Duration::from_secs(request_timeout_seconds),
            public_url,
            redirect_http_listen,
            source_url,
        })
    }
}
