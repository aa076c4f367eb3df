//! Keeps the served TLS certificate current without a restart: the certificate and key files
//! are read again on SIGHUP and whenever their contents change (checked every
//! [`CHECK_INTERVAL`]). A new pair that cannot be used is refused with a log line saying why,
//! and the certificate already in use keeps serving.
//!
//! This module only swaps the certificate of a running TLS listener; what TLS allows (versions,
//! cipher suites, ALPN) is [`crate::server::tls`]'s, and it never stops the server.

use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use crate::config::TlsFiles;
use crate::server::tls;

/// How often the files are compared with what is being served.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(2);

/// Starts watching `files` for the listener configured by `served`, which was built from them.
pub fn spawn(served: RustlsConfig, files: TlsFiles) -> JoinHandle<()> {
    tokio::spawn(watch(served, files))
}

/// What a pair of files held, as a digest: compared, never shown.
type Fingerprint = [u8; 32];

async fn watch(served: RustlsConfig, files: TlsFiles) {
    let mut current = fingerprint(&files).ok();
    let mut refused: Option<Fingerprint> = None;
    let mut hangups = hangups();
    let mut ticks = tokio::time::interval(CHECK_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let asked = tokio::select! {
            _ = ticks.tick() => false,
            Some(()) = next_hangup(&mut hangups) => true,
        };
        let now = match fingerprint(&files) {
            Ok(now) => now,
            Err(problem) => {
                // Between a renewal tool's writes a file may briefly be missing: say so when
                // asked, and otherwise wait for the next look.
                if asked {
                    tracing::warn!(
                        "TLS certificate reload refused: {problem}; still serving the previous \
                         certificate"
                    );
                }
                continue;
            }
        };
        if !asked && (Some(now) == current || Some(now) == refused) {
            continue;
        }
        match tls::server_config(&files) {
            Ok(config) => {
                served.reload_from_config(config);
                current = Some(now);
                refused = None;
                tracing::info!(
                    "TLS certificate reloaded from {} ({})",
                    files.certificate.display(),
                    if asked { "SIGHUP" } else { "the files changed" }
                );
            }
            Err(problem) => {
                if refused != Some(now) || asked {
                    tracing::warn!(
                        "TLS certificate reload refused: {problem}; still serving the previous \
                         certificate"
                    );
                }
                refused = Some(now);
            }
        }
    }
}

/// The digest of the certificate file and the key file together.
fn fingerprint(files: &TlsFiles) -> Result<Fingerprint, String> {
    let mut digest = Sha256::new();
    for (setting, path) in [
        ("server.tls_certificate", &files.certificate),
        ("server.tls_private_key", &files.private_key),
    ] {
        let bytes = Zeroizing::new(
            std::fs::read(path).map_err(|e| format!("{setting} {}: {e}", path.display()))?,
        );
        digest.update((bytes.len() as u64).to_be_bytes());
        digest.update(&bytes[..]);
    }
    Ok(digest.finalize().into())
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = ();

#[cfg(unix)]
fn hangups() -> Hangups {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(e) => {
            tracing::warn!(
                "cannot listen for SIGHUP ({e}); TLS files are still checked for changes"
            );
            None
        }
    }
}

#[cfg(not(unix))]
fn hangups() -> Hangups {}

#[cfg(unix)]
async fn next_hangup(hangups: &mut Hangups) -> Option<()> {
    match hangups {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangups) -> Option<()> {
    std::future::pending().await
}
